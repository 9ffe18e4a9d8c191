/**
 * The prediction log in PostgreSQL (`--postgres URL`), shared by every replica.
 *
 * `write` only queues: records get an idempotency key and are inserted in batches (one multi-row
 * INSERT … ON CONFLICT (id) DO NOTHING) every `batchSize` records or `flushIntervalMs`. When
 * PostgreSQL does not answer, the queue goes to the durable local spool (prediction-spool.ts) and
 * every later record follows it there until PostgreSQL is back; the spool is then replayed in order,
 * ahead of anything newer, and truncated only after its records are committed. At start an existing
 * spool is replayed first. Records still in memory (at most one interval's worth) are the only ones a
 * crash of this process can lose; the spool survives it.
 */
import pg from 'pg';
import { PrognosError } from '../../shared/errors';
import { logger } from '../services/logger';
import { migratePostgres } from './postgres-migrations';
import { checkRecord, keyed, PredictionSpool, type KeyedRecord } from './prediction-spool';
import type { PredictionLog, PredictionRecord } from './types';

const log = logger('serve-model:postgres-log');

export interface PostgresLogOptions {
  /** postgres://user:password@host:port/database */
  readonly url: string;
  /** where the spool lives while PostgreSQL is down (one directory per server process) */
  readonly spoolDir: string;
  /** records per INSERT (default 200, at most 2000) */
  readonly batchSize?: number;
  /** queued records are written at least this often (default 250 ms) */
  readonly flushIntervalMs?: number;
  /** while PostgreSQL is down, how often to try again (default 1000 ms) */
  readonly retryMs?: number;
  readonly connectTimeoutMs?: number;
  readonly queryTimeoutMs?: number;
}

const COLUMNS = [
  'id',
  'time',
  'bundle_sha256',
  'unit',
  'cycle',
  'probability',
  'gbdt',
  'lstm',
  'rul',
  'rul_low',
  'rul_high',
  'alert',
  'latency_ms',
  'cache_hit',
  'route',
  'key_id',
] as const;

function values(e: KeyedRecord): unknown[] {
  const r = e.record;
  return [e.id, r.time, r.bundleSha256, r.unit, r.cycle, r.probability, r.gbdt, r.lstm, r.rul, r.rulLow, r.rulHigh, r.alert, r.latencyMs, r.cacheHit, r.route, r.keyId];
}

function insertSql(rows: number): string {
  const w = COLUMNS.length;
  const tuples: string[] = [];
  for (let i = 0; i < rows; i++) tuples.push(`(${COLUMNS.map((_, j) => `$${i * w + j + 1}`).join(', ')})`);
  return `INSERT INTO prognos_predictions (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT (id) DO NOTHING`;
}

/** The URL without its password, for messages and logs. */
export function redactPostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

export class PostgresPredictionLog implements PredictionLog {
  readonly kind = 'postgres' as const;
  private readonly queue: KeyedRecord[] = [];
  private readonly batchSize: number;
  private readonly retryMs: number;
  private readonly timer: NodeJS.Timeout;
  private readonly shown: string;
  /** one drain at a time: every use of the spool and the queue's head goes through this chain */
  private chain: Promise<void> = Promise.resolve();
  private busy = false;
  private migrated = false;
  private down = false;
  private nextTry = 0;
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly spool: PredictionSpool,
    opts: PostgresLogOptions,
  ) {
    this.batchSize = Math.min(2000, Math.max(1, opts.batchSize ?? 200));
    this.retryMs = opts.retryMs ?? 1000;
    this.shown = redactPostgresUrl(opts.url);
    this.timer = setInterval(() => this.tick(), opts.flushIntervalMs ?? 250);
    this.timer.unref();
  }

  /**
   * Opens the log: checks the URL, takes the spool, and makes one attempt to create the table and
   * replay what an earlier process left spooled. A PostgreSQL that is down does not fail this: the
   * log starts spooling and keeps trying.
   */
  static async open(opts: PostgresLogOptions): Promise<PostgresPredictionLog> {
    let parsed: URL;
    try {
      parsed = new URL(opts.url);
    } catch {
      throw new PrognosError('INVALID_INPUT', `--postgres: "${redactPostgresUrl(opts.url)}" is not a URL (expected postgres://user:password@host:port/database)`);
    }
    if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
      throw new PrognosError('INVALID_INPUT', `--postgres: "${redactPostgresUrl(opts.url)}" must start with postgres:// or postgresql://`);
    }
    const spool = await PredictionSpool.open(opts.spoolDir);
    const pool = new pg.Pool({
      connectionString: opts.url,
      max: 4,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 2000,
      query_timeout: opts.queryTimeoutMs ?? 15_000,
      idleTimeoutMillis: 30_000,
      application_name: 'prognos-serve-model',
    });
    // an idle connection dropped by a PostgreSQL that stops: the next query notices and spools
    pool.on('error', (e) => log.debug(`idle PostgreSQL connection closed: ${e.message}`));
    const plog = new PostgresPredictionLog(pool, spool, opts);
    if (spool.count > 0) log.info(`replaying ${spool.count} spooled predictions from ${spool.file}`);
    await plog.exclusive(() => plog.drain()).catch(() => undefined);
    return plog;
  }

  write(records: readonly PredictionRecord[]): void {
    if (this.closed) throw new PrognosError('CONFLICT', 'the prediction log is closed');
    for (const r of records) checkRecord(r);
    this.queue.push(...keyed(records));
    if (this.queue.length >= this.batchSize && !this.busy && !this.down) this.kick();
  }

  async flush(): Promise<void> {
    await this.exclusive(() => this.drain(true));
    if (this.down) {
      throw new PrognosError('INTERNAL', `PostgreSQL at ${this.shown} does not answer; ${this.pending()} predictions are kept in ${this.spool.file}`, {
        backend: 'postgres',
        unavailable: true,
      });
    }
  }

  pending(): number {
    return this.queue.length + this.spool.count;
  }

  /** Answers within 500 ms (readiness probes call it): false at once while the log is spooling. */
  healthy(): Promise<boolean> {
    if (this.down || this.closed) return Promise.resolve(false);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), 500);
    });
    const probe = this.pool.query('SELECT 1').then(
      () => true,
      () => false,
    );
    return Promise.race([probe, late]).finally(() => clearTimeout(timer));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.exclusive(() => this.drain(true));
    if (this.pending() > 0) log.warn(`${this.pending()} predictions stay in ${this.spool.file} until the next start`);
    await this.pool.end().catch(() => undefined);
    await this.spool.release();
  }

  private tick(): void {
    if (this.busy || (this.queue.length === 0 && this.spool.count === 0)) return;
    this.kick();
  }

  private kick(): void {
    this.exclusive(() => this.drain()).catch((e: unknown) => log.error('prediction log drain failed', e));
  }

  private exclusive(fn: () => Promise<void>): Promise<void> {
    const run = this.chain.then(async () => {
      this.busy = true;
      try {
        await fn();
      } finally {
        this.busy = false;
      }
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Writes the spool, then the queue, to PostgreSQL. If PostgreSQL does not answer, the queue is
   * appended to the spool instead (so it is on disk within one interval) and the next attempt waits
   * `retryMs`. Never rejects for an outage; rejects only if the local disk fails too.
   */
  private async drain(force = false): Promise<void> {
    if (this.down && !force && Date.now() < this.nextTry) {
      await this.spoolQueue();
      return;
    }
    try {
      if (!this.migrated) {
        await migratePostgres(this.pool);
        this.migrated = true;
      }
      if (this.spool.count > 0) {
        const entries = await this.spool.read();
        for (let i = 0; i < entries.length; i += this.batchSize) await this.insert(entries.slice(i, i + this.batchSize));
        await this.spool.clear();
        log.info(`replayed ${entries.length} spooled predictions into PostgreSQL`);
      }
      while (this.queue.length > 0) {
        const batch = this.queue.slice(0, this.batchSize);
        await this.insert(batch);
        this.queue.splice(0, batch.length);
      }
      if (this.down) log.info(`PostgreSQL at ${this.shown} answers again`);
      this.down = false;
    } catch (e) {
      if (!this.down) log.warn(`PostgreSQL at ${this.shown} does not answer (${e instanceof Error ? e.message : String(e)}); spooling predictions to ${this.spool.file}`);
      this.down = true;
      this.nextTry = Date.now() + this.retryMs;
      await this.spoolQueue();
    }
  }

  /** Moves everything queued to the end of the spool (records keep their order and their keys). */
  private async spoolQueue(): Promise<void> {
    if (this.queue.length === 0) return;
    const moving = this.queue.slice();
    await this.spool.append(moving);
    this.queue.splice(0, moving.length);
  }

  private async insert(batch: readonly KeyedRecord[]): Promise<void> {
    if (batch.length === 0) return;
    await this.pool.query(insertSql(batch.length), batch.flatMap(values));
  }
}
