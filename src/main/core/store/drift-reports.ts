/**
 * Drift reports (migration 007): stored whole as JSON beside the figures a history lists, so a
 * history reads a few columns and opening a report parses one row. A report is checked against
 * `driftReportSchema` before it is written and again when it is read (a damaged row is an error
 * naming the report, never a half-read report).
 */
import { PrognosError } from '../../../shared/errors';
import { driftReportSchema, type DriftReport, type DriftReportSummary } from '../../../shared/drift';
import { sortableId } from './ids';
import { nowIso, type Db } from './sqlite';

/** What a drift job produces: the report without the id and time the store gives it. */
export type DriftReportBody = Omit<DriftReport, 'reportId' | 'createdAt'>;

export interface DriftHistoryFilter {
  readonly runId?: string;
  readonly bundleId?: string;
}

interface SummaryRow {
  report_id: string;
  created_at: string;
  source_kind: 'run' | 'bundle';
  run_id: string | null;
  bundle_id: string | null;
  source_label: string;
  current_kind: 'dataset' | 'file';
  current_id: string;
  current_label: string;
  current_rows: number;
  current_units: number;
  current_labelled: number;
  comparison: 'matched' | 'unmatched';
  method: DriftReportSummary['method'];
  dataset_drift: number;
  drifted_share: number;
  estimated_f2: number | null;
  domain_auc: number;
}

const SUMMARY_COLUMNS =
  'report_id, created_at, source_kind, run_id, bundle_id, source_label, current_kind, current_id, current_label, current_rows, current_units, current_labelled, comparison, method, dataset_drift, drifted_share, estimated_f2, domain_auc';

const toSummary = (r: SummaryRow): DriftReportSummary => ({
  reportId: r.report_id,
  createdAt: r.created_at,
  source: { kind: r.source_kind, id: (r.source_kind === 'run' ? r.run_id : r.bundle_id) ?? '', label: r.source_label },
  current: { kind: r.current_kind, id: r.current_id, label: r.current_label, rows: r.current_rows, units: r.current_units, labelled: r.current_labelled === 1 },
  comparison: r.comparison,
  method: r.method,
  datasetDrift: r.dataset_drift === 1,
  driftedShare: r.drifted_share,
  estimatedF2: r.estimated_f2,
  domainAuc: r.domain_auc,
});

/**
 * Stores a report; returns it with its new id and time. INVALID_INPUT when the body is not a valid
 * report; NOT_FOUND when it names a run of this store that does not exist.
 */
export function insertDriftReport(db: Db, body: DriftReportBody, now: number = Date.now()): DriftReport {
  const reportId = sortableId('drift', now);
  const parsed = driftReportSchema.safeParse({ ...body, reportId, createdAt: nowIso(now) });
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new PrognosError('INVALID_INPUT', `drift report: ${first === undefined ? 'invalid' : `${first.path.join('.') || '(root)'}: ${first.message}`}`);
  }
  const report = parsed.data;
  // the schema refuses NaN and ±Infinity, so what is written reads back as it was
  const json = JSON.stringify(report);
  const { source, current } = report;
  db.transaction(() => {
    if (source.kind === 'run' && db.prepare<[string]>('SELECT 1 FROM runs WHERE run_id = ?').get(source.id) === undefined) {
      throw new PrognosError('NOT_FOUND', `No run ${source.id}.`);
    }
    const datasetId = current.kind === 'dataset' && db.prepare<[string]>('SELECT 1 FROM datasets WHERE dataset_id = ?').get(current.id) !== undefined ? current.id : null;
    db.prepare(
      `INSERT INTO drift_reports (report_id, created_at, source_kind, run_id, bundle_id, source_label, current_kind, current_id, current_dataset_id,
         current_label, current_rows, current_units, current_labelled, comparison, method, thresholds_json, dataset_drift, drifted_share,
         estimated_f2, domain_auc, report_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      report.reportId,
      report.createdAt,
      source.kind,
      source.kind === 'run' ? source.id : null,
      source.kind === 'bundle' ? source.id : null,
      source.label,
      current.kind,
      current.id,
      datasetId,
      current.label,
      current.rows,
      current.units,
      current.labelled ? 1 : 0,
      report.comparison,
      report.method,
      JSON.stringify(report.thresholds),
      report.datasetDrift ? 1 : 0,
      report.driftedShare,
      report.estimated.f2,
      report.multivariate.domainAuc,
      json,
    );
  }).immediate();
  return report;
}

/** Newest first; only one run's or one bundle's reports when the filter names it. */
export function listDriftReports(db: Db, filter: DriftHistoryFilter = {}): DriftReportSummary[] {
  if (filter.runId !== undefined && filter.bundleId !== undefined) throw new PrognosError('INVALID_INPUT', 'List the reports of a run or of a bundle, not both.');
  if (filter.runId !== undefined) {
    return db.prepare<[string], SummaryRow>(`SELECT ${SUMMARY_COLUMNS} FROM drift_reports WHERE run_id = ? ORDER BY created_at DESC, report_id DESC`).all(filter.runId).map(toSummary);
  }
  if (filter.bundleId !== undefined) {
    return db.prepare<[string], SummaryRow>(`SELECT ${SUMMARY_COLUMNS} FROM drift_reports WHERE bundle_id = ? ORDER BY created_at DESC, report_id DESC`).all(filter.bundleId).map(toSummary);
  }
  return db.prepare<[], SummaryRow>(`SELECT ${SUMMARY_COLUMNS} FROM drift_reports ORDER BY created_at DESC, report_id DESC`).all().map(toSummary);
}

/** The whole report, checked; undefined when there is none; BAD_FILE naming it when the stored JSON is damaged. */
export function getDriftReport(db: Db, reportId: string, dbPath: string): DriftReport | undefined {
  const row = db.prepare<[string], { report_json: string }>('SELECT report_json FROM drift_reports WHERE report_id = ?').get(reportId);
  if (row === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(row.report_json);
  } catch (e) {
    json = e;
  }
  const parsed = driftReportSchema.safeParse(json);
  if (!parsed.success || parsed.data.reportId !== reportId) {
    const reason = `drift report ${reportId} is damaged (${parsed.success ? 'its id does not match' : `${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? 'invalid'}`})`;
    throw new PrognosError('BAD_FILE', `${dbPath}: ${reason}`, { issues: [{ file: dbPath, reason }] });
  }
  return parsed.data;
}

export function deleteDriftReport(db: Db, reportId: string): boolean {
  return db.prepare<[string]>('DELETE FROM drift_reports WHERE report_id = ?').run(reportId).changes > 0;
}
