/**
 * The local prediction log: a SQLite file (WAL) written in batches. `write` only queues; a timer, or
 * a full queue at the next turn of the event loop, commits the queue in one transaction, so a request
 * never waits for the disk nor runs a commit itself. (Smaller transactions were tried under the
 * serve bench's cache-hit load: commits of 64 records held the event loop for 0.8 ms instead of 4,
 * but their commits took twice the time in all, each rewriting the same table and index pages into
 * the WAL.)
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { logger } from '../services/logger';
import { serveProfile } from './profile';
import type { PredictionLog, PredictionRecord } from './types';

const log = logger('serve-model.log');

export interface SqlitePredictionLogOptions {
  /** the database file (created with its folder when absent) */
  readonly file: string;
  /** how long records wait before a batch is committed (default 200 ms) */
  readonly flushMs?: number;
  /** a batch is committed at once when this many records are queued (default 500) */
  readonly batchSize?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS predictions (
  id INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  bundle_sha256 TEXT NOT NULL,
  unit INTEGER NOT NULL,
  cycle INTEGER NOT NULL,
  probability REAL NOT NULL,
  gbdt REAL NOT NULL,
  lstm REAL,
  rul REAL,
  rul_low REAL,
  rul_high REAL,
  alert INTEGER NOT NULL,
  latency_ms REAL NOT NULL,
  cache_hit INTEGER NOT NULL,
  route TEXT NOT NULL,
  key_id TEXT
);
CREATE INDEX IF NOT EXISTS predictions_unit_time ON predictions (unit, time);
`;

export class SqlitePredictionLog implements PredictionLog {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly insertMany: (records: readonly PredictionRecord[]) => void;
  private queue: PredictionRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Immediate | undefined;
  private closed = false;
  private readonly flushMs: number;
  private readonly batchSize: number;

  constructor(opts: SqlitePredictionLogOptions) {
    mkdirSync(dirname(opts.file), { recursive: true });
    this.db = new Database(opts.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.flushMs = opts.flushMs ?? 200;
    this.batchSize = opts.batchSize ?? 500;
    this.insert = this.db.prepare(
      `INSERT INTO predictions (time, bundle_sha256, unit, cycle, probability, gbdt, lstm, rul, rul_low, rul_high, alert, latency_ms, cache_hit, route, key_id)
       VALUES (@time, @bundleSha256, @unit, @cycle, @probability, @gbdt, @lstm, @rul, @rulLow, @rulHigh, @alert, @latencyMs, @cacheHit, @route, @keyId)`,
    );
    this.insertMany = this.db.transaction((records: readonly PredictionRecord[]) => {
      for (const r of records) this.insert.run({ ...r, alert: r.alert ? 1 : 0, cacheHit: r.cacheHit ? 1 : 0 });
    });
  }

  write(records: readonly PredictionRecord[]): void {
    if (this.closed) {
      log.warn(`the prediction log is closed; ${records.length} records were not written`);
      return;
    }
    for (const r of records) this.queue.push(r);
    // a full queue is committed at the next turn of the event loop, after this request's answer is sent
    if (this.queue.length >= this.batchSize) this.soon ??= setImmediate(() => this.tick());
    else this.timer ??= setTimeout(() => this.tick(), this.flushMs);
  }

  flush(): Promise<void> {
    try {
      this.commit();
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  pending(): number {
    return this.queue.length;
  }

  healthy(): Promise<boolean> {
    return Promise.resolve(!this.closed && this.db.open);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    try {
      this.commit();
    } catch (e) {
      log.error('the last predictions could not be written', e);
    }
    this.closed = true;
    this.db.close();
    return Promise.resolve();
  }

  /** rows in the table (tests, the CLI) */
  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM predictions').get() as { n: number }).n;
  }

  /** the latest records, newest first (tests, a local viewer) */
  recent(limit = 50): PredictionRecord[] {
    const rows = this.db
      .prepare(
        `SELECT time, bundle_sha256 AS bundleSha256, unit, cycle, probability, gbdt, lstm, rul, rul_low AS rulLow, rul_high AS rulHigh, alert, latency_ms AS latencyMs, cache_hit AS cacheHit, route, key_id AS keyId
         FROM predictions ORDER BY id DESC LIMIT ?`,
      )
      .all(limit) as (Omit<PredictionRecord, 'alert' | 'cacheHit'> & { alert: number; cacheHit: number })[];
    return rows.map((r) => ({ ...r, alert: r.alert === 1, cacheHit: r.cacheHit === 1 }));
  }

  private tick(): void {
    const profile = serveProfile();
    const t0 = profile === undefined ? 0 : performance.now();
    try {
      this.commit();
      profile?.add('log-commit', performance.now() - t0);
    } catch (e) {
      log.error('a batch of predictions could not be written; it is kept and retried', e);
    }
  }

  private commit(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.soon !== undefined) clearImmediate(this.soon);
    this.soon = undefined;
    if (this.queue.length === 0 || this.closed) return;
    const batch = this.queue;
    this.queue = [];
    try {
      this.insertMany(batch);
    } catch (e) {
      // kept for the next batch: a locked or full disk is retried, not dropped
      this.queue = [...batch, ...this.queue];
      this.timer ??= setTimeout(() => this.tick(), this.flushMs * 5);
      throw e;
    }
  }
}
