/**
 * Thread pool for the level kernel.
 *
 * Design: the coordinating thread (the one that calls trainGbdt) takes part in every kernel call
 * next to `threads − 1` helper workers; all of them claim feature groups from a shared counter
 * until none is left. Helpers are started with
 * `new Worker(source, { eval: true })` from a string holding the kernel's own source text
 * (`levelKernel.toString()`), so the same code runs from TypeScript sources under vitest and from
 * the bundled output, with no separate worker file to locate. Data lives in SharedArrayBuffers;
 * each kernel call is one generation of an Atomics-based barrier (no message round trips).
 *
 * Every helper first runs the kernel on a tiny self-test problem and reports the result; if a
 * helper cannot start, fails, or disagrees with the coordinating thread, the pool is not used and
 * training runs single-threaded with identical results.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { PrognosError } from '../../../../shared/errors';
import { levelKernel, type KernelContext } from './kernel';

/** SharedArrayBuffers (or, for the self-test, plain buffers) behind a KernelContext. */
export interface SharedBuffers {
  nRows: number;
  nFeatures: number;
  stride: number;
  slotSize: number;
  binBits: 8 | 16;
  bins: SharedArrayBuffer | ArrayBuffer;
  nBins: SharedArrayBuffer | ArrayBuffer;
  gh: SharedArrayBuffer | ArrayBuffer;
  rowIdx: SharedArrayBuffer | ArrayBuffer;
  hist: SharedArrayBuffer | ArrayBuffer;
  task: SharedArrayBuffer | ArrayBuffer;
  taskF: SharedArrayBuffer | ArrayBuffer;
  res: SharedArrayBuffer | ArrayBuffer;
  work: SharedArrayBuffer | ArrayBuffer;
}

/** Typed-array views over the buffers. Self-contained: helpers evaluate its source text too. */
export function contextOf(b: SharedBuffers): KernelContext {
  return {
    nRows: b.nRows,
    nFeatures: b.nFeatures,
    stride: b.stride,
    slotSize: b.slotSize,
    bins: b.binBits === 16 ? new Uint16Array(b.bins) : new Uint8Array(b.bins),
    nBins: new Int32Array(b.nBins),
    gh: new Float64Array(b.gh),
    rowIdx: new Int32Array(b.rowIdx),
    hist: new Float64Array(b.hist),
    task: new Int32Array(b.task),
    taskF: new Float64Array(b.taskF),
    res: new Float64Array(b.res),
    work: new Int32Array(b.work),
  };
}

/** Runs the kernel on all threads of the runner and returns when every feature group is done. */
export interface KernelRunner {
  readonly threads: number;
  run(ctx: KernelContext): void;
  /** Gives the helpers (new or grown) buffers; required before the first run. */
  update(buffers: SharedBuffers): void;
  close(): Promise<void>;
}

export class LocalRunner implements KernelRunner {
  readonly threads = 1;
  run(ctx: KernelContext): void {
    ctx.work[0] = 0;
    levelKernel(ctx);
  }
  update(): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }
}

// Control block slots.
const GEN = 0;
const CMD = 1;
const DONE = 2;
const ERR = 3;
const CMD_RUN = 0;
const CMD_RELOAD = 1;
const CMD_STOP = 2;
const STARTUP_TIMEOUT_MS = 20_000;
const STALL_TIMEOUT_MS = 10 * 60_000;

function workerSource(): string {
  return `'use strict';
const { workerData, parentPort, receiveMessageOnPort } = require('node:worker_threads');
const levelKernel = (${levelKernel.toString()});
const view = (${contextOf.toString()});
let report;
try {
  const t = view(workerData.selfTest);
  levelKernel(t);
  report = { ok: true, res: Array.from(t.res) };
} catch (e) {
  report = { ok: false, error: String((e && e.stack) || e) };
}
parentPort.postMessage(report);
if (report.ok) {
  const ctl = new Int32Array(workerData.ctl);
  const port = workerData.port;
  let ctx = null;
  let seen = 0;
  for (;;) {
    Atomics.wait(ctl, ${GEN}, seen);
    const gen = Atomics.load(ctl, ${GEN});
    if (gen === seen) continue;
    seen = gen;
    const cmd = Atomics.load(ctl, ${CMD});
    if (cmd === ${CMD_STOP}) break;
    try {
      if (cmd === ${CMD_RELOAD}) {
        let m = receiveMessageOnPort(port);
        while (m === undefined) { Atomics.wait(ctl, 7, 0, 1); m = receiveMessageOnPort(port); }
        ctx = view(m.message);
      } else {
        levelKernel(ctx);
      }
    } catch (e) {
      Atomics.store(ctl, ${ERR}, 1);
    }
    Atomics.add(ctl, ${DONE}, 1);
    Atomics.notify(ctl, ${DONE});
  }
  port.close();
}
`;
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

interface SelfTestReport {
  ok: boolean;
  res?: number[];
  error?: string;
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
    const ctl = new Int32Array(new SharedArrayBuffer(8 * 4));
    const expected = contextOf(selfTestBuffers());
    levelKernel(expected);
    const workers: Worker[] = [];
    const ports: MessagePort[] = [];
    const ready: Promise<boolean>[] = [];
    let source: string;
    try {
      source = workerSource();
      for (let t = 1; t < threads; t++) {
        const channel = new MessageChannel();
        const worker = new Worker(source, {
          eval: true,
          workerData: {
            ctl: ctl.buffer,
            port: channel.port2,
            selfTest: selfTestBuffers(),
          },
          transferList: [channel.port2],
        });
        workers.push(worker);
        ports.push(channel.port1);
        ready.push(
          new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), STARTUP_TIMEOUT_MS);
            worker.once('message', (m: SelfTestReport) => {
              clearTimeout(timer);
              resolve(m.ok && m.res !== undefined && m.res.every((v, i) => Object.is(v, expected.res[i])));
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

  run(ctx: KernelContext): void {
    Atomics.store(ctx.work, 0, 0);
    this.signal(CMD_RUN);
    levelKernel(ctx);
    this.waitDone();
  }

  update(buffers: SharedBuffers): void {
    for (const p of this.ports) p.postMessage(buffers);
    this.signal(CMD_RELOAD);
    this.waitDone();
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

  private waitDone(): void {
    const helpers = this.threads - 1;
    const started = Date.now();
    for (;;) {
      const done = Atomics.load(this.ctl, DONE);
      if (done >= helpers) break;
      Atomics.wait(this.ctl, DONE, done, 100);
      if (Date.now() - started > STALL_TIMEOUT_MS) {
        throw new PrognosError('INTERNAL', 'GBDT helper threads stopped responding.');
      }
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
