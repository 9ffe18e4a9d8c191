/**
 * Adds, to a collected seed, GBDTs trained for other label windows (failure within W cycles, W ≠ 30)
 * on the same split, rows and selected features as the pipeline's GBDT; each stops early on the
 * validation units' labels for its own W. Averaged in log-odds with the W = 30 model they score how
 * close to failure a row is on a few scales around the boundary.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { FleetTable } from '../../src/main/core/data/table';
import { fullWindowRows } from '../../src/main/core/eval/official';
import { engineerFeatures } from '../../src/main/core/features/engineer';
import { failWithin, rulPerRow } from '../../src/main/core/labels';
import { trainGbdt } from '../../src/main/core/models/gbdt';
import type { TrainConfig } from '../../src/main/core/pipeline/config';
import { gatherDataset, runTrainingPipeline } from '../../src/main/core/pipeline/train';
import { rowIndicesFor } from '../../src/main/core/split';
import type { Collected } from './collect';

export const LABEL_WINDOWS = [20, 25, 35, 40] as const;

export async function addLabelWindows(
  train: FleetTable,
  config: TrainConfig,
  file: string,
  official?: { table: FleetTable; file: string },
  log: (line: string) => void = () => {},
  regression = false,
): Promise<void> {
  const c = JSON.parse(readFileSync(file, 'utf8')) as Collected;
  if (LABEL_WINDOWS.every((w) => c.validation.scores[`w${w}`] !== undefined) && (!regression || c.validation.scores.rulReg !== undefined)) return;
  const r = await runTrainingPipeline(train, { ...config, models: ['gbdt'] });
  if (JSON.stringify(r.split.validation) !== JSON.stringify(c.split.validation)) throw new Error(`seed ${config.seed}: the split differs from the collected one`);
  const rul = rulPerRow(train);
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
  let officialCols: Float32Array[] | undefined;
  let officialRows: Int32Array | undefined;
  let o: { rows: number[]; scores: Record<string, number[]> } | undefined;
  if (official !== undefined) {
    const f = engineerFeatures(official.table, r.featureState.spec, { state: r.featureState });
    const ix = new Map(f.names.map((n, i) => [n, i]));
    officialCols = r.selected.map((n) => f.columns[ix.get(n)!]!);
    o = JSON.parse(readFileSync(official.file, 'utf8')) as { rows: number[]; scores: Record<string, number[]> };
    officialRows = Int32Array.from(o.rows);
  }
  const pick = (cs: readonly Float32Array[], rows: Int32Array): Float32Array[] => cs.map((col) => Float32Array.from(rows, (i) => col[i]!));
  for (const w of LABEL_WINDOWS) {
    if (c.validation.scores[`w${w}`] !== undefined) continue;
    const label = failWithin(rul, w);
    const trainDs = gatherDataset(cols, label, rowIndicesFor(train, r.split.train));
    const validDs = gatherDataset(cols, label, validRows);
    const { scalePosWeight, ...rest } = config.gbdt;
    let positives = 0;
    for (const v of trainDs.label) positives += v;
    const spw = scalePosWeight === 'balanced' ? (trainDs.rows - positives) / positives : scalePosWeight;
    const m = await trainGbdt(trainDs, { ...rest, scalePosWeight: spw, seed: config.seed }, { valid: validDs, featureNames: r.selected });
    c.validation.scores[`w${w}`] = Array.from(m.predictProba(validDs.columns, validDs.rows));
    c.test.scores[`w${w}`] = Array.from(m.predictProba(pick(cols, testRows), testRows.length));
    if (o !== undefined) o.scores[`w${w}`] = Array.from(m.predictProba(pick(officialCols!, officialRows!), officialRows!.length));
    log(`seed ${config.seed}: GBDT for W = ${w} (${m.trees.length} trees)`);
  }
  if (regression) {
    // GBDT regression on RUL capped at 125 (reg:squarederror, early stopping on validation RMSE);
    // stored as σ((30 − predicted RUL) / 5), a monotone map, so it can sit beside the classifiers
    const target = (rows: Int32Array): Float32Array => Float32Array.from(rows, (i) => Math.min(125, rul[i]!));
    const label = failWithin(rul, config.labelWindow);
    const trainRows = rowIndicesFor(train, r.split.train);
    const trainDs = { ...gatherDataset(cols, label, trainRows), target: target(trainRows) };
    const validDs = { ...gatherDataset(cols, label, validRows), target: target(validRows) };
    const { scalePosWeight: _ignored, ...rest } = config.gbdt;
    const m = await trainGbdt(trainDs, { ...rest, objective: 'reg:squarederror', seed: config.seed }, { valid: validDs, featureNames: r.selected });
    const asScore = (v: Float64Array): number[] => Array.from(v, (x) => 1 / (1 + Math.exp(-(30 - x) / 5)));
    c.validation.scores.rulReg = asScore(m.predictValue(validDs.columns, validDs.rows));
    c.test.scores.rulReg = asScore(m.predictValue(pick(cols, testRows), testRows.length));
    if (o !== undefined) o.scores.rulReg = asScore(m.predictValue(pick(officialCols!, officialRows!), officialRows!.length));
    log(`seed ${config.seed}: GBDT regression on capped RUL (${m.trees.length} trees)`);
  }
  writeFileSync(file, JSON.stringify(c));
  if (o !== undefined) writeFileSync(official!.file, JSON.stringify(o));
}
