/**
 * The drift engine on synthetic fleets (the project's generator): a shifted sensor is flagged, the
 * same generator with another seed is not, a six-regime fleet drifts against a one-regime reference,
 * and young engines against a run-to-failure reference drift only when the life stage is ignored.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DATASET_DRIFT_SHARE, DEFAULT_DRIFT_THRESHOLDS, driftReportSchema, applyDriftRule, type DriftReport } from '../../../src/shared/drift';
import { synthesizeFleet } from '../../../src/main/core/data/synth';
import { unitSpans, type FleetTable } from '../../../src/main/core/data/table';
import { computeDrift, type DriftOptions, type DriftReportBody } from '../../../src/main/core/drift/engine';
import { currentFromRun, joinBatches, referenceFromRun, trainingUnits, type DriftData, type DriftRun } from '../../../src/main/core/drift/reference';
import { parseTrainConfig } from '../../../src/main/core/pipeline/config';
import { runTrainingPipeline } from '../../../src/main/core/pipeline/train';

let table: FleetTable;
let run: DriftRun & { threshold: number };
let reference: DriftData;

const options = (o: Partial<DriftOptions> = {}): DriftOptions => ({
  method: 'auto',
  thresholds: { ...DEFAULT_DRIFT_THRESHOLDS },
  datasetDriftShare: DEFAULT_DATASET_DRIFT_SHARE,
  comparison: 'auto',
  chunking: { by: 'rows', size: 1000 },
  threshold: run.threshold,
  seed: 1,
  ...o,
});

/** the report as stored: the body with a made-up envelope, checked against the shared schema */
function asReport(body: DriftReportBody, current: DriftData): DriftReport {
  return driftReportSchema.parse({
    ...body,
    reportId: 'r1',
    createdAt: new Date(0).toISOString(),
    source: { kind: 'run', id: 'run', label: 'run' },
    current: { kind: 'dataset', id: 'd', label: 'd', rows: current.unit.length, units: new Set(current.unit).size, labelled: current.labels !== undefined },
  });
}

function withColumn(t: FleetTable, name: string, f: (v: Float64Array) => Float64Array): FleetTable {
  const j = t.columns.findIndex((c) => c.name === name);
  return { ...t, values: t.values.map((v, k) => (k === j ? f(v) : v)) };
}

/**
 * Young engines still in service: each unit observed up to a cycle between 40 and 119 that has nothing
 * to do with its life (engines entered service at different times; every synthetic life is ≥ 128).
 */
function young(t: FleetTable): FleetTable {
  const keep: number[] = [];
  for (const s of unitSpans(t)) {
    const n = 40 + ((s.unit * 37) % 80);
    for (let i = s.start; i < Math.min(s.end, s.start + n); i++) keep.push(i);
  }
  return { rowCount: keep.length, unit: Int32Array.from(keep, (i) => t.unit[i]!), cycle: Int32Array.from(keep, (i) => t.cycle[i]!), columns: t.columns, values: t.values.map((v) => Float64Array.from(keep, (i) => v[i]!)) };
}

const log = (what: string, r: DriftReportBody): void => {
  const flagged = r.features.filter((f) => f.drifted).map((f) => f.name);
  console.log(
    `${what}: ${r.comparison}, drifted share ${r.driftedShare.toFixed(3)} (${flagged.length}/${r.features.length}), dataset drift ${r.datasetDrift}, ` +
      `PCA ${r.multivariate.pca.toFixed(3)} (ref ${r.multivariate.pcaReference.toFixed(3)}, upper ${r.multivariate.pcaUpper.toFixed(3)}), domain AUC ${r.multivariate.domainAuc.toFixed(3)}, ` +
      `prediction ${r.prediction.method} ${r.prediction.score.toFixed(3)}${r.prediction.drifted ? ' drifted' : ''}, RUL ${r.prediction.rul?.score.toFixed(3) ?? '-'}`,
  );
};

beforeAll(async () => {
  table = synthesizeFleet({ units: 60, seed: 11 });
  const config = parseTrainConfig({
    seed: 5,
    models: ['gbdt'],
    rankWithGain: false,
    topK: 12,
    gbdt: { nEstimators: 40, maxDepth: 4, earlyStoppingRounds: 0 },
    rul: { enabled: true, gbdt: { nEstimators: 40, earlyStoppingRounds: 0 }, seeds: 1 },
  });
  const r = await runTrainingPipeline(table, config);
  run = {
    config,
    featureState: r.featureState,
    selected: r.selected,
    gbdt: r.gbdt,
    weight: 1,
    calibration: r.calibration.params,
    threshold: r.threshold,
    ...(r.rul === undefined ? {} : { rul: { gbdt: r.rul.gbdt, weight: 1, cap: r.rul.cap, interval: r.rul.intervals.gbdt ?? r.rul.interval, intervals: r.rul.intervals } }),
  };
  reference = referenceFromRun(run, table);
}, 120_000);

describe('reference and current sides of a run', () => {
  it('the reference is the training units, at rows with a full window, with the run\'s features by name', () => {
    const units = new Set(reference.unit);
    expect([...units].sort((a, b) => a - b)).toEqual(trainingUnits(table, run.config));
    expect(units.size).toBe(42);
    expect(reference.columns.filter((c) => c.kind === 'feature').map((c) => c.name)).toEqual(run.selected);
    expect(reference.columns.filter((c) => c.kind === 'sensor').map((c) => c.name)).toEqual(table.columns.map((c) => c.name));
    expect(Math.min(...reference.cycle)).toBe(run.config.historyWindow);
    expect(reference.labels).toBeDefined();
    expect(reference.rul).toBeDefined();
    // labels: failure within the label window, counted from each unit's last row
    const last = new Map<number, number>();
    for (let i = 0; i < reference.unit.length; i++) last.set(reference.unit[i]!, reference.cycle[i]!);
    for (let i = 0; i < reference.unit.length; i += 97) expect(reference.labels![i]).toBe(last.get(reference.unit[i]!)! - reference.cycle[i]! <= run.config.labelWindow ? 1 : 0);
  });
});

describe('bad input and cancellation', () => {
  it('refuses a table with no unit as long as the run\'s window, and sides with other columns, naming the reason', async () => {
    const short = young(synthesizeFleet({ units: 3, seed: 4 }));
    const tooShort: FleetTable = { ...short, rowCount: 6, unit: short.unit.slice(0, 6), cycle: short.cycle.slice(0, 6), values: short.values.map((v) => v.slice(0, 6)) };
    expect(() => currentFromRun(run, tooShort)).toThrow(/no unit with 30 cycles of history/);
    const current = currentFromRun(run, synthesizeFleet({ units: 3, seed: 4 }));
    const other: DriftData = { ...current, columns: current.columns.slice(1) };
    await expect(computeDrift(reference, other, options())).rejects.toThrow(/do not have the same columns/);
  });

  it('stops with CANCELLED when its signal is aborted, reporting progress until then', async () => {
    const current = currentFromRun(run, synthesizeFleet({ units: 6, seed: 4 }));
    const controller = new AbortController();
    const seen: number[] = [];
    const body = computeDrift(reference, current, options(), {
      signal: controller.signal,
      progress: (f) => {
        seen.push(f);
        if (f >= 0.3) controller.abort();
      },
    });
    await expect(body).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(seen.length).toBeGreaterThan(0);
    expect(Math.max(...seen)).toBeLessThan(0.9);
  });
});

describe('computeDrift on synthetic fleets', () => {
  it('another fleet of the same generator does not drift (matched or not)', async () => {
    const other = currentFromRun(run, synthesizeFleet({ units: 30, seed: 12 }), { runToFailure: true });
    const body = await computeDrift(reference, other, options());
    log('same generator, seed 12', body);
    const r = asReport(body, other);
    expect(r.comparison).toBe('matched');
    expect(r.datasetDrift).toBe(false);
    expect(r.driftedShare).toBeLessThan(0.25);
    expect(r.multivariate.domainAuc).toBeLessThan(r.multivariate.domainThreshold);
    expect(r.multivariate.pcaDrifted).toBe(false);
    expect(r.prediction.drifted).toBe(false);
    expect(r.features.map((f) => f.name)).toEqual(run.selected);
    expect(r.realised).toBeDefined();
    expect(r.notes.join(' ')).toMatch(/Life-stage matched/);
    const un = await computeDrift(reference, other, options({ comparison: 'unmatched' }));
    log('same generator, seed 12', un);
    expect(un.datasetDrift).toBe(false);
  });

  it('a sensor shifted by two reference standard deviations is flagged on that sensor and its features', async () => {
    const s = reference.columns.find((c) => c.name === 's11')!;
    let m = 0;
    for (const v of s.values) m += v;
    m /= s.values.length;
    let sd = 0;
    for (const v of s.values) sd += (v - m) ** 2;
    sd = Math.sqrt(sd / s.values.length);
    const shifted = withColumn(synthesizeFleet({ units: 30, seed: 12 }), 's11', (v) => v.map((x) => x + 2 * sd));
    const current = currentFromRun(run, shifted, { runToFailure: true });
    const body = await computeDrift(reference, current, options());
    log('s11 + 2 sd', body);
    const r = asReport(body, current);
    expect(r.sensors.find((c) => c.name === 's11')!.drifted).toBe(true);
    const flagged = r.features.filter((f) => f.drifted).map((f) => f.name);
    // s11's features that read its level (its distance from each unit's start does not move with an offset of every row)
    const ofS11 = r.features.filter((f) => /(^|_)s11(_|$)/.test(f.name) && !f.name.endsWith('_vs_start')).map((f) => f.name);
    expect(ofS11.length).toBeGreaterThan(0);
    for (const n of ofS11) expect(flagged).toContain(n);
    expect(flagged).not.toContain('s11_vs_start');
    // nothing but s11's features
    expect(flagged.filter((n) => !ofS11.includes(n))).toEqual([]);
    expect(r.sensors.filter((c) => c.drifted).map((c) => c.name)).toEqual(['s11']);
    expect(r.multivariate.domainAuc).toBeGreaterThan(r.multivariate.domainThreshold);
  });

  it('a six-regime fleet drifts against a one-regime reference', async () => {
    const current = currentFromRun(run, synthesizeFleet({ units: 30, seed: 12, regimes: 6 }), { runToFailure: true });
    const body = await computeDrift(reference, current, options());
    log('six regimes', body);
    expect(body.datasetDrift).toBe(true);
    expect(body.sensors.find((c) => c.name === 'setting1')!.drifted).toBe(true);
    expect(body.multivariate.pcaDrifted).toBe(true);
    expect(body.multivariate.domainAuc).toBeGreaterThan(0.9);
  });

  it('young engines: wear reads as drift unmatched, not when matched by life stage', async () => {
    const fleet = young(synthesizeFleet({ units: 40, seed: 13 }));
    const current = currentFromRun(run, fleet);
    expect(current.labels).toBeUndefined();
    const matched = await computeDrift(reference, current, options({ comparison: 'matched' }));
    const unmatched = await computeDrift(reference, current, options({ comparison: 'unmatched' }));
    log('young engines', matched);
    log('young engines', unmatched);
    expect(unmatched.datasetDrift).toBe(true);
    expect(matched.datasetDrift).toBe(false);
    expect(matched.driftedShare).toBeLessThan(unmatched.driftedShare);
    expect(unmatched.multivariate.domainAuc).toBeGreaterThan(unmatched.multivariate.domainThreshold);
    expect(matched.multivariate.domainAuc).toBeLessThan(matched.multivariate.domainThreshold);
    // 'auto' on a reference that runs to failure is matched
    expect(reference.runToFailure).toBe(true);
    // a sensor offset in young engines still shows when matched
    const shifted = currentFromRun(run, withColumn(fleet, 's11', (v) => v.map((x) => x + 0.5)));
    const off = await computeDrift(reference, shifted, options({ comparison: 'matched' }));
    log('young engines, s11 offset', off);
    expect(off.sensors.find((c) => c.name === 's11')!.drifted).toBe(true);
    expect(off.sensors.filter((c) => c.drifted).map((c) => c.name)).toEqual(['s11']);
  });

  it('chunks: every series has one value per chunk, bands from the reference chunks, alerts where a chunk leaves them', async () => {
    const clean = synthesizeFleet({ units: 30, seed: 12 });
    const n = clean.rowCount;
    // the second half of the rows (in unit order) carries an s11 offset
    const half = unitSpans(clean)[15]!.start;
    const j = clean.columns.findIndex((c) => c.name === 's11');
    const drifting: FleetTable = { ...clean, values: clean.values.map((v, k) => (k === j ? v.map((x, i) => (i >= half ? x + 0.5 : x)) : v)) };
    const current = currentFromRun(run, drifting, { runToFailure: true });
    const body = await computeDrift(reference, current, options({ chunking: { by: 'rows', size: 500 } }));
    const chunks = body.chunks;
    expect(chunks.rows.reduce((s, x) => s + x, 0)).toBe(current.unit.length);
    expect(chunks.labels.length).toBe(Math.ceil(current.unit.length / 500));
    expect(n).toBeGreaterThan(current.unit.length);
    for (const s of chunks.series) {
      expect(s.values.length).toBe(chunks.labels.length);
      expect(s.alerts.length).toBe(chunks.labels.length);
    }
    const keys = chunks.series.map((s) => s.key);
    expect(keys).toEqual(expect.arrayContaining(['pca', 'prediction', 'rul', 'estimated:f2', 'estimated:precision', 'estimated:recall', ...run.selected.map((f) => `feature:${f}`)]));
    // the features that read s11's level (not its distance from a unit's start, which an offset of a whole unit leaves as it is)
    const s11 = chunks.series.filter((s) => s.key.startsWith('feature:') && /^feature:s11(_|$)/.test(s.key) && !s.key.endsWith('_vs_start'));
    expect(s11.length).toBeGreaterThan(0);
    // chunk boundaries at row multiples of 500 of the current rows: the first chunk past the offset's start
    const firstShifted = Math.ceil(current.unit.findIndex((u) => u === clean.unit[half]) / 500);
    for (const s of s11) {
      expect(s.upper).not.toBeNull();
      const before = s.alerts.slice(0, firstShifted - 1);
      const after = s.alerts.slice(firstShifted + 1, -1);
      expect(before.filter(Boolean).length).toBeLessThanOrEqual(1);
      expect(after.filter(Boolean).length).toBeGreaterThanOrEqual(Math.floor(after.length * 0.8));
    }
    const f2 = chunks.series.find((s) => s.key === 'estimated:f2')!;
    expect(f2.realised).toHaveLength(chunks.labels.length);
    expect(f2.bandLow).toHaveLength(chunks.labels.length);
    // by cycles: chunks are cycle ranges
    const byCycles = await computeDrift(reference, current, options({ chunking: { by: 'cycles', size: 50 } }));
    expect(byCycles.chunks.labels[0]).toBe('cycles 1–50');
  });

  it('chunks by import batch: batches joined in order, the shifted batch alone alerts on s11', async () => {
    const a = currentFromRun(run, synthesizeFleet({ units: 12, seed: 21 }), { runToFailure: true });
    const b = currentFromRun(run, synthesizeFleet({ units: 12, seed: 22 }), { runToFailure: true });
    const c = currentFromRun(run, withColumn(synthesizeFleet({ units: 12, seed: 23 }), 's11', (v) => v.map((x) => x + 0.5)), { runToFailure: true });
    const joined = joinBatches([a, b, c]);
    expect(joined.unit.length).toBe(a.unit.length + b.unit.length + c.unit.length);
    expect(joined.batch![a.unit.length]).toBe(1);
    const body = await computeDrift(reference, joined, options({ chunking: { by: 'batches', size: 1 } }));
    expect(body.chunks.labels).toEqual(['batch 1', 'batch 2', 'batch 3']);
    expect(body.chunks.rows).toEqual([a.unit.length, b.unit.length, c.unit.length]);
    const s11 = body.chunks.series.filter((s) => /^feature:s11_(mean|ewma|max|min)/.test(s.key));
    expect(s11.length).toBeGreaterThan(0);
    for (const s of s11) console.log(s.key, s.values.map((v) => v?.toFixed(3)), s.lower?.toFixed(3), s.upper?.toFixed(3));
    for (const s of s11) expect(s.alerts).toEqual([false, false, true]);
  });

  it('a stored report re-read under another method gives the verdicts a fresh computation gives', async () => {
    const current = currentFromRun(run, synthesizeFleet({ units: 30, seed: 12 }), { runToFailure: true });
    const body = await computeDrift(reference, current, options());
    const psi = await computeDrift(reference, current, options({ method: 'psi', thresholds: { ...DEFAULT_DRIFT_THRESHOLDS, psi: 0.05 } }));
    const reread = applyDriftRule(asReport(body, current), { method: 'psi', thresholds: { ...DEFAULT_DRIFT_THRESHOLDS, psi: 0.05 }, datasetDriftShare: 0.5 });
    expect(reread.features.map((f) => f.drifted)).toEqual(psi.features.map((f) => f.drifted));
    expect(reread.driftedShare).toBe(psi.driftedShare);
  });
});
