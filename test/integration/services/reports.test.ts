/**
 * The reports service through the contract's handlers, with a stand-in for the report worker that
 * answers with a "PDF" spelling out the request it got: what the service resolves (fleet name, time,
 * template, previous report, drift verdict), what it stores, and the desktop-only channels.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Channel, ChannelOutput } from '../../../src/shared/contract';
import type { Result } from '../../../src/shared/errors';
import { defaultReportTemplate } from '../../../src/shared/report';
import { AppServices } from '../../../src/main/services/app-services';
import { dispatch } from '../../../src/main/services/dispatch';
import { reportFileName, withoutExtension } from '../../../src/main/services/reports';
import { templateSha256 } from '../../../src/main/core/report/template';
import { rawConnection, makeTable, newDataset } from '../store/helpers';
import { driftReportBody } from '../../helpers/drift-report';
import { REPO, tempDir } from '../../helpers/paths';

const STAND_IN = join(REPO, 'test', 'fixtures', 'workers', 'report-stand-in.mjs');
const open: AppServices[] = [];

function services(mode: 'browser' | 'electron' | 'cli' = 'browser', extra: { reportsDir?: string; reveal?: (p: string) => void } = {}): AppServices {
  const s = new AppServices({
    storeDir: tempDir(),
    mode,
    importWorker: 'unused',
    trainWorker: join(REPO, 'out', 'main', 'train-worker.js'),
    version: '9.9.9-test',
    shippedBundles: join(REPO, 'resources', 'models'),
    reportWorker: STAND_IN,
    ...extra,
  });
  open.push(s);
  return s;
}

afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

async function call<C extends Channel>(s: AppServices, channel: C, input: unknown): Promise<Result<ChannelOutput<C>>> {
  return (await dispatch(s.handlers, channel, input)) as Result<ChannelOutput<C>>;
}

async function ok<C extends Channel>(s: AppServices, channel: C, input: unknown): Promise<ChannelOutput<C>> {
  const r = await call(s, channel, input);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** What the stand-in saw, read back from the stored PDF. */
function seen(base64: string): Record<string, unknown> {
  const text = Buffer.from(base64, 'base64').toString('utf8');
  return JSON.parse(/^% (.*)$/m.exec(text)![1]!) as Record<string, unknown>;
}

async function report(s: AppServices, input: unknown): Promise<string> {
  const { jobId } = await ok(s, 'reports:start', input);
  const done = await s.jobs.wait(jobId);
  if (done.state !== 'done') throw new Error(`job ${done.state}: ${done.error?.message}`);
  return (done.result as { reportId: string }).reportId;
}

function dataset(s: AppServices, name = 'test_FD001.txt'): string {
  return s.store.insertDataset(newDataset(makeTable([40, 35, 50]), { name, sourceFile: '/home/me/data/test_FD001.txt', fingerprint: 'd'.repeat(64) })).datasetId;
}

const BUNDLE = { kind: 'bundle', bundleId: 'shipped:demo' } as const;

describe('reports service', () => {
  it('renders a dataset report as a job, stores it with its inputs and serves the PDF it stored', async () => {
    const s = services();
    const datasetId = dataset(s);
    const reportId = await report(s, { datasetId, scorer: BUNDLE, createdAt: '2026-03-01T10:15:00+02:00', notes: 'Quarterly check.' });

    const record = await ok(s, 'reports:get', { reportId });
    expect(record).toMatchObject({
      reportId,
      fleet: 'test_FD001',
      createdAt: '2026-03-01T08:15:00.000Z',
      datasetId,
      datasetFingerprint: 'd'.repeat(64),
      source: { kind: 'bundle', bundleId: 'shipped:demo', bundleSha256: 'b'.repeat(64), runId: 'run_from_bundle' },
      templateName: 'Standard',
      templateSha256: templateSha256(defaultReportTemplate()),
      pages: 2,
      units: 3,
      atRisk: 1,
      savedPath: null,
      inputs: { dataFile: 'test_FD001.txt', rulFile: null, model: 'bundle shipped:demo', template: 'Standard', title: null, fleet: null, createdAt: '2026-03-01T10:15:00+02:00', notes: 'Quarterly check.' },
    });
    const file = await ok(s, 'reports:file', { reportId });
    expect(file.fileName).toBe('test_FD001-20260301-0815.pdf');
    const bytes = Buffer.from(file.base64, 'base64');
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(bytes.byteLength).toBe(record.bytes);
    expect(seen(file.base64)).toMatchObject({
      fleetName: 'test_FD001',
      createdAt: '2026-03-01T08:15:00.000Z',
      appVersion: '9.9.9-test',
      template: 'Standard',
      previous: null,
      drift: null,
      model: { kind: 'bundle', bundleId: 'shipped:demo', requireTrusted: false },
      // the worker gets the table in shared memory and the file's name, never the path it came from
      fleet: { kind: 'dataset', datasetId, rows: 125, fileName: 'test_FD001.txt', fingerprint: 'd'.repeat(64) },
    });
    expect(await ok(s, 'reports:list', {})).toEqual([record]);
    expect(await ok(s, 'reports:list', { datasetId: 'ds_other' })).toEqual([]);
  });

  it('hands the worker the previous report of the same fleet (strictly earlier) and the latest drift verdict', async () => {
    const s = services();
    const datasetId = dataset(s);
    const first = await report(s, { datasetId, scorer: BUNDLE, createdAt: '2026-01-01T00:00:00Z' });
    const other = await report(s, { datasetId, scorer: BUNDLE, createdAt: '2026-01-15T00:00:00Z', fleet: 'Another fleet' });
    const drift = s.store.addDriftReport(driftReportBody({ source: { kind: 'bundle', id: 'shipped:demo' }, current: { kind: 'dataset', id: datasetId } }));
    s.store.addDriftReport(driftReportBody({ source: { kind: 'bundle', id: 'store:other.zip' }, current: { kind: 'dataset', id: datasetId } }));

    const second = await report(s, { datasetId, scorer: BUNDLE, createdAt: '2099-02-01T00:00:00Z' });
    const saw = seen((await ok(s, 'reports:file', { reportId: second })).base64);
    expect(saw.previous).toEqual({ reportId: first, units: 3 });
    expect(saw.drift).toEqual({ reportId: drift.reportId, createdAt: drift.createdAt, datasetDrift: drift.datasetDrift, driftedShare: drift.driftedShare, drifted: ['s11_mean_10'], domainAuc: drift.multivariate.domainAuc, estimatedF2: drift.estimated.f2 });
    expect((await ok(s, 'reports:get', { reportId: other })).fleet).toBe('Another fleet');

    // made again at the first one's time: no earlier report of the fleet, and no drift report yet then
    const again = seen((await ok(s, 'reports:file', { reportId: await report(s, { datasetId, scorer: BUNDLE, createdAt: '2026-01-01T00:00:00Z' }) })).base64);
    expect(again.previous).toBeNull();
    expect(again.drift).toBeNull();
    expect((await ok(s, 'reports:list', {})).map((r) => r.reportId)[0]).toBe(second);
  });

  it('takes the CLI file form: a parsed template, file names only in the record, the fleet named after the file', async () => {
    const s = services('cli');
    const template = { ...defaultReportTemplate(), name: 'Audit', topN: 4 };
    const jobId = await s.reports.start({ dataPath: '/tmp/x/test_FD002.txt', rulPath: '/tmp/x/RUL_FD002.txt', bundlePath: '/tmp/x/bundle.zip', template, templateFileName: 'audit.json', requireSigned: true, createdAt: '2026-05-05T05:05:00Z' });
    const done = await s.jobs.wait(jobId);
    expect(done.state).toBe('done');
    const { record, data } = s.reports.pdf((done.result as { reportId: string }).reportId);
    expect(record).toMatchObject({ fleet: 'test_FD002', datasetId: null, templateName: 'Audit', templateSha256: templateSha256(template), source: { kind: 'bundle', bundleId: null } });
    expect(record.inputs).toMatchObject({ dataFile: 'test_FD002.txt', rulFile: 'RUL_FD002.txt', model: 'bundle file bundle.zip', template: 'audit.json' });
    expect(seen(data.toString('base64'))).toMatchObject({
      topN: 4,
      model: { kind: 'bundle', bundleId: null, requireTrusted: true },
      fleet: { kind: 'file', path: '/tmp/x/test_FD002.txt', displayName: 'test_FD002.txt', rulDisplayName: 'RUL_FD002.txt' },
    });
  });

  it('fails the call, not the job, for an unknown dataset, bundle, run or template; a worker error fails the job and stores nothing', async () => {
    const s = services();
    const datasetId = dataset(s);
    expect(await call(s, 'reports:start', { datasetId: 'ds_nope', scorer: BUNDLE })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'No dataset ds_nope.' } });
    expect(await call(s, 'reports:start', { datasetId, scorer: { kind: 'bundle', bundleId: 'store:gone.zip' } })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await call(s, 'reports:start', { datasetId, scorer: { kind: 'run', runId: 'run_nope' } })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'No run run_nope.' } });
    expect(await call(s, 'reports:start', { datasetId, scorer: BUNDLE, templateId: 'tpl_nope' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'No report template tpl_nope.' } });
    expect(await call(s, 'reports:start', { datasetId, scorer: BUNDLE, createdAt: 'yesterday' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    // a path as the data is not part of the contract: browser mode cannot name a file on this machine
    expect(await call(s, 'reports:start', { dataPath: '/etc/passwd', bundlePath: '/tmp/b' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });

    const failed = await s.jobs.wait((await ok(s, 'reports:start', { datasetId, scorer: BUNDLE, notes: 'fail' })).jobId);
    expect(failed).toMatchObject({ state: 'failed', error: { code: 'BAD_FILE', message: 'data.txt: line 3: the fleet does not match the model' } });
    const lying = await s.jobs.wait((await ok(s, 'reports:start', { datasetId, scorer: BUNDLE, notes: 'bad-hash' })).jobId);
    expect(lying).toMatchObject({ state: 'failed', error: { code: 'INTERNAL' } });
    const { jobId } = await ok(s, 'reports:start', { datasetId, scorer: BUNDLE, notes: 'slow' });
    await new Promise((r) => setTimeout(r, 300));
    expect(s.jobs.cancel(jobId)).toBe(true);
    expect(await s.jobs.wait(jobId)).toMatchObject({ state: 'cancelled' });
    expect(await ok(s, 'reports:list', {})).toEqual([]);
  });

  it('refuses to serve a report whose stored PDF was damaged', async () => {
    const s = services();
    const reportId = await report(s, { datasetId: dataset(s), scorer: BUNDLE });
    const raw = rawConnection(s.store.dbPath);
    raw.prepare("UPDATE fleet_reports SET data = CAST(replace(CAST(data AS TEXT), 'Standard', 'Standarb') AS BLOB) WHERE report_id = ?").run(reportId);
    raw.close();
    const r = await call(s, 'reports:file', { reportId });
    expect(r).toMatchObject({ ok: false, error: { code: 'BAD_FILE' } });
    if (!r.ok) expect(r.error.message).toContain(`the PDF of report ${reportId} is damaged`);
    expect(await call(s, 'reports:delete', { reportId })).toEqual({ ok: true, value: { deleted: true } });
    expect(await call(s, 'reports:get', { reportId })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('saves into the reports folder only in the desktop app, never replacing a file, and reveals the saved copy', async () => {
    const browser = services('browser');
    const inBrowser = await report(browser, { datasetId: dataset(browser), scorer: BUNDLE });
    expect(await call(browser, 'reports:save', { reportId: inBrowser })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await call(browser, 'reports:reveal', { reportId: inBrowser })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    const folder = join(tempDir(), 'Prognos reports');
    const shown: string[] = [];
    const app = services('electron', { reportsDir: folder, reveal: (p) => shown.push(p) });
    const reportId = await report(app, { datasetId: dataset(app), scorer: BUNDLE, fleet: 'Fleet A/../../etc', createdAt: '2026-04-02T09:30:00Z' });
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'Fleet-A-etc-20260402-0930.pdf'), 'mine');
    // the contract takes no path: a path sent along is dropped, the file goes into the reports folder
    const elsewhere = join(tempDir(), 'elsewhere.pdf');
    const first = await ok(app, 'reports:save', { reportId, path: elsewhere });
    expect(existsSync(elsewhere)).toBe(false);
    const second = await ok(app, 'reports:save', { reportId });
    expect(first.path).toBe(join(folder, 'Fleet-A-etc-20260402-0930 (2).pdf'));
    expect(second.path).toBe(join(folder, 'Fleet-A-etc-20260402-0930 (3).pdf'));
    expect(readFileSync(join(folder, 'Fleet-A-etc-20260402-0930.pdf'), 'utf8')).toBe('mine');
    expect(readFileSync(first.path).toString('base64')).toBe((await ok(app, 'reports:file', { reportId })).base64);
    expect(readdirSync(folder).filter((f) => f.includes('partial'))).toEqual([]);
    expect((await ok(app, 'reports:get', { reportId })).savedPath).toBe(second.path);
    expect(await ok(app, 'reports:reveal', { reportId })).toEqual({ shown: true, path: second.path });
    expect(shown).toEqual([second.path]);
    expect(existsSync(second.path)).toBe(true);
  });
});

describe('templates through the contract', () => {
  it('lists the built-in first, creates and replaces from JSON text, and protects the built-in', async () => {
    const s = services();
    const [standard] = await ok(s, 'templates:list', {});
    expect(standard).toMatchObject({ templateId: 'tpl_standard', builtIn: true, template: defaultReportTemplate() });
    const weekly = await ok(s, 'templates:save', { text: '{\n  "name": "Weekly",\n  "topN": 20\n}\n' });
    expect(weekly).toMatchObject({ builtIn: false, template: { name: 'Weekly', topN: 20, language: 'en' } });
    expect((await ok(s, 'templates:save', { templateId: weekly.templateId, text: '{"name":"Weekly","topN":5}' })).template.topN).toBe(5);
    expect((await ok(s, 'templates:list', {})).map((t) => t.template.name)).toEqual(['Standard', 'Weekly']);

    const syntax = await call(s, 'templates:save', { text: '{\n  "name": "X"\n  "topN": 5\n}' });
    expect(syntax).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    if (!syntax.ok) expect(syntax.error.message).toMatch(/^template: line 3, column 3: not valid JSON/);
    const unknown = await call(s, 'templates:save', { text: '{"name":"X","sections":{"cover":true,"index":false}}' });
    if (unknown.ok) throw new Error('accepted');
    expect(unknown.error).toMatchObject({ code: 'INVALID_INPUT', message: 'template: not a valid report template: sections.index (line 1, column 38): unknown key "index"' });
    expect(await call(s, 'templates:save', { templateId: 'tpl_standard', text: '{"name":"Standard","topN":3}' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await call(s, 'templates:save', { text: '{"name":"weekly"}' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await call(s, 'templates:delete', { templateId: 'tpl_standard' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });

    // a report made with a stored template names it and its hash
    const reportId = await report(s, { datasetId: dataset(s), scorer: BUNDLE, templateId: weekly.templateId });
    const r = await ok(s, 'reports:get', { reportId });
    expect(r).toMatchObject({ templateName: 'Weekly', templateSha256: templateSha256({ ...defaultReportTemplate(), name: 'Weekly', topN: 5 }) });
    expect(await ok(s, 'templates:delete', { templateId: weekly.templateId })).toEqual({ deleted: true });
    expect((await ok(s, 'reports:get', { reportId })).templateName).toBe('Weekly'); // the report keeps what it was made with
  });
});

describe('file names', () => {
  it('names a PDF after its fleet and time in safe characters', () => {
    expect(reportFileName('FD001', '2026-03-01T08:15:59.999Z')).toBe('FD001-20260301-0815.pdf');
    expect(reportFileName('Flotte Süd / Nord', '2026-12-31T23:59:00Z')).toBe('Flotte-Sud-Nord-20261231-2359.pdf');
    expect(reportFileName('../..', '2026-01-01T00:00:00Z')).toBe('report-20260101-0000.pdf');
    expect(reportFileName('a\u0000b<>:"|?*c', '2026-01-01T00:00:00Z')).toBe('a-b-c-20260101-0000.pdf');
    expect(reportFileName('fleet.v2', '2026-01-01T00:00:00Z')).toBe('fleet-v2-20260101-0000.pdf');
    expect(withoutExtension('test_FD001.txt')).toBe('test_FD001');
    expect(withoutExtension('FD001 train')).toBe('FD001 train');
    expect(withoutExtension('.txt')).toBe('.txt');
  });
});
