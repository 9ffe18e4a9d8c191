/**
 * The built `prognos serve-model --workers 2` on a real Redis: two server processes behind one port.
 * Each client below keeps one keep-alive connection, so it talks to one worker, which GET /healthz
 * names. Both workers answer the same numbers; cycles appended through one are scored by the other;
 * GET /metrics counts both workers' requests whichever answers it; POST /admin/reload and SIGHUP
 * reload both under load with no failed request; a worker killed with SIGKILL is started again while
 * the other keeps answering; SIGTERM lets the requests in flight finish in both workers, flushes both
 * workers' predictions into the one SQLite log and exits 0. Without --redis, --workers 2 is refused.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, CMAPSS, requireBuild, tempDir } from '../../helpers/paths';
import { REDIS_SERVER, sharedRedis, type TestServer } from '../../helpers/real-servers';
import { describeWith } from '../../helpers/tools';
import { DEMO_BUNDLE, spawnServeModel, unitsOf, until, type Running, type Unit } from './serve-helpers';

interface Answer {
  status: number;
  json: Record<string, unknown>;
  text: string;
}

/** One keep-alive connection (so one worker) and the requests sent over it. */
class Client {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  constructor(private readonly base: string) {}

  send(method: string, path: string, body?: unknown): Promise<Answer> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        this.base + path,
        { method, agent: this.agent, headers: data === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => {
            const json = (res.headers['content-type'] ?? '').includes('json') && text !== '' ? (JSON.parse(text) as Record<string, unknown>) : {};
            resolve({ status: res.statusCode ?? 0, json, text });
          });
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  }

  /** the pid of the worker this connection is with */
  async pid(): Promise<number> {
    return (await this.send('GET', '/healthz')).json.pid as number;
  }

  close(): void {
    this.agent.destroy();
  }
}

const children: ChildProcess[] = [];
const clients: Client[] = [];
let units: Unit[];
let redis: TestServer;

function serve(args: string[], env: Record<string, string> = {}): Promise<Running> {
  return spawnServeModel(['--bundle', DEMO_BUNDLE, '--port', '0', ...args], children, env);
}

/** Clients until there is one connection with each of the two workers (the primary hands connections out in turn). */
async function oneClientPerWorker(url: string): Promise<[[Client, number], [Client, number]]> {
  const byPid = new Map<number, Client>();
  for (let i = 0; i < 20 && byPid.size < 2; i++) {
    const c = new Client(url);
    clients.push(c);
    const pid = await c.pid();
    if (!byPid.has(pid)) byPid.set(pid, c);
  }
  const [x, y] = [...byPid];
  if (x === undefined || y === undefined) throw new Error(`20 connections all went to one worker (pid ${[...byPid.keys()].join(', ')})`);
  return [
    [x[1], x[0]],
    [y[1], y[0]],
  ];
}

/** the sum of prognos_http_requests_total for POST /predict answered 200 */
const predictCount = (metrics: string): number => Number(/^prognos_http_requests_total\{route="\/predict",method="POST",status="200"\} (\d+)$/m.exec(metrics)?.[1] ?? 0);

beforeAll(() => {
  requireBuild();
  units = unitsOf(join(CMAPSS, 'test_FD001.txt'));
});

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

afterAll(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  await redis?.dispose();
});

describe('serve-model --workers at start', () => {
  const run = (args: string[]): Promise<{ code: number; stderr: string }> => {
    const dir = tempDir();
    return new Promise((resolve) =>
      execFile(process.execPath, [CLI, 'serve-model', '--port', '0', '--workers', '2', '--log', join(dir, 'p.db'), ...args], { encoding: 'utf8', timeout: 60_000 }, (err, _out, stderr) =>
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stderr }),
      ),
    );
  };

  it('refuses --workers 2 without --redis, saying why', async () => {
    const r = await run(['--bundle', DEMO_BUNDLE]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--workers 2 needs --redis URL: .*a cache and a feature store of its own/);
  });

  it('exits 1 when the first worker cannot start, its error printed once', async () => {
    const missing = join(tempDir(), 'no-such-bundle');
    const r = await run(['--bundle', missing, '--redis', 'redis://127.0.0.1:1']);
    expect(r.code).toBe(1);
    expect(r.stderr.match(/no-such-bundle/g)).toHaveLength(1);
    expect(r.stderr).not.toMatch(/starting another/);
  });
});

describeWith(REDIS_SERVER)('serve-model --workers 2 on one Redis', () => {
  let s: Running;
  let dir: string;
  beforeAll(async () => {
    redis = await sharedRedis();
    dir = tempDir();
    s = await serve(['--workers', '2', '--redis', redis.url, '--cache-ttl', '0', '--log', join(dir, 'p.db')], { PROGNOS_LOG: 'debug' });
  });

  it('answers the same numbers from either worker', async () => {
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    const [[a, pidA], [b, pidB]] = await oneClientPerWorker(s.url);
    expect(pidA).not.toBe(pidB);
    for (const u of units.slice(0, 5)) {
      const [ra, rb] = await Promise.all([a.send('POST', '/predict', { units: [u] }), b.send('POST', '/predict', { units: [u] })]);
      expect(ra.status).toBe(200);
      expect(rb.status).toBe(200);
      expect(rb.text).toBe(ra.text);
    }
    // still the same connections, so still the same workers
    expect(await a.pid()).toBe(pidA);
    expect(await b.pid()).toBe(pidB);
  });

  it('scores on one worker the cycles appended through the other', async () => {
    const [[a], [b]] = await oneClientPerWorker(s.url);
    const rows = units[2]!.rows;
    // a unit number no other test uses: CI's shared Redis holds nothing of it
    const unit = 600_000 + Math.floor(Math.random() * 100_000);
    expect((await a.send('POST', `/units/${unit}/cycles`, { rows: rows.slice(0, 60) })).status).toBe(200);
    expect((await b.send('POST', `/units/${unit}/cycles`, { rows: rows.slice(60) })).status).toBe(200);
    const again = await a.send('POST', `/units/${unit}/cycles`, { rows: rows.slice(-1) });
    expect(again.status).toBe(422);
    expect(JSON.stringify(again.json)).toMatch(/is not after the unit's last stored cycle/);
    const [riskA, riskB] = [await a.send('GET', `/units/${unit}/risk`), await b.send('GET', `/units/${unit}/risk`)];
    const direct = await a.send('POST', '/predict', { units: [{ unit, rows }] });
    expect(riskA.status).toBe(200);
    expect(riskB.status).toBe(200);
    const scored = (direct.json.units as { cycle: number; probability: number }[])[0]!;
    for (const r of [riskA.json, riskB.json]) {
      expect(r.cycle).toBe(rows.at(-1)!.cycle);
      expect(Math.abs((r.probability as number) - scored.probability)).toBeLessThanOrEqual(1e-6);
    }
  });

  it('GET /metrics counts the requests of both workers, whichever answers it', async () => {
    const [[a], [b]] = await oneClientPerWorker(s.url);
    const before = predictCount((await a.send('GET', '/metrics')).text);
    for (let i = 0; i < 3; i++) expect((await a.send('POST', '/predict', { units: [units[i]!] })).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await b.send('POST', '/predict', { units: [units[i]!] })).status).toBe(200);
    const [ma, mb] = [(await a.send('GET', '/metrics')).text, (await b.send('GET', '/metrics')).text];
    // 3 + 5: neither worker alone answered 8
    expect(predictCount(ma) - before).toBe(8);
    expect(predictCount(mb) - before).toBe(8);
    // gauges combine as one server's: ready 1 (not 2), one model
    expect(ma).toMatch(/^prognos_ready 1$/m);
    expect(ma).toMatch(/^prognos_model_info\{[^}]*\} 1$/m);
    expect(Number(/^prognos_process_cpu_seconds_total (\S+)$/m.exec(ma)?.[1])).toBeGreaterThan(0);
  });

  it('reloads both workers (SIGHUP, POST /admin/reload) under load with no failed request', async () => {
    const [[a], [b]] = await oneClientPerWorker(s.url);
    const loadedAt = async (c: Client): Promise<string> => (await c.send('GET', '/model')).json.loadedAt as string;
    const first = [await loadedAt(a), await loadedAt(b)];
    const TOTAL = 600;
    let sent = 0;
    let done = 0;
    const statuses = new Map<number, number>();
    const client = async (c: Client): Promise<void> => {
      while (sent < TOTAL) {
        const k = sent++;
        const u = units[k % 20]!;
        const r = await c.send('POST', '/predict', { units: [{ unit: u.unit, rows: u.rows.slice(0, 31 + (k % 7)) }] });
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        done++;
      }
    };
    const loaders = [a, b, ...(await oneClientPerWorker(s.url)).map(([c]) => c)];
    const reloads = (async () => {
      await until(() => done >= 100, '100 answers');
      s.child.kill('SIGHUP');
      await until(() => /Reloaded in both workers/.test(s.stderr()), 'the SIGHUP reload');
      const afterSighup = [await loadedAt(a), await loadedAt(b)];
      await until(() => done >= 300, '300 answers');
      const r = await a.send('POST', '/admin/reload');
      expect(r.status).toBe(200);
      return [afterSighup, [await loadedAt(a), await loadedAt(b)]];
    })();
    const [[afterSighup, afterPost]] = await Promise.all([reloads, ...loaders.map(client)]);
    expect(Object.fromEntries(statuses)).toEqual({ 200: TOTAL });
    // each worker swapped its bundle twice: after SIGHUP, and after one POST that reached only worker a's connection
    for (const i of [0, 1]) {
      expect(afterSighup![i]).not.toBe(first[i]);
      expect(afterPost![i]).not.toBe(afterSighup![i]);
    }
  });

  it('starts a killed worker again, and the other answers meanwhile', async () => {
    const [[, pidA], [b, pidB]] = await oneClientPerWorker(s.url);
    process.kill(pidA, 'SIGKILL');
    // the other worker's connection answers through the restart, and so do new connections
    for (let i = 0; i < 5; i++) expect((await b.send('POST', '/predict', { units: [units[i]!] })).status).toBe(200);
    await until(() => /worker \d \(pid \d+\) was killed \(SIGKILL\); starting another in its place/.test(s.stderr()), 'the restart message');
    expect(s.stderr()).toContain(`(pid ${pidA}) was killed (SIGKILL)`);
    for (let i = 0; i < 4; i++) {
      const c = new Client(s.url);
      clients.push(c);
      expect((await c.send('POST', '/predict', { units: [units[i]!] })).status).toBe(200);
    }
    await until(() => /listens again/.test(s.stderr()), 'the new worker to listen');
    await until(async () => (await fetch(`${s.url}/readyz`)).status === 200, 'readiness');
    const pids = new Set((await oneClientPerWorker(s.url)).map(([, pid]) => pid));
    expect(pids.has(pidB)).toBe(true);
    expect(pids.has(pidA)).toBe(false);
  });

  it('SIGTERM: both workers finish their requests in flight and flush their logs, exit 0', async () => {
    const [[a], [b]] = await oneClientPerWorker(s.url);
    const logged = (): number => {
      const db = new Database(join(dir, 'p.db'), { readonly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM predictions').get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    // answered before: wait for both writers to commit, so the count below is this test's alone
    await new Promise((r) => setTimeout(r, 1000));
    const before = logged();
    const received = (): number => (s.stderr().match(/POST \/predict received/g) ?? []).length;
    const seen = received();
    const body = { units };
    const inflight = [a, b].map((c) => c.send('POST', '/predict', body));
    // once each worker has read its request (the debug log says so), stop the server
    await until(() => received() === seen + 2, 'both requests received');
    const stopAt = Date.now();
    s.child.kill('SIGTERM');
    const answers = await Promise.all(inflight);
    expect(answers.map((r) => [r.status, (r.json.units as unknown[]).length])).toEqual([
      [200, 100],
      [200, 100],
    ]);
    expect(await s.exited).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(30_000);
    expect(s.stderr()).toMatch(/SIGTERM: not ready any more/);
    expect(s.stderr()).toMatch(/Stopped: both workers answered their requests/);
    expect(logged() - before).toBe(200);
  });
});
