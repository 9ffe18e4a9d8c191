/** Requests and answers of the feature workers: ranking (a job) and trends (a short call). */
import type { z } from 'zod';
import type { FeatureRanking, featureTrendSchema } from '../../shared/schemas';
import type { WireTable } from './import-protocol';

export interface RankRequest {
  readonly datasetId: string;
  readonly table: WireTable;
  readonly config: unknown;
}
export type RankValue = FeatureRanking;

export interface TrendRequest {
  readonly table: WireTable;
  readonly feature: string;
  readonly units: readonly number[];
  readonly config: unknown;
}
export type TrendValue = z.output<typeof featureTrendSchema>;
