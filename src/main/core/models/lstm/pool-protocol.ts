/**
 * The message protocol between the LSTM gradient pool (pool.ts, the calling thread) and its helper
 * thread (src/main/workers/lstm-pool-worker.ts), typed once for both sides.
 *
 * The helper starts with `LstmPoolWorkerData`, initialises the wasm backend and the fused kernels,
 * and posts one `LstmPoolStartup` (id −1). Then every `LstmPoolRequest` gets exactly one
 * `LstmPoolReply` with the same id.
 */

export interface LstmPoolWorkerData {
  /** window length T */
  length: number;
  features: number;
  units2: number;
  /** weight shapes in WEIGHT_ORDER */
  shapes: number[][];
  /** batch-major windows [n, T, F] on SharedArrayBuffers */
  train: Float32Array;
  valid: Float32Array | null;
}

export type LstmPoolStartup = { id: -1; kind: 'ready' } | { id: -1; kind: 'failed'; error: string };

export type LstmPoolRequest =
  | {
      id: number;
      kind: 'grad';
      /** all weights, flat in WEIGHT_ORDER */
      weights: Float32Array;
      /** window indices into the training windows */
      rows: Int32Array;
      y: Float32Array;
      w: Float32Array;
      /** dropout multipliers [rows, units2], or null */
      mask: Float32Array | null;
    }
  | { id: number; kind: 'predict'; weights: Float32Array; set: 'train' | 'valid'; from: number; to: number };

export type LstmPoolReply =
  | { id: number; kind: 'grad'; loss: number; grads: Float32Array }
  | { id: number; kind: 'predict'; prob: Float32Array }
  | { id: number; kind: 'error'; error: string };

/** Distributes a request type over its union members (Omit on a union would merge them). */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
export type LstmPoolRequestBody = WithoutId<LstmPoolRequest>;

export function errorText(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}
