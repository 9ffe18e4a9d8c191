/**
 * Browser mode's bundle download (GET /api/download/bundle): the archive unpacks to the bundle's
 * files, passes the project's verifier (checksums and manifest; the signature against the keyring)
 * and imports again; and the route hands out nothing but a bundle of the library: no path, no `..`,
 * no link placed in the library or inside a bundle folder, no tampered bundle, no request without
 * the token.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip, verifyBundle } from '../../../src/main/core/export';
import { startBrowserHost, type BrowserHost } from '../../../src/main/server/browser-host';
import { AppServices } from '../../../src/main/services/app-services';
import { REPO, requireBuild, tempDir } from '../../helpers/paths';

const DEMO = join(REPO, 'resources', 'models', 'demo');
let storeDir: string;
let outside: string;
let services: AppServices;
let host: BrowserHost;

beforeAll(async () => {
  requireBuild();
  storeDir = tempDir();
  outside = tempDir('prognos-outside-');
  services = new AppServices({
    storeDir,
    mode: 'browser',
    importWorker: join(REPO, 'out', 'main', 'import-worker.js'),
    trainWorker: join(REPO, 'out', 'main', 'train-worker.js'),
    version: 'test',
    shippedBundles: join(REPO, 'resources', 'models'),
  });
  host = await startBrowserHost({ services, rendererDir: join(REPO, 'out', 'renderer') });
  // a folder bundle in the library, and a bundle outside it that only links can reach
  const library = join(storeDir, 'bundles');
  mkdirSync(library, { recursive: true });
  cpSync(DEMO, join(library, 'demo-copy'), { recursive: true });
  cpSync(DEMO, join(outside, 'secret-bundle'), { recursive: true });
  writeFileSync(join(outside, 'secret.txt'), 'not for the browser\n');
});
afterAll(async () => {
  await host.close();
  await services.close();
  rmSync(outside, { recursive: true, force: true });
});

function download(bundleId: string, init: { token?: string | null; method?: string } = {}): Promise<Response> {
  const token = init.token === undefined ? host.token : init.token;
  return fetch(`http://127.0.0.1:${host.port}/api/download/bundle?bundleId=${encodeURIComponent(bundleId)}`, {
    method: init.method ?? 'GET',
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });
}

async function refusal(r: Response): Promise<{ status: number; code: string; message: string }> {
  expect(r.headers.get('content-type')).toBe('application/json');
  const body = (await r.json()) as { ok: boolean; error: { code: string; message: string } };
  expect(body.ok).toBe(false);
  return { status: r.status, code: body.error.code, message: body.error.message };
}

/** Unpacks a downloaded archive into a fresh folder and returns it. */
function unpack(bytes: Uint8Array): { dir: string; names: string[] } {
  const dir = tempDir('prognos-unpacked-');
  const entries = readZip(bytes);
  for (const [name, data] of entries) {
    const target = join(dir, ...name.split('/'));
    mkdirSync(join(target, '..'), { recursive: true });
    writeFileSync(target, data);
  }
  return { dir, names: [...entries.keys()].sort() };
}

describe('GET /api/download/bundle', () => {
  it('streams a library bundle as a .zip that unpacks, verifies and imports again', async () => {
    const r = await download('store:demo-copy');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/zip');
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="demo-copy.zip"');
    const bytes = new Uint8Array(await r.arrayBuffer());
    expect(Number(r.headers.get('content-length'))).toBe(bytes.byteLength);

    const { dir, names } = unpack(bytes);
    const sums = readFileSync(join(DEMO, 'SHA256SUMS'), 'utf8');
    const listed = sums.trim().split('\n').map((l) => l.replace(/^[0-9a-f]{64} [ *]/, ''));
    expect(names).toEqual([...new Set([...listed, 'SHA256SUMS', 'manifest.json'])].sort());
    for (const name of names) expect(readFileSync(join(dir, ...name.split('/')))).toEqual(readFileSync(join(DEMO, ...name.split('/'))));
    const unpacked = await verifyBundle(dir, { trustedKeys: services.store.trustedKeys() });
    expect(unpacked.problems).toEqual([]);
    expect(unpacked.ok).toBe(true);
    expect(unpacked.manifest?.runId).toBe((JSON.parse(readFileSync(join(DEMO, 'manifest.json'), 'utf8')) as { runId: string }).runId);

    // the .zip itself is a bundle the verifier and the import read
    const zipPath = join(outside, 'downloaded.zip');
    writeFileSync(zipPath, bytes);
    expect((await verifyBundle(zipPath)).ok).toBe(true);
    const imported = await services.exports.importBundle(zipPath, 'downloaded.zip');
    expect(imported).toMatchObject({ origin: 'imported', runId: unpacked.manifest?.runId });
  });

  it('downloads the shipped demo bundle too, and the same bytes twice', async () => {
    const a = new Uint8Array(await (await download('shipped:demo')).arrayBuffer());
    const b = new Uint8Array(await (await download('shipped:demo')).arrayBuffer());
    expect(a.byteLength).toBeGreaterThan(1000);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect((await verifyBundle(unpack(a).dir)).ok).toBe(true);
  });

  it('refuses ids that are paths or climb out of the library', async () => {
    for (const id of ['../../etc/passwd', 'store:../../etc', 'store:../bundles/demo-copy', `store:${outside}`, outside, '/etc/passwd', 'store:/etc', 'shipped:../demo', 'store:demo-copy/../demo-copy', 'store:.', 'store:..', `store:demo-copy\u0000`]) {
      const r = await refusal(await download(id));
      expect(r, id).toMatchObject({ status: 404, code: 'NOT_FOUND' });
      expect(r.message).not.toContain(storeDir);
    }
    const none = await refusal(await fetch(`http://127.0.0.1:${host.port}/api/download/bundle`, { headers: { authorization: `Bearer ${host.token}` } }));
    expect(none).toMatchObject({ status: 422, code: 'INVALID_INPUT' });
  });

  it('refuses a link in the library that points out of it', async () => {
    symlinkSync(join(outside, 'secret-bundle'), join(storeDir, 'bundles', 'linked-out'));
    symlinkSync(join(outside, 'secret.txt'), join(storeDir, 'bundles', 'linked-file.zip'));
    for (const id of ['store:linked-out', 'store:linked-file.zip']) {
      const r = await refusal(await download(id));
      expect(r, id).toMatchObject({ status: 422, code: 'BAD_FILE' });
      expect(r.message).toMatch(/not a folder or a \.zip file/);
      expect(r.message).not.toContain(outside);
    }
    rmSync(join(storeDir, 'bundles', 'linked-out'));
    rmSync(join(storeDir, 'bundles', 'linked-file.zip'));
  });

  it('refuses a bundle folder whose listed file is a link out, and a tampered one', async () => {
    const linked = join(storeDir, 'bundles', 'inner-link');
    cpSync(DEMO, linked, { recursive: true });
    rmSync(join(linked, 'model_card.md'));
    symlinkSync(join(outside, 'secret.txt'), join(linked, 'model_card.md'));
    const r = await refusal(await download('store:inner-link'));
    expect(r).toMatchObject({ status: 422, code: 'BAD_FILE' });
    expect(r.message).toContain('model_card.md');
    expect(r.message).not.toContain(outside);

    const tampered = join(storeDir, 'bundles', 'tampered');
    cpSync(DEMO, tampered, { recursive: true });
    writeFileSync(join(tampered, 'openapi.json'), '{"tampered":true}');
    const t = await refusal(await download('store:tampered'));
    expect(t).toMatchObject({ status: 422, code: 'BAD_FILE' });
    expect(t.message).toMatch(/openapi\.json: checksum mismatch/);
  });

  it('needs the token and GET', async () => {
    expect((await download('store:demo-copy', { token: null })).status).toBe(401);
    expect((await download('store:demo-copy', { token: 'x'.repeat(32) })).status).toBe(401);
    expect((await download('store:demo-copy', { method: 'POST' })).status).toBe(405);
  });

  it('the desktop save channel is refused in browser mode', async () => {
    await expect(services.handlers['bundles:save']({ bundleId: 'store:demo-copy' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('bundles:save (desktop app)', () => {
  it('writes the same archive where the save dialog says, and nothing when it is cancelled', async () => {
    const dir = tempDir('prognos-saved-');
    let answer: string | undefined = join(dir, 'chosen.zip');
    const asked: string[] = [];
    const desktop = new AppServices({
      storeDir: tempDir(),
      mode: 'electron',
      importWorker: join(REPO, 'out', 'main', 'import-worker.js'),
      trainWorker: join(REPO, 'out', 'main', 'train-worker.js'),
      version: 'test',
      shippedBundles: join(REPO, 'resources', 'models'),
      chooseSavePath: (name) => {
        asked.push(name);
        return Promise.resolve(answer);
      },
    });
    try {
      const saved = await desktop.handlers['bundles:save']({ bundleId: 'shipped:demo' });
      expect(asked).toEqual(['demo.zip']);
      expect(saved).toEqual({ path: join(dir, 'chosen.zip'), bytes: readFileSync(join(dir, 'chosen.zip')).byteLength });
      const downloaded = new Uint8Array(await (await download('shipped:demo')).arrayBuffer());
      expect(readFileSync(join(dir, 'chosen.zip')).equals(Buffer.from(downloaded))).toBe(true);
      answer = undefined;
      expect(await desktop.handlers['bundles:save']({ bundleId: 'shipped:demo' })).toBeNull();
      await expect(desktop.handlers['bundles:save']({ bundleId: 'store:../x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(asked).toHaveLength(2);
    } finally {
      await desktop.close();
    }
  });
});
