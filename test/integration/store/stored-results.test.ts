/** Migration 015: stored rankings and fleet scores; an existing store upgrades without losing anything. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemaVersionOf } from '../../../src/main/core/store/migrate';
import { LATEST_SCHEMA_VERSION } from '../../../src/main/core/store/migrations';
import { RANKINGS_KEPT, StoredResultsStore, specHash } from '../../../src/main/core/store/stored-results';
import { ExperimentStore } from '../../../src/main/core/store/store';
import type { FeatureRanking, FleetScoresValue } from '../../../src/shared/schemas';
import { columnNames, indexColumns, makeTable, newDataset, rawConnection, snapshot, tableNames, tempDir } from './helpers';

function ranking(datasetId: string, seconds: number): FeatureRanking {
  return {
    datasetId,
    engineeredCount: 2,
    features: [
      { name: 's2_mean_5', rank: 1, combined: 0.9, mutualInfo: 0.5, spearman: 0.4, spearmanSigned: -0.4, monotonicity: 0.3, trendability: 0.2, prognosability: 0.1 },
      { name: 's3_mean_5', rank: 2, combined: 0.5, mutualInfo: 0.2, spearman: 0.1, spearmanSigned: 0.1, monotonicity: 0.1, trendability: 0.1, prognosability: 0.1 },
    ],
    defs: [],
    droppedSensors: [{ name: 's1', reason: 'near-constant' }],
    selected: ['s2_mean_5'],
    trainUnits: 3,
    seconds,
  };
}

function scores(threshold: number): FleetScoresValue {
  return { threshold, labelWindow: 30, engine: 'in-app', units: [{ unit: 1, cycle: 10, probability: 0.7, parts: { gbdt: 0.7 }, alert: true }] };
}

/** A store with a dataset and a finished run, as a build before 015 left it (015 only adds its two tables). */
function version11Store(): { dir: string; datasetId: string; runId: string } {
  const dir = tempDir();
  const store = ExperimentStore.open(dir, { sweepIntervalMs: 0 });
  const { datasetId } = store.insertDataset(newDataset(makeTable([12, 9, 15])));
  const runId = store.createRun({ datasetId, kind: 'train', config: { seed: 1 }, seed: 1, datasetFingerprint: 'sha256:aaaa' });
  store.logMetric(runId, 'gbdt.train.logloss', 0.5, 1);
  store.setRunResult(runId, { threshold: 0.4 });
  store.setRunStatus(runId, 'done');
  store.close();
  const db = rawConnection(join(dir, 'prognos.db'));
  db.exec("DROP TABLE fleet_scores; DROP TABLE feature_rankings; DELETE FROM schema_migrations WHERE version = 15;");
  // later migrations stay applied; 015 is the gap the next open fills
  expect(db.prepare('SELECT version FROM schema_migrations WHERE version = 15').all()).toEqual([]);
  expect(schemaVersionOf(db)).toBe(LATEST_SCHEMA_VERSION);
  db.close();
  return { dir, datasetId, runId };
}

describe('015 stored results', () => {
  it('adds feature_rankings and fleet_scores to an existing store, keeping every row of every other table', () => {
    const { dir, datasetId, runId } = version11Store();
    const dbPath = join(dir, 'prognos.db');
    const before = snapshot(dbPath);
    const dump = (): Record<string, unknown[]> => {
      const db = rawConnection(dbPath);
      const out = Object.fromEntries(
        Object.keys(before.counts)
          .filter((t) => t !== 'schema_migrations')
          .map((t) => [t, db.prepare(`SELECT * FROM "${t}" ORDER BY rowid`).raw(true).all()]),
      );
      db.close();
      return out;
    };
    const rowsBefore = dump();

    const store = ExperimentStore.open(dir, { sweepIntervalMs: 0 });
    expect(store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    store.close();
    const db = rawConnection(dbPath);
    expect(tableNames(db)).toEqual(expect.arrayContaining(['feature_rankings', 'fleet_scores']));
    expect(columnNames(db, 'feature_rankings')).toEqual(['dataset_id', 'spec_hash', 'config_json', 'ranking_json', 'computed_at']);
    expect(columnNames(db, 'fleet_scores')).toEqual(['dataset_id', 'scorer_key', 'run_id', 'scores_json', 'computed_at']);
    expect(indexColumns(db, 'feature_rankings_latest')).toEqual(['dataset_id', 'computed_at']);
    // every table that existed holds what it held (schema_migrations gains the 015 row only)
    expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').all().map((r) => (r as { version: number }).version)).toContain(15);
    db.close();
    const after = snapshot(dbPath);
    for (const [t, n] of Object.entries(before.counts)) expect(after.counts[t], t).toBe(t === 'schema_migrations' ? n + 1 : n);
    expect(after.counts.feature_rankings).toBe(0);
    expect(dump()).toEqual(rowsBefore);
    expect(Object.keys(rowsBefore)).toEqual(expect.arrayContaining(['datasets', 'dataset_columns', 'runs', 'metrics']));
    expect(after.counts.fleet_scores).toBe(0);

    const reopened = ExperimentStore.open(dir, { sweepIntervalMs: 0 });
    expect(reopened.getDataset(datasetId)?.units).toBe(3);
    expect(reopened.getRun(runId)).toMatchObject({ status: 'done', result: { threshold: 0.4 } });
    expect(reopened.metricsOf(runId)).toHaveLength(1);
    reopened.close();
  });

  it('keeps the newest ranking per dataset and spec; ranking again with the same spec replaces it', () => {
    const dir = tempDir();
    let t = 0;
    const store = ExperimentStore.open(dir, { sweepIntervalMs: 0 });
    const { datasetId } = store.insertDataset(newDataset(makeTable([8, 8])));
    expect(store.storedResults().latestRanking(datasetId)).toBeUndefined();

    // the same spec in another key order is the same spec
    expect(specHash({ a: 1, b: { c: [1, 2] } })).toBe(specHash({ b: { c: [1, 2] }, a: 1 }));
    expect(specHash({ a: 1 })).not.toBe(specHash({ a: 2 }));

    const clock = () => new Date(Date.UTC(2026, 0, 1, 0, 0, t++)).toISOString();
    const raw = rawConnection(join(dir, 'prognos.db'));
    const timed = new StoredResultsStore(raw, clock);
    timed.saveRanking(datasetId, { topK: 10 }, ranking(datasetId, 1));
    timed.saveRanking(datasetId, { topK: 20 }, ranking(datasetId, 2), { topK: 20, sent: true });
    expect(timed.latestRanking(datasetId)).toMatchObject({ config: { topK: 20, sent: true }, ranking: { seconds: 2 }, computedAt: '2026-01-01T00:00:01.000Z' });
    expect(timed.latestRanking(datasetId, { topK: 10 })?.ranking.seconds).toBe(1);
    timed.saveRanking(datasetId, { topK: 10 }, ranking(datasetId, 3));
    expect(timed.latestRanking(datasetId)).toMatchObject({ ranking: { seconds: 3 }, computedAt: '2026-01-01T00:00:02.000Z' });
    for (let k = 0; k < RANKINGS_KEPT + 3; k++) timed.saveRanking(datasetId, { topK: 100 + k }, ranking(datasetId, 10 + k));
    expect((raw.prepare('SELECT count(*) AS n FROM feature_rankings').get() as { n: number }).n).toBe(RANKINGS_KEPT);
    expect(timed.latestRanking(datasetId)?.ranking.seconds).toBe(10 + RANKINGS_KEPT + 2);
    // what the store's own connection reads
    expect(store.storedResults().latestRanking(datasetId)?.ranking.seconds).toBe(10 + RANKINGS_KEPT + 2);

    // deleting the dataset deletes its rankings
    store.deleteDataset(datasetId);
    expect(timed.latestRanking(datasetId)).toBeUndefined();
    raw.close();
    store.close();
  });

  it('keeps one scoring per fleet and scorer, replaced by scoring again, and deleted with its run or dataset', () => {
    const dir = tempDir();
    const store = ExperimentStore.open(dir, { sweepIntervalMs: 0 });
    const { datasetId } = store.insertDataset(newDataset(makeTable([8, 8])));
    const runId = store.createRun({ datasetId, kind: 'train', config: {}, seed: 1, datasetFingerprint: 'sha256:aaaa' });
    store.setRunStatus(runId, 'done');
    const results = store.storedResults();
    const byRun = { kind: 'run' as const, runId };
    const byBundle = { kind: 'bundle' as const, bundleId: 'shipped:demo' };
    results.saveScores(datasetId, byRun, scores(0.3));
    results.saveScores(datasetId, byBundle, scores(0.4));
    expect(results.latestScores(datasetId, byRun)?.scores.threshold).toBe(0.3);
    expect(results.latestScores(datasetId, byBundle)).toMatchObject({ scorer: byBundle, scores: { threshold: 0.4 } });
    results.saveScores(datasetId, byRun, scores(0.35));
    expect(results.latestScores(datasetId, byRun)?.scores.threshold).toBe(0.35);
    expect(results.latestScores(datasetId, { kind: 'run', runId: 'run_other' })).toBeUndefined();

    // a run that does not exist cannot have scores stored under it
    expect(() => results.saveScores(datasetId, { kind: 'run', runId: 'run_gone' }, scores(0.1))).toThrow(/FOREIGN KEY/);
    store.deleteRun(runId);
    expect(results.latestScores(datasetId, byRun)).toBeUndefined();
    expect(results.latestScores(datasetId)?.scorer).toEqual(byBundle);
    expect(results.forgetBundle('shipped:demo')).toBe(1);
    expect(results.latestScores(datasetId)).toBeUndefined();
    store.close();
  });
});
