/** What the SQLite prediction log (sqlite-log.ts) and its writer thread (workers/serve-log-worker.ts) share: the insert, the connection's pragmas, the messages. */
import type Database from 'better-sqlite3';
import type { PredictionRecord } from './types';

export const INSERT = `INSERT INTO predictions (time, bundle_sha256, unit, cycle, probability, gbdt, lstm, rul, rul_low, rul_high, alert, latency_ms, cache_hit, route, key_id)
  VALUES (@time, @bundleSha256, @unit, @cycle, @probability, @gbdt, @lstm, @rul, @rulLow, @rulHigh, @alert, @latencyMs, @cacheHit, @route, @keyId)`;

/**
 * busy_timeout first: with `--workers N` every worker's connections open the same file, and a commit
 * (or the switch to WAL) that finds another process's lock waits for it instead of failing
 */
export const PRAGMAS = ['busy_timeout = 5000', 'journal_mode = WAL', 'synchronous = NORMAL'];

/** The rows of `records` inserted in one transaction (the writer's and this thread's fallback alike). */
export function inserter(db: Database.Database): (records: readonly PredictionRecord[]) => void {
  const insert = db.prepare(INSERT);
  return db.transaction((records: readonly PredictionRecord[]) => {
    for (const r of records) insert.run({ ...r, alert: r.alert ? 1 : 0, cacheHit: r.cacheHit ? 1 : 0 });
  });
}

/** the writer's start: the log file (its schema already created by the log) and when to commit */
export interface WriterData {
  readonly file: string;
  /** a queue is committed this long after its first record… */
  readonly flushMs: number;
  /** …or as soon as it holds this many */
  readonly batchSize: number;
}

/** to the writer */
export type WriterRequest = { type: 'records'; records: PredictionRecord[] } | { type: 'flush'; id: number } | { type: 'close' };

/** from the writer: records committed, a flush done (or failed), a commit that failed (kept and retried), closed */
export type WriterReply =
  | { type: 'committed'; count: number; ms: number }
  | { type: 'flushed'; id: number; error?: string }
  | { type: 'failed'; message: string }
  | { type: 'closed' };
