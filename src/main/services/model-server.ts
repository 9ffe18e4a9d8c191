/**
 * Local model servers started from the workbench: `prognos serve-model` for a bundle, as a child
 * process (never inside the app's own process), on 127.0.0.1 only, at most one per bundle.
 *
 * The child is the built CLI, started by a ServerLauncher (server-launcher.ts): by this process's own
 * executable as Node with an IPC channel it never uses but watches (the CLI, browser mode, tests:
 * when this process is gone, even killed by SIGKILL, the channel closes and the server stops), or in
 * the desktop app as an Electron utility process (no RunAsNode fuse needed; it watches this
 * process's pid instead). Its
 * stdout and stderr are kept in a bounded log; it is "ready" once GET /readyz answers 200, "failed"
 * when it exits on its own (the message is the last thing it wrote to stderr), and stopped with
 * SIGTERM on `stop` and when the services close.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrognosError } from '../../shared/errors';
import {
  MODEL_SERVER_HOST,
  MODEL_SERVER_LOG_LINES,
  servedPredictionSchema,
  type ModelServerStart,
  type ModelServerState,
  type ModelServerStatus,
  type ModelServerTryResult,
  type ServedPrediction,
} from '../../shared/model-server';
import type { FleetTable } from '../core/data/table';
import { unitSpans } from '../core/data/table';
import type { Handlers } from './app-services';
import { logger } from './logger';
import { summariseServeMetrics } from './prometheus-text';
import { nodeLauncher, type ServerLauncher, type ServerProcess } from './server-launcher';

const log = logger('model-server');

export const DEFAULT_SERVED_CACHE_TTL_SECONDS = 300;
/** how long a start may take before it is reported failed (loading a bundle into onnxruntime on a busy machine) */
const START_TIMEOUT_MS = 120_000;
/** how long a stopping server may take to finish its requests and flush its log before it is killed (Kubernetes' default grace period) */
const STOP_TIMEOUT_MS = 30_000;
/** a request to the child (readiness, metrics, recent predictions) */
const PROBE_TIMEOUT_MS = 3_000;
const TRY_TIMEOUT_MS = 60_000;
const URL_LINE = /Prognos model server on (http:\/\/127\.0\.0\.1:(\d+))/;

export interface ModelServerServiceOptions {
  /** the built CLI (out/main/cli.js) */
  readonly cliScript: string;
  /** the store whose keyring and trust policy the server applies */
  readonly storeDir: string;
  /** a bundle of the library by id: its path (NOT_FOUND when there is none) */
  readonly bundlePath: (bundleId: string) => string;
  /** a dataset's table (for "Try it") */
  readonly table: (datasetId: string) => Promise<FleetTable>;
  /** the executable that runs the CLI with the default launcher (default: this process's own) */
  readonly execPath?: string;
  /** how the server process is started (default: nodeLauncher(execPath); the desktop app: its utility process) */
  readonly launcher?: ServerLauncher;
  /** where each server keeps its prediction log (default: the OS temp folder; removed when it stops) */
  readonly tempRoot?: string;
  /** why no server can be started from this process */
  readonly unavailable?: string;
}

/** A bounded log of lines: the newest MODEL_SERVER_LOG_LINES, each at most 2,000 characters. */
class LineLog {
  readonly lines: string[] = [];
  private partial = new Map<string, string>();

  push(stream: 'out' | 'err', chunk: string): string[] {
    const text = (this.partial.get(stream) ?? '') + chunk;
    const parts = text.split('\n');
    this.partial.set(stream, parts.pop() ?? '');
    const done = parts.map((l) => l.replace(/\r$/, '').slice(0, 2000)).filter((l) => l !== '');
    for (const l of done) this.add(l);
    return done;
  }

  add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > MODEL_SERVER_LOG_LINES) this.lines.splice(0, this.lines.length - MODEL_SERVER_LOG_LINES);
  }

  /** lines still without their newline (a process that died mid-line) */
  flush(): void {
    for (const v of this.partial.values()) if (v.trim() !== '') this.add(v.slice(0, 2000));
    this.partial.clear();
  }
}

interface Served {
  readonly bundleId: string;
  readonly options: { cacheTtlSeconds: number; requireSigned: boolean; port: number };
  readonly startedAt: string;
  readonly child: ServerProcess;
  readonly log: LineLog;
  readonly dir: string;
  readonly exited: Promise<void>;
  state: ModelServerState;
  url: string | null;
  port: number | null;
  error: string | null;
  /** the CLI's error message (`prognos serve-model: …` and the lines after it) */
  lastError: string[] | null;
  stopRequested: boolean;
}

async function fetchWithTimeout(url: string, init: RequestInit = {}, ms = PROBE_TIMEOUT_MS): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(ms) });
}

export class ModelServerService {
  private readonly servers = new Map<string, Served>();
  private closed = false;

  constructor(private readonly opts: ModelServerServiceOptions) {}

  /** Starts a server for the bundle and resolves once it is ready or has failed (the status says which). */
  async start(input: ModelServerStart): Promise<ModelServerStatus> {
    if (this.closed) throw new PrognosError('CONFLICT', 'The workbench is closing: no model server is started now.');
    if (this.opts.unavailable !== undefined) throw new PrognosError('CONFLICT', this.opts.unavailable);
    const running = this.servers.get(input.bundleId);
    if (running !== undefined && (running.state === 'starting' || running.state === 'ready' || running.state === 'stopping')) {
      throw new PrognosError('CONFLICT', `A model server for ${input.bundleId} is ${running.state === 'stopping' ? 'stopping' : `running${running.url === null ? '' : ` at ${running.url}`}`}: stop it first.`);
    }
    const bundlePath = this.opts.bundlePath(input.bundleId);
    const options = { cacheTtlSeconds: input.cacheTtlSeconds ?? DEFAULT_SERVED_CACHE_TTL_SECONDS, requireSigned: input.requireSigned ?? false, port: input.port ?? 0 };
    const dir = mkdtempSync(join(this.opts.tempRoot ?? tmpdir(), 'prognos-model-server-'));
    const args = [
      this.opts.cliScript,
      'serve-model',
      '--bundle',
      bundlePath,
      '--host',
      MODEL_SERVER_HOST,
      '--port',
      String(options.port),
      '--cache-ttl',
      String(options.cacheTtlSeconds),
      '--log',
      join(dir, 'predictions.db'),
      '--store',
      this.opts.storeDir,
      ...(options.requireSigned ? ['--require-signed'] : []),
    ];
    const launcher = this.opts.launcher ?? nodeLauncher(this.opts.execPath);
    const [script, ...cliArgs] = args;
    const child = launcher.launch(script!, cliArgs, { ...process.env, MALLOC_ARENA_MAX: '2', PROGNOS_PARENT_PID: String(process.pid) });
    const s: Served = {
      bundleId: input.bundleId,
      options,
      startedAt: new Date().toISOString(),
      child,
      log: new LineLog(),
      dir,
      exited: new Promise<void>((resolve) => child.onClose(() => resolve())),
      state: 'starting',
      url: null,
      port: null,
      error: null,
      lastError: null,
      stopRequested: false,
    };
    this.servers.set(input.bundleId, s);
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      for (const line of s.log.push('out', chunk)) {
        const m = URL_LINE.exec(line);
        if (m !== null && s.url === null) {
          s.url = m[1]!;
          s.port = Number(m[2]);
        }
      }
    });
    child.stderr!.on('data', (chunk: string) => {
      for (const line of s.log.push('err', chunk)) {
        // the CLI's error is its last word: "prognos serve-model: MESSAGE", then the message's further lines
        if (/^prognos( serve-model)?: /.test(line)) s.lastError = [line.replace(/^prognos( serve-model)?: /, '')];
        else if (s.lastError !== null && s.lastError.length < 25) s.lastError.push(line);
      }
    });
    child.onError((e) => {
      s.log.add(`could not start: ${e.message}`);
      s.lastError ??= [`the server could not be started: ${e.message}`];
    });
    child.onClose((code, signal) => {
      s.log.flush();
      if (s.stopRequested) {
        s.state = 'stopped';
      } else if (s.state !== 'failed') {
        s.state = 'failed';
        s.error = s.lastError?.join('\n') ?? `the server exited (${signal ?? `code ${code}`}) without saying why; see its log`;
        log.warn(`model server for ${s.bundleId} exited: ${s.error}`);
      }
      rmSync(s.dir, { recursive: true, force: true });
    });
    log.info(`starting a model server for ${input.bundleId} (pid ${child.pid ?? '?'})`);
    await this.waitReady(s);
    return this.statusOf(s);
  }

  /** Polls GET /readyz until it answers 200, the child exits or the start times out. */
  private async waitReady(s: Served): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    let exited = false;
    void s.exited.then(() => {
      exited = true;
    });
    while (!exited && s.state === 'starting') {
      if (Date.now() > deadline) {
        s.error = `the server was not ready within ${START_TIMEOUT_MS / 1000} s; stopped`;
        s.state = 'failed';
        s.child.kill('SIGKILL');
        return;
      }
      if (s.url !== null) {
        const ready = await fetchWithTimeout(`${s.url}/readyz`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ready && s.state === 'starting') {
          s.state = 'ready';
          log.info(`model server for ${s.bundleId} ready at ${s.url}`);
          return;
        }
      }
      await Promise.race([s.exited, new Promise((r) => setTimeout(r, 100))]);
    }
    if (exited) await s.exited;
  }

  /** SIGTERM, then waits for the process to end (SIGKILL after STOP_TIMEOUT_MS); its port is closed after. */
  async stop(bundleId: string): Promise<ModelServerStatus> {
    const s = this.servers.get(bundleId);
    if (s === undefined) return this.statusOf(undefined, bundleId);
    if (s.state === 'starting' || s.state === 'ready' || s.state === 'stopping') {
      s.stopRequested = true;
      s.state = 'stopping';
      if (!s.child.exited) s.child.kill('SIGTERM');
      const timer = setTimeout(() => {
        s.log.add(`did not stop within ${STOP_TIMEOUT_MS / 1000} s: killed`);
        s.child.kill('SIGKILL');
      }, STOP_TIMEOUT_MS);
      await s.exited;
      clearTimeout(timer);
    }
    return this.statusOf(s);
  }

  /** The state and log; while ready, the metrics and up to `recent` newest predictions read from the server. */
  async status(bundleId: string, recent = 20): Promise<ModelServerStatus> {
    const s = this.servers.get(bundleId);
    if (s === undefined || s.state !== 'ready' || s.url === null) return this.statusOf(s, bundleId);
    const [metrics, predictions] = await Promise.all([
      fetchWithTimeout(`${s.url}/metrics`)
        .then(async (r) => (r.ok ? summariseServeMetrics(await r.text()) : null))
        .catch(() => null),
      fetchWithTimeout(`${s.url}/predictions/recent?limit=${recent}`)
        .then(async (r) => (r.ok ? recentOf(await r.json()) : []))
        .catch(() => []),
    ]);
    return { ...this.statusOf(s), metrics, recent: predictions };
  }

  /** POSTs one unit's whole history from the dataset to the server's /predict, as a client would. */
  async tryPredict(bundleId: string, datasetId: string, unit: number): Promise<ModelServerTryResult> {
    const s = this.servers.get(bundleId);
    if (s === undefined || s.state !== 'ready' || s.url === null) throw new PrognosError('CONFLICT', `No model server is ready for ${bundleId}: start it first.`);
    const table = await this.opts.table(datasetId);
    const span = unitSpans(table).find((u) => u.unit === unit);
    if (span === undefined) throw new PrognosError('NOT_FOUND', `Dataset ${datasetId} has no unit ${unit}.`);
    // the columns the bundle reads, as its server describes them
    const model = (await (await fetchWithTimeout(`${s.url}/model`)).json()) as { historyColumns?: unknown };
    const wanted = Array.isArray(model.historyColumns) ? model.historyColumns.filter((c): c is string => typeof c === 'string') : [];
    const index = new Map(table.columns.map((c, i) => [c.name, i]));
    // a column the dataset lacks is left out: the server's answer names it
    const present = wanted.filter((c) => index.has(c));
    const rows: Record<string, number>[] = [];
    for (let r = span.start; r < span.end; r++) {
      const row: Record<string, number> = { cycle: table.cycle[r]! };
      for (const c of present) row[c] = table.values[index.get(c)!]![r]!;
      rows.push(row);
    }
    const started = performance.now();
    const res = await fetchWithTimeout(
      `${s.url}/predict`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ units: [{ unit, rows }] }) },
      TRY_TIMEOUT_MS,
    );
    const text = await res.text();
    const elapsedMs = performance.now() - started;
    let body: unknown;
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      body = text;
    }
    return { unit, rows: rows.length, status: res.status, cache: res.headers.get('x-prognos-cache'), elapsedMs, body };
  }

  /** Stops every server (the services are closing: app quit, browser mode stopped). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.servers.keys()].map((id) => this.stop(id)));
  }

  handlers(): Pick<Handlers, 'modelServer:start' | 'modelServer:stop' | 'modelServer:status' | 'modelServer:try'> {
    return {
      'modelServer:start': (input) => this.start(input),
      'modelServer:stop': ({ bundleId }) => this.stop(bundleId),
      'modelServer:status': ({ bundleId, recent }) => this.status(bundleId, recent),
      'modelServer:try': ({ bundleId, datasetId, unit }) => this.tryPredict(bundleId, datasetId, unit),
    };
  }

  private statusOf(s: Served | undefined, bundleId = s?.bundleId ?? ''): ModelServerStatus {
    if (s === undefined) {
      return { bundleId, state: 'stopped', url: null, port: null, pid: null, options: null, startedAt: null, error: null, log: [], metrics: null, recent: [] };
    }
    const live = s.state === 'starting' || s.state === 'ready' || s.state === 'stopping';
    return {
      bundleId: s.bundleId,
      state: s.state,
      url: live ? s.url : null,
      port: s.port,
      pid: s.child.pid ?? null,
      options: s.options,
      startedAt: s.startedAt,
      error: s.state === 'failed' ? s.error : null,
      log: [...s.log.lines],
      metrics: null,
      recent: [],
    };
  }
}

function recentOf(doc: unknown): ServedPrediction[] {
  const list = (doc as { predictions?: unknown }).predictions;
  if (!Array.isArray(list)) return [];
  const out: ServedPrediction[] = [];
  for (const p of list) {
    const r = servedPredictionSchema.safeParse(p);
    if (r.success) out.push(r.data);
  }
  return out;
}
