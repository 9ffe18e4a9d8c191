/**
 * The local prediction log: a SQLite file (WAL) written by a worker thread of its own.
 * `write` only queues; at the next turn of the event loop that turn's records go to the writer in one
 * message, and the writer commits them in batches (a timer, or a full batch). So no request and no
 * turn of the event loop waits for a commit: run on the serving thread, a commit of 500 records held
 * the event loop for ~3.5 ms (p50) and up to ~20 ms (a WAL checkpoint) under the serve bench, and
 * the queued records lived long enough to be promoted to the old generation, which then needed
 * mark-compacts. (Smaller transactions were tried before: commits of 64 records held the event loop
 * for 0.8 ms instead of 4, but took twice the time in all, each rewriting the same table and index
 * pages into the WAL.)
 *
 * This thread keeps a connection of its own: it creates the schema (so a bad file fails the
 * constructor) and answers the reads (count, recent). `flush` resolves once the writer has committed
 * everything sent before it, so a read after it sees those records. Should the writer stop, the log
 * says how many records it held, and this thread commits the later ones itself.
 *
 * The writer is src/main/workers/serve-log-worker.ts; sqlite-log-protocol.ts holds the messages.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SERVE_LOG_WORKER } from '../paths';
import { logger } from '../services/logger';
import { inserter, PRAGMAS, type WriterData, type WriterReply, type WriterRequest } from './sqlite-log-protocol';
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
  /** this thread's connection: the schema, the reads, and the commits should the writer stop */
  private readonly db: Database.Database;
  private writer: Worker | undefined;
  /** records not yet sent to the writer */
  private queue: PredictionRecord[] = [];
  /** records sent to the writer and not yet committed */
  private inWriter = 0;
  private soon: NodeJS.Immediate | undefined;
  private nextFlush = 1;
  private readonly flushes = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private closing: Promise<void> | undefined;
  private closed = false;
  /** set when the writer has stopped: this thread then commits, as the writer would */
  private fallback: { insertMany: (records: readonly PredictionRecord[]) => void; timer: NodeJS.Timeout | undefined } | undefined;
  private readonly flushMs: number;
  private readonly batchSize: number;

  constructor(opts: SqlitePredictionLogOptions) {
    mkdirSync(dirname(opts.file), { recursive: true });
    this.db = new Database(opts.file);
    for (const p of PRAGMAS) this.db.pragma(p);
    this.db.exec(SCHEMA);
    this.flushMs = opts.flushMs ?? 200;
    this.batchSize = opts.batchSize ?? 500;
    const data: WriterData = { file: opts.file, flushMs: this.flushMs, batchSize: this.batchSize };
    const writer = new Worker(SERVE_LOG_WORKER, { workerData: data });
    writer.on('message', (m: WriterReply) => this.receive(m));
    writer.on('error', (e) => this.writerStopped(`failed: ${e.message}`));
    writer.on('exit', (code) => {
      if (this.closing === undefined) this.writerStopped(`exited (${code})`);
    });
    // a 'message' listener refs the worker again: the writer never keeps the process alive
    writer.unref();
    this.writer = writer;
  }

  write(records: readonly PredictionRecord[]): void {
    if (this.closed || this.closing !== undefined) {
      log.warn(`the prediction log is closed; ${records.length} records were not written`);
      return;
    }
    for (const r of records) this.queue.push(r);
    if (this.fallback !== undefined) {
      if (this.queue.length >= this.batchSize) this.soon ??= setImmediate(() => this.tick());
      else this.fallback.timer ??= setTimeout(() => this.tick(), this.flushMs);
      return;
    }
    // this turn's records go to the writer in one message, after the answers of this turn are sent
    this.soon ??= setImmediate(() => this.send());
  }

  flush(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.fallback !== undefined || this.writer === undefined) {
      try {
        this.commitHere();
        return Promise.resolve();
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
    }
    this.send();
    const id = this.nextFlush++;
    const writer = this.writer;
    return new Promise<void>((resolve, reject) => {
      this.flushes.set(id, { resolve, reject });
      writer.postMessage({ type: 'flush', id } satisfies WriterRequest);
    });
  }

  pending(): number {
    return this.queue.length + this.inWriter;
  }

  healthy(): Promise<boolean> {
    return Promise.resolve(!this.closed && this.db.open);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const writer = this.writer;
      if (writer !== undefined && this.fallback === undefined) {
        this.send();
        const closed = new Promise<void>((resolve) => {
          writer.on('message', (m: WriterReply) => {
            if (m.type === 'closed') resolve();
          });
          writer.once('exit', () => resolve());
        });
        // held while the writer commits its last records: an unref'd worker would let the process end first
        writer.ref();
        writer.postMessage({ type: 'close' } satisfies WriterRequest);
        await closed;
        await writer.terminate();
        if (this.inWriter > 0) log.error(`the last ${this.inWriter} predictions could not be written`);
      }
      try {
        this.commitHere();
      } catch (e) {
        log.error('the last predictions could not be written', e);
      }
      this.closed = true;
      this.db.close();
    })();
    return this.closing;
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

  /** Sends the queued records to the writer. */
  private send(): void {
    if (this.soon !== undefined) clearImmediate(this.soon);
    this.soon = undefined;
    if (this.queue.length === 0 || this.writer === undefined || this.fallback !== undefined) return;
    const records = this.queue;
    this.queue = [];
    this.inWriter += records.length;
    this.writer.postMessage({ type: 'records', records } satisfies WriterRequest);
  }

  private receive(m: WriterReply): void {
    switch (m.type) {
      case 'committed':
        this.inWriter -= m.count;
        serveProfile()?.add('log-commit', m.ms);
        return;
      case 'flushed': {
        const f = this.flushes.get(m.id);
        this.flushes.delete(m.id);
        if (m.error === undefined) f?.resolve();
        else f?.reject(new Error(m.error));
        return;
      }
      case 'failed':
        log.error(`a batch of predictions could not be written; it is kept and retried: ${m.message}`);
        return;
      case 'closed':
        return;
    }
  }

  /** The writer has stopped while serving: this thread commits from now on. */
  private writerStopped(why: string): void {
    if (this.fallback !== undefined) return;
    log.error(`the prediction log's writer thread ${why}; ${this.inWriter} predictions it held may be lost, and this thread writes the log from now on`);
    this.inWriter = 0;
    this.writer = undefined;
    this.fallback = { insertMany: inserter(this.db), timer: undefined };
    for (const f of this.flushes.values()) f.reject(new Error(`the prediction log's writer thread ${why}`));
    this.flushes.clear();
    if (this.queue.length > 0) this.soon ??= setImmediate(() => this.tick());
  }

  /** a commit by this thread (the writer has stopped) */
  private tick(): void {
    try {
      this.commitHere();
    } catch (e) {
      log.error('a batch of predictions could not be written; it is kept and retried', e);
    }
  }

  private commitHere(): void {
    if (this.soon !== undefined) clearImmediate(this.soon);
    this.soon = undefined;
    const f = this.fallback;
    if (f?.timer !== undefined) clearTimeout(f.timer);
    if (f !== undefined) f.timer = undefined;
    if (this.queue.length === 0 || this.closed) return;
    const batch = this.queue;
    this.queue = [];
    try {
      (f?.insertMany ?? inserter(this.db))(batch);
    } catch (e) {
      // kept for the next batch: a locked or full disk is retried, not dropped
      this.queue = [...batch, ...this.queue];
      if (f !== undefined) f.timer ??= setTimeout(() => this.tick(), this.flushMs * 5);
      throw e;
    }
  }
}
