/**
 * Hot reload and graceful shutdown of the built `prognos serve-model`, under load: 2,000 POST /predict
 * requests from 4 concurrent clients while the bundle is reloaded three times (SIGHUP, then POST
 * /admin/reload twice) and a corrupted bundle is refused: not one non-2xx answer. SIGTERM with
 * requests in flight: every one of them completes, every prediction reaches the log, exit code 0.
 */
import type { ChildProcess } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CMAPSS, requireBuild, tempDir } from '../../helpers/paths';
import { DEMO_BUNDLE, postJson, spawnServeModel, startServer, unitsOf, until, type Running, type Unit } from './serve-helpers';

const ADMIN = 'admin-key-0123456789abcdef';
const USER = 'user-key-0123456789abcdef';
let units: Unit[];
const children: ChildProcess[] = [];

function serve(args: string[], env: Record<string, string> = {}): Promise<Running> {
  return spawnServeModel(args, children, env);
}

beforeAll(() => {
  requireBuild();
  units = unitsOf(join(CMAPSS, 'test_FD001.txt'));
});

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('hot reload under load', () => {
  it('answers 2,000 requests from 4 clients with 2xx only while the bundle is reloaded 3 times and a bad bundle is refused', async () => {
    const dir = tempDir();
    const bundle = join(dir, 'bundle');
    cpSync(DEMO_BUNDLE, bundle, { recursive: true });
    writeFileSync(join(dir, 'keys.txt'), `ops:${ADMIN}:admin\nclient:${USER}\n`);
    const s = await serve(['--bundle', bundle, '--port', '0', '--api-keys', join(dir, 'keys.txt'), '--cache-ttl', '0', '--rate-limit', '0', '--log', join(dir, 'p.db')]);
    const headers = { authorization: `Bearer ${USER}` };
    const loadedAt = async (): Promise<string> => ((await (await fetch(`${s.url}/model`, { headers })).json()) as { loadedAt: string }).loadedAt;
    const first = await loadedAt();

    const TOTAL = 2000;
    let sent = 0;
    let done = 0;
    const statuses = new Map<number, number>();
    const client = async (): Promise<void> => {
      while (sent < TOTAL) {
        const k = sent++;
        const u = units[k % 20]!;
        const r = await fetch(`${s.url}/predict`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ units: [{ unit: u.unit, rows: u.rows.slice(0, 31 + (k % 7)) }] }) });
        await r.arrayBuffer();
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        done++;
      }
    };
    const reloads = (async () => {
      const seen = [first];
      await until(() => done >= 200, '200 answers');
      s.child.kill('SIGHUP');
      await until(async () => (await loadedAt()) !== seen.at(-1), 'the SIGHUP reload');
      seen.push(await loadedAt());
      for (const at of [700, 1200]) {
        await until(() => done >= at, `${at} answers`);
        const r = await fetch(`${s.url}/admin/reload`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } });
        expect(r.status).toBe(200);
        seen.push(await loadedAt());
      }
      // a bundle whose model no longer matches its checksum is refused; the loaded one keeps serving
      await until(() => done >= 1600, '1600 answers');
      const gbdt = join(bundle, 'models', 'gbdt.onnx');
      const bytes = readFileSync(gbdt);
      const at = bytes.length - 10;
      bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at);
      writeFileSync(gbdt, bytes);
      const refused = await fetch(`${s.url}/admin/reload`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } });
      expect(refused.status).toBe(422);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/gbdt\.onnx.*checksum/);
      expect(await loadedAt()).toBe(seen.at(-1));
      return seen;
    })();
    const [seen] = await Promise.all([reloads, client(), client(), client(), client()]);
    expect(new Set(seen).size).toBe(4);
    expect(done).toBe(TOTAL);
    console.log(`hot reload: ${TOTAL} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}, ${seen.length - 1} reloads`);
    expect(Object.fromEntries(statuses)).toEqual({ 200: TOTAL });

    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    const db = new Database(join(dir, 'p.db'), { readonly: true });
    const n = (db.prepare("SELECT count(*) AS n FROM predictions WHERE route = '/predict'").get() as { n: number }).n;
    db.close();
    expect(n).toBe(TOTAL);
  });
});

describe('graceful shutdown', () => {
  it('SIGTERM: the requests in flight complete, their predictions are logged, the process exits 0', async () => {
    const dir = tempDir();
    const s = await serve(['--bundle', DEMO_BUNDLE, '--port', '0', '--cache-ttl', '0', '--log', join(dir, 'p.db')], { PROGNOS_LOG: 'debug' });
    const N = 4;
    const body = JSON.stringify({ units });
    const inflight = Array.from({ length: N }, () =>
      fetch(`${s.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(async (r) => ({ status: r.status, units: ((await r.json()) as { units: unknown[] }).units.length })),
    );
    // once the server has read all four (the debug log says so), stop it
    await until(() => (s.stderr().match(/POST \/predict received/g) ?? []).length === N, 'four requests received');
    const stopAt = Date.now();
    s.child.kill('SIGTERM');
    const answers = await Promise.all(inflight);
    expect(answers).toEqual(new Array(N).fill({ status: 200, units: 100 }));
    expect(await s.exited).toBe(0);
    // the answered keep-alive sockets close with their responses: the process does not wait out the
    // 72 s keep-alive timeout (a pod must be gone well inside Kubernetes' 30 s grace period)
    expect(Date.now() - stopAt).toBeLessThan(30_000);
    expect(s.stderr()).toMatch(/SIGTERM: not ready any more/);
    const db = new Database(join(dir, 'p.db'), { readonly: true });
    expect((db.prepare('SELECT count(*) AS n FROM predictions').get() as { n: number }).n).toBe(N * 100);
    db.close();
  });

  it('readiness goes false as soon as shutdown starts, before the request in flight is done', async () => {
    const s = await startServer({ cacheTtlSeconds: 0 });
    const inflight = postJson(`${s.url}/predict`, { units });
    await until(() => s.server.model.requestsInFlight === 1, 'the request in flight', 60_000);
    const closing = s.server.close();
    expect(await s.server.ready()).toBe(false);
    expect(s.server.model.requestsInFlight).toBe(1);
    const answer = await inflight;
    expect(answer.status).toBe(200);
    expect((answer.json.units as unknown[]).length).toBe(100);
    const answeredAt = Date.now();
    await closing;
    expect(Date.now() - answeredAt).toBeLessThan(30_000);
    expect(s.server.model.requestsInFlight).toBe(0);
    await s.log.close();
  });
});
