/**
 * Roles and names (migration 010) and what a delete takes with it. Runs are deleted with their
 * dataset, and drift reports with their run, by the schema's cascades; PDF maintenance reports are
 * documents that were handed out and stay (see migration 009).
 */
import type Database from 'better-sqlite3';
import { PrognosError } from '../../../shared/errors';
import type { DatasetRole } from '../../../shared/housekeeping';
import { nowIso } from './sqlite';

export interface RunBrief {
  readonly runId: string;
  readonly name: string | null;
  readonly status: string;
}

export class HousekeepingStore {
  constructor(private readonly db: Database.Database) {}

  setDatasetRole(datasetId: string, role: DatasetRole): void {
    const changes = this.db.prepare<[string, string]>('UPDATE datasets SET role = ? WHERE dataset_id = ?').run(role, datasetId).changes;
    if (changes === 0) throw new PrognosError('NOT_FOUND', `No dataset ${datasetId}.`);
  }

  renameDataset(datasetId: string, name: string): void {
    const changes = this.db.prepare<[string, string]>('UPDATE datasets SET name = ? WHERE dataset_id = ?').run(name, datasetId).changes;
    if (changes === 0) throw new PrognosError('NOT_FOUND', `No dataset ${datasetId}.`);
  }

  /** `null` clears the name (the run is shown by its id). */
  renameRun(runId: string, name: string | null): void {
    const changes = this.db.prepare<[string | null, string]>('UPDATE runs SET name = ? WHERE run_id = ?').run(name, runId).changes;
    if (changes === 0) throw new PrognosError('NOT_FOUND', `No run ${runId}.`);
  }

  runName(runId: string): string | null {
    return this.db.prepare<[string], { name: string | null }>('SELECT name FROM runs WHERE run_id = ?').get(runId)?.name ?? null;
  }

  bundleNames(): Map<string, string> {
    const rows = this.db.prepare<[], { bundle_id: string; name: string }>('SELECT bundle_id, name FROM bundle_names').all();
    return new Map(rows.map((r) => [r.bundle_id, r.name]));
  }

  /** `null` clears the name. */
  setBundleName(bundleId: string, name: string | null): void {
    if (name === null) {
      this.db.prepare<[string]>('DELETE FROM bundle_names WHERE bundle_id = ?').run(bundleId);
      return;
    }
    this.db
      .prepare<[string, string, string]>(
        'INSERT INTO bundle_names (bundle_id, name, updated_at) VALUES (?, ?, ?) ON CONFLICT (bundle_id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at',
      )
      .run(bundleId, name, nowIso());
  }

  /** Runs trained on a dataset, newest first. */
  runsOfDataset(datasetId: string): RunBrief[] {
    return this.db
      .prepare<[string], RunBrief>('SELECT run_id AS runId, name, status FROM runs WHERE dataset_id = ? ORDER BY created_at DESC, run_id DESC')
      .all(datasetId);
  }

  runBrief(runId: string): RunBrief | undefined {
    return this.db.prepare<[string], RunBrief>('SELECT run_id AS runId, name, status FROM runs WHERE run_id = ?').get(runId);
  }

  /** Drift reports of these runs (deleted with them). */
  driftReportsOfRuns(runIds: readonly string[]): number {
    const count = this.db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM drift_reports WHERE run_id = ?');
    return runIds.reduce((a, id) => a + (count.get(id)?.n ?? 0), 0);
  }

  /** PDF maintenance reports made from the dataset or with these runs (kept). */
  fleetReportsOf(datasetId: string | null, runIds: readonly string[]): number {
    const ids = new Set<string>();
    if (datasetId !== null) {
      for (const r of this.db.prepare<[string], { report_id: string }>('SELECT report_id FROM fleet_reports WHERE dataset_id = ?').all(datasetId)) ids.add(r.report_id);
    }
    const byRun = this.db.prepare<[string], { report_id: string }>('SELECT report_id FROM fleet_reports WHERE run_id = ?');
    for (const id of runIds) for (const r of byRun.all(id)) ids.add(r.report_id);
    return ids.size;
  }
}
