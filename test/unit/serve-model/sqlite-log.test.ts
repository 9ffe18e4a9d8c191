/**
 * The SQLite prediction log commits in its writer thread: records written here are in the file once
 * a batch fills or `flush` resolves (not before: nothing is committed on the calling thread), in
 * order and field for field; should the writer stop, this thread writes the later records itself;
 * `close` writes what is still queued.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { SqlitePredictionLog } from '../../../src/main/serve-model/sqlite-log';
import type { PredictionRecord } from '../../../src/main/serve-model/types';
import { tempDir } from '../../helpers/paths';

function rec(cycle: number): PredictionRecord {
  return {
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, cycle)).toISOString(),
    bundleSha256: 'b'.repeat(64),
    unit: 3,
    cycle,
    probability: cycle / 1000,
    gbdt: 0.125,
    lstm: cycle % 3 === 0 ? null : 0.5,
    rul: 42.25,
    rulLow: 30,
    rulHigh: 55,
    alert: cycle % 2 === 0,
    latencyMs: 0.75,
    cacheHit: cycle % 5 === 0,
    route: '/predict',
    keyId: cycle % 4 === 0 ? 'analyst' : null,
  };
}

const rowsIn = (file: string): number => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM predictions').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('SqlitePredictionLog', () => {
  it('commits in its writer thread: nothing before flush (a long flushMs), then every record, field for field', async () => {
    const file = join(tempDir(), 'p.db');
    const log = new SqlitePredictionLog({ file, flushMs: 60_000 });
    const records = Array.from({ length: 30 }, (_, i) => rec(i + 1));
    for (let i = 0; i < 30; i += 3) log.write(records.slice(i, i + 3));
    await new Promise((r) => setTimeout(r, 50));
    expect(log.count()).toBe(0);
    expect(log.pending()).toBe(30);
    await log.flush();
    expect(log.pending()).toBe(0);
    expect(log.count()).toBe(30);
    expect(log.recent(30)).toEqual([...records].reverse());
    await log.close();
    expect(rowsIn(file)).toBe(30);
  });

  it('commits a full batch without a flush', async () => {
    const file = join(tempDir(), 'p.db');
    const log = new SqlitePredictionLog({ file, flushMs: 60_000, batchSize: 10 });
    log.write(Array.from({ length: 12 }, (_, i) => rec(i + 1)));
    for (let i = 0; i < 100 && log.count() < 12; i++) await new Promise((r) => setTimeout(r, 20));
    expect(log.count()).toBe(12);
    await log.close();
  });

  it('writes from this thread once the writer has stopped, and close writes what is queued', async () => {
    const file = join(tempDir(), 'p.db');
    const log = new SqlitePredictionLog({ file, flushMs: 60_000 });
    log.write([rec(1), rec(2)]);
    await log.flush();
    const writer = (log as unknown as { writer: Worker }).writer;
    await writer.terminate();
    await new Promise((r) => setTimeout(r, 20));
    log.write([rec(3)]);
    await log.flush();
    expect(log.count()).toBe(3);
    log.write([rec(4), rec(5)]);
    await log.close();
    expect(rowsIn(file)).toBe(5);
  });
});
