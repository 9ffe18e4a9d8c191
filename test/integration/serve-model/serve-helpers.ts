/** Shared by the model-server tests: C-MAPSS text as POST /predict bodies, and a server on the demo bundle. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryCache } from '../../../src/main/serve-model/memory-cache';
import { MemoryFeatureStore } from '../../../src/main/serve-model/memory-feature-store';
import { createModelServer, type ModelServer, type ModelServerOptions } from '../../../src/main/serve-model/server';
import { SqlitePredictionLog } from '../../../src/main/serve-model/sqlite-log';
import { CLI, REPO, tempDir } from '../../helpers/paths';

export const DEMO_BUNDLE = join(REPO, 'resources', 'models', 'demo');
const COLUMNS = ['setting1', 'setting2', 'setting3', ...Array.from({ length: 21 }, (_, i) => `s${i + 1}`)];

export interface Unit {
  unit: number;
  rows: Record<string, number>[];
}

/** The units of a C-MAPSS text file, in file order, each row `{ cycle, setting1…, s1… }`. */
export function unitsOf(file: string): Unit[] {
  const units = new Map<number, Unit>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const v = line.trim().split(/\s+/);
    if (v.length < 26) continue;
    const unit = Number(v[0]);
    const row: Record<string, number> = { cycle: Number(v[1]) };
    COLUMNS.forEach((c, k) => (row[c] = Number(v[k + 2])));
    let u = units.get(unit);
    if (u === undefined) units.set(unit, (u = { unit, rows: [] }));
    u.rows.push(row);
  }
  return [...units.values()];
}

export interface Started {
  server: ModelServer;
  url: string;
  log: SqlitePredictionLog;
  featureStore: MemoryFeatureStore;
  stop(): Promise<void>;
}

/** A server on 127.0.0.1 (any free port) with the in-process backends and a fresh SQLite log. */
export async function startServer(opts: Partial<ModelServerOptions> = {}): Promise<Started> {
  const dir = tempDir('prognos-serve-');
  const log = new SqlitePredictionLog({ file: join(dir, 'predictions.db'), flushMs: 20 });
  const featureStore = (opts.featureStore as MemoryFeatureStore | undefined) ?? new MemoryFeatureStore();
  const server = await createModelServer({
    bundlePath: DEMO_BUNDLE,
    port: 0,
    cache: new MemoryCache(),
    featureStore,
    log,
    ...opts,
  });
  const url = await server.listen();
  return {
    server,
    url,
    log,
    featureStore,
    async stop() {
      await server.close();
      await log.close();
    },
  };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> };
}

/** `prognos serve-model` in a child process of the built CLI, once it says where it listens. */
export interface Running {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `prognos serve-model ARGS` (the child is pushed onto `children`, for the test to kill); rejects if it exits first. */
export function spawnServeModel(args: string[], children: ChildProcess[], env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, [CLI, 'serve-model', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /model server on (http:\/\/\S+)/.exec(out);
      if (m !== null) resolve({ child, url: m[1]!, stderr: () => err, exited });
    });
    void exited.then((code) => reject(new Error(`serve-model exited with ${code}: ${err}`)));
  });
}

/** Polls `cond` every `everyMs` until it holds; fails naming `what` after `ms`. */
export async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 60_000, everyMs = 20): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
