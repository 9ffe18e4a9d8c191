/**
 * The report worker's work up to the document, in-process, on a small synthetic run (GBDT + RUL) and
 * its exported bundle: every unit's probability, RUL and interval exactly as `prognos predict --json`
 * prints them, ranked; the panels' risk series; the bundle's manifest hash and signature verdict; a
 * fleet without a column the model reads refused naming the file and the columns; cancel.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrognosError } from '../../../src/shared/errors';
import { defaultReportTemplate, reportTemplateSchema, type ReportDocument } from '../../../src/shared/report';
import { openServices } from '../../../src/main/cli/context';
import { templateSha256 } from '../../../src/main/core/report/template';
import { buildReport } from '../../../src/main/workers/report-build';
import type { ReportWorkerRequest } from '../../../src/main/workers/report-protocol';
import type { TrainedArtifacts } from '../../../src/main/workers/trained-run';
import { CLI, requireBuild, tempDir } from '../../helpers/paths';

let dir = '';
let store = '';
let runId = '';
let bundle = '';
let artifacts: TrainedArtifacts;
const files = { train: '', test: '', rul: '', cut: '' };

function prognos(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args, '--store', store], { encoding: 'utf8', env: { ...process.env, PROGNOS_HOME: '' }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}
async function json<T>(...args: string[]): Promise<T> {
  const r = await prognos(...args, '--json');
  if (r.code !== 0) throw new Error(`prognos ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

interface PredictUnit { unit: number; cycle: number; probability: number; parts: { gbdt: number }; alert: boolean; rul?: number; rulLow?: number; rulHigh?: number; trueRul?: number }

const logit = (p: number): number => Math.log(p / (1 - p));

/** each panel's TreeSHAP: bias + Σ per-source contributions = the GBDT's margin at the unit's last row (predict's parts.gbdt) */
function expectAdditive(doc: ReportDocument, predicted: readonly PredictUnit[]): void {
  const byUnit = new Map(predicted.map((u) => [u.unit, u]));
  for (const p of doc.panels) {
    const margin = p.bias + p.sources.reduce((a, s) => a + s.contribution, 0);
    expect(margin).toBeCloseTo(logit(byUnit.get(p.unit)!.parts.gbdt), 3);
    expect(p.contributions.length).toBeGreaterThan(0);
    const sizes = p.contributions.map((c) => Math.abs(c.contribution));
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
  }
}

const task = (signal = new AbortController().signal) => ({ signal, progress: () => undefined });

function request(over: Partial<ReportWorkerRequest> = {}): ReportWorkerRequest {
  const template = reportTemplateSchema.parse({ name: 'Test', topN: 4 });
  return {
    model: { kind: 'run', runId, artifacts },
    fleet: { kind: 'file', path: files.test, displayName: 'test.txt', rulPath: files.rul, rulDisplayName: 'rul.txt' },
    fleetName: 'test',
    template,
    templateSha256: templateSha256(template),
    createdAt: '2026-03-01T08:00:00.000Z',
    appVersion: '0.0.0-test',
    previous: null,
    drift: null,
    ...over,
  };
}

beforeAll(async () => {
  requireBuild();
  dir = tempDir('prognos-report-build-');
  store = join(dir, 'store');
  for (const k of Object.keys(files) as (keyof typeof files)[]) files[k] = join(dir, `${k}.txt`);
  await json('synth', '--units', '40', '--seed', '21', '--out', files.train);
  await json('synth', '--units', '24', '--seed', '22', '--out', files.test, '--rul-out', files.rul);
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ models: ['gbdt'], gbdt: { nEstimators: 40, maxDepth: 4 }, topK: 12 }));
  runId = (await json<{ runId: string }>('train', '--dataset', files.train, '--config', join(dir, 'config.json'), '--seed', '3')).runId;
  bundle = (await json<{ path: string }>('export', '--run', runId, '--out', join(dir, 'bundle'))).path;
  const services = openServices(store);
  try {
    artifacts = services.training.artifacts(runId);
  } finally {
    await services.close();
  }
  // the test file as CSV without the first sensor the model reads
  const names = ['unit', 'cycle', 'setting1', 'setting2', 'setting3', ...Array.from({ length: 21 }, (_, i) => `s${i + 1}`)];
  const drop = names.indexOf(artifacts.featureState.sensors[0]!);
  const keep = (cells: string[]): string[] => cells.filter((_, i) => i !== drop);
  const rows = readFileSync(files.test, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => keep(l.trim().split(/\s+/)).join(','));
  files.cut = join(dir, 'cut.csv');
  writeFileSync(files.cut, [keep(names).join(','), ...rows].join('\n') + '\n');
}, 600_000);

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('buildReport with a run', () => {
  it('every unit with the numbers `prognos predict --json` gives, ranked by probability then unit', async () => {
    const predicted = (await json<{ units: PredictUnit[]; threshold: number }>('predict', '--run', runId, '--data', files.test, '--rul', files.rul)).units;
    const built = await buildReport(request(), task());
    const doc = built.doc;
    expect(doc.actions).toHaveLength(predicted.length);
    const byUnit = new Map(predicted.map((u) => [u.unit, u]));
    for (const row of doc.actions) {
      const p = byUnit.get(row.unit)!;
      expect(row.probability).toBe(p.probability);
      expect(row.lastCycle).toBe(p.cycle);
      expect(row.alert).toBe(p.alert);
      expect(row.rul).toBe(p.rul);
      expect(row.rulLow).toBe(p.rulLow);
      expect(row.rulHigh).toBe(p.rulHigh);
      expect(row.trueRul).toBe(p.trueRul);
    }
    const expected = [...predicted].sort((a, b) => b.probability - a.probability || a.unit - b.unit).map((u) => u.unit);
    expect(doc.actions.map((r) => r.unit)).toEqual(expected);
    expect(doc.summary.now).toBe(predicted.filter((u) => u.alert).length);
    expect(doc.summary.withRul).toBe(true);
    expect(doc.rule.rulCap).toBe(125);
    expect(doc.model).toMatchObject({ kind: 'run', id: runId, models: ['gbdt', 'rul-gbdt'] });
    expect(doc.health.metrics.map((m) => m.model)).toContain('gbdt');
    expect(doc.health.calibration?.method).toBeDefined();
    expect(doc.health.quality[0]).toMatch(/^24 units, /);
    expect(built.digest.map((d) => d.unit)).toEqual([...expected].sort((a, b) => a - b));
    expect(built.fingerprint).toBe(createHash('sha256').update(readFileSync(files.test)).update(readFileSync(files.rul)).digest('hex'));
  });

  it('panels: the ensemble probability over every cycle ending at the last-cycle score, TreeSHAP adding up to the GBDT margin, raw trends', async () => {
    const predicted = (await json<{ units: PredictUnit[] }>('predict', '--run', runId, '--data', files.test)).units;
    const doc = (await buildReport(request(), task())).doc;
    expectAdditive(doc, predicted);
    expect(doc.panels.length).toBeGreaterThan(0);
    expect(doc.panels.length).toBeLessThanOrEqual(4);
    for (const p of doc.panels) {
      const row = doc.actions.find((r) => r.unit === p.unit)!;
      expect(p.risk.cycle.length).toBe(p.lastCycle);
      expect(p.risk.cycle.at(-1)).toBe(row.lastCycle);
      expect(p.risk.probability.at(-1)).toBe(row.probability);
      expect(p.trends.length).toBeGreaterThan(0);
      for (const t of p.trends) {
        expect(p.sources.map((s) => s.source)).toContain(t.sensor);
        expect(t.cycle).toEqual(p.risk.cycle);
        expect(t.values).toHaveLength(p.risk.cycle.length);
      }
    }
  });

  it('the same request gives the same document', async () => {
    const a = await buildReport(request(), task());
    const b = await buildReport(request(), task());
    expect(JSON.stringify(b.doc)).toBe(JSON.stringify(a.doc));
    expect(JSON.stringify(a.doc)).not.toContain(dir);
  });

  it('refuses a fleet without a column the model reads, naming the file and the columns', async () => {
    const missing = artifacts.featureState.sensors[0]!;
    const err = await buildReport(request({ fleet: { kind: 'file', path: files.cut, displayName: 'cut.csv' } }), task()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrognosError);
    expect((err as PrognosError).code).toBe('BAD_FILE');
    expect((err as PrognosError).message).toMatch(new RegExp(`^cut\\.csv: the data has no column ${missing}, which run ${runId} reads`));
  });

  it('stops when cancelled', async () => {
    const c = new AbortController();
    c.abort();
    await expect(buildReport(request(), task(c.signal))).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe('buildReport with the exported bundle', () => {
  it('the same numbers as `prognos predict --bundle`, the manifest’s SHA-256 and the signature verdict', async () => {
    const predicted = (await json<{ units: PredictUnit[] }>('predict', '--bundle', bundle, '--data', files.test, '--rul', files.rul)).units;
    const doc = (await buildReport(request({ model: { kind: 'bundle', bundleId: null, path: bundle, trust: { trustedKeys: [], requireTrusted: false } } }), task())).doc;
    const byUnit = new Map(predicted.map((u) => [u.unit, u]));
    for (const row of doc.actions) {
      expect(row.probability).toBe(byUnit.get(row.unit)!.probability);
      expect(row.rul).toBe(byUnit.get(row.unit)!.rul);
    }
    const manifest = readFileSync(join(bundle, 'manifest.json'));
    expect(doc.model).toMatchObject({ kind: 'bundle', id: runId, bundleSha256: createHash('sha256').update(manifest).digest('hex'), signature: { verdict: 'unsigned' } });
    expectAdditive(doc, predicted);
    expect(doc.appendix.files).toContainEqual({ role: 'bundle', name: 'manifest.json', sha256: doc.model.bundleSha256, bytes: manifest.byteLength });
  });

  it('refuses a bundle that fails verification, and an unsigned one when a trusted signature is required', async () => {
    const tampered = join(dir, 'tampered');
    rmSync(tampered, { recursive: true, force: true });
    await json('export', '--run', runId, '--out', tampered);
    const card = join(tampered, 'model_card.md');
    writeFileSync(card, readFileSync(card, 'utf8') + '\nedited\n');
    await expect(buildReport(request({ model: { kind: 'bundle', bundleId: null, path: tampered, trust: { trustedKeys: [], requireTrusted: false } } }), task())).rejects.toMatchObject({ code: 'BAD_FILE' });
    await expect(buildReport(request({ model: { kind: 'bundle', bundleId: null, path: bundle, trust: { trustedKeys: [], requireTrusted: true } } }), task())).rejects.toMatchObject({ code: 'BAD_FILE' });
  });
});

describe('templates', () => {
  it('the default template’s topN bounds the panels', async () => {
    const template = { ...defaultReportTemplate(), topN: 1 };
    const doc = (await buildReport(request({ template }), task())).doc;
    expect(doc.panels.length).toBeLessThanOrEqual(1);
  });
});
