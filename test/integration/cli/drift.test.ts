/**
 * `prognos drift` on a small synthetic run: the report's shape and history, a shifted sensor found
 * and an untouched fleet not flagged, the options (method, threshold, share, chunking, comparison,
 * labels), a bundle's own drift reference (the same scores as the run's), an older bundle without
 * one, tampered drift files refused (also with re-computed checksums, and re-signed), bad arguments.
 * The channels: drift:start/list/get/delete through the services, onStored, NOT_FOUND for unknown ids.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriftReport, DriftReportSummary } from '../../../src/shared/drift';
import { PrognosError, type Result } from '../../../src/shared/errors';
import { sha256Hex } from '../../../src/main/core/export/checksums';
import { writeBundle } from '../../../src/main/core/export/bundle';
import { AppServices } from '../../../src/main/services/app-services';
import { dispatch } from '../../../src/main/services/dispatch';
import { liveWorkerCount } from '../../../src/main/services/early-worker';
import { syntheticRun } from '../../helpers/onnx-fixtures';
import { BUILT_IMPORT_WORKER, BUILT_TRAIN_WORKER, CLI, requireBuild, tempDir } from '../../helpers/paths';

let dir = '';
let store = '';
let runId = '';
let selected: string[] = [];
let bundle = '';
const files: Record<'train' | 'other' | 'shifted' | 'test' | 'rul', string> = { train: '', other: '', shifted: '', test: '', rul: '' };
/** the sensor shifted in `shifted`: the raw sensor of the run's first selected feature */
let sensor = '';

/**
 * The CLI in a child process, awaited (never spawnSync: the test's event loop stays free while the
 * worker runs, so the test runner's own messages are not held up on a busy machine).
 */
function prognos(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args, '--store', store], { encoding: 'utf8', env: { ...process.env, PROGNOS_HOME: '' }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}
async function json<T>(...args: string[]): Promise<T> {
  const r = await prognos(...args, '--json');
  if (r.code !== 0) throw new Error(`prognos ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** C-MAPSS text with one column (by position) moved by `delta`. */
function shiftColumn(src: string, out: string, column: number, delta: number): void {
  const lines = readFileSync(src, 'utf8').split('\n');
  writeFileSync(
    out,
    lines
      .map((l) => {
        if (l.trim() === '') return l;
        const cells = l.trim().split(/\s+/);
        cells[column] = String(Number(cells[column]) + delta);
        return cells.join(' ');
      })
      .join('\n'),
  );
}

function columnStd(src: string, column: number): number {
  const v = readFileSync(src, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => Number(l.trim().split(/\s+/)[column]));
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
}

const reportCount = async (): Promise<number> => (await json<unknown[]>('drift', '--list')).length;

/**
 * The run's report on `other` with the default options, computed once for the tests that read it (the
 * first of them counts the stored reports around it).
 */
let otherReport: Promise<DriftReport> | undefined;
const reportOnOther = (): Promise<DriftReport> => (otherReport ??= json<DriftReport>('drift', '--run', runId, '--data', files.other));

/** the JavaScript type of each named field */
const typesOf = (o: object, keys: readonly string[]): Record<string, string> => Object.fromEntries(keys.map((k) => [k, typeof (o as Record<string, unknown>)[k]]));

beforeAll(async () => {
  requireBuild();
  dir = tempDir('prognos-drift-cli-');
  store = join(dir, 'store');
  for (const k of Object.keys(files) as (keyof typeof files)[]) files[k] = join(dir, `${k}.txt`);
  await json('synth', '--units', '40', '--seed', '11', '--out', files.train);
  await json('synth', '--units', '30', '--seed', '12', '--out', files.other);
  await json('synth', '--units', '30', '--seed', '13', '--out', files.test, '--rul-out', files.rul);
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ models: ['gbdt'], gbdt: { nEstimators: 40, maxDepth: 5 }, topK: 12 }));
  const t = await json<{ runId: string; selectedFeatures: string[] }>('train', '--dataset', files.train, '--config', join(dir, 'config.json'), '--seed', '3');
  runId = t.runId;
  selected = t.selectedFeatures;
  sensor = selected.map((f) => /^(s\d+)/.exec(f)?.[1]).find((s) => s !== undefined)!;
  // columns: unit, cycle, setting1..3, s1..s21
  const col = 4 + Number(sensor.slice(1));
  shiftColumn(files.other, files.shifted, col, 2 * columnStd(files.train, col));
  bundle = (await json<{ path: string }>('export', '--run', runId, '--out', join(dir, 'bundle'))).path;
});

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('prognos drift --run', () => {
  it('reports every field the contract promises, covering the run’s selected features by name, and stores it', async () => {
    const before = (await reportCount());
    const r = await reportOnOther();
    expect(typeof r.datasetDrift).toBe('boolean');
    expect(r.driftedShare).toBeGreaterThanOrEqual(0);
    expect(r.features.map((f) => f.name)).toEqual(selected);
    // the operating settings in their own group (the data's column roles), never among the sensors
    expect(r.settings?.map((s) => s.name)).toEqual(['setting1', 'setting2', 'setting3']);
    expect(r.sensors.length).toBeGreaterThan(0);
    expect(r.sensors.filter((s) => s.name.startsWith('setting'))).toEqual([]);
    for (const f of r.features) {
      expect(typesOf(f, ['name', 'method', 'score', 'threshold', 'drifted'])).toEqual({ name: 'string', method: 'string', score: 'number', threshold: 'number', drifted: 'boolean' });
      expect(Object.keys(f.scores).sort()).toEqual(['hellinger', 'jsd', 'ks', 'ksPValue', 'psi', 'wasserstein']);
    }
    expect(typesOf(r.multivariate, ['pca', 'domainAuc'])).toEqual({ pca: 'number', domainAuc: 'number' });
    expect(typesOf(r.prediction, ['score', 'drifted'])).toEqual({ score: 'number', drifted: 'boolean' });
    expect(typesOf(r.estimated, ['f2', 'precision', 'recall'])).toEqual({ f2: 'number', precision: 'number', recall: 'number' });
    // a synthetic fleet runs to failure: the model alerts at every unit's last row, so its lives and labels are known
    expect(r.notes[0]).toMatch(/look run to failure/);
    expect(typesOf(r.realised!, ['f2', 'precision', 'recall'])).toEqual({ f2: 'number', precision: 'number', recall: 'number' });
    expect(r.source).toEqual({ kind: 'run', id: runId, label: `run ${runId}` });
    expect(r.current).toMatchObject({ kind: 'file', id: 'other.txt', label: 'other.txt', labelled: true, units: 30 });
    expect(r.comparison).toBe('matched');
    expect(r.chunks.labels.length).toBeGreaterThan(1);
    expect(r.datasetDrift).toBe(r.driftedShare >= 0.5);
    expect((await reportCount())).toBe(before + 1);
    // stored as printed
    const list = await json<DriftReportSummary[]>('drift', '--list', '--run', runId);
    expect(list[0]).toMatchObject({ reportId: r.reportId, datasetDrift: r.datasetDrift, driftedShare: r.driftedShare, domainAuc: r.multivariate.domainAuc, estimatedF2: r.estimated.f2 });
  });

  it('flags a sensor shifted by two reference standard deviations on that sensor’s features, and nothing else changes', async () => {
    const base = await reportOnOther();
    const r = await json<DriftReport>('drift', '--run', runId, '--data', files.shifted);
    const isOfSensor = (name: string): boolean => name === sensor || name.startsWith(`${sensor}_`);
    // the level of the sensor moves (its slopes, spreads and differences do not): its level features drift
    const level = r.features.filter((f) => isOfSensor(f.name) && (f.name === sensor || /_(mean|min|max)_\d+$|_ewma$/.test(f.name)));
    expect(level.length).toBeGreaterThan(0);
    for (const f of level) {
      expect(f.drifted, `${f.name}: ${f.method} ${f.score}`).toBe(true);
      expect(f.scores.wasserstein, f.name).toBeGreaterThan(1);
    }
    const raw = r.sensors.find((s) => s.name === sensor)!;
    expect(raw.drifted).toBe(true);
    expect(raw.scores.wasserstein).toBeGreaterThan(1);
    // the shift moves the normalised Wasserstein distance by about 2 (two standard deviations)
    expect(raw.scores.wasserstein).toBeGreaterThan(base.sensors.find((s) => s.name === sensor)!.scores.wasserstein + 1);
    // every other column has exactly the scores it had before the shift
    const others = (rep: DriftReport) => [...rep.features, ...rep.sensors].filter((c) => !isOfSensor(c.name)).map((c) => [c.name, c.scores, c.drifted]);
    expect(others(r).length).toBeGreaterThan(5);
    expect(others(r)).toEqual(others(base));
    expect(r.multivariate.domainAuc).toBeGreaterThan(base.multivariate.domainAuc);
    expect(r.multivariate.domainAuc).toBeGreaterThan(0.75);
  });

  it('takes the method, threshold, share, chunking and comparison, and with --rul gives realised beside estimated', async () => {
    const r = await json<DriftReport>('drift', '--run', runId, '--data', files.test, '--rul', files.rul, '--method', 'ks', '--threshold', '0.01', '--share', '0.25', '--chunk', '300', '--unmatched');
    expect(r.method).toBe('ks');
    expect(r.thresholds.ks).toBe(0.01);
    expect(r.thresholds.psi).toBe(0.1);
    expect(r.datasetDriftShare).toBe(0.25);
    expect(r.comparison).toBe('unmatched');
    expect(r.chunking).toEqual({ by: 'rows', size: 300 });
    expect(Math.max(...r.chunks.rows)).toBeLessThanOrEqual(300);
    for (const f of r.features) {
      expect(f.method).toBe('ks');
      expect(f.threshold).toBe(0.01);
      expect(f.drifted).toBe(f.scores.ksPValue < 0.01);
    }
    expect(r.datasetDrift).toBe(r.driftedShare >= 0.25);
    expect(r.current).toMatchObject({ kind: 'file', label: 'test.txt + rul.txt', labelled: true });
    expect(typesOf(r.realised!, ['f2', 'precision', 'recall'])).toEqual({ f2: 'number', precision: 'number', recall: 'number' });

    const byCycles = await json<DriftReport>('drift', '--run', runId, '--data', files.test, '--chunk', '40', '--chunk-by', 'cycles', '--method', 'psi', '--threshold', '0.3');
    expect(byCycles.chunking).toEqual({ by: 'cycles', size: 40 });
    expect(byCycles.chunks.labels[0]).toMatch(/^cycles 1–40$/);
    for (const f of byCycles.features) expect(f.drifted).toBe(f.scores.psi >= 0.3);

    // the run-to-failure fleet taken as in service, as asked: lives unknown, so no realised figures
    const inService = await json<DriftReport>('drift', '--run', runId, '--data', files.other, '--in-service', '--chunk', '2000');
    expect(inService.notes[0]).toMatch(/still in service \(as asked\)/);
    expect(inService.realised).toBeUndefined();
    expect(inService.current.labelled).toBe(false);
  });

  it('prints a readable summary, drifted features first with p-values beside the effect sizes', async () => {
    const r = await prognos('drift', '--run', runId, '--data', files.shifted, '--top', '5');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Drift report drift_/);
    expect(r.stdout).toMatch(/Dataset drift: (YES|no) — \d+ of \d+ features drift/);
    expect(r.stdout).toMatch(/Estimated performance \(no labels/);
    const rows = r.stdout.split('\n').filter((l) => /^DRIFT\s/.test(l));
    expect(rows.length).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/KS p/);
    expect(r.stdout.split('\n').findIndex((l) => /^DRIFT\s/.test(l))).toBeLessThan(r.stdout.split('\n').findIndex((l) => /^\s{5}\S/.test(l) && !l.includes('DRIFT')) >>> 0);
    // columns by the catalogue's names and units (C-MAPSS text: NASA's), each id beside
    const { CMAPSS_PRESET } = await import('../../../src/shared/sensor-catalogue');
    const entry = CMAPSS_PRESET.find((e) => e.column === sensor)!;
    const escape = (t: string): string => t.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    const ofSensor = rows.filter((l) => new RegExp(`\\s${sensor}(_\\w+)?(\\s|$)`).test(l));
    expect(ofSensor.length, r.stdout).toBeGreaterThan(0);
    for (const l of ofSensor) expect(l).toMatch(new RegExp(`^DRIFT\\s+${escape(entry.name)}[ ,].*\\s${sensor}(_\\w+)?\\s`));
    expect(rows.filter((l) => /^DRIFT\s+(s\d+|setting\d)(_\w+)?\s/.test(l)), 'a drifted column shown by its id').toEqual([]);
    expect(r.stdout).toMatch(new RegExp(`^DRIFT\\s+${escape(entry.name)}${entry.unit === '' ? '' : `, ${escape(entry.unit)}`}\\s+${sensor}\\s`, 'm'));
  });
});

describe('prognos drift --bundle', () => {
  it('computes drift against the bundle’s own reference and ONNX scores, as the run does', async () => {
    const viaRun = await json<DriftReport>('drift', '--run', runId, '--data', files.shifted, '--method', 'psi');
    const viaBundle = await json<DriftReport>('drift', '--bundle', bundle, '--data', files.shifted, '--method', 'psi');
    expect(viaBundle.source).toEqual({ kind: 'bundle', id: 'file:bundle', label: 'bundle bundle' });
    expect(viaBundle.features.map((f) => f.name)).toEqual(selected);
    expect(viaBundle.reference.rows).toBe(viaRun.reference.rows);
    // the same rows on both sides (the reference is small enough to travel whole): the same feature scores
    viaBundle.features.forEach((f, j) => {
      expect(Math.abs(f.scores.psi - viaRun.features[j]!.scores.psi), f.name).toBeLessThanOrEqual(1e-6);
      expect(f.drifted).toBe(viaRun.features[j]!.drifted);
    });
    // both sides of the bundle are scored by its ONNX models, both of the run by the in-app engines: the same comparison
    for (const k of ['psi', 'ks', 'jsd', 'hellinger', 'wasserstein'] as const) {
      expect(Math.abs(viaBundle.prediction.scores[k] - viaRun.prediction.scores[k]), `probability ${k}`).toBeLessThanOrEqual(1e-6);
      expect(Math.abs(viaBundle.prediction.rul!.scores[k] - viaRun.prediction.rul!.scores[k]), `RUL ${k}`).toBeLessThanOrEqual(1e-6);
    }
    expect(viaBundle.datasetDrift).toBe(viaRun.datasetDrift);
    const history = await json<DriftReportSummary[]>('drift', '--list', '--bundle', bundle);
    expect(history.map((h) => h.reportId)).toEqual([viaBundle.reportId]);
  });

  it('writes a deterministic reference described in the manifest and listed in SHA256SUMS', () => {
    const manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8')) as { drift: { format: string; file: string; sha256: string; data: { file: string; sha256: string }; rows: number; totalRows: number; sampled: boolean; columns: number } };
    expect(manifest.drift).toMatchObject({ format: 'prognos-drift-reference/1', file: 'drift/reference.json', data: { file: 'drift/columns.f32' }, sampled: false });
    const json = readFileSync(join(bundle, 'drift/reference.json'));
    const cols = readFileSync(join(bundle, 'drift/columns.f32'));
    expect(manifest.drift.sha256).toBe(sha256Hex(json));
    expect(manifest.drift.data.sha256).toBe(sha256Hex(cols));
    expect(cols.byteLength).toBe(manifest.drift.rows * manifest.drift.columns * 4);
    const sums = readFileSync(join(bundle, 'SHA256SUMS'), 'utf8');
    expect(sums).toContain(`${sha256Hex(cols)}  drift/columns.f32`);
    expect(sums).toContain(`${sha256Hex(json)}  drift/reference.json`);
    const ref = JSON.parse(json.toString('utf8')) as { columns: { name: string; kind: string; binEdges: number[] | null }[]; pca: { k: number; components: number[][]; features: string[] }; bands: { key: string }[]; chunking: { by: string } };
    expect(ref.columns.slice(0, 2).map((c) => c.name)).toEqual(['unit', 'cycle']);
    expect(ref.columns.filter((c) => c.kind === 'feature').map((c) => c.name)).toEqual(selected);
    expect(ref.columns.find((c) => c.kind === 'feature')!.binEdges).toHaveLength(9);
    expect(ref.pca.features).toEqual(selected);
    expect(ref.pca.components).toHaveLength(ref.pca.k);
    expect(ref.bands.map((b) => b.key)).toEqual(expect.arrayContaining(['pca', 'prediction', `feature:${selected[0]}`]));
    expect(ref.chunking.by).toBe('rows');
    // the first row is unit 1 at the run's window: column-major float32 little-endian
    expect(cols.readFloatLE(0)).toBeGreaterThanOrEqual(1);
    // the models written to score the reference with onnxruntime are gone again
    expect(readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
  });

  it('refuses a bundle made before bundles carried a reference, saying how to get one', async () => {
    // the bundle's LSTM is random weights whatever the run trained: the run trains its GBDT only
    const run = await syntheticRun({ units: 8, config: { models: ['gbdt'] } });
    const old = (await writeBundle(run.input, join(dir, 'old-bundle'))).path;
    expect((await prognos('verify', '--bundle', old)).code).toBe(0);
    const before = (await reportCount());
    const r = await prognos('drift', '--bundle', old, '--data', files.other);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/old-bundle has no drift reference \(it was exported before bundles carried one\); export run \S+ again/);
    expect(r.stderr).toMatch(/drift\/reference\.json/);
    expect((await reportCount())).toBe(before);
  });

  it('fails verification when a drift file is changed, also with the checksums recomputed, and when re-signed by another key', async () => {
    const before = (await reportCount());
    // 1. one float changed: SHA256SUMS no longer matches
    const a = join(dir, 'tampered-a');
    cpSync(bundle, a, { recursive: true });
    const f = join(a, 'drift/columns.f32');
    const bytes = readFileSync(f);
    bytes.writeFloatLE(bytes.readFloatLE(bytes.byteLength - 4) + 1000, bytes.byteLength - 4);
    writeFileSync(f, bytes);
    const v = await prognos('verify', '--bundle', a);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/drift\/columns\.f32: checksum mismatch: SHA256SUMS says/);
    const d = await prognos('drift', '--bundle', a, '--data', files.other);
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/drift\/columns\.f32: checksum mismatch/);

    // 2. the attacker recomputes SHA256SUMS too: the manifest's own SHA-256 still disagrees
    const b = join(dir, 'tampered-b');
    cpSync(a, b, { recursive: true });
    const sumsFile = join(b, 'SHA256SUMS');
    writeFileSync(sumsFile, readFileSync(sumsFile, 'utf8').replace(/^[0-9a-f]{64}( {2}drift\/columns\.f32)$/m, `${sha256Hex(readFileSync(join(b, 'drift/columns.f32')))}$1`));
    const vb = await prognos('verify', '--bundle', b);
    expect(vb.code).toBe(1);
    expect(vb.stdout).toMatch(/drift\/columns\.f32: checksum mismatch: manifest\.json says/);

    // 3. a signed bundle whose drift reference is rewritten consistently (manifest and sums) and re-signed
    //    with the attacker's own key: the keyring's key does not vouch for it, so it is refused
    const { privateKey } = generateKeyPairSync('ed25519');
    const keyFile = join(dir, 'site.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const signed = join(dir, 'signed');
    expect((await prognos('export', '--run', runId, '--out', signed, '--sign', keyFile)).code).toBe(0);
    expect((await prognos('keys', 'add', keyFile, '--name', 'site')).code).toBe(0);
    try {
      expect((await prognos('verify', '--bundle', signed)).code).toBe(0);
      const c = join(dir, 'tampered-c');
      cpSync(signed, c, { recursive: true });
      const cf = join(c, 'drift/columns.f32');
      const cb = readFileSync(cf);
      cb.writeFloatLE(cb.readFloatLE(cb.byteLength - 4) + 1000, cb.byteLength - 4);
      writeFileSync(cf, cb);
      const m = JSON.parse(readFileSync(join(c, 'manifest.json'), 'utf8')) as { drift: { data: { sha256: string } }; signature: { publicKey: string } };
      m.drift.data.sha256 = sha256Hex(cb);
      const { privateKey: theirs, publicKey: theirPublic } = generateKeyPairSync('ed25519');
      m.signature.publicKey = theirPublic.export({ type: 'spki', format: 'pem' }).toString();
      writeFileSync(join(c, 'manifest.json'), `${JSON.stringify(m, null, 2)}\n`);
      const sumsC = readFileSync(join(c, 'SHA256SUMS'), 'utf8')
        .split('\n')
        .map((l) => {
          const at = /^[0-9a-f]{64} {2}(.+)$/.exec(l);
          return at === null ? l : `${sha256Hex(readFileSync(join(c, at[1]!)))}  ${at[1]}`;
        })
        .join('\n');
      writeFileSync(join(c, 'SHA256SUMS'), sumsC);
      writeFileSync(join(c, 'SIGNATURE'), `${sign(null, Buffer.from(sumsC), theirs).toString('base64')}\n`);
      const vc = await prognos('verify', '--bundle', c);
      expect(vc.code).toBe(1);
      expect(vc.stdout).toMatch(/signed by an unknown key/);
      const dc = await prognos('drift', '--bundle', c, '--data', files.other);
      expect(dc.code).toBe(1);
      expect(dc.stderr).toMatch(/not signed by a trusted key/);
    } finally {
      await prognos('keys', 'policy', 'allow-unsigned');
    }
    expect((await reportCount())).toBe(before);
  });
});

describe('bad arguments', () => {
  it('names the option and the reason, exits 1 and stores nothing', async () => {
    const before = (await reportCount());
    const data = ['--data', files.other];
    const cases: [string[], RegExp][] = [
      [['--run', runId, ...data, '--method', 'chi2'], /--method must be one of auto, psi, ks, wasserstein, jsd, hellinger; got "chi2"/],
      [['--run', runId, ...data, '--threshold', '0.2'], /--threshold sets the threshold of one method: give --method/],
      [['--run', runId, ...data, '--method', 'ks', '--threshold', '2'], /--threshold for ks must be a p-value between 0 and 1 \(exclusive\), got 2/],
      [['--run', runId, ...data, '--method', 'jsd', '--threshold', 'abc'], /--threshold must be a number, got "abc"/],
      [['--run', runId, ...data, '--method', 'psi', '--threshold', '-1'], /--threshold for psi must be above 0, got -1/],
      [['--run', runId, ...data, '--chunk', '0'], /--chunk must be a positive whole number \(1 or more\), got 0/],
      [['--run', runId, ...data, '--chunk', '2.5'], /--chunk must be a whole number, got "2.5"/],
      [['--run', runId, ...data, '--chunk-by', 'weeks', '--chunk', '5'], /--chunk-by must be rows, cycles or batches, got "weeks"/],
      [['--run', runId, ...data, '--share', '1.5'], /--share must be a fraction above 0 and at most 1/],
      [['--run', runId, ...data, '--matched', '--unmatched'], /Give --matched or --unmatched, not both/],
      [['--run', runId, ...data, '--run-to-failure', '--in-service'], /Give --run-to-failure or --in-service, not both/],
      [['--run', runId, '--data', files.test, '--rul', files.rul, '--in-service'], /--in-service is for data without a RUL file/],
      [['--run', runId, '--bundle', bundle, ...data], /Give either --run R or --bundle B, not both/],
      [[...data], /Give either --run R or --bundle B/],
      [['--run', runId], /--data is required/],
      [['--run', runId, ...data, '--require-signed'], /--require-signed goes with --bundle/],
      [['--run', 'run_nope', ...data], /No run run_nope/],
      [['--bundle', join(dir, 'no-such-bundle'), ...data], /--bundle .*no-such-bundle: no such bundle folder or \.zip/],
      [['--run', runId, '--data', join(dir, 'missing.txt')], /--data .*missing\.txt: no such file and no dataset with that id/],
      [['--run', runId, ...data, '--rul', join(dir, 'missing-rul.txt')], /--rul .*missing-rul\.txt: no such file/],
      [['--run', runId, ...data, '--frobnicate'], /Unknown option '--frobnicate'/],
      [['--list', '--data', files.other], /--list shows the stored history; --data does not go with it/],
    ];
    for (const [args, message] of cases) {
      const r = await prognos('drift', ...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(/^prognos drift: /);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    // a data file with a bad line: named with the line and reason
    const broken = join(dir, 'broken.txt');
    writeFileSync(broken, `${readFileSync(files.other, 'utf8').split('\n').slice(0, 3).join('\n')}\n1 4 x\n`);
    const r = await prognos('drift', '--run', runId, '--data', broken);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/prognos drift: broken\.txt:4: expected 26 values, found 3/);
    expect((await reportCount())).toBe(before);
  });
});

describe('drift channels', () => {
  it('start a job whose result is the stored report id, list and get it, tell onStored, delete it; unknown ids are NOT_FOUND', async () => {
    const services = new AppServices({ storeDir: store, mode: 'cli', importWorker: BUILT_IMPORT_WORKER, trainWorker: BUILT_TRAIN_WORKER, version: 'test' });
    try {
      const call = (channel: string, input: unknown): Promise<Result<unknown>> => dispatch(services.handlers, channel, input);
      /** the value of a call that must succeed */
      const value = async <T>(channel: string, input: unknown): Promise<T> => {
        const r = await call(channel, input);
        if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`);
        return r.value as T;
      };
      // a test fleet imported with its RUL file: labelled, so the report has realised figures
      const imported = await services.handlers['datasets:import']({ source: { kind: 'path', path: files.test }, rul: { kind: 'path', path: files.rul } });
      const importDone = await services.jobs.wait(imported.jobId);
      const datasetId = (importDone.result as { dataset: { datasetId: string } }).dataset.datasetId;

      const stored: DriftReport[] = [];
      const off = services.drift.onStored((r) => stored.push(r));
      services.drift.onStored(() => {
        throw new Error('a broken listener');
      });
      const { jobId } = await value<{ jobId: string }>('drift:start', { source: { runId }, datasetId, method: 'hellinger', chunking: { by: 'rows', size: 100 } });
      const finished = await services.jobs.wait(jobId);
      expect(finished).toMatchObject({ kind: 'drift', state: 'done' });
      const reportId = (finished.result as { reportId: string }).reportId;
      expect(reportId).toMatch(/^drift_/);
      expect(stored.map((r) => r.reportId)).toEqual([reportId]);
      off();

      const report = await value<DriftReport>('drift:get', { reportId });
      expect(report).toMatchObject({ reportId, method: 'hellinger', source: { kind: 'run', id: runId }, current: { kind: 'dataset', id: datasetId, labelled: true } });
      expect(report.features.every((f) => f.method === 'hellinger')).toBe(true);
      expect(typeof report.realised?.f2).toBe('number');
      expect(report.chunking).toEqual({ by: 'rows', size: 100 });
      const listed = await value<DriftReportSummary[]>('drift:list', { runId });
      expect(listed[0]!.reportId).toBe(reportId);

      // unknown ids fail the call (not the job), naming the id
      for (const [input, message] of [
        [{ source: { runId: 'run_nope' }, datasetId }, 'No run run_nope.'],
        [{ source: { runId }, datasetId: 'ds_nope' }, 'No dataset ds_nope.'],
        [{ source: { bundleId: 'store:nope' }, datasetId }, 'No bundle store:nope.'],
      ] as const) {
        const r = await call('drift:start', input);
        expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message } });
      }
      expect(await call('drift:start', { source: { runId }, datasetId, method: 'chi2' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      expect(await call('drift:get', { reportId: 'drift_nope' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'No drift report drift_nope.' } });
      // cancelled inside the worker: the job ends cancelled, nothing is stored, no worker is left
      const before = services.drift.list({ runId }).length;
      let cancelId: string | null = null;
      let cancelledAt = -1;
      const offProgress = services.bus.subscribe((e) => {
        if (e.name === 'job:progress' && e.payload.jobId === cancelId && e.payload.fraction >= 0.25 && cancelledAt < 0) {
          cancelledAt = e.payload.fraction;
          services.jobs.cancel(cancelId);
        }
      });
      try {
        cancelId = (await value<{ jobId: string }>('drift:start', { source: { runId }, datasetId })).jobId;
        const f = await services.jobs.wait(cancelId);
        expect(f.state).toBe('cancelled');
        expect(cancelledAt).toBeGreaterThanOrEqual(0.25);
      } finally {
        offProgress();
      }
      for (let i = 0; i < 60 && liveWorkerCount() > 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(liveWorkerCount()).toBe(0);
      expect(services.drift.list({ runId })).toHaveLength(before);

      expect(await call('drift:delete', { reportId })).toMatchObject({ ok: true, value: { deleted: true } });
      expect(await call('drift:delete', { reportId })).toMatchObject({ ok: true, value: { deleted: false } });
      expect(() => services.drift.get(reportId)).toThrow(PrognosError);
    } finally {
      await services.close();
    }
  });
});
