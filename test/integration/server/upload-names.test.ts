/** Browser mode refuses upload names with path parts: one-line error naming the field, nothing stored. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../../src/main/server/browser-host';
import { AppServices } from '../../../src/main/services/app-services';
import { BUILT_IMPORT_WORKER, BUILT_TRAIN_WORKER, REPO, requireBuild, tempDir } from '../../helpers/paths';

let services: AppServices;
let host: BrowserHost;
let storeDir: string;

beforeAll(async () => {
  requireBuild();
  storeDir = tempDir();
  services = new AppServices({ storeDir, mode: 'browser', importWorker: BUILT_IMPORT_WORKER, trainWorker: BUILT_TRAIN_WORKER, version: 'test' });
  host = await startBrowserHost({ services, rendererDir: join(REPO, 'out', 'renderer') });
});
afterAll(async () => {
  await host.close();
  await services.close();
});

const upload = (name: string) =>
  fetch(`http://127.0.0.1:${host.port}/api/upload?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/octet-stream' },
    body: '1 1 0.5\n',
  });

/** every file under the store folder, relative */
function storeFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name), `${rel}${e.name}/`);
      else out.push(`${rel}${e.name}`);
    }
  };
  walk(storeDir, '');
  return out.sort();
}

describe('browser-mode upload names', () => {
  it('refuses ../x.txt, a/b.txt, C:\\x and a NUL byte with 400 INVALID_INPUT naming the field, writing nothing', async () => {
    const before = storeFiles();
    for (const name of ['../x.txt', '../../etc/cron.d/x', 'a/b.txt', 'C:\\x', '..\\x.txt', 'x.txt\0.csv', '..']) {
      const r = await upload(name);
      expect(r.status, name).toBe(400);
      const body = (await r.json()) as { ok: boolean; error: { code: string; message: string } };
      expect(body.ok).toBe(false);
      expect(body.error.code).toBe('INVALID_INPUT');
      expect(body.error.message, name).toMatch(/^name: the upload name ".*" (has a path part|starts with a drive|contains a control character|is not a file name)/);
      expect(body.error.message).not.toContain('\n');
    }
    expect(storeFiles()).toEqual(before);
    expect(existsSync(join(storeDir, '..', 'x.txt'))).toBe(false);
  });

  it('accepts a plain name', async () => {
    const r = await upload('train_FD001.txt');
    expect(r.status).toBe(200);
    expect(((await r.json()) as { value: { uploadId: string } }).value.uploadId).toMatch(/^up_[0-9a-f]{16}$/);
  });
});
