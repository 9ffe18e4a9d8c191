/**
 * POST /predict reads bodies into pooled buffers (routes/predict.ts): a body sent in chunks without
 * Content-Length and larger than a pooled buffer gets the answer it gets in one piece, requests in
 * flight together each get their own unit's answer while the buffers go round, and the limit is
 * Fastify's (413, by Content-Length and by the bytes read).
 */
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CMAPSS } from '../../helpers/paths';
import { startServer, unitsOf, type Started, type Unit } from './serve-helpers';

let s: Started;
let small: Started;
let units: Unit[];

beforeAll(async () => {
  units = unitsOf(join(CMAPSS, 'test_FD001.txt'));
  s = await startServer({ cacheTtlSeconds: 0 });
  small = await startServer({ cacheTtlSeconds: 0, bodyLimitBytes: 100_000 });
});

afterAll(async () => {
  await s?.stop();
  await small?.stop();
});

/** POST /predict by node:http: `chunked` sends the body in 16 KiB writes without Content-Length; `declared` overrides Content-Length. */
function post(url: string, body: string, how: { chunked?: boolean; declared?: number } = {}): Promise<{ status: number; text: string }> {
  const bytes = Buffer.from(body, 'utf8');
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-type': 'application/json' };
    if (how.chunked !== true) headers['content-length'] = how.declared ?? bytes.length;
    const req = request(`${url}/predict`, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    if (how.chunked === true) for (let i = 0; i < bytes.length; i += 16 * 1024) req.write(bytes.subarray(i, i + 16 * 1024));
    else req.write(bytes.subarray(0, Math.min(bytes.length, how.declared ?? bytes.length)));
    req.end();
  });
}

describe('POST /predict body buffers', () => {
  it('answers a chunked body larger than a pooled buffer as it answers the same bytes in one piece', async () => {
    const body = JSON.stringify({ units: units.slice(0, 8) });
    expect(body.length).toBeGreaterThan(150_000);
    const whole = await post(s.url, body);
    const chunked = await post(s.url, body, { chunked: true });
    expect(whole.status).toBe(200);
    expect(chunked.status).toBe(200);
    expect(JSON.parse(chunked.text)).toEqual(JSON.parse(whole.text));
  });

  it('gives every request in flight its own answer while the buffers are reused', async () => {
    const one = units.slice(0, 40);
    const alone = await Promise.all(one.slice(0, 10).map((u) => post(s.url, JSON.stringify({ units: [u] }))));
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all(one.map((u) => post(s.url, JSON.stringify({ units: [u] }), { chunked: round === 1 })));
      answers.forEach((a, k) => {
        expect(a.status).toBe(200);
        const got = JSON.parse(a.text) as { units: { unit: number; cycle: number }[] };
        expect(got.units.map((u) => [u.unit, u.cycle])).toEqual([[one[k]!.unit, one[k]!.rows.at(-1)!.cycle]]);
        if (k < 10) expect(JSON.parse(a.text)).toEqual(JSON.parse(alone[k]!.text));
      });
    }
  });

  it('refuses a body over the limit with 413, by Content-Length and by the bytes read', async () => {
    const body = JSON.stringify({ units: units.slice(0, 6) });
    expect(body.length).toBeGreaterThan(100_000);
    expect((await post(small.url, body)).status).toBe(413);
    const chunked = await post(small.url, body, { chunked: true });
    expect(chunked.status).toBe(413);
    expect(chunked.text).toMatch(/larger than the server's limit/);
    const fits = JSON.stringify({ units: units.slice(0, 1) });
    expect((await post(small.url, fits)).status).toBe(200);
    // and the server still answers after refusing
    expect((await post(small.url, fits, { chunked: true })).status).toBe(200);
  });
});
