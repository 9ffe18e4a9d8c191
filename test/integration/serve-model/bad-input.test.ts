/**
 * The model server attacked with bad input and bad credentials: malformed JSON, missing columns,
 * unordered cycles, wrong types, a 10 MB body, no key, a wrong key, a non-admin reload, a flood from
 * one key, and an untrusted bundle under --require-signed. Every refusal is a 4xx JSON error naming
 * the problem (and the field), and the server keeps answering good requests afterwards.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBundle } from '../../../src/main/core/export/bundle';
import { keyFingerprint } from '../../../src/main/core/export/signing';
import { ApiKeys } from '../../../src/main/serve-model/api-keys';
import { MemoryCache } from '../../../src/main/serve-model/memory-cache';
import { MemoryFeatureStore } from '../../../src/main/serve-model/memory-feature-store';
import { createModelServer } from '../../../src/main/serve-model/server';
import { SqlitePredictionLog } from '../../../src/main/serve-model/sqlite-log';
import { ed25519Pair } from '../../helpers/forge-bundle';
import { syntheticRun } from '../../helpers/onnx-fixtures';
import { CMAPSS, tempDir } from '../../helpers/paths';
import { postJson, startServer, unitsOf, type Started, type Unit } from './serve-helpers';

const USER_KEY = 'user-key-0123456789abcdef';
const ADMIN_KEY = 'admin-key-0123456789abcdef';
const KEYS = `# analysts and the platform team\nanalyst:${USER_KEY}\nplatform:${ADMIN_KEY}:admin\n`;
const auth = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

let s: Started;
let units: Unit[];

interface ErrorBody {
  error: { code: string; message: string; field?: string };
  detail: string;
}

async function expectError(res: { status: number; json: Record<string, unknown> }, status: number, field: string | undefined, message: RegExp): Promise<void> {
  expect(res.status).toBe(status);
  const body = res.json as unknown as ErrorBody;
  expect(body.error.message).toMatch(message);
  expect(body.detail).toBe(body.error.message);
  if (field !== undefined) expect(body.error.field).toBe(field);
  // and the server keeps serving
  const ok = await postJson(`${s.url}/predict`, { units: units.slice(0, 2) }, auth(USER_KEY));
  expect(ok.status).toBe(200);
}

beforeAll(async () => {
  units = unitsOf(join(CMAPSS, 'test_FD001.txt')).slice(0, 3);
  s = await startServer({ apiKeys: ApiKeys.parse(KEYS, 'keys.txt'), rateLimit: null });
});

afterAll(async () => {
  await s?.stop();
});

describe('bad input', () => {
  it('refuses malformed JSON with 400', async () => {
    await expectError(await postJson(`${s.url}/predict`, '{"units": [', auth(USER_KEY)), 400, undefined, /not valid JSON/);
  });

  it('refuses a row without a column the bundle reads, naming unit, row and column', async () => {
    const bad = structuredClone(units);
    delete bad[1]!.rows[7]!.s7;
    await expectError(await postJson(`${s.url}/predict`, { units: bad }, auth(USER_KEY)), 422, 'units[1].rows[7].s7', /missing column s7/);
  });

  it('refuses unordered and repeated cycles, naming the row', async () => {
    const bad = structuredClone(units);
    [bad[2]!.rows[4], bad[2]!.rows[5]] = [bad[2]!.rows[5]!, bad[2]!.rows[4]!];
    await expectError(await postJson(`${s.url}/predict`, { units: bad }, auth(USER_KEY)), 422, 'units[2].rows[5].cycle', /not after the previous row's cycle/);
    const dup = structuredClone(units);
    dup[0]!.rows[3]!.cycle = dup[0]!.rows[2]!.cycle!;
    await expectError(await postJson(`${s.url}/predict`, { units: dup }, auth(USER_KEY)), 422, 'units[0].rows[3].cycle', /strictly increasing/);
  });

  it('refuses wrong types, empty lists and a unit given twice', async () => {
    const text = structuredClone(units) as unknown as { rows: Record<string, unknown>[] }[];
    text[0]!.rows[0]!.s2 = '642.1';
    await expectError(await postJson(`${s.url}/predict`, { units: text }, auth(USER_KEY)), 422, 'units[0].rows[0].s2', /must be number/);
    const frac = structuredClone(units);
    frac[0]!.rows[0]!.cycle = 1.5;
    await expectError(await postJson(`${s.url}/predict`, { units: frac }, auth(USER_KEY)), 422, 'units[0].rows[0].cycle', /must be integer/);
    await expectError(await postJson(`${s.url}/predict`, { units: [] }, auth(USER_KEY)), 422, 'units', /at least 1/);
    await expectError(await postJson(`${s.url}/predict`, { units: [{ unit: 1, rows: [] }] }, auth(USER_KEY)), 422, 'units[0].rows', /at least 1/);
    await expectError(await postJson(`${s.url}/predict`, {}, auth(USER_KEY)), 422, 'units', /missing units/);
    await expectError(await postJson(`${s.url}/predict`, { units: [units[0], units[0]] }, auth(USER_KEY)), 422, 'units[1].unit', /appears twice/);
  });

  it('refuses a prototype-polluting body', async () => {
    await expectError(await postJson(`${s.url}/predict`, '{"units":[],"__proto__":{"admin":true}}', auth(USER_KEY)), 400, undefined, /not valid JSON/);
  });

  it('refuses a 10 MB body with 413 before parsing it', async () => {
    const row = JSON.stringify(units[0]!.rows[0]);
    const rows = new Array(Math.ceil((10 * 1024 * 1024) / row.length)).fill(row).join(',');
    const body = `{"units":[{"unit":1,"rows":[${rows}]}]}`;
    expect(body.length).toBeGreaterThan(10 * 1024 * 1024);
    await expectError(await postJson(`${s.url}/predict`, body, auth(USER_KEY)), 413, undefined, /larger than the server's limit/);
  });

  it('refuses a request with no key or a wrong key with 401, and keeps health and metrics open', async () => {
    const none = await postJson(`${s.url}/predict`, { units });
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    await expectError(none, 401, 'Authorization', /API key is required/);
    await expectError(await postJson(`${s.url}/predict`, { units }, auth(`${USER_KEY}x`)), 401, 'Authorization', /not valid/);
    await expectError(await postJson(`${s.url}/predict`, { units }, { 'x-api-key': 'short' }), 401, 'Authorization', /not valid/);
    expect((await fetch(`${s.url}/model`)).status).toBe(401);
    expect((await fetch(`${s.url}/units/1/risk`)).status).toBe(401);
    expect((await fetch(`${s.url}/v2/models/prognos`)).status).toBe(401);
    expect((await fetch(`${s.url}/no/such/route`)).status).toBe(401);
    for (const open of ['/healthz', '/readyz', '/v2/health/live', '/v2/health/ready', '/metrics']) expect((await fetch(`${s.url}${open}`)).status).toBe(200);
    expect((await postJson(`${s.url}/predict`, { units }, { 'x-api-key': USER_KEY })).status).toBe(200);
  });

  it('lets only an admin key reload the bundle', async () => {
    const before = s.server.model;
    const denied = await fetch(`${s.url}/admin/reload`, { method: 'POST', headers: auth(USER_KEY) });
    expect(denied.status).toBe(403);
    expect(s.server.model).toBe(before);
    const done = await fetch(`${s.url}/admin/reload`, { method: 'POST', headers: auth(ADMIN_KEY) });
    expect(done.status).toBe(200);
    expect(s.server.model).not.toBe(before);
    expect(s.server.model.manifestSha256).toBe(before.manifestSha256);
  });

  it('logs the key name with each prediction, never the key', async () => {
    await s.log.flush();
    const records = s.log.recent(1000);
    expect(records.length).toBeGreaterThan(10);
    expect(new Set(records.map((r) => r.keyId))).toEqual(new Set(['analyst']));
    expect(JSON.stringify(records)).not.toContain(USER_KEY);
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After once a key spends its burst, and other keys go on', async () => {
    const r = await startServer({ apiKeys: ApiKeys.parse(KEYS, 'keys.txt'), rateLimit: { perSecond: 1, burst: 3 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await fetch(`${r.url}/model`, { headers: auth(USER_KEY) })).status);
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(statuses.slice(3)).toEqual([429, 429]);
      const limited = await fetch(`${r.url}/model`, { headers: auth(USER_KEY) });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(((await limited.json()) as ErrorBody).error.message).toMatch(/rate limit: key analyst/);
      expect((await fetch(`${r.url}/model`, { headers: auth(ADMIN_KEY) })).status).toBe(200);
    } finally {
      await r.stop();
    }
  });
});

describe('who may start a server', () => {
  const backends = () => ({ cache: new MemoryCache(), featureStore: new MemoryFeatureStore(), log: new SqlitePredictionLog({ file: join(tempDir(), 'p.db') }) });

  it('refuses to listen beyond 127.0.0.1 without API keys', async () => {
    await expect(createModelServer({ bundlePath: s.server.model.path, host: '0.0.0.0', port: 0, ...backends() })).rejects.toThrow(/--host 0\.0\.0\.0: without --api-keys/);
  });

  it('under --require-signed serves a bundle a trusted key signed, and refuses unsigned ones and those of unknown keys', async () => {
    const dir = tempDir();
    const release = ed25519Pair();
    const other = ed25519Pair();
    // a GBDT-only run: the bundles carry no LSTM, so none is trained (it took most of this test's time)
    const run = await syntheticRun({ lstm: false, units: 10, seed: 5, config: { models: ['gbdt'] } });
    const signed = (await writeBundle(run.input, join(dir, 'signed'), { signKey: release.privatePem })).path;
    const foreign = (await writeBundle(run.input, join(dir, 'foreign'), { signKey: other.privatePem })).path;
    const unsigned = (await writeBundle(run.input, join(dir, 'unsigned'))).path;
    const trustedKeys = [{ keyId: keyFingerprint(release.privateKey), name: 'release', publicKeyPem: release.publicPem }];
    const ok = await createModelServer({ bundlePath: signed, port: 0, requireSigned: true, trustedKeys, ...backends() });
    expect(ok.model.trust.verdict).toBe('trusted');
    await ok.close();
    await expect(createModelServer({ bundlePath: unsigned, port: 0, requireSigned: true, trustedKeys, ...backends() })).rejects.toThrow(/sign/i);
    await expect(createModelServer({ bundlePath: foreign, port: 0, requireSigned: true, trustedKeys, ...backends() })).rejects.toThrow(/sign|key/i);
    // and a reload to an untrusted bundle is refused while the trusted one keeps serving
    const live = await createModelServer({ bundlePath: signed, port: 0, requireSigned: true, trustedKeys, ...backends() });
    await expect(live.reload(unsigned)).rejects.toThrow();
    expect(live.model.path).toBe(signed);
    await live.close();
  });

  it('reads a key file of salted SHA-256 digests, which never holds the keys', () => {
    const salt = '00112233445566778899aabbccddeeff';
    const digest = createHash('sha256').update(Buffer.from(salt, 'hex')).update(USER_KEY).digest('hex');
    const keys = ApiKeys.parse(JSON.stringify({ salt, keys: [{ name: 'hashed', sha256: digest }] }), 'keys.json');
    expect(keys.match(USER_KEY)).toEqual({ name: 'hashed', admin: false });
    expect(keys.match(ADMIN_KEY)).toBeUndefined();
  });
});
