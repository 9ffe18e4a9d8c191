/**
 * The durable local spool of the PostgreSQL prediction log: while PostgreSQL is down, predictions are
 * appended here (one JSON line per record, written and fsync'd before the append resolves) and
 * replayed in order when it is back. The file is truncated only after the replayed records are
 * committed; a record replayed twice is harmless because each carries its idempotency key.
 *
 * A process that dies mid-append leaves a torn last line: it is dropped with a warning when the spool
 * is next opened (that record was never acknowledged as spooled). A line in the middle that does not
 * parse is skipped with a warning naming its line, and the file is copied aside before it is cleared.
 * One process owns a spool directory at a time (a lock file holding its pid).
 */
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, mkdir, open, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { PrognosError } from '../../shared/errors';
import { logger } from '../services/logger';
import type { PredictionRecord } from './types';

const log = logger('serve-model:spool');

export const SPOOL_FILE = 'predictions.spool.jsonl';
const LOCK_FILE = 'spool.lock';

/** A record with its idempotency key, as queued, spooled and inserted. */
export interface KeyedRecord {
  readonly id: string;
  readonly record: PredictionRecord;
}

const num = z.number().finite();
const recordSchema = z.object({
  time: z.string().min(1),
  bundleSha256: z.string(),
  // the table's integer columns: a value outside them would fail every batch it is in
  unit: z.number().int().min(-2147483648).max(2147483647),
  cycle: z.number().int().min(-2147483648).max(2147483647),
  probability: num,
  gbdt: num,
  lstm: num.nullable(),
  rul: num.nullable(),
  rulLow: num.nullable(),
  rulHigh: num.nullable(),
  alert: z.boolean(),
  latencyMs: num,
  cacheHit: z.boolean(),
  route: z.string(),
  keyId: z.string().nullable(),
});
const lineSchema = z.object({ id: z.string().uuid(), record: recordSchema });

/** Checks a record the server wants logged (a NaN or a fractional cycle is a bug upstream, not data). */
export function checkRecord(r: PredictionRecord): void {
  const parsed = recordSchema.safeParse(r);
  if (!parsed.success) {
    throw new PrognosError('INVALID_INPUT', `prediction record for unit ${String(r.unit)}: ${z.prettifyError(parsed.error)}`);
  }
}

export function keyed(records: readonly PredictionRecord[]): KeyedRecord[] {
  return records.map((record) => ({ id: randomUUID(), record }));
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class PredictionSpool {
  /** records in the file now */
  private n = 0;
  private corrupt = false;

  private constructor(
    readonly dir: string,
    readonly file: string,
  ) {}

  /** Opens (creating) the spool in `dir`: takes the lock, drops a torn last line, counts the records. */
  static async open(dir: string): Promise<PredictionSpool> {
    try {
      await mkdir(dir, { recursive: true });
    } catch (e) {
      throw new PrognosError('INVALID_INPUT', `spool directory ${dir}: ${(e as Error).message}`);
    }
    await takeLock(dir);
    const spool = new PredictionSpool(dir, join(dir, SPOOL_FILE));
    await spool.repairTail();
    spool.n = (await spool.read()).length;
    return spool;
  }

  get count(): number {
    return this.n;
  }

  /** Appends the records as one write and fsyncs the file; resolves once they are on disk. */
  async append(entries: readonly KeyedRecord[]): Promise<void> {
    if (entries.length === 0) return;
    const text = entries.map((e) => JSON.stringify({ id: e.id, record: e.record })).join('\n') + '\n';
    const fh = await open(this.file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
    const before = (await fh.stat()).size;
    try {
      await fh.write(text);
      await fh.sync();
    } catch (e) {
      // a short write (disk full) must not leave half a line for the next append to run into
      await fh.truncate(before).catch(() => undefined);
      throw e;
    } finally {
      await fh.close();
    }
    this.n += entries.length;
  }

  /** The spooled records, oldest first. Lines that do not parse are skipped with a warning. */
  async read(): Promise<KeyedRecord[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const lines = text.split('\n');
    const torn = lines.pop(); // '' when the file ends with a newline
    if (torn !== undefined && torn !== '') log.warn(`${this.file}: line ${lines.length + 1} is incomplete (a write cut short); ignored`);
    const out: KeyedRecord[] = [];
    lines.forEach((line, i) => {
      if (line === '') return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        value = undefined;
      }
      const parsed = lineSchema.safeParse(value);
      if (!parsed.success) {
        this.corrupt = true;
        log.warn(`${this.file}: line ${i + 1} is not a spooled prediction; skipped (the file is kept aside when the spool is cleared)`);
        return;
      }
      out.push(parsed.data);
    });
    return out;
  }

  /** Empties the spool (after its records are committed elsewhere); a spool with bad lines is copied aside first. */
  async clear(): Promise<void> {
    if (this.corrupt) {
      const aside = join(this.dir, `predictions.spool.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`);
      await copyFile(this.file, aside);
      log.warn(`spool had unreadable lines; kept a copy at ${aside}`);
      this.corrupt = false;
    }
    const fh = await open(this.file, constants.O_WRONLY | constants.O_CREAT, 0o600);
    try {
      await fh.truncate(0);
      await fh.sync();
    } finally {
      await fh.close();
    }
    this.n = 0;
  }

  /** Releases the lock (the spool file stays for the next owner). */
  async release(): Promise<void> {
    await rm(join(this.dir, LOCK_FILE), { force: true });
  }

  private async repairTail(): Promise<void> {
    let text: Buffer;
    try {
      text = await readFile(this.file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    if (text.length === 0 || text[text.length - 1] === 0x0a) return;
    const keep = text.lastIndexOf(0x0a) + 1;
    const line = text.subarray(0, keep).toString('utf8').split('\n').length;
    log.warn(`${this.file}: line ${line} is incomplete (the process stopped mid-write); dropped ${text.length - keep} bytes`);
    await truncate(this.file, keep);
  }
}

async function takeLock(dir: string): Promise<void> {
  const lock = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx', mode: 0o600 });
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(owner) && owner > 0 && pidAlive(owner)) {
      throw new PrognosError('CONFLICT', `spool directory ${dir} is in use by process ${owner}; give each server its own spool directory`);
    }
    // a lock left by a process that is gone
    if ((await stat(lock).catch(() => undefined)) !== undefined) await rm(lock, { force: true });
  }
  throw new PrognosError('CONFLICT', `spool directory ${dir}: could not take the lock`);
}
