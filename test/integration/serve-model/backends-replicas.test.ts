/**
 * Two `prognos serve-model` processes on different ports sharing one Redis and one PostgreSQL, the
 * way N replicas run behind a load balancer: a unit's cycles appended through one are scored by the
 * other; a request cached by one is a hit on the other; every prediction from both lands in the
 * PostgreSQL table, also when PostgreSQL is stopped mid-test while requests keep coming; and with
 * Redis stopped both keep answering, not-ready only when started with --require-backends.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, CMAPSS, REPO, requireBuild, tempDir } from '../../helpers/paths';
import { freePort, POSTGRESQL, privatePostgres, privateRedis, queryRows, REDIS_SERVER, sharedPostgres, sharedRedis, type TestPostgres, type TestServer } from '../../helpers/real-servers';
import { describeWith } from '../../helpers/tools';
import { until } from './serve-helpers';

const BUNDLE = join(REPO, 'resources', 'models', 'demo');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Row = Record<string, number>;
interface UnitPrediction {
  unit: number;
  cycle: number;
  probability: number;
  parts: { gbdt: number; lstm?: number };
  rul?: number;
  alert: boolean;
}

/** test_FD001's histories as the bundle takes them: cycle plus the raw columns. */
function fd001Units(): Map<number, Row[]> {
  const names = ['unit', 'cycle', 'op1', 'op2', 'op3', ...Array.from({ length: 21 }, (_, i) => `s${i + 1}`)];
  const units = new Map<number, Row[]>();
  for (const line of readFileSync(join(CMAPSS, 'test_FD001.txt'), 'utf8').split('\n')) {
    const v = line.trim().split(/\s+/).map(Number);
    if (v.length < names.length) continue;
    const row: Row = {};
    names.forEach((n, i) => {
      if (n !== 'unit') row[n] = v[i]!;
    });
    const list = units.get(v[0]!) ?? [];
    list.push(row);
    units.set(v[0]!, list);
  }
  return units;
}

class ServeModel {
  private constructor(
    readonly child: ChildProcess,
    readonly base: string,
    readonly stderr: string[],
  ) {}

  static async start(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServeModel> {
    const port = await freePort();
    const dir = tempDir('prognos-replica-');
    const child = spawn(process.execPath, [CLI, 'serve-model', '--bundle', BUNDLE, '--port', String(port), '--log', join(dir, 'predictions.db'), ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...env },
    });
    child.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const stderr: string[] = [];
    child.stderr.setEncoding('utf8').on('data', (d: string) => stderr.push(d));
    const s = new ServeModel(child, `http://127.0.0.1:${port}`, stderr);
    const t0 = Date.now();
    for (;;) {
      if (child.exitCode !== null) throw new Error(`serve-model exited ${child.exitCode}: ${stderr.join('')}`);
      try {
        if ((await fetch(`${s.base}/healthz`)).ok) return s;
      } catch {
        // not listening yet
      }
      if (Date.now() - t0 > 120_000) throw new Error(`serve-model did not start: ${stderr.join('')}`);
      await sleep(100);
    }
  }

  async post(path: string, body: unknown): Promise<{ status: number; cache: string | null; json: unknown }> {
    const res = await fetch(this.base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, cache: res.headers.get('x-prognos-cache'), json: (await res.json()) };
  }

  async get(path: string): Promise<{ status: number; json: unknown }> {
    const res = await fetch(this.base + path);
    return { status: res.status, json: (await res.json()) };
  }

  async predict(units: { unit: number; rows: Row[] }[]): Promise<{ status: number; cache: string | null; units: UnitPrediction[] }> {
    const r = await this.post('/predict', { units });
    return { status: r.status, cache: r.cache, units: (r.json as { units?: UnitPrediction[] }).units ?? [] };
  }

  /** SIGTERM and wait: the server flushes its prediction log before it exits. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}

const count = async (url: string): Promise<number> => Number((await queryRows<{ n: string }>(url, 'SELECT count(*) AS n FROM prognos_predictions'))[0]!.n);

describeWith(REDIS_SERVER)('serve-model replicas', () => {
  const units = fd001Units();
  const spools: string[] = [];
  const spoolDir = (): string => {
    const d = tempDir('prognos-replica-spool-');
    spools.push(d);
    return d;
  };
  beforeAll(() => requireBuild());
  afterAll(() => {
    for (const d of spools) rmSync(d, { recursive: true, force: true });
  });

  describeWith(POSTGRESQL)('sharing one Redis and one PostgreSQL', () => {
    let redis: TestServer;
    let pg: TestPostgres;
    let db: string;
    let a: ServeModel;
    let b: ServeModel;
    const spoolA = spoolDir();
    beforeAll(async () => {
      redis = await sharedRedis();
      pg = await sharedPostgres();
      db = await pg.newDatabase();
      // the tests below use unit numbers no other test uses (700000 and up), so CI's shared Redis holds nothing of theirs
      [a, b] = await Promise.all([
        ServeModel.start(['--redis', redis.url, '--postgres', db, '--spool-dir', spoolA]),
        ServeModel.start(['--redis', redis.url, '--postgres', db, '--spool-dir', spoolDir()]),
      ]);
    });
    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await pg?.dispose();
      await redis?.dispose();
    });

    it('scores on one replica the cycles appended through the other, as POST /predict does', async () => {
      const rows = units.get(3)!;
      const unit = 700_000 + Math.floor(Math.random() * 100_000);
      const first = await a.post(`/units/${unit}/cycles`, { rows: rows.slice(0, 60) });
      expect(first.status).toBe(200);
      const second = await b.post(`/units/${unit}/cycles`, { rows: rows.slice(60) });
      expect(second.status).toBe(200);
      // the same cycles again through the other replica: refused, the shared store names the row
      const again = await a.post(`/units/${unit}/cycles`, { rows: rows.slice(-1) });
      expect(again.status).toBe(422);
      expect((again.json as { error: { field?: string; message: string } }).error).toMatchObject({
        field: 'rows[0].cycle',
        message: expect.stringMatching(/is not after the unit's last stored cycle/) as unknown,
      });

      const risk = await b.get(`/units/${unit}/risk`);
      expect(risk.status).toBe(200);
      const direct = await a.predict([{ unit, rows }]);
      expect(direct.status).toBe(200);
      const r = risk.json as UnitPrediction | { units: UnitPrediction[] };
      const scored = 'units' in r ? r.units[0]! : r;
      expect(scored.cycle).toBe(rows.at(-1)!.cycle);
      expect(Math.abs(scored.probability - direct.units[0]!.probability)).toBeLessThanOrEqual(1e-6);
    });

    it('answers from the shared cache: a miss on one replica is a hit on the other', async () => {
      const body = [{ unit: 1, rows: units.get(1)! }, { unit: 2, rows: units.get(2)! }];
      // a unit number no other test uses makes this request's key new
      body[0]!.unit = 800_000 + Math.floor(Math.random() * 100_000);
      const miss = await a.predict(body);
      expect(miss.status).toBe(200);
      expect(miss.cache).toBe('miss');
      const hit = await b.predict(body);
      expect(hit.status).toBe(200);
      expect(hit.cache).toBe('hit');
      expect(hit.units).toEqual(miss.units);
    });

    it('logs every prediction from both replicas in PostgreSQL, with its content', async () => {
      const sent: UnitPrediction[] = [];
      for (let i = 0; i < 30; i++) {
        const unit = 900_000 + i;
        const server = i % 2 === 0 ? a : b;
        const res = await server.predict([{ unit, rows: units.get(1 + (i % 100))! }]);
        expect(res.status).toBe(200);
        sent.push(...res.units);
      }
      // this test's units only: the earlier tests' predictions may still be on their way
      const ours = async (): Promise<number> =>
        Number((await queryRows<{ n: string }>(db, 'SELECT count(*) AS n FROM prognos_predictions WHERE unit >= 900000 AND unit < 900030'))[0]!.n);
      await until(async () => (await ours()) >= sent.length, 'both replicas to write their predictions', 60_000, 100);
      await sleep(500);
      expect(await ours()).toBe(sent.length);
      const stored = await queryRows<{ unit: number; cycle: number; probability: number; gbdt: number; alert: boolean; n: string }>(
        db,
        'SELECT unit, cycle, probability, gbdt, alert, count(*) OVER (PARTITION BY unit) AS n FROM prognos_predictions WHERE unit >= 900000 AND unit < 900030 ORDER BY unit',
      );
      expect(stored).toHaveLength(30);
      for (const [i, s] of stored.entries()) {
        const p = sent[i]!;
        expect(s.unit).toBe(p.unit);
        expect(s.cycle).toBe(p.cycle);
        expect(s.probability).toBe(p.probability);
        expect(s.gbdt).toBe(p.parts.gbdt);
        expect(s.alert).toBe(p.alert);
        expect(s.n).toBe('1');
      }
    });

    it('refuses to start on a bad --redis or --postgres URL, or on a spool directory another server holds, naming it', async () => {
      const refused = (args: string[]): Promise<{ code: number; stderr: string }> =>
        new Promise((resolve) => {
          const dir = tempDir('prognos-replica-');
          execFile(process.execPath, [CLI, 'serve-model', '--bundle', BUNDLE, '--port', '0', '--log', join(dir, 'p.db'), ...args], { encoding: 'utf8', timeout: 120_000 }, (err, _out, stderr) => {
            rmSync(dir, { recursive: true, force: true });
            resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stderr });
          });
        });
      const badRedis = await refused(['--redis', 'http://127.0.0.1:6379']);
      expect(badRedis.code).toBe(1);
      expect(badRedis.stderr).toMatch(/--redis: "http:\/\/127\.0\.0\.1:6379\/?" must start with redis:\/\/ or rediss:\/\//);
      const badPg = await refused(['--postgres', 'not a url']);
      expect(badPg.code).toBe(1);
      expect(badPg.stderr).toMatch(/--postgres: .* is not a URL/);
      const taken = await refused(['--postgres', db, '--spool-dir', spoolA]);
      expect(taken.code).toBe(1);
      expect(taken.stderr).toContain(`spool directory ${spoolA} is in use by process ${a.child.pid}`);
      // the server holding it goes on answering
      expect((await a.get('/healthz')).status).toBe(200);
    });
  });

  describeWith(POSTGRESQL)('PostgreSQL stopped mid-test', () => {
    let pg: TestPostgres;
    let db: string;
    let a: ServeModel;
    let b: ServeModel;
    beforeAll(async () => {
      pg = await privatePostgres();
      db = await pg.newDatabase();
      [a, b] = await Promise.all([
        ServeModel.start(['--postgres', db, '--spool-dir', spoolDir()]),
        ServeModel.start(['--postgres', db, '--spool-dir', spoolDir()]),
      ]);
    });
    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await pg?.dispose();
    });

    it('loses no prediction and stores none twice while requests keep coming', async () => {
      let sent = 0;
      let failed = 0;
      let stop = false;
      const load = async (server: ServeModel, base: number): Promise<void> => {
        for (let i = 0; !stop; i++) {
          const res = await server.predict([{ unit: base + i, rows: units.get(1 + (i % 100))! }]);
          if (res.status === 200) sent += res.units.length;
          else failed++;
        }
      };
      const loops = [load(a, 1_000_000), load(b, 2_000_000)];
      await until(async () => (await count(db)) >= 10, 'predictions stored', 60_000, 100);
      await pg.stop();
      const atStop = sent;
      await sleep(3000);
      const whileDown = sent - atStop;
      // what waits in the spool shows in the metrics, and PostgreSQL down does not make a replica not ready
      const metrics = await (await fetch(`${a.base}/metrics`)).text();
      const pending = Number(/^prognos_prediction_log_pending(?:\{[^}]*\})? (\S+)$/m.exec(metrics)?.[1]);
      expect(pending).toBeGreaterThan(0);
      expect((await a.get('/readyz')).status).toBe(200);
      await pg.start();
      await sleep(2000);
      stop = true;
      await Promise.all(loops);
      expect(failed).toBe(0);
      expect(whileDown).toBeGreaterThan(0);
      await until(async () => (await count(db)) >= sent, 'every prediction in the table', 60_000, 100);
      await sleep(1000);
      const stored = await count(db);
      console.log(`PostgreSQL outage: ${sent} predictions answered (${whileDown} while it was stopped), ${stored} rows stored, ${failed} failed requests`);
      expect(stored).toBe(sent);
      const dup = await queryRows<{ n: string }>(db, 'SELECT count(*) AS n FROM (SELECT unit FROM prognos_predictions GROUP BY unit HAVING count(*) > 1) d');
      expect(dup[0]!.n).toBe('0');
    });
  });

  describe('Redis stopped', () => {
    let redis: TestServer;
    let plain: ServeModel;
    let strict: ServeModel;
    beforeAll(async () => {
      redis = await privateRedis();
      [plain, strict] = await Promise.all([ServeModel.start(['--redis', redis.url]), ServeModel.start(['--redis', redis.url, '--require-backends'])]);
    });
    afterAll(async () => {
      await Promise.all([plain?.stop(), strict?.stop()]);
      await redis?.dispose();
    });

    it('keeps answering from the in-process cache; not ready only with --require-backends', async () => {
      expect((await plain.get('/readyz')).status).toBe(200);
      expect((await strict.get('/readyz')).status).toBe(200);
      const body = [{ unit: 5, rows: units.get(5)! }];
      expect((await plain.predict(body)).cache).toBe('miss');
      expect((await strict.predict(body)).cache).toBe('hit');

      await redis.stop();
      const warm = await plain.predict(body);
      expect(warm.status).toBe(200);
      expect(warm.cache).toBe('hit');
      const cold = await plain.predict([{ unit: 6, rows: units.get(6)! }]);
      expect(cold.status).toBe(200);
      expect(cold.cache).toBe('miss');
      expect((await strict.predict([{ unit: 7, rows: units.get(7)! }])).status).toBe(200);
      expect((await plain.get('/readyz')).status).toBe(200);
      // the feature store lives in Redis only: its routes say so, and the server keeps serving
      const append = await plain.post('/units/5/cycles', { rows: units.get(5)!.slice(0, 3) });
      expect(append.status).toBe(503);
      expect(JSON.stringify(append.json)).toMatch(/feature store \(Redis\) does not answer/);
      expect((await plain.predict(body)).status).toBe(200);
      await until(async () => (await strict.get('/readyz')).status === 503, 'the strict replica to report not ready', 10_000, 100);

      await redis.start();
      await until(async () => (await strict.get('/readyz')).status === 200, 'the strict replica to be ready again', 30_000, 100);
    });
  });
});
