/** Drift reports in the store: history per run and per bundle, checks on write and read, what deleting does. */
import { describe, expect, it } from 'vitest';
import { PrognosError } from '../../../src/shared/errors';
import { ExperimentStore } from '../../../src/main/core/store/store';
import { columnDrift, driftReportBody } from '../../helpers/drift-report';
import { makeTable, newDataset, rawConnection, tempDir } from './helpers';

function setUp(): { store: ExperimentStore; datasetId: string; runId: string; otherRunId: string; currentId: string } {
  const store = ExperimentStore.open(tempDir(), { sweepIntervalMs: 0 });
  const d = store.insertDataset(newDataset(makeTable([4, 5])));
  const cur = store.insertDataset(newDataset(makeTable([3, 3], { seed: 9 }), { name: 'fleet-b', fingerprint: 'fp-b' }));
  const run = (seed: number): string => {
    const id = store.createRun({ datasetId: d.datasetId, kind: 'train', config: {}, seed, datasetFingerprint: d.fingerprint });
    store.setRunStatus(id, 'done');
    return id;
  };
  return { store, datasetId: d.datasetId, runId: run(1), otherRunId: run(2), currentId: cur.datasetId };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof PrognosError ? `${e.code}: ${e.message}` : String(e);
  }
  return 'no error';
}

describe('drift reports in the store', () => {
  it('stores a report whole and lists the history of a run and of a bundle, newest first', () => {
    const { store, runId, otherRunId, currentId } = setUp();
    try {
      const first = store.addDriftReport(driftReportBody({ source: { kind: 'run', id: runId }, current: { kind: 'dataset', id: currentId, label: 'fleet-b' }, estimatedF2: 0.81 }));
      const second = store.addDriftReport(
        driftReportBody({ source: { kind: 'run', id: runId }, current: { kind: 'file', id: 'test_FD001.txt' }, features: [columnDrift('a', { psi: 0.3 }), columnDrift('b', { psi: 0.2 })], estimatedF2: null }),
      );
      store.addDriftReport(driftReportBody({ source: { kind: 'run', id: otherRunId } }));
      const fromBundle = store.addDriftReport(driftReportBody({ source: { kind: 'bundle', id: 'store:run_1-2026.zip' }, domainAuc: 0.91 }));

      expect(first.reportId).toMatch(/^drift_[0-9a-z]{18}$/);
      expect(new Date(first.createdAt).toISOString()).toBe(first.createdAt);
      // the stored report reads back exactly as returned
      expect(store.getDriftReport(first.reportId)).toEqual(first);
      expect(store.getDriftReport(fromBundle.reportId)).toEqual(fromBundle);

      const history = store.listDriftReports({ runId });
      expect(history.map((h) => h.reportId)).toEqual([second.reportId, first.reportId]);
      expect(history[0]).toEqual({
        reportId: second.reportId,
        createdAt: second.createdAt,
        source: { kind: 'run', id: runId, label: runId },
        current: { kind: 'file', id: 'test_FD001.txt', label: 'test_FD001.txt', rows: 2000, units: 30, labelled: false },
        comparison: 'matched',
        method: 'psi',
        datasetDrift: true,
        driftedShare: 1,
        estimatedF2: null,
        domainAuc: 0.55,
      });
      expect(history[1]).toMatchObject({ datasetDrift: true, driftedShare: 0.5, estimatedF2: 0.81, current: { kind: 'dataset', id: currentId, label: 'fleet-b' } });
      const bundles = store.listDriftReports({ bundleId: 'store:run_1-2026.zip' });
      expect(bundles.map((h) => [h.reportId, h.source.kind, h.domainAuc])).toEqual([[fromBundle.reportId, 'bundle', 0.91]]);
      expect(store.listDriftReports()).toHaveLength(4);
      expect(store.listDriftReports({ runId: 'run_none' })).toEqual([]);
      expect(code(() => store.listDriftReports({ runId, bundleId: 'x' }))).toMatch(/^INVALID_INPUT/);

      // the history reads an index, not the whole table
      const db = rawConnection(store.dbPath);
      const plan = (sql: string, arg: string): string =>
        (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(arg) as { detail: string }[]).map((r) => r.detail).join('; ');
      expect(plan('SELECT report_id FROM drift_reports WHERE run_id = ? ORDER BY created_at DESC', runId)).toMatch(/USING INDEX drift_reports_run/);
      expect(plan('SELECT report_id FROM drift_reports WHERE bundle_id = ? ORDER BY created_at DESC', 'x')).toMatch(/USING INDEX drift_reports_bundle/);
      db.close();

      expect(store.deleteDriftReport(second.reportId)).toBe(true);
      expect(store.deleteDriftReport(second.reportId)).toBe(false);
      expect(store.getDriftReport(second.reportId)).toBeUndefined();
    } finally {
      store.close();
    }
  });

  it('refuses an invalid report, a NaN figure and an unknown run, and writes nothing', () => {
    const { store, runId } = setUp();
    try {
      const body = driftReportBody({ source: { kind: 'run', id: runId } });
      expect(code(() => store.addDriftReport({ ...body, driftedShare: Number.NaN }))).toMatch(/^INVALID_INPUT: drift report: driftedShare/);
      expect(code(() => store.addDriftReport({ ...body, multivariate: { ...body.multivariate, domainAuc: Number.POSITIVE_INFINITY } }))).toMatch(/^INVALID_INPUT: drift report: multivariate.domainAuc/);
      expect(code(() => store.addDriftReport({ ...body, comparison: 'sideways' as 'matched' }))).toMatch(/^INVALID_INPUT: drift report: comparison/);
      expect(code(() => store.addDriftReport(driftReportBody({ source: { kind: 'run', id: 'run_gone' } })))).toBe('NOT_FOUND: No run run_gone.');
      expect(store.listDriftReports()).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('a damaged stored report is an error naming it, never a half-read report', () => {
    const { store, runId } = setUp();
    try {
      const r = store.addDriftReport(driftReportBody({ source: { kind: 'run', id: runId } }));
      const db = rawConnection(store.dbPath);
      // valid JSON (the CHECK holds) that is not a report any more
      db.prepare("UPDATE drift_reports SET report_json = json_set(report_json, '$.features[0].scores.psi', 'high') WHERE report_id = ?").run(r.reportId);
      expect(() => db.prepare("UPDATE drift_reports SET report_json = '{broken' WHERE report_id = ?").run(r.reportId)).toThrow(/CHECK/);
      db.close();
      expect(code(() => store.getDriftReport(r.reportId))).toMatch(new RegExp(`^BAD_FILE: .*drift report ${r.reportId} is damaged \\(features.0.scores.psi`));
    } finally {
      store.close();
    }
  });

  it('deleting a run deletes its reports; deleting the current dataset keeps the report with its data marked gone', () => {
    const { store, runId, otherRunId, currentId, datasetId } = setUp();
    try {
      const mine = store.addDriftReport(driftReportBody({ source: { kind: 'run', id: runId } }));
      const onDataset = store.addDriftReport(driftReportBody({ source: { kind: 'run', id: otherRunId }, current: { kind: 'dataset', id: currentId, label: 'fleet-b' } }));
      const bundle = store.addDriftReport(driftReportBody({ source: { kind: 'bundle', id: 'store:b' }, current: { kind: 'dataset', id: currentId, label: 'fleet-b' } }));
      expect(store.deleteRun(runId)).toBe(true);
      expect(store.getDriftReport(mine.reportId)).toBeUndefined();
      expect(store.listDriftReports({ runId })).toEqual([]);

      expect(store.deleteDataset(currentId)).toBe(true);
      const db = rawConnection(store.dbPath);
      expect(db.prepare('SELECT report_id, current_dataset_id, current_id FROM drift_reports ORDER BY report_id').all()).toEqual([
        { report_id: onDataset.reportId, current_dataset_id: null, current_id: currentId },
        { report_id: bundle.reportId, current_dataset_id: null, current_id: currentId },
      ]);
      expect(db.pragma('foreign_key_check')).toEqual([]);
      db.close();
      expect(store.getDriftReport(onDataset.reportId)).toEqual(onDataset);
      expect(store.listDriftReports({ runId: otherRunId })[0]!.current).toMatchObject({ kind: 'dataset', id: currentId, label: 'fleet-b' });

      // the training dataset takes its runs, and they their reports; a bundle's report stays
      expect(store.deleteDataset(datasetId)).toBe(true);
      expect(store.listDriftReports().map((r) => r.reportId)).toEqual([bundle.reportId]);
    } finally {
      store.close();
    }
  });
});
