/**
 * serve-cpu: the model server's CPU time per request, a figure that holds on a busy machine (unlike
 * requests/s or latency). POST /predict with one test_FD001 unit's whole history per request (the
 * 100 units in turn, as `serve` sends them), 32 connections, a fixed number of requests; the server
 * process's user + system CPU (/proc/PID/stat, every thread of the process) over that load, divided
 * by the requests answered. Ours with the cache off (features + GBDT + LSTM + RUL), and the FastAPI +
 * uvicorn (1 worker) + python3-xgboost reference of `serve` over precomputed features, back to back,
 * median of PROGNOS_BENCH_SERVE_CPU_REPEATS (default 5) runs of PROGNOS_BENCH_SERVE_CPU_REQUESTS
 * (default 4000) requests each, after a warm-up of 1000. Lower is better; ratio = ours / reference.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFleetFile } from '../src/main/core/data/import-file';
import { readBundle } from '../src/main/core/export/bundle';
import type { Benchmark, Figure } from './figures';
import { PYTHON } from './python';
import { BUNDLE, CMAPSS, FASTAPI_APP, freePort, missingPython, processCpuSeconds, requestsOf, ROOT, stop, waitFor } from './serve';

interface AutocannonResult {
  requests: { total: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (
  opts: { url: string; connections: number; amount: number; requests: { method: 'POST'; path: string; headers: Record<string, string>; body: string }[] },
  cb: (err: Error | null, result: AutocannonResult) => void,
) => unknown;
const autocannon = createRequire(__filename)('autocannon') as Autocannon;

const CONNECTIONS = 32;

function send(url: string, bodies: readonly string[], amount: number): Promise<AutocannonResult> {
  const requests = bodies.map((body) => ({ method: 'POST' as const, path: '/predict', headers: { 'content-type': 'application/json' }, body }));
  return new Promise((res, rej) => autocannon({ url, connections: CONNECTIONS, amount, requests }, (err, r) => (err === null ? res(r) : rej(err))));
}

/** CPU µs per request of the process `pid` over `amount` requests, once per repeat (after a warm-up) */
async function cpuPerRequest(url: string, pid: number, bodies: readonly string[], amount: number, repeats: number): Promise<number[]> {
  await send(url, bodies, 1000);
  const out: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const c0 = processCpuSeconds(pid);
    const r = await send(url, bodies, amount);
    const c1 = processCpuSeconds(pid);
    if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx answers and ${r.errors} errors under load`);
    out.push(((c1 - c0) * 1e6) / r.requests.total);
  }
  return out;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export const serveCpuBenchmark: Benchmark = {
  name: 'serve-cpu',
  async run(): Promise<Figure[]> {
    const amount = Number(process.env.PROGNOS_BENCH_SERVE_CPU_REQUESTS ?? 4000);
    const repeats = Number(process.env.PROGNOS_BENCH_SERVE_CPU_REPEATS ?? 5);
    const missing = missingPython();
    if (missing.length > 0) throw new Error(`the FastAPI reference needs Debian's ${missing.join(', ')} (apt-get install -y ${missing.join(' ')})`);
    const bundle = await readBundle(BUNDLE);
    const openapi = JSON.parse(Buffer.from(bundle.files.get('openapi.json')!).toString('utf8')) as Record<string, unknown>;
    const test = (await parseFleetFile(join(CMAPSS, 'test_FD001.txt'))).table;
    const { bodies, features } = requestsOf(test, bundle.manifest, openapi);
    const dir = mkdtempSync(join(tmpdir(), 'prognos-bench-serve-cpu-'));
    const children: ChildProcess[] = [];
    const started = async (child: ChildProcess, health: string, what: string): Promise<{ url: string; pid: number }> => {
      children.push(child);
      await waitFor(health, child, what);
      return { url: health.slice(0, health.lastIndexOf('/')), pid: child.pid! };
    };
    try {
      const port = await freePort();
      const ours = await started(
        spawn(process.execPath, [join(ROOT, 'bin', 'prognos.js'), 'serve-model', '--bundle', BUNDLE, '--port', String(port), '--cache-ttl', '0', '--log', join(dir, 'predictions.db')], {
          stdio: ['ignore', 'ignore', 'inherit'],
          env: { ...process.env, MALLOC_ARENA_MAX: '2', PROGNOS_LOG: 'warn' },
        }),
        `http://127.0.0.1:${port}/readyz`,
        'prognos serve-model',
      );
      const oursUs = await cpuPerRequest(ours.url, ours.pid, bodies, amount, repeats);
      await stop(children.pop()!);

      writeFileSync(join(dir, 'ref_app.py'), FASTAPI_APP);
      writeFileSync(join(dir, 'features.json'), JSON.stringify({ features, threshold: bundle.manifest.threshold }));
      writeFileSync(join(dir, 'gbdt.xgboost.json'), bundle.files.get(bundle.manifest.models.gbdtXgboost.file)!);
      const refPort = await freePort();
      const ref = await started(
        spawn(PYTHON, ['-m', 'uvicorn', 'ref_app:app', '--host', '127.0.0.1', '--port', String(refPort), '--workers', '1', '--no-access-log', '--log-level', 'warning'], {
          cwd: dir,
          stdio: ['ignore', 'ignore', 'inherit'],
          env: { ...process.env, PROGNOS_REF_FEATURES: join(dir, 'features.json'), PROGNOS_REF_MODEL: join(dir, 'gbdt.xgboost.json'), OMP_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1' },
        }),
        `http://127.0.0.1:${refPort}/healthz`,
        'uvicorn',
      );
      const refUs = await cpuPerRequest(ref.url, ref.pid, bodies, amount, repeats);
      const o = median(oursUs);
      const r = median(refUs);
      const all = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join(', ');
      return [
        {
          name: 'serve-cpu',
          value: Math.round(o),
          unit: 'µs/req',
          reference: { name: 'fastapi', value: Math.round(r), unit: 'µs/req' },
          ratio: o / r,
          note: `server-process CPU (user + system, /proc/PID/stat) per POST /predict, median of ${repeats} × ${amount} requests at ${CONNECTIONS} connections, lower is better; ours (cache off, features + GBDT + LSTM + RUL): ${all(oursUs)}; fastapi (uvicorn 1 worker, xgboost on precomputed features): ${all(refUs)}`,
        },
      ];
    } finally {
      await Promise.all(children.map(stop));
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
