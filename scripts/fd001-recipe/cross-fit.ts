/**
 * Adds, to a collected seed, the failure classifier cross-fitted over the training and validation
 * units (`src/main/core/rul/cross-fit.ts`): K folds of units, K GBDTs with the pipeline's parameters
 * on its selected features, each stopping early on its own held-out fold's full-window rows, averaged
 * in log-odds into one tree ensemble. The validation rows are scored out of fold (by the model that
 * did not see their unit), so the blend with the LSTM, its threshold and the calibration are still
 * fitted on scores of unseen units; the test-split rows (and the official rows) by the averaged model.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { FleetTable } from '../../src/main/core/data/table';
import { unitSpans } from '../../src/main/core/data/table';
import { fullWindowRows } from '../../src/main/core/eval/official';
import { engineerFeatures } from '../../src/main/core/features/engineer';
import { failWithin, rulPerRow } from '../../src/main/core/labels';
import type { TrainConfig } from '../../src/main/core/pipeline/config';
import { runTrainingPipeline } from '../../src/main/core/pipeline/train';
import { crossFitClassifier, unitFolds } from '../../src/main/core/rul/cross-fit';
import type { Collected } from './collect';

export const CROSS_FIT_FOLDS = [5] as const;

export async function addCrossFit(
  train: FleetTable,
  config: TrainConfig,
  file: string,
  official?: { table: FleetTable; file: string },
  log: (line: string) => void = () => {},
): Promise<void> {
  const c = JSON.parse(readFileSync(file, 'utf8')) as Collected;
  if (CROSS_FIT_FOLDS.every((k) => c.validation.scores[`cf${k}`] !== undefined)) return;
  const r = await runTrainingPipeline(train, { ...config, models: ['gbdt'], rul: { ...config.rul, enabled: false } });
  if (JSON.stringify(r.split.validation) !== JSON.stringify(c.split.validation)) throw new Error(`seed ${config.seed}: the split differs from the collected one`);
  const label = failWithin(rulPerRow(train), config.labelWindow);
  const full = fullWindowRows(train, config.historyWindow);
  const inUnits = (units: readonly number[]): Int32Array => {
    const s = new Set(units);
    return full.filter((i) => s.has(train.unit[i]!));
  };
  const validRows = inUnits(r.split.validation);
  const testRows = inUnits(r.split.test);
  const units = [...r.split.train, ...r.split.validation];
  const unitSet = new Set(units);
  const fitRows: number[] = [];
  for (const s of unitSpans(train)) if (unitSet.has(s.unit)) for (let i = s.start; i < s.end; i++) fitRows.push(i);
  const features = engineerFeatures(train, r.featureState.spec, { state: r.featureState });
  const index = new Map(features.names.map((n, i) => [n, i]));
  const cols = r.selected.map((n) => features.columns[index.get(n)!]!);
  const pick = (cs: readonly Float32Array[], rows: Int32Array): Float32Array[] => cs.map((col) => Float32Array.from(rows, (i) => col[i]!));
  let o: { rows: number[]; scores: Record<string, number[]> } | undefined;
  let officialCols: Float32Array[] | undefined;
  if (official !== undefined) {
    const f = engineerFeatures(official.table, r.featureState.spec, { state: r.featureState });
    const ix = new Map(f.names.map((n, i) => [n, i]));
    officialCols = r.selected.map((n) => f.columns[ix.get(n)!]!);
    o = JSON.parse(readFileSync(official.file, 'utf8')) as { rows: number[]; scores: Record<string, number[]> };
  }
  const { scalePosWeight, ...rest } = config.gbdt;
  if (scalePosWeight !== 1) throw new Error('the cross-fitting comparison assumes scalePosWeight 1 (the default)');
  for (const k of CROSS_FIT_FOLDS) {
    const name = `cf${k}`;
    if (c.validation.scores[name] !== undefined) continue;
    const cf = await crossFitClassifier({
      table: train,
      columns: cols,
      names: r.selected,
      target: label,
      fitRows: Int32Array.from(fitRows),
      stopRows: inUnits(units),
      folds: unitFolds(units, k, config.seed),
      params: rest,
      seed: config.seed,
    });
    c.validation.scores[name] = Array.from(cf.outOfFold(validRows));
    c.test.scores[name] = Array.from(cf.model.predictProba(pick(cols, testRows), testRows.length));
    if (o !== undefined) {
      const rows = Int32Array.from(o.rows);
      o.scores[name] = Array.from(cf.model.predictProba(pick(officialCols!, rows), rows.length));
    }
    log(`seed ${config.seed}: classifier cross-fitted in ${k} folds (trees ${cf.members.map((m) => m.trees.length).join('/')})`);
  }
  writeFileSync(file, JSON.stringify(c));
  if (o !== undefined) writeFileSync(official!.file, JSON.stringify(o));
}
