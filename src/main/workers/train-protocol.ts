/** Tagged messages between the training service and its worker thread. */
import type { ErrorValue } from '../../shared/errors';
import type { TrainConfig } from '../core/pipeline/config';
import type { SavedRun } from '../core/pipeline/saved-run';
import type { Stage } from '../core/pipeline/train';
import type { WireTable } from './import-protocol';

export type ToTrainWorker = Readonly<{ type: 'start'; table: WireTable; config: TrainConfig }> | Readonly<{ type: 'cancel' }>;

export type FromTrainWorker =
  | Readonly<{ type: 'progress'; stage: Stage; fraction: number; message: string }>
  | Readonly<{ type: 'iteration'; model: 'gbdt' | 'lstm'; iteration: number; trainLoss: number; validLoss?: number }>
  /** the outcome already encoded for the store (its artifact buffers are transferred) */
  | Readonly<{ type: 'done'; saved: SavedRun }>
  | Readonly<{ type: 'error'; error: ErrorValue }>;
