/**
 * pipeline.onnx against the in-app engine on synthetic fleets: every feature kind (raw, mean, std,
 * min, max, slope over two windows, EWMA, diff, cycles and share of time per operating regime), with
 * and without per-regime normalisation (given k, and detected by the default 'auto'), units
 * shorter than a window and than the sequence window, any padding values, and the shortest history
 * the contract allows.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesizeFleet } from '../../../src/main/core/data/synth';
import type { FleetTable } from '../../../src/main/core/data/table';
import { featureDefsFor, needsFullHistory } from '../../../src/main/core/export/feature-graph';
import { pipelineContract, pipelineToOnnx, type PipelineSpec } from '../../../src/main/core/export/pipeline-onnx';
import { engineerFeatures } from '../../../src/main/core/features/engineer';
import { parseTrainConfig, type TrainConfigInput } from '../../../src/main/core/pipeline/config';
import { prepareFeatures, runTrainingPipeline } from '../../../src/main/core/pipeline/train';
import { rowMaskFor, StandardScaler } from '../../../src/main/core/split';
import { maxAbsDiff, onnxCheck, pipelineFeeds, referenceScores, truncateUnits, type PipelineFeeds } from '../../helpers/onnx-fixtures';
import { tempDir } from '../../helpers/paths';
import { randomLstmWeights } from '../../helpers/onnx-reference';
import { itWith, PYTHON_ONNX } from '../../helpers/tools';

interface Setup {
  table: FleetTable;
  spec: PipelineSpec;
  session: InferenceSession;
}

/** Trains on a synthetic fleet with a hand-picked selection covering every kind, adds a random LSTM. */
async function setup(regimes: 1 | 6, pick: (names: string[]) => string[], features: TrainConfigInput['features']): Promise<Setup> {
  const table = synthesizeFleet({ units: 10, seed: 7, regimes });
  // the GBDT alone: the spec's LSTM is random weights, so the run trains neither an LSTM nor RUL models
  const base: TrainConfigInput = { seed: 7, features, rankWithGain: false, models: ['gbdt'], rul: { enabled: false }, gbdt: { nEstimators: 25, maxDepth: 4, earlyStoppingRounds: 0 } };
  const names = prepareFeatures(table, parseTrainConfig(base)).features.names;
  const manual = pick(names);
  const r = await runTrainingPipeline(table, parseTrainConfig({ ...base, manualFeatures: manual, topK: manual.length }));
  const f = engineerFeatures(table, r.featureState.spec, { state: r.featureState });
  const lstmNames = r.selected.slice(0, 6);
  const scaler = StandardScaler.fit(lstmNames, lstmNames.map((n) => f.columns[f.names.indexOf(n)]!), rowMaskFor(table, r.split.train));
  const spec: PipelineSpec = {
    featureState: r.featureState,
    gbdt: r.gbdt,
    gbdtInput: 'engineered',
    scaler: scaler.toJSON(),
    lstm: randomLstmWeights(lstmNames.length, 8, 5, 4, 9),
    window: 30,
    weight: 0.7,
  };
  return { table, spec, session: await InferenceSession.create(pipelineToOnnx(spec)) };
}

async function run(s: Setup, feeds: PipelineFeeds): Promise<{ probability: Float32Array; parts: Float32Array; features: Float32Array }> {
  const out = await s.session.run({
    history: new Tensor('float64', feeds.history, [feeds.n, feeds.T, feeds.C]),
    cycles: new Tensor('float64', feeds.cycles, [feeds.n, feeds.T]),
    valid: new Tensor('int64', feeds.valid, [feeds.n]),
  });
  return {
    probability: out.probability!.data as Float32Array,
    parts: out.parts!.data as Float32Array,
    features: out.features!.data as Float32Array,
  };
}

/** Compares the pipeline with the in-app engine on `table`; returns the share of bit-identical features. */
async function compare(s: Setup, table: FleetTable, T?: number, pad = 0): Promise<number> {
  const ref = referenceScores(table, { ...s.spec, lstmFeatures: s.spec.scaler!.names });
  const out = await run(s, pipelineFeeds(table, pipelineContract(s.spec).historyColumns, T, pad));
  const F = s.spec.gbdt.nFeatures;
  let same = 0;
  ref.features.forEach((row, k) => {
    row.forEach((want, j) => {
      const got = out.features[k * F + j]!;
      if (got === want) same++;
      else expect(Math.abs(got - want), `unit ${ref.units[k]} ${s.spec.gbdt.featureNames[j]}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want)));
    });
  });
  const gbdt = Float64Array.from({ length: ref.units.length }, (_, k) => out.parts[2 * k]!);
  const lstm = Float64Array.from({ length: ref.units.length }, (_, k) => out.parts[2 * k + 1]!);
  expect(maxAbsDiff(gbdt, ref.gbdt)).toBeLessThan(1e-5);
  expect(maxAbsDiff(lstm, ref.lstm!)).toBeLessThan(1e-5);
  expect(maxAbsDiff(out.probability, ref.probability)).toBeLessThan(1e-5);
  return same / (ref.units.length * F);
}

const LENGTHS = [1, 2, 3, 4, 7, 8, 9, 29, 30, 31, 36, 37, 38, 60];

function everyKind(names: string[], sensors: string[]): string[] {
  const out: string[] = [];
  sensors.forEach((s, i) => {
    const w = i % 2 === 0 ? 3 : 8;
    for (const suffix of ['', '_diff', '_ewma', '_vs_start', '_trend', `_mean_${w}`, `_std_${w}`, `_min_${w}`, `_max_${w}`, `_slope_${w}`]) {
      if (names.includes(s + suffix)) out.push(s + suffix);
    }
  });
  if (names.includes('cycle')) out.push('cycle');
  return out;
}

describe('pipeline.onnx with per-regime normalisation and every feature kind', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup(6, (names) => everyKind(names, ['s2', 's7', 's11', 's15']), {
      windows: [3, 8],
      include: { trend: true },
      regimeNormalisation: { enabled: true, clusters: 6, seed: 1 },
    });
  });

  it('reads settings and sensors, and needs the whole history (EWMA)', () => {
    const c = pipelineContract(s.spec);
    expect(c.historyColumns.slice(0, 3)).toEqual(['setting1', 'setting2', 'setting3']);
    expect(c.requiresFullHistory).toBe(true);
    expect(c.minHistoryRows).toBe(30 + 8 - 1);
    const kinds = new Set(s.spec.gbdt.featureNames.map((n) => (n === 'cycle' ? 'age' : n.includes('_') ? n.split('_')[1] : 'raw')));
    expect([...kinds].sort()).toEqual(['age', 'diff', 'ewma', 'max', 'mean', 'min', 'raw', 'slope', 'std', 'trend', 'vs']);
  });

  it('equals the in-app engine on full histories', async () => {
    expect(await compare(s, s.table)).toBeGreaterThan(0.99);
  });

  it.each(LENGTHS.map((l, i) => [l, i]))('equals the in-app engine on units cut to %i rows and their neighbours', async (_len, i) => {
    const cut = truncateUnits(s.table, (u) => LENGTHS[(u + i) % LENGTHS.length]!);
    expect(await compare(s, cut)).toBeGreaterThan(0.99);
  });

  itWith(PYTHON_ONNX)('passes onnx.checker.check_model(full_check=True)', () => {
    const dir = tempDir('prognos-pipeline-');
    try {
      const path = join(dir, 'pipeline.onnx');
      writeFileSync(path, pipelineToOnnx(s.spec));
      expect(onnxCheck([path])[path]).toBe('ok');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ignores the values of padding rows, NaN included', async () => {
    const cut = truncateUnits(s.table, (u) => LENGTHS[u % LENGTHS.length]!);
    const cols = pipelineContract(s.spec).historyColumns;
    const a = await run(s, pipelineFeeds(cut, cols, 70, 0));
    const b = await run(s, pipelineFeeds(cut, cols, 70, Number.NaN));
    const c = await run(s, pipelineFeeds(cut, cols, 90, 1e30));
    expect(Array.from(b.probability)).toEqual(Array.from(a.probability));
    expect(Array.from(c.features)).toEqual(Array.from(a.features));
  });
});

describe('pipeline.onnx without EWMA features', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup(1, (names) => everyKind(names, ['s3', 's4', 's9', 's12', 's21']).filter((n) => !n.endsWith('_ewma') && !n.endsWith('_vs_start') && !n.endsWith('_trend')), { windows: [3, 8] });
  });

  it('needs only the last window − 1 + longest feature window rows', async () => {
    const c = pipelineContract(s.spec);
    expect(c.requiresFullHistory).toBe(false);
    expect(c.minHistoryRows).toBe(37);
    expect(await compare(s, s.table, c.minHistoryRows)).toBeGreaterThan(0.99);
    const cut = truncateUnits(s.table, (u) => LENGTHS[u % LENGTHS.length]!);
    expect(await compare(s, cut, c.minHistoryRows)).toBeGreaterThan(0.99);
    // a batch whose units all fit in fewer rows may use a shorter time axis
    const short = truncateUnits(s.table, (u) => u + 2);
    expect(await compare(s, short, 12)).toBeGreaterThan(0.99);
  });
});

describe('pipeline.onnx with the default config on six regimes: detected regimes and the regime features', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup(6, (names) => [...everyKind(names, ['s3', 's9', 's20']), ...names.filter((n) => n.startsWith('regime'))], { windows: [3, 8], include: { trend: true } });
  });

  it('uses the six detected regimes, records the choice, and needs the whole history (regime counts)', () => {
    const state = s.spec.featureState;
    expect(state.regime?.centroids).toHaveLength(6);
    expect(state.regimeChoice).toMatchObject({ requested: { enabled: 'auto', clusters: 'auto' }, enabled: true, clusters: 6, detected: { k: 6 } });
    const names = s.spec.gbdt.featureNames;
    for (let c = 1; c <= 6; c++) expect(names).toEqual(expect.arrayContaining([`regime${c}_cycles`, `regime${c}_share`]));
    expect(pipelineContract(s.spec).requiresFullHistory).toBe(true);
    // without the EWMA (and the distance from the start, which reads it) and the trend since the start, the regime counts alone still need the whole history; the age does not
    expect(names).toEqual(expect.arrayContaining(['s3_trend', 's9_trend', 's20_trend']));
    const noEwma = names.filter((n) => !n.endsWith('_ewma') && !n.endsWith('_vs_start') && !n.endsWith('_trend'));
    expect(noEwma).toContain('cycle');
    expect(needsFullHistory(featureDefsFor(state, noEwma))).toBe(true);
    expect(needsFullHistory(featureDefsFor(state, noEwma.filter((n) => !n.startsWith('regime'))))).toBe(false);
  });

  it('equals the in-app engine on full histories', async () => {
    expect(await compare(s, s.table)).toBeGreaterThan(0.99);
  });

  it.each(LENGTHS.map((l, i) => [l, i]))('equals the in-app engine on units cut to %i rows and their neighbours', async (_len, i) => {
    const cut = truncateUnits(s.table, (u) => LENGTHS[(u + i) % LENGTHS.length]!);
    expect(await compare(s, cut)).toBeGreaterThan(0.99);
  });

  it('ignores the values of padding rows, NaN included', async () => {
    const cut = truncateUnits(s.table, (u) => LENGTHS[u % LENGTHS.length]!);
    const cols = pipelineContract(s.spec).historyColumns;
    const a = await run(s, pipelineFeeds(cut, cols, 70, 0));
    const b = await run(s, pipelineFeeds(cut, cols, 70, Number.NaN));
    expect(Array.from(b.features)).toEqual(Array.from(a.features));
  });

  itWith(PYTHON_ONNX)('passes onnx.checker.check_model(full_check=True)', () => {
    const dir = tempDir('prognos-pipeline-');
    try {
      const path = join(dir, 'pipeline.onnx');
      writeFileSync(path, pipelineToOnnx(s.spec));
      expect(onnxCheck([path])[path]).toBe('ok');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
