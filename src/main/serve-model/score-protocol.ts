/** Messages between the model server and its scoring thread (score-thread.ts, workers/serve-score-worker.ts). */
import type { FleetTable } from '../core/data/table';
import type { BundleManifest } from '../core/export/manifest';
import type { UnitScore } from '../core/export/score';

export interface ScoreThreadInit {
  readonly manifest: BundleManifest;
  /** the bundle's model files the scorer reads (verified by the server before they are handed over) */
  readonly files: readonly (readonly [string, Uint8Array])[];
}

export type ScoreThreadRequest = { readonly type: 'score'; readonly id: number; readonly table: FleetTable } | { readonly type: 'close' };

export type ScoreThreadReply =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly message: string; readonly code: string }
  | { readonly type: 'scored'; readonly id: number; readonly scores: UnitScore[]; readonly stats: Record<string, { calls: number; rows: number }> }
  | { readonly type: 'scoreFailed'; readonly id: number; readonly message: string; readonly code: string }
  | { readonly type: 'closed' };
