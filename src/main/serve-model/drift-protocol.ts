/** Messages between the model server and its online-drift thread (drift-thread.ts, workers/serve-drift-worker.ts). */
import type { DriftMethodChoice, DriftThresholds } from '../../shared/drift';
import type { FleetTable } from '../core/data/table';
import type { OnlineDriftResult } from './online-drift';

export interface DriftThreadInit {
  /** the bundle whose drift reference the window is compared with */
  readonly bundlePath: string;
  readonly windowRows?: number;
  readonly windowSeconds?: number;
  readonly minRows?: number;
  readonly method?: DriftMethodChoice;
  readonly thresholds?: DriftThresholds;
  readonly datasetDriftShare?: number;
}

export type DriftThreadRequest =
  /** scored histories (sampled on the server's side): their features at each unit's last row join the window */
  | { readonly type: 'tables'; readonly tables: readonly FleetTable[] }
  /** rows of feature values, `width` per row, in the reference's feature order */
  | { readonly type: 'features'; readonly rows: Float32Array; readonly width: number }
  | { readonly type: 'compute'; readonly id: number };

export type DriftThreadReply =
  | { readonly type: 'ready'; readonly features: number; readonly runId: string }
  | { readonly type: 'failed'; readonly message: string; readonly code: string }
  | { readonly type: 'result'; readonly id: number; readonly result: OnlineDriftResult }
  | { readonly type: 'computeFailed'; readonly id: number; readonly message: string }
  | { readonly type: 'warn'; readonly message: string };
