/**
 * GET /predictions/recent: the newest predictions from the in-memory ring (≤ 200), the same records
 * the prediction log receives, behind the API key like every non-health route; a bad `limit` is a
 * 400 naming the parameter and the server keeps serving.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeys } from '../../../src/main/serve-model/api-keys';
import { SqlitePredictionLog } from '../../../src/main/serve-model/sqlite-log';
import { CMAPSS, tempDir } from '../../helpers/paths';
import { postJson, startServer, unitsOf, type Started, type Unit } from './serve-helpers';

const KEY = 'analyst-key-0123456789abcdef';
const auth = { authorization: `Bearer ${KEY}` };
let s: Started;
let units: Unit[];
let logFile: string;
let predictionLog: SqlitePredictionLog;

interface Recent {
  predictions: { unit: number; cycle: number; probability: number; cacheHit: boolean; route: string; keyId: string | null; bundleSha256: string }[];
  capacity: number;
}

beforeAll(async () => {
  units = unitsOf(join(CMAPSS, 'test_FD001.txt'));
  logFile = join(tempDir('prognos-recent-'), 'predictions.db');
  s = await startServer({ apiKeys: ApiKeys.parse(`analyst:${KEY}\n`, 'keys.txt'), rateLimit: null, log: (predictionLog = new SqlitePredictionLog({ file: logFile, flushMs: 20 })) });
}, 120_000);

afterAll(async () => {
  await s?.stop();
  await predictionLog?.close();
});

async function recent(query = '', headers: Record<string, string> = auth): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${s.url}/predictions/recent${query}`, { headers });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('GET /predictions/recent', () => {
  it('refuses a request without a key, or with a wrong one', async () => {
    expect((await recent('', {})).status).toBe(401);
    expect((await recent('', { authorization: 'Bearer not-the-key-0123456789' })).status).toBe(401);
    expect((await recent('', { 'x-api-key': KEY })).status).toBe(200);
  });

  it('holds what was predicted, newest first, as logged (cached answers too)', async () => {
    const first = await postJson(`${s.url}/predict`, { units: units.slice(0, 3) }, auth);
    expect(first.status).toBe(200);
    const again = await postJson(`${s.url}/predict`, { units: units.slice(0, 3) }, auth);
    expect(again.headers.get('x-prognos-cache')).toBe('hit');
    const r = await recent('?limit=6');
    expect(r.status).toBe(200);
    const body = r.json as unknown as Recent;
    expect(body.capacity).toBe(200);
    const answered = (first.json.units as { unit: number; cycle: number; probability: number }[]).map((u) => [u.unit, u.cycle, u.probability]);
    // newest first: the cached answer's three units (in reverse), then the first answer's
    expect(body.predictions.map((p) => [p.unit, p.cycle, p.probability])).toEqual([...answered].reverse().concat([...answered].reverse()));
    expect(body.predictions.map((p) => p.cacheHit)).toEqual([true, true, true, false, false, false]);
    expect(new Set(body.predictions.map((p) => p.keyId))).toEqual(new Set(['analyst']));
    expect(body.predictions[0]!.bundleSha256).toBe(s.server.model.manifestSha256);
    // the prediction log received the same records, in the order they were made
    await predictionLog.flush();
    const db = new Database(logFile, { readonly: true });
    try {
      const logged = db.prepare('SELECT unit, cycle, probability, cache_hit AS cacheHit FROM predictions ORDER BY id DESC LIMIT 6').all() as { unit: number; cycle: number; probability: number; cacheHit: number }[];
      expect(logged.map((l) => [l.unit, l.cycle, l.probability, l.cacheHit === 1])).toEqual(body.predictions.map((p) => [p.unit, p.cycle, p.probability, p.cacheHit]));
    } finally {
      db.close();
    }
  });

  it('keeps only the newest 200', async () => {
    const r = await postJson(`${s.url}/predict`, { units: units.slice(0, 100) }, auth);
    expect(r.status).toBe(200);
    const r2 = await postJson(`${s.url}/predict`, { units: units.slice(0, 99).concat(units.slice(99, 100)) }, { ...auth });
    expect(r2.status).toBe(200);
    const all = (await recent('?limit=200')).json as unknown as Recent;
    expect(all.predictions).toHaveLength(200);
    expect(all.predictions[0]!.unit).toBe(units[99]!.unit);
    expect(all.predictions[199]!.unit).toBe(units[0]!.unit);
  });

  it('refuses a limit that is not a whole number from 1 to 200, naming it', async () => {
    for (const q of ['?limit=0', '?limit=201', '?limit=abc', '?limit=1.5', '?limit=-3']) {
      const r = await recent(q);
      expect(r.status, q).toBe(400);
      const e = r.json.error as { code: string; message: string; field: string };
      expect(e.field).toBe('limit');
      expect(e.message).toMatch(/^limit: a whole number from 1 to 200/);
    }
    expect((await recent('?limit=1')).status).toBe(200);
  });
});
