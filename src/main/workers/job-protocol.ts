/**
 * The tagged protocol every one-shot worker speaks (rank, trend, export, bundle checks, evaluation):
 * one `start` in, `progress` messages out, then `done` with the value or `error`; `cancel` asks the
 * worker to stop at its next check. Each worker's own *-protocol.ts file fixes the start and value types.
 */
import type { ErrorValue } from '../../shared/errors';

export type ToJobWorker<S> = Readonly<{ type: 'start'; request: S }> | Readonly<{ type: 'cancel' }>;

export type FromJobWorker<V> =
  | Readonly<{ type: 'progress'; fraction: number; message: string }>
  | Readonly<{ type: 'done'; value: V; /** tfjs tensors still held by the worker when it finished */ tensors: number }>
  | Readonly<{ type: 'error'; error: ErrorValue }>;

export interface WorkerTask {
  readonly signal: AbortSignal;
  progress(fraction: number, message: string): void;
}
