/**
 * The backends a model server runs with: in-process by default (MemoryCache, MemoryFeatureStore, a
 * SQLite prediction log), shared when given URLs (Redis for the cache and the feature store,
 * PostgreSQL for the prediction log) so that every replica behaves as one server.
 */
import { PrognosError } from '../../shared/errors';
import { MemoryCache } from './memory-cache';
import { MemoryFeatureStore } from './memory-feature-store';
import { SqlitePredictionLog } from './sqlite-log';
import type { FeatureStore, PredictionCache, PredictionLog } from './types';

export interface BackendOptions {
  /** redis://… for the shared cache and feature store */
  readonly redisUrl?: string;
  /** postgres://… for the shared prediction log */
  readonly postgresUrl?: string;
  /** the SQLite prediction log file (without --postgres); with --postgres, the durable spool's folder lives beside it */
  readonly logFile: string;
  /** rows the feature store keeps per unit (undefined: the whole history) */
  readonly maxRows: number | undefined;
}

export interface Backends {
  readonly cache: PredictionCache;
  readonly featureStore: FeatureStore;
  readonly log: PredictionLog;
  /** one line for the start-up message */
  describe(): string;
  /** closes all three (the log flushes first) */
  close(): Promise<void>;
}

export function createBackends(opts: BackendOptions): Promise<Backends> {
  if (opts.redisUrl !== undefined) throw new PrognosError('INVALID_INPUT', '--redis: this build has no Redis backend.');
  if (opts.postgresUrl !== undefined) throw new PrognosError('INVALID_INPUT', '--postgres: this build has no PostgreSQL backend.');
  const cache = new MemoryCache();
  const featureStore = new MemoryFeatureStore(opts.maxRows === undefined ? {} : { maxRows: opts.maxRows });
  const log = new SqlitePredictionLog({ file: opts.logFile });
  return Promise.resolve({
    cache,
    featureStore,
    log,
    describe: () => `cache in process (LRU), feature store in process, prediction log ${opts.logFile} (SQLite)`,
    async close() {
      await log.close();
      await featureStore.close();
      await cache.close();
    },
  });
}
