/**
 * The backends a model server runs with: in-process by default (MemoryCache, MemoryFeatureStore, a
 * SQLite prediction log), shared when given URLs (Redis for the cache and the feature store,
 * PostgreSQL for the prediction log) so that every replica behaves as one server.
 */
import { MemoryCache } from './memory-cache';
import { MemoryFeatureStore } from './memory-feature-store';
import { PostgresPredictionLog, redactPostgresUrl } from './postgres-log';
import { RedisCache } from './redis-cache';
import { redactUrl } from './redis-client';
import { RedisFeatureStore } from './redis-feature-store';
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
  /** with --postgres: the durable spool's folder (default: `<logFile>.spool`) */
  readonly spoolDir?: string;
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

export async function createBackends(opts: BackendOptions): Promise<Backends> {
  const opened: { close(): Promise<void> }[] = [];
  try {
    let cache: PredictionCache;
    let featureStore: FeatureStore;
    let where: string;
    if (opts.redisUrl !== undefined) {
      // the in-process LRU stays as the fallback that answers this replica's hits while Redis is down
      cache = await RedisCache.open(opts.redisUrl, { fallback: new MemoryCache() });
      opened.push(cache);
      featureStore = await RedisFeatureStore.open(opts.redisUrl, opts.maxRows === undefined ? {} : { maxRows: opts.maxRows });
      opened.push(featureStore);
      where = `cache and feature store in Redis at ${redactUrl(opts.redisUrl)} (in-process cache while it is down)`;
    } else {
      cache = new MemoryCache();
      featureStore = new MemoryFeatureStore(opts.maxRows === undefined ? {} : { maxRows: opts.maxRows });
      where = 'cache in process (LRU), feature store in process';
    }
    let log: PredictionLog;
    if (opts.postgresUrl !== undefined) {
      const spoolDir = opts.spoolDir ?? `${opts.logFile}.spool`;
      log = await PostgresPredictionLog.open({ url: opts.postgresUrl, spoolDir });
      where += `, prediction log in PostgreSQL at ${redactPostgresUrl(opts.postgresUrl)} (spool ${spoolDir} while it is down)`;
    } else {
      log = new SqlitePredictionLog({ file: opts.logFile });
      where += `, prediction log ${opts.logFile} (SQLite)`;
    }
    return {
      cache,
      featureStore,
      log,
      describe: () => where,
      async close() {
        await log.close();
        await featureStore.close();
        await cache.close();
      },
    };
  } catch (e) {
    for (const o of opened) await o.close().catch(() => undefined);
    throw e;
  }
}
