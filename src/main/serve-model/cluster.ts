/**
 * `prognos serve-model --workers N`: N server processes on one port, as uvicorn's and gunicorn's
 * workers are. One server process is one event loop: at 32 connections it spends ~40 % of its CPU on
 * HTTP and the rest on features and scoring, and a second core stays idle. node:cluster runs N
 * workers, each the whole server (its own bundle, onnxruntime sessions, log writer), behind a primary
 * process that accepts the connections and hands them out round-robin (Node 20 has no SO_REUSEPORT
 * listen option: `reusePort` came with Node 22.12/23.1). A keep-alive connection stays with the
 * worker it was handed to. `--workers 1` (the default, and what the workbench starts) runs no primary
 * at all: the server of before, unchanged.
 *
 * What the workers share, and how:
 *   - the cache and the feature store: the in-process ones are per process, so a unit's cycles
 *     appended through one worker would be unknown to the worker that takes the next request.
 *     `--workers N` with N > 1 needs `--redis` (checked at start), and the workers then share Redis
 *     exactly as replicas on several hosts do;
 *   - the prediction log: PostgreSQL takes every worker's connections (each worker keeps a spool
 *     folder of its own, `<spool>/worker-K`, since a spool has one owner); the SQLite file is opened
 *     by every worker, each committing through its own writer thread. SQLite's locking is made for
 *     several processes on one host: a commit takes the WAL's write lock, and a writer that finds it
 *     taken waits (busy_timeout) rather than fails; a failed batch is kept and retried. Commits come
 *     every 200 ms per worker and last a few ms, so they rarely meet. One file keeps
 *     /predictions/recent and every reader of the log whole; relaying rows to the primary would cost
 *     each request an IPC message and make the primary a bottleneck;
 *   - GET /metrics: the worker that takes the scrape asks the primary, which gathers every listening
 *     worker's registry as JSON and adds them up (prom-client's AggregatorRegistry.aggregate; each
 *     gauge declares how it combines: metrics.ts), so Prometheus sees one server under the same names;
 *   - readiness: a worker is ready when it is, and the primary says every worker is listening (it
 *     tells the workers whenever that changes): GET /readyz is 503 while a worker (re)starts;
 *   - reload: SIGHUP to the primary, or POST /admin/reload to any worker, reloads every worker (each
 *     swaps bundles with no failed request, as one server does); the request answers once all have;
 *   - online drift and the webhook alerts run in worker 1 alone, over the requests it serves (with
 *     round-robin, about 1/N of the traffic, sampled by connection): N workers would otherwise send N alerts.
 *
 * The primary loads no bundle and serves no request. SIGTERM/SIGINT: it tells every worker to stop
 * (each turns not ready, finishes its requests in flight, flushes its log) and exits 0 once all have
 * exited 0. A worker that exits otherwise is started again in its slot, and the primary says so on
 * stderr; a slot whose worker fails to start 5 times in a row stops the server (exit 1). The first
 * worker starts alone, so that an error (a bad bundle, a taken port) is printed once.
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { PrognosError, toErrorValue, type ErrorCode } from '../../shared/errors';

/** The environment variable that makes a process worker K of N ("K/N"). */
const SLOT_ENV = 'PROGNOS_SERVE_WORKER';
/** failed starts in a row after which a slot stops the server */
const MAX_FAILED_STARTS = 5;
const METRICS_TIMEOUT_MS = 5000;
/**
 * how long a worker that has stopped (requests answered, log flushed, said so) may take to exit: the
 * process can hang in onnxruntime's own exit handlers (seen here: a nanosleep loop in
 * libonnxruntime's atexit teardown, after Node had finished), and is then killed
 */
const EXIT_GRACE_MS = 5000;

/** one worker's registry, as getMetricsAsJSON gives it and IPC carries it */
type WorkerMetrics = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

export type Failure = { readonly worker: number; readonly code: ErrorCode; readonly message: string };

/** primary → worker */
type ToWorker =
  | { prognos: 'state'; notReady: string | null }
  | { prognos: 'metrics-json'; id: number }
  | { prognos: 'metrics'; id: number; text?: string; error?: string }
  | { prognos: 'reload'; id: number }
  | { prognos: 'reloaded-all'; id: number; failures: Failure[] }
  | { prognos: 'stop' };

/** worker → primary */
type FromWorker =
  | { prognos: 'listening'; url: string }
  | { prognos: 'metrics-json'; id: number; metrics?: WorkerMetrics; error?: string }
  | { prognos: 'metrics'; id: number }
  | { prognos: 'reload-all'; id: number }
  | { prognos: 'reloaded'; id: number; runId?: string; failure?: { code: ErrorCode; message: string } }
  | { prognos: 'stopped' };

const isMessage = (m: unknown): m is { prognos: string } => typeof m === 'object' && m !== null && typeof (m as { prognos?: unknown }).prognos === 'string';

// ---------- the worker's side ----------

export interface ServeWorkerLink {
  /** 1-based */
  readonly slot: number;
  readonly of: number;
  /** why another worker is not ready (undefined when all are listening) */
  peersNotReady(): string | undefined;
  /** the whole server's metrics, added up by the primary */
  renderMetrics(): Promise<string>;
  /** asks the primary to reload every worker (this one included); rejects with the first failure */
  reloadAll(): Promise<void>;
  /** tells the primary this worker listens */
  listening(url: string): void;
  /** tells the primary this worker has stopped: every request answered, the log flushed (all that is left is exiting) */
  stopped(): void;
  /** resolves when the primary says stop */
  readonly stopRequested: Promise<void>;
  /** what the primary's requests run in this worker: its reload, its registry */
  attach(h: { reload(): Promise<{ manifest: { runId: string } }>; metricsJson(): Promise<WorkerMetrics> }): void;
}

/** This process's link to the primary when it is a worker of `--workers N` (N > 1), else undefined. */
export function serveWorkerLink(): ServeWorkerLink | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(process.env[SLOT_ENV] ?? '');
  if (!cluster.isWorker || m === null) return undefined;
  const send = (msg: FromWorker): void => {
    process.send?.(msg);
  };
  let notReady: string | null = 'the other workers are starting';
  let next = 1;
  const metricsWaits = new Map<number, { resolve: (t: string) => void; reject: (e: Error) => void }>();
  const reloadWaits = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let handlers: Parameters<ServeWorkerLink['attach']>[0] | undefined;
  let stop!: () => void;
  const stopRequested = new Promise<void>((r) => (stop = r));
  process.on('message', (msg: unknown) => {
    if (!isMessage(msg)) return;
    const t = msg as ToWorker;
    switch (t.prognos) {
      case 'state':
        notReady = t.notReady;
        return;
      case 'metrics-json':
        if (handlers === undefined) send({ prognos: 'metrics-json', id: t.id, metrics: [] });
        else
          handlers.metricsJson().then(
            (metrics) => send({ prognos: 'metrics-json', id: t.id, metrics }),
            (e: unknown) => send({ prognos: 'metrics-json', id: t.id, error: e instanceof Error ? e.message : String(e) }),
          );
        return;
      case 'metrics': {
        const w = metricsWaits.get(t.id);
        metricsWaits.delete(t.id);
        if (t.text !== undefined) w?.resolve(t.text);
        else w?.reject(new Error(t.error ?? 'the primary gave no metrics'));
        return;
      }
      case 'reload':
        if (handlers === undefined) {
          send({ prognos: 'reloaded', id: t.id, failure: { code: 'CONFLICT', message: 'still starting' } });
          return;
        }
        handlers.reload().then(
          (model) => send({ prognos: 'reloaded', id: t.id, runId: model.manifest.runId }),
          (e: unknown) => {
            const v = toErrorValue(e);
            send({ prognos: 'reloaded', id: t.id, failure: { code: v.code, message: v.message } });
          },
        );
        return;
      case 'reloaded-all': {
        const w = reloadWaits.get(t.id);
        reloadWaits.delete(t.id);
        const f = t.failures[0];
        if (f === undefined) w?.resolve();
        else w?.reject(new PrognosError(f.code, t.failures.length === 1 ? `worker ${f.worker}: ${f.message}` : t.failures.map((x) => `worker ${x.worker}: ${x.message}`).join('; ')));
        return;
      }
      case 'stop':
        stop();
        return;
    }
  });
  return {
    slot: Number(m[1]),
    of: Number(m[2]),
    stopRequested,
    peersNotReady: () => notReady ?? undefined,
    renderMetrics() {
      const id = next++;
      return new Promise<string>((resolve, reject) => {
        metricsWaits.set(id, { resolve, reject });
        send({ prognos: 'metrics', id });
      });
    },
    reloadAll() {
      const id = next++;
      return new Promise<void>((resolve, reject) => {
        reloadWaits.set(id, { resolve, reject });
        send({ prognos: 'reload-all', id });
      });
    },
    listening: (url) => send({ prognos: 'listening', url }),
    stopped: () => send({ prognos: 'stopped' }),
    attach(h) {
      handlers = h;
    },
  };
}

// ---------- the primary's side ----------

export interface ServePrimary {
  /** the URL, once every worker listens; rejects (every worker stopped) when the first one cannot start */
  readonly started: Promise<string>;
  /** the workers' process ids, by slot (0 for a slot between two workers) */
  pids(): number[];
  /** reloads every worker; resolves to the failures (none: all reloaded) */
  reloadAll(): Promise<Failure[]>;
  /** stops every worker gracefully; resolves to the exit code (0 when every worker exited 0) */
  stop(): Promise<number>;
  /** resolves when the primary gave up on a slot whose worker kept failing to start (it stops the others) */
  readonly gaveUp: Promise<void>;
}

interface Slot {
  readonly index: number;
  worker: Worker | undefined;
  listening: boolean;
  /** a worker listened in this slot before (a restart is announced) */
  listened: boolean;
  /** its worker said it stopped cleanly (it may still be exiting) */
  stopped: boolean;
  failedStarts: number;
}

/**
 * Forks `n` workers running this same command (process.argv, each told its slot by SLOT_ENV) and
 * looks after them. `say` prints a line on stderr (restarts, failures).
 */
export function startServePrimary(n: number, say: (line: string) => void): ServePrimary {
  const slots: Slot[] = Array.from({ length: n }, (_, i) => ({ index: i + 1, worker: undefined, listening: false, listened: false, stopped: false, failedStarts: 0 }));
  let stopping = false;
  let url: string | undefined;
  let failedToStart: ((e: Error) => void) | undefined;
  let startedOk: ((u: string) => void) | undefined;
  const started = new Promise<string>((resolve, reject) => {
    startedOk = resolve;
    failedToStart = reject;
  });
  let allExited: (() => void) | undefined;
  let giveUp!: () => void;
  const gaveUp = new Promise<void>((r) => (giveUp = r));
  let exitCode = 0;
  let next = 1;
  const metricsGathers = new Map<number, { pending: Set<number>; got: WorkerMetrics[]; done: (e: Error | undefined) => void }>();
  const reloads = new Map<number, { pending: Set<number>; failures: Failure[]; done: () => void }>();

  const live = (): Slot[] => slots.filter((s) => s.worker !== undefined && s.listening);
  const slotOf = (w: Worker): Slot | undefined => slots.find((s) => s.worker === w);
  const state = (): string | null => {
    if (stopping) return 'shutting down';
    const down = slots.filter((s) => !s.listening);
    if (down.length === 0) return null;
    return `${down.length === 1 ? `worker ${down[0]!.index}` : `workers ${down.map((s) => s.index).join(', ')}`} of ${n} ${down.length === 1 ? 'is' : 'are'} not listening (starting or restarting)`;
  };
  const tell = (w: Worker, msg: ToWorker): void => {
    if (w.isConnected()) w.send(msg);
  };
  const broadcast = (): void => {
    const notReady = state();
    for (const s of slots) if (s.worker !== undefined) tell(s.worker, { prognos: 'state', notReady });
  };

  const fork = (slot: Slot): void => {
    const w = cluster.fork({ [SLOT_ENV]: `${slot.index}/${n}` });
    slot.worker = w;
    slot.listening = false;
    slot.stopped = false;
    w.on('message', (msg: unknown) => {
      if (isMessage(msg)) receive(w, msg as FromWorker);
    });
    w.on('exit', (code, signal) => exited(slot, w, code, signal));
  };

  const exited = (slot: Slot, w: Worker, code: number | null, signal: string | null): void => {
    const wasListening = slot.listening;
    slot.worker = undefined;
    slot.listening = false;
    // the requests it was part of answer without it
    for (const [id, g] of metricsGathers) if (g.pending.delete(w.id) && g.pending.size === 0) finishMetrics(id);
    for (const [id, r] of reloads) {
      if (r.pending.delete(w.id)) {
        r.failures.push({ worker: slot.index, code: 'INTERNAL', message: 'exited while reloading' });
        if (r.pending.size === 0) finishReload(id);
      }
    }
    if (stopping) {
      if (wasListening && code !== 0 && !slot.stopped) exitCode = 1;
      if (slots.every((s) => s.worker === undefined)) allExited?.();
      return;
    }
    broadcast();
    const how = signal !== null ? `was killed (${signal})` : `exited with code ${code}`;
    if (url === undefined && slot.index === 1) {
      // the first worker could not start: its error is on stderr already
      void stopAll().then(() => failedToStart?.(new PrognosError('INTERNAL', `worker 1 ${how} before listening`)));
      return;
    }
    if (!wasListening && ++slot.failedStarts >= MAX_FAILED_STARTS) {
      say(`prognos serve-model: worker ${slot.index} (pid ${w.process.pid}) ${how} before listening, ${slot.failedStarts} times in a row: stopping the server`);
      exitCode = 1;
      void stopAll();
      giveUp();
      return;
    }
    say(`prognos serve-model: worker ${slot.index} (pid ${w.process.pid}) ${how}; starting another in its place`);
    // a worker that dies at start is not forked again in a tight loop
    const delay = wasListening ? 0 : 1000 * slot.failedStarts;
    setTimeout(() => {
      if (!stopping) fork(slot);
    }, delay).unref();
  };

  const receive = (w: Worker, msg: FromWorker): void => {
    switch (msg.prognos) {
      case 'listening': {
        const slot = slotOf(w);
        if (slot === undefined) return;
        if (slot.listened) say(`prognos serve-model: worker ${slot.index} (pid ${w.process.pid}) listens again`);
        slot.listening = true;
        slot.listened = true;
        slot.failedStarts = 0;
        if (url === undefined && slot.index === 1) {
          url = msg.url;
          // the first worker listens: the others start beside it
          for (const s of slots) if (s.worker === undefined) fork(s);
        }
        if (slots.every((s) => s.listening) && url !== undefined) startedOk?.(url);
        broadcast();
        return;
      }
      case 'metrics': {
        const id = next++;
        const askers = live();
        const pending = new Set(askers.map((s) => s.worker!.id));
        const timer = setTimeout(() => finishMetrics(id, new Error(`worker(s) did not answer within ${METRICS_TIMEOUT_MS / 1000} s`)), METRICS_TIMEOUT_MS);
        metricsGathers.set(id, {
          pending,
          got: [],
          done(e) {
            clearTimeout(timer);
            if (e !== undefined) {
              tell(w, { prognos: 'metrics', id: msg.id, error: e.message });
              return;
            }
            const g = metricsGathers.get(id);
            AggregatorRegistry.aggregate(g?.got ?? [])
              .metrics()
              .then(
                (text) => tell(w, { prognos: 'metrics', id: msg.id, text }),
                (err: unknown) => tell(w, { prognos: 'metrics', id: msg.id, error: err instanceof Error ? err.message : String(err) }),
              );
          },
        });
        for (const s of askers) tell(s.worker!, { prognos: 'metrics-json', id });
        if (pending.size === 0) finishMetrics(id);
        return;
      }
      case 'metrics-json': {
        const g = metricsGathers.get(msg.id);
        if (g === undefined || !g.pending.delete(w.id)) return;
        if (msg.error !== undefined) {
          finishMetrics(msg.id, new Error(`worker ${slotOf(w)?.index ?? '?'}: ${msg.error}`));
          return;
        }
        g.got.push(msg.metrics ?? []);
        if (g.pending.size === 0) finishMetrics(msg.id);
        return;
      }
      case 'stopped': {
        const slot = slotOf(w);
        if (slot === undefined) return;
        slot.stopped = true;
        setTimeout(() => {
          if (slot.worker !== w) return;
          say(`prognos serve-model: worker ${slot.index} (pid ${w.process.pid}) stopped cleanly but did not exit within ${EXIT_GRACE_MS / 1000} s; killing it`);
          w.process.kill('SIGKILL');
        }, EXIT_GRACE_MS).unref();
        return;
      }
      case 'reload-all':
        void reloadAll().then((failures) => tell(w, { prognos: 'reloaded-all', id: msg.id, failures }));
        return;
      case 'reloaded': {
        const r = reloads.get(msg.id);
        if (r === undefined || !r.pending.delete(w.id)) return;
        if (msg.failure !== undefined) r.failures.push({ worker: slotOf(w)?.index ?? 0, ...msg.failure });
        if (r.pending.size === 0) finishReload(msg.id);
        return;
      }
    }
  };

  const finishMetrics = (id: number, e?: Error): void => {
    const g = metricsGathers.get(id);
    if (g === undefined) return;
    g.done(e);
    metricsGathers.delete(id);
  };
  const finishReload = (id: number): void => {
    const r = reloads.get(id);
    reloads.delete(id);
    r?.done();
  };

  const reloadAll = (): Promise<Failure[]> => {
    const id = next++;
    // a worker still starting loads the bundle's files as they are now
    const targets = slots.filter((s) => s.worker !== undefined && s.listening);
    return new Promise<Failure[]>((resolve) => {
      const r = { pending: new Set(targets.map((s) => s.worker!.id)), failures: [] as Failure[], done: () => resolve(r.failures.sort((a, b) => a.worker - b.worker)) };
      reloads.set(id, r);
      for (const s of targets) tell(s.worker!, { prognos: 'reload', id });
      if (r.pending.size === 0) finishReload(id);
    });
  };

  let stopped: Promise<number> | undefined;
  const stopAll = (): Promise<number> => {
    stopped ??= new Promise<number>((resolve) => {
      stopping = true;
      allExited = () => resolve(exitCode);
      if (slots.every((s) => s.worker === undefined)) {
        resolve(exitCode);
        return;
      }
      broadcast();
      for (const s of slots) {
        if (s.worker === undefined) continue;
        // a worker still starting serves nothing and may not read messages yet
        if (s.listening) tell(s.worker, { prognos: 'stop' });
        else s.worker.process.kill('SIGKILL');
      }
    });
    return stopped;
  };

  fork(slots[0]!);
  return {
    started,
    pids: () => slots.map((s) => s.worker?.process.pid ?? 0),
    reloadAll,
    stop: stopAll,
    gaveUp,
  };
}
