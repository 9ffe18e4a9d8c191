/**
 * PostgresPredictionLog against a real PostgreSQL (CI's, or a private cluster): the migration, batched
 * inserts with every field, and the outage path on a private cluster stopped with `-m immediate`
 * while records keep coming: everything spooled, replayed in order when it is back, nothing lost and
 * nothing stored twice, including a spool replayed again after a crash between commit and truncate.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrognosError } from '../../../src/shared/errors';
import { PostgresPredictionLog } from '../../../src/main/serve-model/postgres-log';
import { SPOOL_FILE } from '../../../src/main/serve-model/prediction-spool';
import type { PredictionRecord } from '../../../src/main/serve-model/types';
import { tempDir } from '../../helpers/paths';
import { POSTGRESQL, privatePostgres, queryRows, sharedPostgres, type TestPostgres } from '../../helpers/real-servers';
import { describeWith } from '../../helpers/tools';
import { until } from './serve-helpers';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function rec(unit: number, cycle: number, extra: Partial<PredictionRecord> = {}): PredictionRecord {
  return {
    time: new Date(Date.UTC(2026, 11, 5, 10, 0, 0, cycle)).toISOString(),
    bundleSha256: 'b'.repeat(64),
    unit,
    cycle,
    probability: (cycle % 97) / 97,
    gbdt: (cycle % 89) / 89,
    lstm: cycle % 3 === 0 ? null : (cycle % 83) / 83,
    rul: cycle % 5 === 0 ? null : 200 - cycle / 10,
    rulLow: cycle % 5 === 0 ? null : 150.25,
    rulHigh: cycle % 5 === 0 ? null : 240.75,
    alert: cycle % 7 === 0,
    latencyMs: 1 + cycle / 1000,
    cacheHit: cycle % 4 === 0,
    route: cycle % 2 === 0 ? '/predict' : '/units/{unit}/risk',
    keyId: cycle % 2 === 0 ? 'ops-team' : null,
    ...extra,
  };
}

interface Row {
  id: string;
  seq: string;
  time: Date;
  bundle_sha256: string;
  unit: number;
  cycle: number;
  probability: number;
  gbdt: number;
  lstm: number | null;
  rul: number | null;
  rul_low: number | null;
  rul_high: number | null;
  alert: boolean;
  latency_ms: number;
  cache_hit: boolean;
  route: string;
  key_id: string | null;
}

function asRecord(r: Row): PredictionRecord {
  return {
    time: r.time.toISOString(),
    bundleSha256: r.bundle_sha256,
    unit: r.unit,
    cycle: r.cycle,
    probability: r.probability,
    gbdt: r.gbdt,
    lstm: r.lstm,
    rul: r.rul,
    rulLow: r.rul_low,
    rulHigh: r.rul_high,
    alert: r.alert,
    latencyMs: r.latency_ms,
    cacheHit: r.cache_hit,
    route: r.route,
    keyId: r.key_id,
  };
}

const rows = (url: string): Promise<Row[]> => queryRows<Row>(url, 'SELECT * FROM prognos_predictions ORDER BY seq');

describeWith(POSTGRESQL)('PostgresPredictionLog', () => {
  let shared: TestPostgres;
  const spools: string[] = [];
  const spoolDir = (): string => {
    const d = tempDir('prognos-pgspool-');
    spools.push(d);
    return d;
  };
  beforeAll(async () => {
    shared = await sharedPostgres();
  });
  afterAll(async () => {
    await shared.dispose();
    for (const d of spools) rmSync(d, { recursive: true, force: true });
  });

  it('creates the table once under concurrent starts and stores every field of every record in batches', async () => {
    const url = await shared.newDatabase();
    // two replicas starting at once run the migration once
    const [a, b] = await Promise.all([
      PostgresPredictionLog.open({ url, spoolDir: spoolDir(), batchSize: 50, flushIntervalMs: 100 }),
      PostgresPredictionLog.open({ url, spoolDir: spoolDir(), batchSize: 50, flushIntervalMs: 100 }),
    ]);
    try {
      expect(await queryRows(url, 'SELECT version, name FROM prognos_schema_version')).toEqual([{ version: 1, name: 'prediction log' }]);
      const sent: PredictionRecord[] = [];
      for (let c = 1; c <= 230; c++) {
        const r = rec(c % 2 === 0 ? 1 : 2, c);
        sent.push(r);
        (c % 3 === 0 ? b : a).write([r]);
      }
      // no flush(): the interval and the batch size alone write them
      await until(() => a.pending() === 0 && b.pending() === 0, 'both logs to drain', 60_000, 50);
      await sleep(200);
      const got = await rows(url);
      expect(got).toHaveLength(230);
      const byCycle = new Map(got.map((r) => [r.cycle, asRecord(r)]));
      for (const r of sent) expect(byCycle.get(r.cycle)).toEqual(r);
      expect(new Set(got.map((r) => r.id)).size).toBe(230);
      expect(await a.healthy()).toBe(true);
      const plan = await queryRows<{ indexname: string }>(url, "SELECT indexname FROM pg_indexes WHERE tablename = 'prognos_predictions' ORDER BY indexname");
      expect(plan.map((p) => p.indexname)).toEqual(['prognos_predictions_pkey', 'prognos_predictions_time', 'prognos_predictions_unit_time']);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('rejects a URL that is not PostgreSQL and a record that is not a prediction', async () => {
    await expect(PostgresPredictionLog.open({ url: 'redis://127.0.0.1:1', spoolDir: spoolDir() })).rejects.toSatisfy(
      (e: unknown) => e instanceof PrognosError && e.code === 'INVALID_INPUT' && /--postgres: .* must start with postgres:\/\//.test(e.message),
    );
    const url = await shared.newDatabase();
    const log = await PostgresPredictionLog.open({ url, spoolDir: spoolDir() });
    try {
      expect(() => log.write([rec(1, 1, { probability: Number.NaN })])).toThrow(/probability/);
      expect(() => log.write([rec(1, 1.5)])).toThrow(/cycle/);
      // outside the table's integer column it would fail every batch it joined
      expect(() => log.write([rec(2 ** 31, 1)])).toThrow(/unit/);
      expect(log.pending()).toBe(0);
    } finally {
      await log.close();
    }
  });

  describe('PostgreSQL down', () => {
    let own: TestPostgres;
    beforeAll(async () => {
      own = await privatePostgres();
    });
    afterAll(async () => {
      await own.dispose();
    });

    it('spools while it is stopped mid-stream and replays in order when it is back: none lost, none twice', async () => {
      const url = await own.newDatabase();
      const dir = spoolDir();
      const log = await PostgresPredictionLog.open({ url, spoolDir: dir, batchSize: 25, flushIntervalMs: 50, retryMs: 300 });
      let cycle = 0;
      let stopAt = 0;
      let startAt = 0;
      let spooledSeen = 0;
      try {
        const writer = (async () => {
          for (let i = 0; i < 60; i++) {
            log.write([rec(3, ++cycle), rec(3, ++cycle)]);
            await sleep(40);
          }
        })();
        await until(async () => (await rows(url)).length > 0, 'some rows stored', 60_000, 50);
        stopAt = cycle;
        await own.stop();
        await until(() => {
          spooledSeen = readFileSync(join(dir, SPOOL_FILE), { encoding: 'utf8', flag: 'a+' }).split('\n').filter(Boolean).length;
          return spooledSeen >= 20;
        }, 'records spooled on disk', 60_000, 50);
        await expect(log.flush()).rejects.toSatisfy((e: unknown) => e instanceof PrognosError && /does not answer; \d+ predictions are kept in/.test(e.message));
        // readiness probes ask this: it answers at once while the log is spooling
        const asked = Date.now();
        expect(await log.healthy()).toBe(false);
        expect(Date.now() - asked).toBeLessThan(600);
        startAt = cycle;
        await own.start();
        await writer;
        await until(() => log.pending() === 0, 'the spool to replay', 60_000, 50);
        await log.flush();
      } finally {
        await log.close();
      }
      // the outage was real: records kept coming while it lasted and went through the spool on disk
      expect(startAt).toBeGreaterThan(stopAt);
      expect(spooledSeen).toBeGreaterThanOrEqual(20);
      const got = await rows(url);
      expect(got).toHaveLength(120);
      expect(got.map((r) => r.cycle)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
      expect(new Set(got.map((r) => r.id)).size).toBe(120);
      expect(readFileSync(join(dir, SPOOL_FILE), 'utf8')).toBe('');
    });

    it('starts with PostgreSQL down, keeps everything in the spool over a restart, and replays it at the next start', async () => {
      const url = await own.newDatabase();
      const dir = spoolDir();
      await own.stop();
      try {
        const log = await PostgresPredictionLog.open({ url, spoolDir: dir, flushIntervalMs: 50, retryMs: 200 });
        for (let c = 1; c <= 40; c++) log.write([rec(8, c)]);
        expect(log.pending()).toBe(40);
        await log.close();
        expect(readFileSync(join(dir, SPOOL_FILE), 'utf8').split('\n').filter(Boolean)).toHaveLength(40);
      } finally {
        await own.start();
      }
      const again = await PostgresPredictionLog.open({ url, spoolDir: dir });
      try {
        // replayed during open, before anything newer
        expect(again.pending()).toBe(0);
        again.write([rec(8, 41)]);
        await again.flush();
      } finally {
        await again.close();
      }
      const got = await rows(url);
      expect(got.map((r) => r.cycle)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
    });

    it('a spool replayed again after a crash between commit and truncate stores nothing twice', async () => {
      const url = await own.newDatabase();
      const dir = spoolDir();
      const log = await PostgresPredictionLog.open({ url, spoolDir: dir, flushIntervalMs: 50, retryMs: 200 });
      await own.stop();
      for (let c = 1; c <= 30; c++) log.write([rec(5, c)]);
      await until(() => readFileSync(join(dir, SPOOL_FILE), { encoding: 'utf8', flag: 'a+' }).split('\n').filter(Boolean).length === 30, 'records spooled', 60_000, 50);
      const spooled = readFileSync(join(dir, SPOOL_FILE), 'utf8');
      await own.start();
      await log.flush();
      await log.close();
      expect(await rows(url)).toHaveLength(30);
      // the spool as a crash just after COMMIT would have left it, plus a torn line from the kill
      writeFileSync(join(dir, SPOOL_FILE), spooled + spooled.split('\n')[0]!.slice(0, 40));
      const again = await PostgresPredictionLog.open({ url, spoolDir: dir });
      await again.close();
      const got = await rows(url);
      expect(got).toHaveLength(30);
      expect(got.map((r) => r.cycle)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    });
  });
});
