/**
 * Migration 009 and the maintenance-report store: records with their PDF (checked on every read),
 * "the previous report of the fleet", what deleting a dataset or a run does, and templates.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { PrognosError } from '../../../src/shared/errors';
import { defaultReportTemplate, type ReportInputs } from '../../../src/shared/report';
import { sha256Hex } from '../../../src/main/core/store/blobs';
import { appliedMigrations, migrate } from '../../../src/main/core/store/migrate';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../../src/main/core/store/migrations';
import { BUILT_IN_TEMPLATE_ID, type NewFleetReport } from '../../../src/main/core/store/reports';
import { validateStoreFile } from '../../../src/main/core/store/store-file';
import { ExperimentStore } from '../../../src/main/core/store/store';
import { parseTemplateText } from '../../../src/main/core/report/template';
import { columnNames, indexColumns, makeTable, newDataset, rawConnection, tableNames, tempDir } from './helpers';

const upTo = (n: number) => MIGRATIONS.slice(0, n);

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof PrognosError ? `${e.code}: ${e.message}` : String(e);
  }
  return 'no error';
}

const INPUTS: ReportInputs = { dataFile: 'test_FD001.txt', rulFile: null, model: 'run x', template: 'Standard', title: null, fleet: null, createdAt: null, notes: '' };

function pdf(text: string): Uint8Array {
  return new TextEncoder().encode(`%PDF-1.7\n${text}\n%%EOF\n`);
}

function report(over: Partial<NewFleetReport> = {}): NewFleetReport {
  return {
    createdAt: '2026-03-01T08:00:00.000Z',
    title: 'Fleet maintenance report',
    fleet: 'FD001',
    datasetId: null,
    datasetFingerprint: 'f'.repeat(64),
    source: { kind: 'run', runId: 'run_x' },
    templateName: 'Standard',
    templateSha256: 'a'.repeat(64),
    inputs: INPUTS,
    pages: 3,
    units: 3,
    atRisk: 1,
    soon: 1,
    pdf: pdf('one'),
    digest: [
      { unit: 1, probability: 0.91, bucket: 'now' },
      { unit: 2, probability: 0.3, bucket: 'soon' },
      { unit: 3, probability: 0.01, bucket: 'later' },
    ],
    ...over,
  };
}

describe('009 fleet reports', () => {
  it('adds templates (with the built-in Standard), reports and their units to a version-8 store, keeping its data', () => {
    const db = new Database(join(tempDir(), 'prognos.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    migrate(db, upTo(8));
    db.prepare(
      `INSERT INTO datasets (dataset_id, name, format, source_file, rul_file, fingerprint, created_at, row_count, unit_count, min_cycles, max_cycles, has_rul_at_end, summary_json)
       VALUES ('ds_old', 'old', 'cmapss', 'old.txt', NULL, 'fp-old', '2024-01-01T00:00:00.000Z', 0, 0, 0, 0, 0, '{}')`,
    ).run();
    db.prepare(
      `INSERT INTO runs (run_id, dataset_id, kind, status, config_json, seed, dataset_fingerprint, created_at)
       VALUES ('run_1', 'ds_old', 'train', 'done', '{}', 1, 'fp-old', '2024-01-01T00:00:00.000Z')`,
    ).run();
    db.prepare("INSERT INTO reports (report_id, run_id, title, size, sha256, data, created_at) VALUES ('rep_legacy', 'run_1', 'old', 1, ?, x'01', 'x')").run(sha256Hex(new Uint8Array([1])));
    const before = { runs: db.prepare('SELECT * FROM runs').all(), reports: db.prepare('SELECT * FROM reports').all(), rules: db.prepare('SELECT * FROM alert_rules').all() };

    expect(migrate(db, upTo(9))).toEqual([9]);
    expect(appliedMigrations(db).at(-1)).toMatchObject({ version: 9, name: 'fleet-reports' });
    expect(tableNames(db)).toEqual(expect.arrayContaining(['report_templates', 'fleet_reports', 'fleet_report_units']));
    expect(columnNames(db, 'report_templates')).toEqual(['template_id', 'name', 'template_json', 'built_in', 'created_at', 'updated_at']);
    expect(columnNames(db, 'fleet_reports')).toEqual([
      'report_id', 'created_at', 'stored_at', 'title', 'fleet', 'dataset_id', 'dataset_fingerprint', 'source_kind', 'run_id', 'bundle_id', 'bundle_sha256',
      'template_name', 'template_sha256', 'inputs_json', 'pages', 'units', 'at_risk', 'soon', 'size', 'sha256', 'data', 'saved_path',
    ]);
    expect(columnNames(db, 'fleet_report_units')).toEqual(['report_id', 'unit', 'probability', 'bucket']);
    expect(indexColumns(db, 'fleet_reports_fleet')).toEqual(['fleet', 'created_at']);
    expect(indexColumns(db, 'fleet_reports_dataset')).toEqual(['dataset_id']);
    expect(db.prepare('SELECT template_id, name, built_in FROM report_templates').all()).toEqual([{ template_id: 'tpl_standard', name: 'Standard', built_in: 1 }]);
    expect({ runs: db.prepare('SELECT * FROM runs').all(), reports: db.prepare('SELECT * FROM reports').all(), rules: db.prepare('SELECT * FROM alert_rules').all() }).toEqual(before);
    expect(migrate(db, upTo(9))).toEqual([]);

    const insert = db.prepare(
      `INSERT INTO fleet_reports (report_id, created_at, stored_at, title, fleet, dataset_id, dataset_fingerprint, source_kind, run_id, bundle_id, bundle_sha256,
         template_name, template_sha256, inputs_json, pages, units, at_risk, soon, size, sha256, data)
       VALUES (@id, 'x', 'x', 't', 'f', @ds, 'fp', @kind, 'run_1', @bundle, @bsha, 'Standard', @tsha, @inputs, 1, 1, 0, 0, 1, @sha, x'00')`,
    );
    const row = { id: 'rep_a', ds: 'ds_old', kind: 'run', bundle: null, bsha: null, tsha: 'a'.repeat(64), inputs: '{}', sha: 'b'.repeat(64) };
    insert.run(row);
    expect(() => insert.run({ ...row, id: 'rep_b', inputs: '{nope' })).toThrow(/CHECK/);
    expect(() => insert.run({ ...row, id: 'rep_b', sha: 'short' })).toThrow(/CHECK/);
    expect(() => insert.run({ ...row, id: 'rep_b', kind: 'bundle' })).toThrow(/CHECK/); // a bundle report names the bundle's hash
    expect(() => insert.run({ ...row, id: 'rep_b', bundle: 'store:b' })).toThrow(/CHECK/);
    expect(() => insert.run({ ...row, id: 'rep_b', ds: 'ds_gone' })).toThrow(/FOREIGN KEY/);
    insert.run({ ...row, id: 'rep_c', kind: 'bundle', bundle: null, bsha: 'c'.repeat(64) });
    const unit = db.prepare("INSERT INTO fleet_report_units VALUES ('rep_a', ?, ?, ?)");
    unit.run(1, 0.5, 'now');
    expect(() => unit.run(2, 1.5, 'now')).toThrow(/CHECK/);
    expect(() => unit.run(2, 0.5, 'never')).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO report_templates VALUES ('tpl_x', 'STANDARD', '{}', 0, 'x', 'x')").run()).toThrow(/UNIQUE/);

    // a report outlives its run and its dataset; its units go with the report
    db.prepare("DELETE FROM runs WHERE run_id = 'run_1'").run();
    db.prepare("DELETE FROM datasets WHERE dataset_id = 'ds_old'").run();
    expect(db.prepare('SELECT report_id, dataset_id, run_id FROM fleet_reports ORDER BY report_id').all()).toEqual([
      { report_id: 'rep_a', dataset_id: null, run_id: 'run_1' },
      { report_id: 'rep_c', dataset_id: null, run_id: 'run_1' },
    ]);
    db.prepare("DELETE FROM fleet_reports WHERE report_id = 'rep_a'").run();
    expect(db.prepare('SELECT count(*) AS n FROM fleet_report_units').get()).toEqual({ n: 0 });
    db.close();
  });

  it('ExperimentStore.open upgrades a version-8 store and lists the built-in template', () => {
    const dir = tempDir();
    const db = new Database(join(dir, 'prognos.db'));
    migrate(db, upTo(8));
    db.close();
    const store = ExperimentStore.open(dir, { sweepIntervalMs: 0 });
    try {
      expect(store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
      const [standard, ...rest] = store.fleetReports().listTemplates();
      expect(rest).toEqual([]);
      expect(standard).toMatchObject({ templateId: BUILT_IN_TEMPLATE_ID, builtIn: true });
      expect(standard!.template).toEqual(defaultReportTemplate());
    } finally {
      store.close();
    }
  });
});

describe('maintenance reports in the store', () => {
  function open(): ExperimentStore {
    return ExperimentStore.open(tempDir(), { sweepIntervalMs: 0 });
  }

  it('stores a report with its PDF and units, lists newest first, and serves the bytes it stored', () => {
    const store = open();
    try {
      const reports = store.fleetReports();
      const a = reports.add(report());
      const b = reports.add(report({ createdAt: '2026-03-08T08:00:00.000Z', source: { kind: 'bundle', bundleId: null, bundleSha256: 'c'.repeat(64), runId: 'run_x' }, pdf: pdf('two') }));
      expect(a.reportId).toMatch(/^rep_[0-9a-z]{18}$/);
      expect(a).toMatchObject({ fleet: 'FD001', datasetId: null, pages: 3, units: 3, atRisk: 1, soon: 1, bytes: pdf('one').byteLength, sha256: sha256Hex(pdf('one')), savedPath: null, inputs: INPUTS });
      expect(b.source).toEqual({ kind: 'bundle', bundleId: null, bundleSha256: 'c'.repeat(64), runId: 'run_x' });
      expect(reports.list().map((r) => r.reportId)).toEqual([b.reportId, a.reportId]);
      expect(Buffer.from(reports.file(a.reportId)!.data)).toEqual(Buffer.from(pdf('one')));
      expect(reports.units(a.reportId)).toEqual(report().digest);
      reports.setSavedPath(a.reportId, '/home/me/Documents/Prognos reports/FD001.pdf');
      expect(reports.get(a.reportId)?.savedPath).toBe('/home/me/Documents/Prognos reports/FD001.pdf');
      expect(reports.delete(a.reportId)).toBe(true);
      expect(reports.delete(a.reportId)).toBe(false);
      expect(reports.get(a.reportId)).toBeUndefined();
      expect(reports.file(a.reportId)).toBeUndefined();
    } finally {
      store.close();
    }
  });

  it('finds the previous report of the same fleet: the latest created strictly before, with its units', () => {
    const store = open();
    try {
      const reports = store.fleetReports();
      const jan = reports.add(report({ createdAt: '2026-01-01T00:00:00.000Z', digest: [{ unit: 7, probability: 0.2, bucket: 'later' }] }));
      const feb = reports.add(report({ createdAt: '2026-02-01T00:00:00.000Z' }));
      reports.add(report({ createdAt: '2026-02-15T00:00:00.000Z', fleet: 'FD002' }));
      reports.add(report({ createdAt: '2026-02-20T00:00:00.000Z', fleet: 'fd001' })); // another fleet: names are exact
      const mar = reports.add(report({ createdAt: '2026-03-01T00:00:00.000Z' }));

      expect(reports.previous('FD001', '2026-01-01T00:00:00.000Z')).toBeNull();
      expect(reports.previous('FD001', '2026-01-01T00:00:00.001Z')?.record.reportId).toBe(jan.reportId);
      expect(reports.previous('FD001', '2026-01-01T00:00:00.001Z')?.units).toEqual([{ unit: 7, probability: 0.2, bucket: 'later' }]);
      // strictly before: a report made at the same instant is not its own previous one
      expect(reports.previous('FD001', '2026-03-01T00:00:00.000Z')?.record.reportId).toBe(feb.reportId);
      expect(reports.previous('FD001', '2027-01-01T00:00:00.000Z')?.record.reportId).toBe(mar.reportId);
      expect(reports.previous('FD002', '2026-03-01T00:00:00.000Z')?.record.fleet).toBe('FD002');
      expect(reports.previous('FD003', '2027-01-01T00:00:00.000Z')).toBeNull();
    } finally {
      store.close();
    }
  });

  it('refuses to serve a PDF whose stored bytes no longer match their SHA-256', () => {
    const store = open();
    try {
      const reports = store.fleetReports();
      const r = reports.add(report({ pdf: pdf('x'.repeat(100)) }));
      const raw = rawConnection(store.dbPath);
      // flip one byte in place, keeping the size: only the hash can tell
      raw.prepare("UPDATE fleet_reports SET data = CAST(replace(CAST(data AS TEXT), 'xxx', 'xyx') AS BLOB) WHERE report_id = ?").run(r.reportId);
      raw.close();
      expect(code(() => reports.file(r.reportId))).toMatch(new RegExp(`^BAD_FILE: .*prognos\\.db: the PDF of report ${r.reportId} is damaged: SHA-256 [0-9a-f]{64} \\(\\d+ bytes\\) does not match the recorded ${r.sha256}`));
      // the record itself is still listed (the history says what was made), only the bytes are refused
      expect(reports.get(r.reportId)?.sha256).toBe(r.sha256);
      const truncated = rawConnection(store.dbPath);
      truncated.prepare("UPDATE fleet_reports SET data = x'25504446' WHERE report_id = ?").run(r.reportId);
      truncated.close();
      expect(code(() => reports.file(r.reportId))).toMatch(/^BAD_FILE: .*\(4 bytes\) does not match/);
      // a store with a damaged report is not accepted as a backup to restore either
      expect(code(() => validateStoreFile(store.dbPath, 'copy.db'))).toBe(`BAD_FILE: copy.db: maintenance report ${r.reportId}: the stored bytes do not match their SHA-256`);
    } finally {
      store.close();
    }
  });

  it('keeps a report when its dataset or its run is deleted', () => {
    const store = open();
    try {
      const d = store.insertDataset(newDataset(makeTable([4, 5])));
      const runId = store.createRun({ datasetId: d.datasetId, kind: 'train', config: {}, seed: 1, datasetFingerprint: d.fingerprint });
      store.setRunStatus(runId, 'done');
      const reports = store.fleetReports();
      const r = reports.add(report({ datasetId: d.datasetId, datasetFingerprint: d.fingerprint, source: { kind: 'run', runId } }));
      expect(reports.list({ datasetId: d.datasetId }).map((x) => x.reportId)).toEqual([r.reportId]);
      expect(store.deleteRun(runId)).toBe(true);
      expect(store.deleteDataset(d.datasetId)).toBe(true);
      const kept = reports.get(r.reportId)!;
      expect(kept).toMatchObject({ datasetId: null, datasetFingerprint: d.fingerprint, source: { kind: 'run', runId } });
      expect(reports.file(r.reportId)?.data.byteLength).toBe(r.bytes);
      expect(reports.units(r.reportId)).toHaveLength(3);
      // a dataset id that is not (or no longer) in the store is recorded as none
      expect(reports.add(report({ datasetId: d.datasetId })).datasetId).toBeNull();
    } finally {
      store.close();
    }
  });
});

describe('report templates in the store', () => {
  it('creates, renames and deletes templates; names are unique regardless of case; the built-in stays', () => {
    const store = ExperimentStore.open(tempDir(), { sweepIntervalMs: 0 });
    try {
      const t = store.fleetReports();
      const weekly = t.saveTemplate(undefined, parseTemplateText('{"name":"Weekly","topN":5}', 'weekly.json'));
      const audit = t.saveTemplate(undefined, parseTemplateText('{"name":"audit"}', 'audit.json'));
      expect(weekly).toMatchObject({ builtIn: false, template: { name: 'Weekly', topN: 5 } });
      expect(t.listTemplates().map((x) => x.template.name)).toEqual(['Standard', 'audit', 'Weekly']);

      expect(code(() => t.saveTemplate(undefined, { ...defaultReportTemplate(), name: 'weekly' }))).toBe('CONFLICT: A report template named "Weekly" exists already: choose another name.');
      expect(code(() => t.saveTemplate(audit.templateId, { ...defaultReportTemplate(), name: 'STANDARD' }))).toMatch(/^CONFLICT: A report template named "Standard"/);
      expect(code(() => t.saveTemplate(BUILT_IN_TEMPLATE_ID, { ...defaultReportTemplate(), topN: 3 }))).toMatch(/^CONFLICT: The built-in template cannot be changed/);
      expect(code(() => t.deleteTemplate(BUILT_IN_TEMPLATE_ID))).toBe('CONFLICT: The built-in template cannot be deleted.');
      expect(code(() => t.saveTemplate('tpl_nope', defaultReportTemplate()))).toBe('NOT_FOUND: No report template tpl_nope.');

      const renamed = t.saveTemplate(weekly.templateId, { ...weekly.template, name: 'WEEKLY', topN: 7 });
      expect(renamed).toMatchObject({ templateId: weekly.templateId, template: { name: 'WEEKLY', topN: 7 }, createdAt: weekly.createdAt });
      expect(t.deleteTemplate(audit.templateId)).toBe(true);
      expect(t.deleteTemplate(audit.templateId)).toBe(false);
      expect(t.listTemplates().map((x) => x.templateId)).toEqual([BUILT_IN_TEMPLATE_ID, weekly.templateId]);
      expect(t.getTemplate(BUILT_IN_TEMPLATE_ID)?.template).toEqual(defaultReportTemplate());
    } finally {
      store.close();
    }
  });
});
