import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PrognosError } from '../../../shared/errors';
import { RENDERER_DIR } from '../../paths';
import { startBrowserHost } from '../../server/browser-host';
import { parseCommandArgs, portOption } from '../args';
import { openServices } from '../context';
import { onInterrupt } from '../interrupt';
import type { Output } from '../output';

/** A port that cannot be listened on, in one line naming the option. */
function listenError(e: unknown, port: number): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new PrognosError('INVALID_INPUT', `--port ${port}: already in use by another program; pick another port or leave --port out for a free one.`);
  if (code === 'EACCES' || code === 'EPERM') return new PrognosError('INVALID_INPUT', `--port ${port}: permission denied (ports below 1024 need administrator rights).`);
  return e;
}

export async function serveCommand(argv: string[], out: Output): Promise<void> {
  const { values } = parseCommandArgs(argv, { port: { type: 'string' } });
  const port = portOption(values.port);
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
    throw new PrognosError('NOT_FOUND', `The UI is not built (${RENDERER_DIR} is missing). Run \`npm run build\` first.`);
  }
  const services = openServices(values.store, 'browser');
  let host: Awaited<ReturnType<typeof startBrowserHost>>;
  try {
    host = await startBrowserHost({ services, rendererDir: RENDERER_DIR, port });
  } catch (e) {
    await services.close();
    throw listenError(e, port);
  }
  // the one stdout line tools and tests parse
  process.stdout.write(`Prognos is serving on ${host.url}\n`);
  out.note(`Store: ${services.store.dir}. Only this machine can connect (127.0.0.1). Press Ctrl-C to stop.`);
  // the first stop signal stops it (a relaunched server gets each Ctrl-C twice: interrupt.ts); another, later, ends it at once
  await new Promise<void>((resolve) => onInterrupt(['SIGINT', 'SIGTERM'], resolve));
  await host.close();
  await services.close();
}
