/**
 * Thread pool for the level kernel.
 *
 * Design: the coordinating thread (the one that calls trainGbdt) takes part in every kernel call
 * next to `threads − 1` helper workers; all of them claim feature groups from a shared counter
 * until none is left. Helpers run the built worker module out/main/gbdt-pool-worker.js
 * (src/main/workers/gbdt-pool-worker.ts; its protocol is pool-protocol.ts), from sources under
 * vitest as well as in the app. Data lives in SharedArrayBuffers; each kernel call is one
 * generation of an Atomics-based barrier (no message round trips). Helpers block in Atomics.wait;
 * the coordinating thread never does: it waits for them with Atomics.waitAsync, so `run` and
 * `update` return promises and the thread stays free to serve its event loop.
 *
 * Every helper first runs the kernel on a tiny self-test problem and reports the result; if a
 * helper cannot start, fails, or disagrees with the coordinating thread, the pool is not used and
 * training runs single-threaded with identical results.
 */
import { existsSync } from 'node:fs';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { PrognosError } from '../../../../shared/errors';
import { GBDT_POOL_WORKER } from '../../../paths';
import { levelKernel, type KernelContext } from './kernel';
import {
  CMD,
  CMD_RELOAD,
  CMD_RUN,
  CMD_STOP,
  contextOf,
  CTL_SLOTS,
  DONE,
  ERR,
  GEN,
  type GbdtPoolWorkerData,
  type GbdtSelfTestReport,
  type SharedBuffers,
} from './pool-protocol';

export { contextOf, type SharedBuffers } from './pool-protocol';

/** Runs the kernel on all threads of the runner; resolves when every feature group is done. */
export interface KernelRunner {
  readonly threads: number;
  run(ctx: KernelContext): Promise<void>;
  /** Gives the helpers (new or grown) buffers; required before the first run. */
  update(buffers: SharedBuffers): Promise<void>;
  close(): Promise<void>;
}

export class LocalRunner implements KernelRunner {
  readonly threads = 1;
  run(ctx: KernelContext): Promise<void> {
    ctx.work[0] = 0;
    levelKernel(ctx);
    return Promise.resolve();
  }
  update(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const STARTUP_TIMEOUT_MS = 20_000;
const STALL_TIMEOUT_MS = 10 * 60_000;
/** Atomics.load polls before waiting asynchronously (some tens of microseconds) */
const SPIN_POLLS = 20_000;

/** Atomics.waitAsync (Node ≥ 16; the ES2023 typings do not declare it yet). */
type WaitAsync = (
  view: Int32Array,
  index: number,
  value: number,
  timeout?: number,
) => { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/** Why helpers cannot be used in this process, or null when they can. */
export function poolUnavailable(): string | null {
  if (waitAsync === undefined) return 'Atomics.waitAsync is not available';
  if (!existsSync(GBDT_POOL_WORKER)) return `the worker module ${GBDT_POOL_WORKER} is missing (run npm run build)`;
  return null;
}

/** A tiny fixed problem: 6 rows, 2 features, one build with subtraction and two evaluations. */
function selfTestBuffers(): SharedBuffers {
  const nRows = 6;
  const nFeatures = 2;
  const stride = 2 * (3 + 1);
  const slotSize = nFeatures * stride;
  const bins = Uint8Array.from([0, 1, 2, 0, 1, 2, 2, 2, 1, 0, 0, 1]);
  const nBins = Int32Array.from([3, 3]);
  const gh = Float64Array.from([4, 2, -6, 3, 2, 1, -8, 4, 10, 2, -2, 1]);
  const rowIdx = Int32Array.from([0, 2, 4, 1, 3, 5]);
  const hist = new Float64Array(3 * slotSize);
  // parent slot 0 = all rows; build slot 1 from rows [0, 3), sibling slot 2
  const tmp = new Float64Array(slotSize);
  for (let f = 0; f < nFeatures; f++) {
    for (let r = 0; r < nRows; r++) {
      const at = f * stride + 2 * bins[f * nRows + r]!;
      tmp[at] = tmp[at]! + gh[2 * r]!;
      tmp[at + 1] = tmp[at + 1]! + gh[2 * r + 1]!;
    }
  }
  hist.set(tmp, 0);
  const task = Int32Array.from([1, 2, 2, 0, 1, 1, 0, 3, 2, 0, 0, 1]);
  const taskF = Float64Array.from([1, 0, 0.5, 16, 5, -16, 8]);
  const res = new Float64Array(2 * nFeatures * 5);
  return {
    nRows,
    nFeatures,
    stride,
    slotSize,
    binBits: 8,
    bins: bins.buffer,
    nBins: nBins.buffer,
    gh: gh.buffer,
    rowIdx: rowIdx.buffer,
    hist: hist.buffer,
    task: task.buffer,
    taskF: taskF.buffer,
    res: res.buffer,
    work: new Int32Array(1).buffer,
  };
}

export class WorkerRunner implements KernelRunner {
  private constructor(
    readonly threads: number,
    private readonly workers: Worker[],
    private readonly ports: MessagePort[],
    private readonly ctl: Int32Array,
  ) {}

  /**
   * Starts `threads − 1` helpers; resolves to null (after cleaning up) when helpers are unavailable
   * or fail their self-test, so the caller can fall back to LocalRunner. The threads are created
   * before this returns its promise, so the caller can prepare data meanwhile; helpers get their
   * buffers through `update` before the first `run`.
   */
  static async start(threads: number): Promise<WorkerRunner | null> {
    if (threads < 2) return null;
    const ctl = new Int32Array(new SharedArrayBuffer(CTL_SLOTS * 4));
    const expected = contextOf(selfTestBuffers());
    levelKernel(expected);
    const workers: Worker[] = [];
    const ports: MessagePort[] = [];
    const ready: Promise<boolean>[] = [];
    if (poolUnavailable() !== null) return null;
    try {
      for (let t = 1; t < threads; t++) {
        const channel = new MessageChannel();
        const data: GbdtPoolWorkerData = { ctl: ctl.buffer, port: channel.port2, selfTest: selfTestBuffers() };
        const worker = new Worker(GBDT_POOL_WORKER, { workerData: data, transferList: [channel.port2] });
        workers.push(worker);
        ports.push(channel.port1);
        ready.push(
          new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), STARTUP_TIMEOUT_MS);
            worker.once('message', (m: GbdtSelfTestReport) => {
              clearTimeout(timer);
              resolve(
                m.ok && m.res.length === expected.res.length && m.res.every((v, i) => Object.is(v, expected.res[i])),
              );
            });
            worker.once('error', () => {
              clearTimeout(timer);
              resolve(false);
            });
            worker.once('exit', () => {
              clearTimeout(timer);
              resolve(false);
            });
          }),
        );
      }
    } catch {
      await terminateAll(workers, ports);
      return null;
    }
    const ok = (await Promise.all(ready)).every(Boolean);
    if (!ok) {
      await terminateAll(workers, ports);
      return null;
    }
    for (const w of workers) {
      w.removeAllListeners();
      // A helper that dies mid-run is reported through the stall timeout of waitDone.
      w.on('error', () => undefined);
    }
    return new WorkerRunner(threads, workers, ports, ctl);
  }

  async run(ctx: KernelContext): Promise<void> {
    Atomics.store(ctx.work, 0, 0);
    this.signal(CMD_RUN);
    levelKernel(ctx);
    await this.waitDone();
  }

  async update(buffers: SharedBuffers): Promise<void> {
    for (const p of this.ports) p.postMessage(buffers);
    this.signal(CMD_RELOAD);
    await this.waitDone();
  }

  async close(): Promise<void> {
    Atomics.store(this.ctl, CMD, CMD_STOP);
    Atomics.add(this.ctl, GEN, 1);
    Atomics.notify(this.ctl, GEN);
    await terminateAll(this.workers, this.ports);
  }

  private signal(cmd: number): void {
    Atomics.store(this.ctl, DONE, 0);
    Atomics.store(this.ctl, CMD, cmd);
    Atomics.add(this.ctl, GEN, 1);
    Atomics.notify(this.ctl, GEN);
  }

  private async waitDone(): Promise<void> {
    const helpers = this.threads - 1;
    // helpers mostly finish within microseconds of this thread: poll a moment before a waitAsync
    // (whose wake-up goes through the event loop) — a bounded poll, never a blocking wait
    for (let i = 0; i < SPIN_POLLS && Atomics.load(this.ctl, DONE) < helpers; i++);
    const deadline = Date.now() + STALL_TIMEOUT_MS;
    for (;;) {
      const done = Atomics.load(this.ctl, DONE);
      if (done >= helpers) break;
      const left = deadline - Date.now();
      if (left <= 0) throw new PrognosError('INTERNAL', 'GBDT helper threads stopped responding.');
      const w = waitAsync!(this.ctl, DONE, done, left);
      if (w.async) await w.value;
    }
    if (Atomics.load(this.ctl, ERR) !== 0) {
      throw new PrognosError('INTERNAL', 'A GBDT helper thread failed.');
    }
  }
}

async function terminateAll(workers: Worker[], ports: MessagePort[]): Promise<void> {
  for (const p of ports) p.close();
  await Promise.all(workers.map((w) => w.terminate().catch(() => 0)));
}
