/**
 * Drift on the real C-MAPSS files, against the shared FD001 run (default config, seed 1, trained on
 * train_FD001's training units; its reference is those units' rows with a full history window):
 *
 * (a) the run's own held-out units (train_FD001's validation and test units, never trained on) show no
 *     dataset drift: "the training units of one split scored against a run trained on the other units";
 * (b) a copy of test_FD001 with sensor 11 shifted by two reference standard deviations is flagged on
 *     that sensor's level features (an offset leaves its slopes, spreads and distance from each unit's
 *     start as they were) and on few others;
 * (c) the official test_FD001 (engines cut off in service) shows no dataset drift when life-stage
 *     matched; what the unmatched comparison says is printed beside it.
 *
 * The figures are printed. Nothing here is fitted on the test files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DATASET_DRIFT_SHARE, DEFAULT_DRIFT_THRESHOLDS, driftReportSchema } from '../../../src/shared/drift';
import { parseFleetFile } from '../../../src/main/core/data/import-file';
import type { FleetTable } from '../../../src/main/core/data/table';
import { computeDrift, type DriftOptions, type DriftReportBody } from '../../../src/main/core/drift/engine';
import { currentFromRun, heldOutUnits, referenceFromRun, type DriftData } from '../../../src/main/core/drift/reference';
import { ExperimentStore } from '../../../src/main/core/store/store';
import { EventBus } from '../../../src/main/services/events';
import { TrainingService } from '../../../src/main/services/training';
import { buildTrained, releaseTrained, type TrainedRun } from '../../../src/main/workers/trained-run';
import { copyFd001Store, type Fd001Store } from '../../helpers/fd001-store';
import { tempDir } from '../../helpers/paths';

let fx: Fd001Store;
let run: TrainedRun | undefined;
let train: FleetTable;
let reference: DriftData;

beforeAll(async () => {
  fx = await copyFd001Store(tempDir());
  const store = ExperimentStore.open(fx.store);
  try {
    // the run's artifacts as the services hand them to a worker (each checked against its SHA-256)
    run = await buildTrained(new TrainingService(store, new EventBus(), '').artifacts(fx.runId));
    train = store.loadTable(fx.datasetId);
  } finally {
    store.close();
  }
  reference = referenceFromRun(run, train);
});

afterAll(() => {
  if (run !== undefined) releaseTrained(run);
});

const options = (o: Partial<DriftOptions> = {}): DriftOptions => ({
  method: 'auto',
  thresholds: { ...DEFAULT_DRIFT_THRESHOLDS },
  datasetDriftShare: DEFAULT_DATASET_DRIFT_SHARE,
  comparison: 'auto',
  chunking: { by: 'rows', size: 1000 },
  threshold: run!.threshold,
  seed: 1,
  ...o,
});

async function drift(current: DriftData, o: Partial<DriftOptions> = {}): Promise<DriftReportBody> {
  const t0 = performance.now();
  const body = await computeDrift(reference, current, options(o));
  const seconds = (performance.now() - t0) / 1000;
  // the body is what a stored report holds (the envelope is the caller's)
  driftReportSchema.parse({
    ...body,
    reportId: 'r',
    createdAt: new Date(0).toISOString(),
    source: { kind: 'run', id: fx.runId, label: 'FD001' },
    current: { kind: 'file', id: 'x', label: 'x', rows: current.unit.length, units: new Set(current.unit).size, labelled: current.labels !== undefined },
  });
  (body as DriftReportBody & { seconds: number }).seconds = seconds;
  return body;
}

function print(what: string, r: DriftReportBody): void {
  const flagged = r.features.filter((f) => f.drifted);
  const worst = [...r.features].sort((a, b) => b.scores.wasserstein - a.scores.wasserstein).slice(0, 3);
  console.log(
    `${what} [${r.comparison}]: ${r.reference.rows} reference rows of ${r.reference.units} units; drifted ${flagged.length}/${r.features.length} features (share ${r.driftedShare.toFixed(3)}), dataset drift ${r.datasetDrift}; ` +
      `sensors drifted: ${r.sensors.filter((s) => s.drifted).map((s) => s.name).join(', ') || 'none'}; ` +
      `PCA error ${r.multivariate.pca.toFixed(3)} (reference ${r.multivariate.pcaReference.toFixed(3)}, upper ${r.multivariate.pcaUpper.toFixed(3)}, ${r.multivariate.components} components), ` +
      `domain AUC ${r.multivariate.domainAuc.toFixed(3)}; prediction ${r.prediction.method} ${r.prediction.score.toFixed(3)}${r.prediction.drifted ? ' (drifted)' : ''}, RUL ${r.prediction.rul?.score.toFixed(3) ?? '-'}${r.prediction.rul?.drifted === true ? ' (drifted)' : ''}; ` +
      `estimated F2 ${r.estimated.f2?.toFixed(3) ?? '-'}${r.realised === undefined ? '' : `, realised ${r.realised.f2?.toFixed(3) ?? '-'}`}; ` +
      `largest Wasserstein: ${worst.map((f) => `${f.name} ${f.scores.wasserstein.toFixed(3)}`).join(', ')}; ${(r as DriftReportBody & { seconds: number }).seconds.toFixed(1)} s`,
  );
}

const ofSensor = (name: string, sensor: string): boolean => new RegExp(`^${sensor}(_|$)`).test(name);

describe('FD001 drift on the real files', () => {
  it('(a) the run\'s held-out units of train_FD001 show no dataset drift', async () => {
    const units = heldOutUnits(train, run!.config);
    expect(units.length).toBe(30);
    for (const u of units) expect(new Set(reference.unit).has(u)).toBe(false);
    const current = currentFromRun(run!, train, { units, runToFailure: true });
    const matched = await drift(current);
    print('(a) held-out units', matched);
    const unmatched = await drift(current, { comparison: 'unmatched' });
    print('(a) held-out units', unmatched);
    expect(matched.comparison).toBe('matched');
    expect(matched.datasetDrift).toBe(false);
    expect(unmatched.datasetDrift).toBe(false);
    expect(matched.multivariate.domainDrifted).toBe(false);
    expect(matched.prediction.drifted).toBe(false);
    expect(matched.realised).toBeDefined();
    expect(matched.features.map((f) => f.name)).toEqual(run!.selected);
  });

  it('(b) test_FD001 with sensor 11 shifted by two reference standard deviations is flagged on s11\'s features and few others', async () => {
    const { table } = await parseFleetFile(fx.testFile);
    const s11 = reference.columns.find((c) => c.name === 's11')!.values;
    let mean = 0;
    for (const v of s11) mean += v;
    mean /= s11.length;
    let sd = 0;
    for (const v of s11) sd += (v - mean) ** 2;
    sd = Math.sqrt(sd / s11.length);
    const j = table.columns.findIndex((c) => c.name === 's11');
    const shifted: FleetTable = { ...table, values: table.values.map((v, k) => (k === j ? v.map((x) => x + 2 * sd) : v)) };
    const current = currentFromRun(run!, shifted);
    const r = await drift(current);
    print(`(b) test_FD001, s11 + ${(2 * sd).toFixed(3)}`, r);
    const own = r.features.filter((f) => ofSensor(f.name, 's11'));
    const others = r.features.filter((f) => !ofSensor(f.name, 's11') && f.drifted);
    console.log(`(b) s11's features: ${own.map((f) => `${f.name} ${f.method} ${f.score.toFixed(3)}${f.drifted ? ' drifted' : ''}`).join(', ')}; other features flagged: ${others.map((f) => `${f.name} ${f.score.toFixed(3)}`).join(', ') || 'none'}`);
    // an offset moves every feature of the sensor's level; slopes, spreads, differences and the distance from a unit's start do not move with it
    const level = own.filter((f) => !/_(slope|std|diff|vs_start)(_|$)/.test(f.name));
    expect(level.length).toBeGreaterThan(0);
    for (const f of level) expect(f.drifted).toBe(true);
    expect(r.sensors.filter((s) => s.drifted).map((s) => s.name)).toEqual(['s11']);
    expect(others.length).toBeLessThanOrEqual(2);
    expect(r.multivariate.domainDrifted).toBe(true);
  });

  it('(c) the official test_FD001 shows no dataset drift when life-stage matched (unmatched printed beside it)', async () => {
    const { table } = await parseFleetFile(fx.testFile);
    const current = currentFromRun(run!, table);
    const matched = await drift(current);
    print('(c) test_FD001', matched);
    const unmatched = await drift(current, { comparison: 'unmatched' });
    print('(c) test_FD001', unmatched);
    expect(matched.comparison).toBe('matched');
    expect(matched.datasetDrift).toBe(false);
    expect(matched.multivariate.domainDrifted).toBe(false);
    expect(matched.notes.join(' ')).toMatch(/cycle is their life stage/);
    // with RUL_FD001 every unit's life is known: matched by the fraction of life used, realised beside estimated
    const labelled = currentFromRun(run!, (await parseFleetFile(fx.testFile, { rulPath: fx.rulFile })).table);
    const byFraction = await drift(labelled);
    print('(c) test_FD001 with RUL_FD001', byFraction);
    expect(byFraction.datasetDrift).toBe(false);
    expect(byFraction.notes.join(' ')).toMatch(/share of life used/);
    expect(byFraction.realised).toBeDefined();
  });
});
