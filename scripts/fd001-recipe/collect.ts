/**
 * Collects, for one seed, what the FD001 recipe comparison needs: the default training pipeline
 * (GBDT + LSTM, split 70/15/15 by unit of train_FD001) and extra GBDTs on the same selected
 * features (other seeds, other depths), each scored on the validation units and on the held-out
 * test-split units (units of train_FD001 the pipeline never trained or chose on).
 *
 * The official test set is scored only when `officialPath` is given and written to its own file,
 * which the comparison never reads (see choose-fd001-recipe.ts).
 */
import { writeFileSync } from 'node:fs';
import type { FleetTable } from '../../src/main/core/data/table';
import { unitSpans } from '../../src/main/core/data/table';
import { fullWindowRows } from '../../src/main/core/eval/official';
import { engineerFeatures } from '../../src/main/core/features/engineer';
import { failWithin, rulPerRow } from '../../src/main/core/labels';
import { trainGbdt, type GbdtModel } from '../../src/main/core/models/gbdt';
import { predictRows, trainLstm, type LstmModel } from '../../src/main/core/models/lstm';
import { lstmTrainParams, type TrainConfig } from '../../src/main/core/pipeline/config';
import { gatherDataset, runTrainingPipeline } from '../../src/main/core/pipeline/train';
import { rowIndicesFor, StandardScaler } from '../../src/main/core/split';
import { buildWindows, windowEnds } from '../../src/main/core/windows';

/** Extra GBDTs trained beside the pipeline's own on the same rows and features. */
export const GBDT_VARIANTS: Record<string, (c: TrainConfig, k: number) => TrainConfig['gbdt'] & { seed: number }> = {
  // the default parameters with other seeds (row and column sampling): a bag when averaged
  seed1: (c) => ({ ...c.gbdt, seed: c.seed * 1000 + 1 }),
  seed2: (c) => ({ ...c.gbdt, seed: c.seed * 1000 + 2 }),
  seed3: (c) => ({ ...c.gbdt, seed: c.seed * 1000 + 3 }),
  seed4: (c) => ({ ...c.gbdt, seed: c.seed * 1000 + 4 }),
  // shallower trees, slower learning
  depth6: (c) => ({ ...c.gbdt, maxDepth: 6, seed: c.seed }),
  depth4: (c) => ({ ...c.gbdt, maxDepth: 4, eta: 0.05, nEstimators: 600, seed: c.seed }),
};

/** Extra LSTMs (other seeds of the initial weights, shuffles and dropout) on the same windows. */
export const LSTM_VARIANTS: Record<string, (c: TrainConfig) => number> = {
  lstmSeed1: (c) => c.seed * 1000 + 11,
  lstmSeed2: (c) => c.seed * 1000 + 12,
};

export interface Part {
  unit: number[];
  /** position of the row within its unit (0-based) and the unit's length */
  position: number[];
  length: number[];
  rul: number[];
  label: number[];
  scores: Record<string, number[]>;
}

export interface Collected {
  seed: number;
  split: { train: number[]; validation: number[]; test: number[] };
  weight: number;
  lstmBestEpoch: number;
  lstmBackend: string;
  seconds: number;
  validation: Part;
  test: Part;
}

function part(table: FleetTable, rows: Int32Array, rul: Int32Array, label: Uint8Array): Part {
  const start = new Map<number, { start: number; end: number }>();
  for (const s of unitSpans(table)) start.set(s.unit, s);
  return {
    unit: Array.from(rows, (i) => table.unit[i]!),
    position: Array.from(rows, (i) => i - start.get(table.unit[i]!)!.start),
    length: Array.from(rows, (i) => {
      const s = start.get(table.unit[i]!)!;
      return s.end - s.start;
    }),
    rul: Array.from(rows, (i) => rul[i]!),
    label: Array.from(rows, (i) => label[i]!),
    scores: {},
  };
}

function pick(columns: readonly Float32Array[], rows: Int32Array): Float32Array[] {
  return columns.map((c) => Float32Array.from(rows, (i) => c[i]!));
}

export async function collect(
  train: FleetTable,
  config: TrainConfig,
  official?: { table: FleetTable; path: string },
  log: (line: string) => void = () => {},
  lstmSeeds = false,
): Promise<Collected> {
  const started = performance.now();
  const r = await runTrainingPipeline(train, config);
  log(`seed ${config.seed}: pipeline done in ${((performance.now() - started) / 1000).toFixed(0)} s (LSTM best epoch ${r.lstm?.bestEpoch})`);
  const rul = rulPerRow(train);
  const label = failWithin(rul, config.labelWindow);
  const full = fullWindowRows(train, config.historyWindow);
  const inUnits = (units: readonly number[]): Int32Array => {
    const s = new Set(units);
    return full.filter((i) => s.has(train.unit[i]!));
  };
  const validRows = inUnits(r.split.validation);
  const testRows = inUnits(r.split.test);
  const features = engineerFeatures(train, r.featureState.spec, { state: r.featureState });
  const index = new Map(features.names.map((n, i) => [n, i]));
  const cols = r.selected.map((n) => features.columns[index.get(n)!]!);
  const validation = part(train, validRows, rul, label);
  const test = part(train, testRows, rul, label);

  const models: Record<string, GbdtModel> = { gbdt: r.gbdt };
  const trainDs = gatherDataset(cols, label, rowIndicesFor(train, r.split.train));
  const validDs = gatherDataset(cols, label, validRows);
  let positives = 0;
  for (const v of trainDs.label) positives += v;
  for (const [name, make] of Object.entries(GBDT_VARIANTS)) {
    const { scalePosWeight, ...rest } = make(config, 0);
    const spw = scalePosWeight === 'balanced' ? (trainDs.rows - positives) / positives : scalePosWeight;
    models[name] = await trainGbdt(trainDs, { ...rest, scalePosWeight: spw }, { valid: validDs, featureNames: r.selected });
    log(`seed ${config.seed}: GBDT ${name} (${models[name].trees.length} trees) at ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  const scoreGbdts = (cs: readonly Float32Array[], rows: Int32Array, into: Record<string, number[]>): void => {
    const picked = pick(cs, rows);
    for (const [name, m] of Object.entries(models)) into[name] = Array.from(m.predictProba(picked, rows.length));
  };
  scoreGbdts(cols, validRows, validation.scores);
  scoreGbdts(cols, testRows, test.scores);
  const lstm = r.lstm!;
  const scaled = StandardScaler.fromJSON(lstm.scaler).transform(cols);
  const lstms: Record<string, LstmModel> = { lstm: lstm.model };
  const ends = windowEnds(train, r.split.train, { length: config.historyWindow, stride: config.sequenceStride });
  const trainWindows = { ...buildWindows(scaled, train, ends.rows, config.historyWindow), labels: Array.from(ends.rows, (i) => label[i]!) };
  const validWindows = { ...buildWindows(scaled, train, validRows, config.historyWindow), labels: validDs.label };
  for (const [name, seedOf] of lstmSeeds ? Object.entries(LSTM_VARIANTS) : []) {
    const t = await trainLstm(trainWindows, validWindows, { ...lstmTrainParams(config), seed: seedOf(config) });
    lstms[name] = t.model;
    log(`seed ${config.seed}: LSTM ${name} (best epoch ${t.bestEpoch}) at ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  const scoreLstms = (s: readonly Float32Array[], table: FleetTable, rows: Int32Array, into: Record<string, number[]>): void => {
    for (const [name, m] of Object.entries(lstms)) into[name] = Array.from(predictRows(m, s, table, rows, {}).prob);
  };
  scoreLstms(scaled, train, validRows, validation.scores);
  scoreLstms(scaled, train, testRows, test.scores);

  if (official !== undefined) {
    const t = official.table;
    const f = engineerFeatures(t, r.featureState.spec, { state: r.featureState });
    const ix = new Map(f.names.map((n, i) => [n, i]));
    const oc = r.selected.map((n) => f.columns[ix.get(n)!]!);
    const rows = fullWindowRows(t, config.historyWindow);
    const scores: Record<string, number[]> = {};
    scoreGbdts(oc, rows, scores);
    scoreLstms(StandardScaler.fromJSON(lstm.scaler).transform(oc), t, rows, scores);
    writeFileSync(official.path, JSON.stringify({ seed: config.seed, rows: Array.from(rows), scores }));
  }
  return {
    seed: config.seed,
    split: { train: r.split.train, validation: r.split.validation, test: r.split.test },
    weight: r.weight,
    lstmBestEpoch: lstm.bestEpoch,
    lstmBackend: lstm.backend,
    seconds: (performance.now() - started) / 1000,
    validation,
    test,
  };
}
