/**
 * PDF maintenance reports and report templates (migration 009).
 *
 * A report row holds what the history lists, the identity of its inputs and the PDF as a BLOB with
 * its SHA-256, checked on every read of the bytes: a damaged BLOB is BAD_FILE naming the report,
 * never served. Each report keeps its units' probability and risk bucket, so the next report of the
 * same fleet can say what changed. Every write is one transaction.
 *
 * Templates are stored as canonical JSON and read back through the template schema (the built-in
 * "Standard" row holds only its name, so it always has this build's defaults).
 */
import { PrognosError } from '../../../shared/errors';
import {
  reportInputsSchema,
  reportTemplateSchema,
  type ReportInputs,
  type ReportRecord,
  type ReportTemplate,
  type RiskBucket,
  type StoredTemplate,
} from '../../../shared/report';
import type { ReportUnitDigest } from '../../workers/report-protocol';
import { canonicalTemplateJson } from '../report/template';
import { blobOf, sha256Hex } from './blobs';
import { sortableId } from './ids';
import { isConstraintError, nowIso, type Db } from './sqlite';

/** The built-in template's id (migration 009). */
export const BUILT_IN_TEMPLATE_ID = 'tpl_standard';

export interface NewFleetReport {
  /** ISO 8601 (UTC, as `Date.toISOString()` writes it): the document's creation time */
  readonly createdAt: string;
  readonly title: string;
  readonly fleet: string;
  /** the dataset the fleet came from, when it is one of this store's (null: a file) */
  readonly datasetId: string | null;
  readonly datasetFingerprint: string;
  readonly source: ReportRecord['source'];
  readonly templateName: string;
  readonly templateSha256: string;
  readonly inputs: ReportInputs;
  readonly pages: number;
  readonly units: number;
  readonly atRisk: number;
  readonly soon: number;
  readonly pdf: Uint8Array;
  readonly digest: readonly ReportUnitDigest[];
}

interface RecordRow {
  report_id: string;
  created_at: string;
  title: string;
  fleet: string;
  dataset_id: string | null;
  dataset_fingerprint: string;
  source_kind: 'run' | 'bundle';
  run_id: string;
  bundle_id: string | null;
  bundle_sha256: string | null;
  template_name: string;
  template_sha256: string;
  inputs_json: string;
  pages: number;
  units: number;
  at_risk: number;
  soon: number;
  size: number;
  sha256: string;
  saved_path: string | null;
}

const RECORD_COLUMNS =
  'report_id, created_at, title, fleet, dataset_id, dataset_fingerprint, source_kind, run_id, bundle_id, bundle_sha256, template_name, template_sha256, inputs_json, pages, units, at_risk, soon, size, sha256, saved_path';

interface TemplateRow {
  template_id: string;
  name: string;
  template_json: string;
  built_in: number;
  created_at: string;
  updated_at: string;
}

const BUCKETS: readonly RiskBucket[] = ['now', 'soon', 'later'];

export class FleetReportStore {
  constructor(
    private readonly db: Db,
    /** names the store file in errors about damaged rows */
    private readonly dbPath: string,
    private readonly now: () => number = Date.now,
  ) {}

  private damaged(what: string, reason: string): PrognosError {
    const text = `${what} is damaged: ${reason}`;
    return new PrognosError('BAD_FILE', `${this.dbPath}: ${text}`, { issues: [{ file: this.dbPath, reason: text }] });
  }

  private toRecord(r: RecordRow): ReportRecord {
    let inputs: unknown;
    try {
      inputs = JSON.parse(r.inputs_json);
    } catch {
      inputs = undefined;
    }
    const parsed = reportInputsSchema.safeParse(inputs);
    if (!parsed.success) throw this.damaged(`report ${r.report_id}`, 'its recorded inputs are not readable');
    return {
      reportId: r.report_id,
      title: r.title,
      fleet: r.fleet,
      createdAt: r.created_at,
      datasetId: r.dataset_id,
      datasetFingerprint: r.dataset_fingerprint,
      source:
        r.source_kind === 'run'
          ? { kind: 'run', runId: r.run_id }
          : { kind: 'bundle', bundleId: r.bundle_id, bundleSha256: r.bundle_sha256 ?? '', runId: r.run_id },
      templateName: r.template_name,
      templateSha256: r.template_sha256,
      pages: r.pages,
      units: r.units,
      atRisk: r.at_risk,
      soon: r.soon,
      bytes: r.size,
      sha256: r.sha256,
      savedPath: r.saved_path,
      inputs: parsed.data,
    };
  }

  // reports -------------------------------------------------------------------------------------

  /** Stores a report with its PDF and its units; returns its record. */
  add(r: NewFleetReport): ReportRecord {
    if (!(r.pdf instanceof Uint8Array) || r.pdf.byteLength === 0) throw new PrognosError('INVALID_INPUT', 'report: the PDF is empty');
    if (!Number.isFinite(Date.parse(r.createdAt))) throw new PrognosError('INVALID_INPUT', `report: createdAt "${r.createdAt}" is not a time`);
    const reportId = sortableId('rep', this.now());
    const s = r.source;
    try {
      this.db
        .transaction(() => {
          const datasetId = r.datasetId !== null && this.db.prepare<[string]>('SELECT 1 FROM datasets WHERE dataset_id = ?').get(r.datasetId) !== undefined ? r.datasetId : null;
          this.db
            .prepare(
              `INSERT INTO fleet_reports (${RECORD_COLUMNS}, stored_at, data)
               VALUES (@report_id, @created_at, @title, @fleet, @dataset_id, @dataset_fingerprint, @source_kind, @run_id, @bundle_id, @bundle_sha256,
                       @template_name, @template_sha256, @inputs_json, @pages, @units, @at_risk, @soon, @size, @sha256, NULL, @stored_at, @data)`,
            )
            .run({
              report_id: reportId,
              created_at: r.createdAt,
              title: r.title,
              fleet: r.fleet,
              dataset_id: datasetId,
              dataset_fingerprint: r.datasetFingerprint,
              source_kind: s.kind,
              run_id: s.runId,
              bundle_id: s.kind === 'bundle' ? s.bundleId : null,
              bundle_sha256: s.kind === 'bundle' ? s.bundleSha256 : null,
              template_name: r.templateName,
              template_sha256: r.templateSha256,
              inputs_json: JSON.stringify(reportInputsSchema.parse(r.inputs)),
              pages: r.pages,
              units: r.units,
              at_risk: r.atRisk,
              soon: r.soon,
              size: r.pdf.byteLength,
              sha256: sha256Hex(r.pdf),
              stored_at: nowIso(this.now()),
              data: blobOf(r.pdf),
            });
          const unit = this.db.prepare<[string, number, number, string]>('INSERT INTO fleet_report_units (report_id, unit, probability, bucket) VALUES (?, ?, ?, ?)');
          for (const d of r.digest) unit.run(reportId, d.unit, d.probability, d.bucket);
        })
        .immediate();
    } catch (e) {
      if (isConstraintError(e)) throw new PrognosError('INVALID_INPUT', `report: ${e.message}`);
      throw e;
    }
    return this.get(reportId)!;
  }

  /** Newest first (by creation time); only one dataset's when `datasetId` is given. */
  list(filter: { datasetId?: string } = {}): ReportRecord[] {
    const rows =
      filter.datasetId === undefined
        ? this.db.prepare<[], RecordRow>(`SELECT ${RECORD_COLUMNS} FROM fleet_reports ORDER BY created_at DESC, report_id DESC`).all()
        : this.db.prepare<[string], RecordRow>(`SELECT ${RECORD_COLUMNS} FROM fleet_reports WHERE dataset_id = ? ORDER BY created_at DESC, report_id DESC`).all(filter.datasetId);
    return rows.map((r) => this.toRecord(r));
  }

  get(reportId: string): ReportRecord | undefined {
    const r = this.db.prepare<[string], RecordRow>(`SELECT ${RECORD_COLUMNS} FROM fleet_reports WHERE report_id = ?`).get(reportId);
    return r === undefined ? undefined : this.toRecord(r);
  }

  /** The PDF's bytes after checking them against the recorded size and SHA-256 (BAD_FILE when they differ). */
  file(reportId: string): { record: ReportRecord; data: Buffer } | undefined {
    const row = this.db.prepare<[string], RecordRow & { data: Buffer }>(`SELECT ${RECORD_COLUMNS}, data FROM fleet_reports WHERE report_id = ?`).get(reportId);
    if (row === undefined) return undefined;
    const actual = sha256Hex(row.data);
    if (actual !== row.sha256 || row.data.byteLength !== row.size) {
      throw this.damaged(`the PDF of report ${reportId}`, `SHA-256 ${actual} (${row.data.byteLength} bytes) does not match the recorded ${row.sha256} (${row.size} bytes)`);
    }
    return { record: this.toRecord(row), data: row.data };
  }

  /** Each unit's probability and bucket, by unit. */
  units(reportId: string): ReportUnitDigest[] {
    return this.db
      .prepare<[string], { unit: number; probability: number; bucket: string }>('SELECT unit, probability, bucket FROM fleet_report_units WHERE report_id = ? ORDER BY unit')
      .all(reportId)
      .map((u) => {
        if (!BUCKETS.includes(u.bucket as RiskBucket)) throw this.damaged(`report ${reportId}`, `unit ${u.unit} has an unknown bucket "${u.bucket}"`);
        return { unit: u.unit, probability: u.probability, bucket: u.bucket as RiskBucket };
      });
  }

  /**
   * The latest report of the same fleet (name compared exactly) created strictly before `before`,
   * with its units; null when there is none. Ties in creation time go to the later stored report.
   */
  previous(fleet: string, before: string): { record: ReportRecord; units: ReportUnitDigest[] } | null {
    const r = this.db
      .prepare<[string, string], RecordRow>(`SELECT ${RECORD_COLUMNS} FROM fleet_reports WHERE fleet = ? AND created_at < ? ORDER BY created_at DESC, report_id DESC LIMIT 1`)
      .get(fleet, before);
    if (r === undefined) return null;
    return { record: this.toRecord(r), units: this.units(r.report_id) };
  }

  setSavedPath(reportId: string, path: string): void {
    this.db.prepare<[string, string]>('UPDATE fleet_reports SET saved_path = ? WHERE report_id = ?').run(path, reportId);
  }

  delete(reportId: string): boolean {
    return this.db.prepare<[string]>('DELETE FROM fleet_reports WHERE report_id = ?').run(reportId).changes > 0;
  }

  // templates -----------------------------------------------------------------------------------

  private toTemplate(r: TemplateRow): StoredTemplate {
    let json: unknown;
    try {
      json = JSON.parse(r.template_json);
    } catch {
      json = undefined;
    }
    const parsed = reportTemplateSchema.safeParse(json);
    if (!parsed.success || parsed.data.name !== r.name) throw this.damaged(`report template "${r.name}" (${r.template_id})`, 'its JSON is not a valid template');
    return { templateId: r.template_id, builtIn: r.built_in === 1, template: parsed.data, createdAt: r.created_at, updatedAt: r.updated_at };
  }

  /** The built-in template first, then the analyst's by name. */
  listTemplates(): StoredTemplate[] {
    return this.db
      .prepare<[], TemplateRow>('SELECT * FROM report_templates ORDER BY built_in DESC, name COLLATE NOCASE, template_id')
      .all()
      .map((r) => this.toTemplate(r));
  }

  getTemplate(templateId: string): StoredTemplate | undefined {
    const r = this.db.prepare<[string], TemplateRow>('SELECT * FROM report_templates WHERE template_id = ?').get(templateId);
    return r === undefined ? undefined : this.toTemplate(r);
  }

  /**
   * Creates a template (no `templateId`) or replaces one. CONFLICT for the built-in template and for
   * a name another template has (names are compared without regard to case); NOT_FOUND for an unknown id.
   */
  saveTemplate(templateId: string | undefined, template: ReportTemplate): StoredTemplate {
    const name = template.name.trim();
    const json = canonicalTemplateJson({ ...template, name });
    const at = nowIso(this.now());
    const id = templateId ?? sortableId('tpl', this.now());
    this.db
      .transaction(() => {
        if (templateId !== undefined) {
          const existing = this.db.prepare<[string], { built_in: number }>('SELECT built_in FROM report_templates WHERE template_id = ?').get(templateId);
          if (existing === undefined) throw new PrognosError('NOT_FOUND', `No report template ${templateId}.`);
          if (existing.built_in === 1) throw new PrognosError('CONFLICT', `The built-in template cannot be changed: save a copy under another name.`);
        }
        const clash = this.db.prepare<[string, string], { name: string }>('SELECT name FROM report_templates WHERE name = ? COLLATE NOCASE AND template_id <> ?').get(name, id);
        if (clash !== undefined) throw new PrognosError('CONFLICT', `A report template named "${clash.name}" exists already: choose another name.`);
        if (templateId === undefined) {
          this.db
            .prepare('INSERT INTO report_templates (template_id, name, template_json, built_in, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?)')
            .run(id, name, json, at, at);
        } else {
          this.db.prepare('UPDATE report_templates SET name = ?, template_json = ?, updated_at = ? WHERE template_id = ?').run(name, json, at, id);
        }
      })
      .immediate();
    return this.getTemplate(id)!;
  }

  /** CONFLICT for the built-in template; false when there is no such template. */
  deleteTemplate(templateId: string): boolean {
    const r = this.db.prepare<[string], { built_in: number }>('SELECT built_in FROM report_templates WHERE template_id = ?').get(templateId);
    if (r === undefined) return false;
    if (r.built_in === 1) throw new PrognosError('CONFLICT', 'The built-in template cannot be deleted.');
    return this.db.prepare<[string]>('DELETE FROM report_templates WHERE template_id = ? AND built_in = 0').run(templateId).changes > 0;
  }
}
