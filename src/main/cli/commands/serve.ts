import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PrognosError } from '../../../shared/errors';
import { RENDERER_DIR } from '../../paths';
import { startBrowserHost } from '../../server/browser-host';
import { intOption, parseCommandArgs } from '../args';
import { openServices } from '../context';
import type { Output } from '../output';

export async function serveCommand(argv: string[], out: Output): Promise<void> {
  const { values } = parseCommandArgs(argv, { port: { type: 'string' } });
  const port = intOption(values.port, 'port', 0);
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
    throw new PrognosError('NOT_FOUND', `The UI is not built (${RENDERER_DIR} is missing). Run \`npm run build\` first.`);
  }
  const services = openServices(values.store, 'browser');
  const host = await startBrowserHost({ services, rendererDir: RENDERER_DIR, port });
  // the one stdout line tools and tests parse
  process.stdout.write(`Prognos is serving on ${host.url}\n`);
  out.note(`Store: ${services.store.dir}. Only this machine can connect (127.0.0.1). Press Ctrl-C to stop.`);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await host.close();
  await services.close();
}
