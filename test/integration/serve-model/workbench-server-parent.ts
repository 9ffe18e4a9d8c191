/**
 * A stand-in for the workbench's process (run by workbench-server.test.ts with vite-node): starts a
 * model server for the demo bundle through ModelServerService, prints `READY <url> <pid>` and waits
 * to be killed.
 */
import { join } from 'node:path';
import { ModelServerService } from '../../../src/main/services/model-server';
import { REPO } from '../../helpers/paths';
import { DEMO_BUNDLE } from './serve-helpers';

const service = new ModelServerService({
  cliScript: join(REPO, 'out', 'main', 'cli.js'),
  storeDir: process.argv[2]!,
  bundlePath: () => DEMO_BUNDLE,
  table: () => {
    throw new Error('no datasets here');
  },
});
const status = await service.start({ bundleId: 'shipped:demo' });
process.stdout.write(status.state === 'ready' ? `READY ${status.url} ${status.pid}\n` : `FAILED ${status.error}\n`);
setInterval(() => undefined, 1000);
