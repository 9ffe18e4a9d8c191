/**
 * serve: the model server under load. POST /predict with one test_FD001 unit's whole history per
 * request (the 100 units in turn), 32 concurrent connections, for a fixed duration:
 *
 *   serve-rps        our server (`prognos serve-model`, cache off: the features the models read in
 *                    TypeScript + GBDT + LSTM + RUL on onnxruntime, the requests that arrive together
 *                    micro-batched into one call per model), requests/s, with --workers 1 (memory
 *                    backends) and --workers 2 (node:cluster; Redis, which --workers needs, started by
 *                    the bench in its temp folder; the cache-off /predict path never reads it), the
 *                    best reported and both printed, as the reference's are; beside a
 *                    FastAPI + uvicorn server answering the same requests with python3-xgboost on the
 *                    bundle's models/gbdt.xgboost.json over features precomputed before timing: a lower
 *                    bound of the reference stack's cost (it parses the same JSON bodies, looks the
 *                    unit's features up and runs one booster). uvicorn with 1 and 2 workers, the best
 *                    reported. ratio = ours / reference: HIGHER is better here.
 *   serve-p50/p99    our latency with the cache off, 32 connections (ms), the worker count of serve-rps
 *   serve-cache-p99  our latency when every request is a cache hit, at ONE connection (ms): the
 *                    latency of a hit, not of a queue. At 32 connections a p99 of 2 ms would need
 *                    more than 16,000 req/s (Little's law), which 2 cores shared with the load
 *                    generator cannot give any server; that figure is printed too
 *                    (serve-cache-p99-c32), with its requests/s.
 *   serve-healthz    the slowest GET /healthz answer while the cache-off load runs (one probe every
 *                    50 ms): the event loop is never held for long. Any failed probe fails the bench.
 *
 * The servers run in their own processes, and so does the load generator (LOAD_CLIENT below): a
 * closed loop of keep-alive HTTP/1.1 connections, each sending its next request when the previous
 * answer has been read in full, every answer's latency recorded (performance.now() from the write of
 * the request to the last byte of the answer) and the percentiles read from all of them. The same
 * client loads the reference. It replaced autocannon, whose figures carried a tail of its own: each
 * of its connections builds its requests (all 100 bodies) when it starts, which held autocannon's
 * event loop for ~18 ms per connection (66, 256 and 630 ms at 1, 8 and 32 connections), and the first
 * request of every connection, already written, was timed across that block (the 320-600 ms "max"
 * of earlier runs); in the bench's own process it also shared an event loop and a heap with the
 * bench. Seconds per measurement: PROGNOS_BENCH_SERVE_SECONDS (default 10), after a 2 s warm-up.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseFleetFile } from '../src/main/core/data/import-file';
import { unitSpans, type FleetTable } from '../src/main/core/data/table';
import { readBundle } from '../src/main/core/export/bundle';
import type { BundleManifest } from '../src/main/core/export/manifest';
import { engineerFeatures } from '../src/main/core/features/engineer';
import type { Benchmark, Figure } from './figures';
import { PYTHON } from './python';

export const ROOT = resolve(__dirname, '..');
export const BUNDLE = join(ROOT, 'resources', 'models', 'demo');
export const CMAPSS = resolve(ROOT, '..', 'shared', 'data', 'cmapss');
const CONNECTIONS = 32;

/** What a load run measured: answers per second, latency percentiles (ms), the client's own CPU. */
interface LoadResult {
  rps: number;
  total: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  /** the load generator's CPU seconds per second of the run */
  cpu: number;
}

/**
 * The load generator, run by `node` in a process of its own: `URL BODIES_JSON SECONDS CONNECTIONS`.
 * Every request is built once (headers and body in one buffer) and shared by the connections, which
 * take the bodies in turn; Nagle is off. It answers one JSON line (LoadResult); a connection error or
 * an answer it cannot read ends it with an error.
 */
const LOAD_CLIENT = `
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
const [url, file, seconds, connections] = [new URL(process.argv[2]), process.argv[3], Number(process.argv[4]), Number(process.argv[5])];
const requests = JSON.parse(readFileSync(file, 'utf8')).map((b) =>
  Buffer.concat([Buffer.from('POST /predict HTTP/1.1\\r\\nHost: ' + url.host + '\\r\\nContent-Type: application/json\\r\\nContent-Length: ' + Buffer.byteLength(b) + '\\r\\n\\r\\n'), Buffer.from(b)]));
const END_OF_HEAD = Buffer.from('\\r\\n\\r\\n');
let latencies = new Float64Array(1 << 16);
let count = 0;
let non2xx = 0;
let next = 0;
let stopping = false;
const fail = (e) => {
  if (stopping) return;
  process.stderr.write('load client: ' + (e instanceof Error ? e.message : String(e)) + '\\n');
  process.exit(1);
};
const sockets = [];
for (let k = 0; k < connections; k++) {
  const s = connect(Number(url.port), url.hostname);
  s.setNoDelay(true);
  let buf = Buffer.alloc(0);
  let need = -1;
  let status = 0;
  let sent = 0;
  const send = () => {
    if (stopping) return;
    sent = performance.now();
    s.write(requests[next++ % requests.length]);
  };
  s.on('connect', send);
  s.on('data', (d) => {
    buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
    if (need < 0) {
      const h = buf.indexOf(END_OF_HEAD);
      if (h < 0) return;
      const head = buf.subarray(0, h).toString('latin1');
      status = Number(head.slice(9, 12));
      const m = /\\r\\ncontent-length: *(\\d+)/i.exec(head);
      if (m === null) return fail(new Error('an answer without Content-Length: ' + head.split('\\r\\n')[0]));
      need = h + 4 + Number(m[1]);
    }
    if (buf.length < need) return;
    if (buf.length > need) return fail(new Error('bytes after an answer (' + (buf.length - need) + ')'));
    if (count === latencies.length) {
      const l = new Float64Array(2 * count);
      l.set(latencies);
      latencies = l;
    }
    latencies[count++] = performance.now() - sent;
    if (status < 200 || status > 299) non2xx++;
    buf = Buffer.alloc(0);
    need = -1;
    send();
  });
  s.on('error', fail);
  s.on('close', () => fail(new Error('the server closed a connection')));
  sockets.push(s);
}
const t0 = performance.now();
const cpu0 = process.cpuUsage();
setTimeout(() => {
  stopping = true;
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  for (const s of sockets) s.destroy();
  const l = latencies.subarray(0, count).sort();
  const q = (p) => l[Math.max(0, Math.ceil(p * count) - 1)];
  process.stdout.write(JSON.stringify({ rps: count / wall, total: count, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: l[count - 1], non2xx, errors: 0, cpu: (cpu.user + cpu.system) / 1e6 / wall }) + '\\n');
}, seconds * 1000);
`;

/** The bodies and the client's script, written once per run (initLoad) into the bench's temp folder. */
const loadFiles = { client: '', bodies: '' };
function initLoad(dir: string, bodies: readonly string[]): void {
  loadFiles.client = join(dir, 'load-client.mjs');
  loadFiles.bodies = join(dir, 'bodies.json');
  writeFileSync(loadFiles.client, LOAD_CLIENT);
  writeFileSync(loadFiles.bodies, JSON.stringify(bodies));
}

/** POST /predict with the bodies in turn, `connections` at a time, for `seconds` (the load client in its own process). */
function load(url: string, seconds: number, connections = CONNECTIONS): Promise<LoadResult> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [loadFiles.client, url, loadFiles.bodies, String(seconds), String(connections)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.once('error', rej);
    child.once('exit', (code) => {
      if (code === 0) res(JSON.parse(out) as LoadResult);
      else rej(new Error(`the load client exited with ${code}: ${err.trim()}`));
    });
  });
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** user + system CPU seconds of a process so far (all its threads) */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the fields after the command name, which is in parentheses and may hold spaces
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A throwaway redis-server on a free port, its files in `dir`, no persistence (as .ci/backends.sh starts one). */
async function startRedis(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  mkdirSync(dir, { recursive: true });
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
  const exited = new Promise<never>((_, rej) => child.once('error', rej).once('exit', (code) => rej(new Error(`redis-server exited with ${code}`))));
  const up = async (): Promise<void> => {
    for (let i = 0; i < 200; i++) {
      const ok = await new Promise<boolean>((res) => {
        const s = connect(port, '127.0.0.1');
        s.once('connect', () => (s.destroy(), res(true)));
        s.once('error', () => res(false));
      });
      if (ok) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('redis-server did not listen within 10 s');
  };
  await Promise.race([up(), exited]);
  return { url: `redis://127.0.0.1:${port}`, child };
}

export async function waitFor(url: string, child: ChildProcess, what: string, timeoutMs = 120_000): Promise<void> {
  const t0 = Date.now();
  const state: { exited: number | null } = { exited: null };
  child.once('exit', (code) => (state.exited = code ?? -1));
  while (Date.now() - t0 < timeoutMs) {
    if (state.exited !== null) throw new Error(`${what} exited with ${state.exited} before answering`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not answer ${url} within ${timeoutMs / 1000} s`);
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await done;
  clearTimeout(t);
}

function oneUnit(t: FleetTable, s: { start: number; end: number }): FleetTable {
  return {
    rowCount: s.end - s.start,
    unit: t.unit.slice(s.start, s.end),
    cycle: t.cycle.slice(s.start, s.end),
    columns: t.columns,
    values: t.values.map((v) => v.slice(s.start, s.end)),
  };
}

/** One request body per unit (the columns the bundle's openapi.json requires) and each unit's features at its last row. */
export function requestsOf(
  test: FleetTable,
  manifest: BundleManifest,
  openapi: Record<string, unknown>,
): { bodies: string[]; features: Record<string, number[]>; units: number[] } {
  const required = (
    openapi.components as { schemas: { HistoryRow: { required: string[] } } }
  ).schemas.HistoryRow.required.filter((c) => c !== 'cycle');
  const col = new Map(test.columns.map((c, j) => [c.name, j]));
  const f = manifest.features;
  const state = {
    spec: f.spec,
    sensors: [...f.sensors],
    droppedSensors: [...f.droppedSensors],
    ...(f.regime === undefined ? {} : { regime: f.regime }),
  };
  const bodies: string[] = [];
  const features: Record<string, number[]> = {};
  const units: number[] = [];
  for (const s of unitSpans(test)) {
    const rows = [];
    for (let i = s.start; i < s.end; i++) {
      const row: Record<string, number> = { cycle: test.cycle[i]! };
      for (const c of required) row[c] = test.values[col.get(c)!]![i]!;
      rows.push(row);
    }
    bodies.push(JSON.stringify({ units: [{ unit: s.unit, rows }] }));
    const t = oneUnit(test, s);
    const e = engineerFeatures(t, state.spec, { state });
    const idx = new Map(e.names.map((n, i) => [n, i]));
    features[`${s.unit}:${test.cycle[s.end - 1]!}`] = manifest.selectedFeatures.map(
      (n) => e.columns[idx.get(n)!]![t.rowCount - 1]!,
    );
    units.push(s.unit);
  }
  return { bodies, features, units };
}

interface Profile {
  periodMs: number;
  stages: Record<string, { count: number; meanMs: number; p50Ms: number; p99Ms: number; maxMs: number; totalMs: number }>;
  eventLoopDelay: { p50Ms: number; p99Ms: number; maxMs: number; meanMs: number };
  gc: Record<string, { count: number; meanMs: number; p99Ms: number; maxMs: number; totalMs: number }>;
}

interface ColdRun {
  result: LoadResult;
  profile: Profile;
  probes: { count: number; failed: number; slowest: number };
  /** CPU seconds per second of the load: the server process, and the load client's */
  serverCpu: number;
  loadCpu: number;
}

const cpuSeconds = async (url: string): Promise<number> =>
  Number(/^prognos_process_cpu_seconds_total (\S+)$/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? NaN);

/** The cache-off load on a started server: the load client, /healthz probes every 50 ms, the server's profile and CPU. */
async function coldRun(server: { url: string; child: ChildProcess; workers: number }, bodies: readonly string[], seconds: number): Promise<ColdRun> {
  await load(server.url, 2);
  // GET /healthz every 50 ms while the load runs: every probe must answer 200
  const probes = { done: false, count: 0, failed: 0, slowest: 0 };
  await (await fetch(`${server.url}/admin/profile?reset=1`)).text();
  // /metrics adds up the workers' CPU; with --workers N the primary's (it hands out the connections) is read from /proc
  const primaryCpu = (): number => (server.workers > 1 ? processCpuSeconds(server.child.pid!) : 0);
  const cpu0 = (await cpuSeconds(server.url)) + primaryCpu();
  const t0 = performance.now();
  const probing = (async () => {
    while (!probes.done) {
      const t = performance.now();
      try {
        const r = await fetch(`${server.url}/healthz`);
        await r.text();
        if (!r.ok) probes.failed++;
      } catch {
        probes.failed++;
      }
      probes.count++;
      probes.slowest = Math.max(probes.slowest, performance.now() - t);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const result = await load(server.url, seconds);
  probes.done = true;
  await probing;
  const wall = (performance.now() - t0) / 1000;
  const cpu1 = (await cpuSeconds(server.url)) + primaryCpu();
  const profile = (await (await fetch(`${server.url}/admin/profile`)).json()) as Profile;
  await stop(server.child);
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`our server answered ${result.non2xx} non-2xx and ${result.errors} errors under load`);
  if (probes.failed > 0) throw new Error(`GET /healthz failed ${probes.failed} of ${probes.count} times under load`);
  return { result, profile, probes, serverCpu: (cpu1 - cpu0) / wall, loadCpu: result.cpu };
}

/** One line of where the time went: the request stages' p50/p99, the event loop's delay, the GC's pauses. */
function profileNote(r: ColdRun): string {
  const p = r.profile;
  const f = (x: number): string => (x >= 10 ? x.toFixed(0) : x.toFixed(2));
  const stages = ['receive', 'parse', 'validate', 'table', 'features', 'score', 'serialise', 'log', 'total']
    .filter((k) => p.stages[k] !== undefined)
    .map((k) => `${k} ${f(p.stages[k]!.p50Ms)}/${f(p.stages[k]!.p99Ms)}`)
    .join(', ');
  const gc = Object.entries(p.gc)
    .map(([k, g]) => `${k} ${g.count}× max ${f(g.maxMs)} ms (${f(g.totalMs)} ms in all)`)
    .join(', ');
  const commit = p.stages['log-commit'];
  return `event-loop delay p50 ${f(p.eventLoopDelay.p50Ms)} ms, p99 ${f(p.eventLoopDelay.p99Ms)} ms, max ${f(p.eventLoopDelay.maxMs)} ms; GC pauses: ${gc === '' ? 'none' : gc}; request stages p50/p99 ms: ${stages}${commit === undefined ? '' : `; prediction-log commits (in the log's writer thread) ${commit.count}× max ${f(commit.maxMs)} ms`}; CPU per second of load: server ${r.serverCpu.toFixed(2)}, load client ${r.loadCpu.toFixed(2)} (of ${cpus().length} cores)`;
}

/** The reference: FastAPI + uvicorn, python3-xgboost on gbdt.xgboost.json over the precomputed features. */
export const FASTAPI_APP = `
import json, os
import numpy as np
import xgboost as xgb
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

with open(os.environ["PROGNOS_REF_FEATURES"]) as f:
    ref = json.load(f)
FEATURES = {k: np.asarray([v], dtype=np.float32) for k, v in ref["features"].items()}
THRESHOLD = ref["threshold"]
booster = xgb.Booster()
booster.load_model(os.environ["PROGNOS_REF_MODEL"])
booster.set_param({"nthread": 1})
app = FastAPI()

@app.get("/healthz")
def healthz():
    return {"status": "ok"}

@app.post("/predict")
async def predict(request: Request):
    doc = await request.json()
    out = []
    for u in doc["units"]:
        rows = u["rows"]
        key = f'{u["unit"]}:{rows[-1]["cycle"]}'
        p = float(booster.inplace_predict(FEATURES[key])[0])
        out.append({"unit": u["unit"], "cycle": rows[-1]["cycle"], "probability": p, "alert": p >= THRESHOLD})
    return JSONResponse({"units": out, "threshold": THRESHOLD})
`;

export const missingPython = (): string[] => {
  const missing: string[] = [];
  for (const [mod, pkg] of [
    ['fastapi', 'python3-fastapi'],
    ['uvicorn', 'python3-uvicorn'],
    ['xgboost', 'python3-xgboost'],
    ['numpy', 'python3-numpy'],
  ] as const) {
    if (spawnSync(PYTHON, ['-c', `import ${mod}`], { stdio: 'ignore' }).status !== 0) missing.push(pkg);
  }
  return missing;
};

const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;
/** a latency as the figures give it: ms to 10 µs */
const ms = (x: number): number => round(x, 2);

export const serveBenchmark: Benchmark = {
  name: 'serve',
  async run(): Promise<Figure[]> {
    const seconds = Number(process.env.PROGNOS_BENCH_SERVE_SECONDS ?? 10);
    const missing = missingPython();
    if (missing.length > 0)
      throw new Error(
        `the FastAPI reference needs Debian's ${missing.join(', ')} (apt-get install -y ${missing.join(' ')})`,
      );
    const bundle = await readBundle(BUNDLE);
    const openapi = JSON.parse(Buffer.from(bundle.files.get('openapi.json')!).toString('utf8')) as Record<
      string,
      unknown
    >;
    const test = (await parseFleetFile(join(CMAPSS, 'test_FD001.txt'))).table;
    const { bodies, features, units } = requestsOf(test, bundle.manifest, openapi);
    const dir = mkdtempSync(join(tmpdir(), 'prognos-bench-serve-'));
    initLoad(dir, bodies);
    const children: ChildProcess[] = [];
    let redisServer: Promise<string> | undefined;
    const redisUrl = (): Promise<string> =>
      (redisServer ??= startRedis(join(dir, 'redis')).then((r) => {
        children.push(r.child);
        return r.url;
      }));
    try {
      // --- ours ---
      const ours = async (cacheTtl: number, scoring: 'thread' | 'inline' = 'inline', workers = 1): Promise<{ url: string; child: ChildProcess; workers: number }> => {
        const redis = workers > 1 ? ['--workers', String(workers), '--redis', await redisUrl()] : [];
        const port = await freePort();
        const child = spawn(
          process.execPath,
          [
            join(ROOT, 'bin', 'prognos.js'),
            'serve-model',
            '--bundle',
            BUNDLE,
            '--port',
            String(port),
            '--cache-ttl',
            String(cacheTtl),
            '--log',
            join(dir, `predictions-${port}.db`),
            '--scoring',
            scoring,
            ...redis,
          ],
          {
            stdio: ['ignore', 'ignore', 'inherit'],
            // the profile (GET /admin/profile): request stages, event-loop delay, GC pauses
            env: { ...process.env, MALLOC_ARENA_MAX: '2', PROGNOS_LOG: 'warn', PROGNOS_SERVE_PROFILE: '1' },
          },
        );
        children.push(child);
        const url = `http://127.0.0.1:${port}`;
        await waitFor(`${url}/readyz`, child, 'prognos serve-model');
        return { url, child, workers };
      };

      // the same answers: our GBDT part equals the reference's xgboost on the precomputed features
      const check = await ours(0);
      const ourGbdt = new Map<number, number>();
      for (const b of bodies.slice(0, 10)) {
        const r = (await (
          await fetch(`${check.url}/predict`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: b,
          })
        ).json()) as { units: { unit: number; parts: { gbdt: number } }[] };
        ourGbdt.set(r.units[0]!.unit, r.units[0]!.parts.gbdt);
      }

      const cold1 = await coldRun(check, bodies, seconds);
      const cold2 = await coldRun(await ours(0, 'inline', 2), bodies, seconds);
      const cold = cold2.result.rps > cold1.result.rps ? cold2 : cold1;
      const workers = cold === cold2 ? 2 : 1;
      const threadServer = await ours(0, 'thread');
      const threaded = await coldRun(threadServer, bodies, seconds);
      const byWorkers = [cold1, cold2]
        .map((c, i) => `--workers ${i + 1}: ${round(c.result.rps, 0)} req/s, p50 ${ms(c.result.p50)} ms, p99 ${ms(c.result.p99)} ms, max ${ms(c.result.max)} ms, server CPU ${c.serverCpu.toFixed(2)} s/s`)
        .join('; ');

      const cached = await ours(300);
      // every body once (misses), then only hits
      for (const b of bodies)
        await fetch(`${cached.url}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: b,
        });
      await load(cached.url, 2);
      const hits = await load(cached.url, seconds, 1);
      const hits32 = await load(cached.url, seconds);
      const metrics = await (await fetch(`${cached.url}/metrics`)).text();
      await stop(cached.child);
      const count = (result: string): number =>
        Number(
          new RegExp(`^prognos_cache_requests_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? NaN,
        );
      const hitShare = count('hit') / (count('hit') + count('miss'));

      // --- the reference ---
      writeFileSync(join(dir, 'ref_app.py'), FASTAPI_APP);
      writeFileSync(join(dir, 'features.json'), JSON.stringify({ features, threshold: bundle.manifest.threshold }));
      writeFileSync(join(dir, 'gbdt.xgboost.json'), bundle.files.get(bundle.manifest.models.gbdtXgboost.file)!);
      const refEnv = {
        ...process.env,
        PROGNOS_REF_FEATURES: join(dir, 'features.json'),
        PROGNOS_REF_MODEL: join(dir, 'gbdt.xgboost.json'),
        OMP_NUM_THREADS: '1',
        PYTHONDONTWRITEBYTECODE: '1',
      };
      const reference = async (workers: number): Promise<LoadResult> => {
        const port = await freePort();
        const child = spawn(
          PYTHON,
          [
            '-m',
            'uvicorn',
            'ref_app:app',
            '--host',
            '127.0.0.1',
            '--port',
            String(port),
            '--workers',
            String(workers),
            '--no-access-log',
            '--log-level',
            'warning',
          ],
          { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], env: refEnv },
        );
        children.push(child);
        const url = `http://127.0.0.1:${port}`;
        try {
          await waitFor(`${url}/healthz`, child, `uvicorn (${workers} worker${workers > 1 ? 's' : ''})`);
          if (workers === 1) {
            for (const b of bodies.slice(0, 10)) {
              const r = (await (
                await fetch(`${url}/predict`, {
                  method: 'POST',
                  headers: { 'content-type': 'application/json' },
                  body: b,
                })
              ).json()) as { units: { unit: number; probability: number }[] };
              const ours = ourGbdt.get(r.units[0]!.unit)!;
              if (!(Math.abs(ours - r.units[0]!.probability) < 1e-5))
                throw new Error(
                  `unit ${r.units[0]!.unit}: our GBDT ${ours} differs from xgboost's ${r.units[0]!.probability}: the two servers do not answer the same question`,
                );
            }
          }
          await load(url, 2);
          const r = await load(url, seconds);
          if (r.non2xx > 0 || r.errors > 0)
            throw new Error(`the reference answered ${r.non2xx} non-2xx and ${r.errors} errors under load`);
          return r;
        } finally {
          await stop(child);
        }
      };
      const ref1 = await reference(1);
      const ref2 = await reference(2);
      const best = ref2.rps > ref1.rps ? { r: ref2, workers: 2 } : { r: ref1, workers: 1 };

      const setup = `${units.length} test_FD001 units in turn, one whole history per request (${Math.round(bodies.reduce((a, b) => a + b.length, 0) / bodies.length / 1024)} KiB on average), ${CONNECTIONS} connections, ${seconds} s, demo bundle`;
      return [
        {
          name: 'serve-rps',
          value: round(cold.result.rps, 0),
          unit: 'req/s',
          reference: { name: 'fastapi', value: round(best.r.rps, 0), unit: 'req/s' },
          ratio: cold.result.rps / best.r.rps,
          note: `ratio = ours / reference, higher is better; ours: features + GBDT + LSTM + RUL per request, cache off, scoring inline, --workers ${workers} reported (${byWorkers}; --workers 1 --scoring thread: ${round(threaded.result.rps, 0)} req/s); fastapi: uvicorn ${best.workers} worker(s) (1: ${round(ref1.rps, 0)}, 2: ${round(ref2.rps, 0)} req/s), python3-xgboost on precomputed features, p99 ${ms(best.r.p99)} ms; ${setup}`,
        },
        { name: 'serve-p50', value: ms(cold.result.p50), unit: 'ms', note: `cache off, scoring inline, --workers ${workers}; ${setup}` },
        {
          name: 'serve-p99',
          value: ms(cold.result.p99),
          unit: 'ms',
          reference: { name: 'fastapi', value: ms(best.r.p99), unit: 'ms' },
          note: `cache off, scoring inline (the default), --workers ${workers} (${byWorkers}), target ≤ 20 ms; ${cold.result.total} requests, max ${ms(cold.result.max)} ms; the reference's p99 in the same run beside it`,
        },
        {
          name: 'serve-loop',
          value: round(cold.profile.eventLoopDelay.p99Ms, 1),
          unit: 'ms',
          note: `the server's event-loop delay p99 during the cache-off load (scoring inline, --workers ${workers}${workers > 1 ? ': the profile of the worker that answered GET /admin/profile' : ''}); ${profileNote(cold)}`,
        },
        {
          name: 'serve-p99-thread',
          value: ms(threaded.result.p99),
          unit: 'ms',
          note: `the same load with --scoring thread (features + onnxruntime in a worker thread): ${round(threaded.result.rps, 0)} req/s, p50 ${ms(threaded.result.p50)} ms, max ${ms(threaded.result.max)} ms, slowest /healthz ${round(threaded.probes.slowest, 1)} ms; ${profileNote(threaded)}`,
        },
        {
          name: 'serve-cache-p99',
          value: ms(hits.p99),
          unit: 'ms',
          note: `cache on, 1 connection (the latency of a hit, not of a queue), ${(100 * hitShare).toFixed(1)}% hits (from /metrics), target ≤ 2 ms; p50 ${ms(hits.p50)} ms, ${round(hits.rps, 0)} req/s`,
        },
        {
          name: 'serve-cache-p99-c32',
          value: ms(hits32.p99),
          unit: 'ms',
          note: `cache on, every request a hit, ${CONNECTIONS} connections: p50 ${ms(hits32.p50)} ms, ${round(hits32.rps, 0)} req/s (a p99 of 2 ms here would need > ${Math.round(CONNECTIONS / 0.002)} req/s)`,
        },
        {
          name: 'serve-healthz',
          value: round(cold.probes.slowest, 1),
          unit: 'ms',
          note: `slowest of ${cold.probes.count} GET /healthz probes (every 50 ms, all 200) during the cache-off load (scoring inline, --workers ${workers})`,
        },
      ];
    } finally {
      await Promise.all(children.map(stop));
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
