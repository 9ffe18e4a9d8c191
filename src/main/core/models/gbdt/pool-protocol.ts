/**
 * The message protocol between the GBDT kernel pool (pool.ts, the coordinating thread) and its
 * helper threads (src/main/workers/gbdt-pool-worker.ts), typed once for both sides.
 *
 * A helper gets `GbdtPoolWorkerData` at start, runs the kernel on `selfTest` and posts one
 * `GbdtSelfTestReport`. After that, every command is one generation of the control block: the
 * coordinator writes CMD, bumps GEN and notifies; each helper runs the command and adds 1 to DONE
 * (and sets ERR on failure). For CMD_RELOAD the new buffers arrive first as one `SharedBuffers`
 * message on the helper's port.
 */
import type { MessagePort } from 'node:worker_threads';
import type { KernelContext } from './kernel';

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

/** Typed-array views over the buffers. */
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

/** Control block: Int32 slots of `ctl`. */
export const CTL_SLOTS = 8;
export const GEN = 0;
export const CMD = 1;
export const DONE = 2;
export const ERR = 3;
/** a slot nobody writes: helpers sleep on it while a reload message is in flight */
export const IDLE = 7;

export const CMD_RUN = 0;
export const CMD_RELOAD = 1;
export const CMD_STOP = 2;

export interface GbdtPoolWorkerData {
  /** the control block (CTL_SLOTS Int32 slots) */
  ctl: SharedArrayBuffer;
  /** receives a SharedBuffers message before every CMD_RELOAD */
  port: MessagePort;
  /** a tiny problem the helper solves before it joins */
  selfTest: SharedBuffers;
}

/** The one message a helper posts to its parent: its answer to the self-test. */
export type GbdtSelfTestReport = { ok: true; res: number[] } | { ok: false; error: string };
