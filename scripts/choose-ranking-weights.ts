/**
 * Chooses the weight of the GBDT gain in the feature ranking (`rankingWeights.gain`; the five
 * prognostic metrics keep weight 1) by k-fold cross-validation by unit over the FD001 *training*
 * units (train_FD001.txt). The official test set (test_FD001 / RUL_FD001) is never read.
 *
 *   npx vite-node scripts/choose-ranking-weights.ts [--folds 5] [--repeats 2] [--gains 0,1,3,10,30,100] [--trees 185] [--seed 1]
 *
 * Per fold, the held-out units are scored by a GBDT built exactly as the training pipeline builds it,
 * on the other units only: those are split again by unit (85 % inner training, 15 % inner validation);
 * features are fitted, ranked (with a quick 30-tree GBDT's gain) and the top 40 selected on the inner
 * training units; the GBDT (default parameters) stops early on the inner validation units, whose
 * rows also give the F2-tuned threshold. The held-out fold is scored on its full-window rows (30 cycles
 * of history, as in the pipeline): F2 at that threshold and ROC-AUC. The pick is the candidate with the
 * highest mean held-out F2 (ROC-AUC breaks a tie). `--repeats` repeats the k folds with other unit
 * shuffles (seed, seed + 1, …); means and standard deviations are over all folds of all repeats.
 * GBDT only, to keep the run affordable: 60 fits by default, about 3–4 s each on a quiet machine
 * (17 minutes on two cores shared with other heavy jobs).
 */
import { join, resolve } from 'node:path';
import { parseFleetFile } from '../src/main/core/data/import-file';
import { unitSpans } from '../src/main/core/data/table';
import { fullWindowRows } from '../src/main/core/eval/official';
import { computeMetrics, rocAuc, tuneThreshold } from '../src/main/core/eval/metrics';
import { selectTop } from '../src/main/core/features/ranking';
import { engineerFeatures } from '../src/main/core/features/engineer';
import { failWithin, rulPerRow } from '../src/main/core/labels';
import { trainGbdt } from '../src/main/core/models/gbdt';
import { parseTrainConfig, type TrainConfig } from '../src/main/core/pipeline/config';
import { gatherDataset, rankPrepared, type PreparedFeatures } from '../src/main/core/pipeline/train';
import { createRng, rowIndicesFor, rowMaskFor, shuffleInPlace, splitUnits } from '../src/main/core/split';

const CMAPSS = resolve(__dirname, '..', '..', 'shared', 'data', 'cmapss');

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  return v ?? fallback;
}

function positiveInt(name: string, fallback: number): number {
  const raw = option(name, String(fallback));
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: expected a positive integer, got "${raw}"`);
  return n;
}

const folds = positiveInt('folds', 5);
const seed = positiveInt('seed', 1);
const repeats = positiveInt('repeats', 2);
const trees = positiveInt('trees', 185);
const gains = option('gains', '0,1,3,10,30,100')
  .split(',')
  .map((s) => {
    const n = Number(s);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--gains: expected numbers ≥ 0, got "${s}"`);
    return n;
  });

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: readonly number[]): number => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
};

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const started = performance.now();
  const { table } = await parseFleetFile(join(CMAPSS, 'train_FD001.txt'));
  const units = unitSpans(table).map((s) => s.unit);
  const base: TrainConfig = parseTrainConfig({ seed, models: ['gbdt'], gbdt: { nEstimators: trees } });
  const rul = rulPerRow(table);
  const label = failWithin(rul, base.labelWindow);
  const windowRows = fullWindowRows(table, base.historyWindow);
  log(
    `FD001 training units: ${units.length}, ${folds} folds by unit × ${repeats} shuffles, seed ${seed}, GBDT ${trees} trees (early stopping on inner validation), candidates gain = ${gains.join(', ')}`,
  );

  const scores = new Map<number, { f2: number[]; auc: number[] }>(gains.map((g) => [g, { f2: [], auc: [] }]));
  for (let r = 0; r < repeats; r++) {
    const shuffled = shuffleInPlace([...units], createRng(seed + r));
    for (let k = 0; k < folds; k++) {
      const heldOut = new Set(shuffled.filter((_, i) => i % folds === k));
      const rest = units.filter((u) => !heldOut.has(u));
      const inner = splitUnits(rest, { train: 0.85, validation: 0.15, test: 0, seed: seed + 100 * r + k });
      const trainMask = rowMaskFor(table, inner.train);
      const features = engineerFeatures(table, base.features, { fitRows: trainMask });
      const prepared: PreparedFeatures = { rul, label, split: { ...inner, test: [...heldOut] }, trainMask, features };
      const validSet = new Set(inner.validation);
      const trainRows = rowIndicesFor(table, inner.train);
      const validRows = windowRows.filter((i) => validSet.has(table.unit[i]!));
      const heldRows = windowRows.filter((i) => heldOut.has(table.unit[i]!));
      const index = new Map(features.names.map((n, i) => [n, i]));
      for (const gain of gains) {
        const config: TrainConfig = { ...base, rankingWeights: { ...base.rankingWeights, gain } };
        const ranking = await rankPrepared(prepared, table, config);
        const selected = selectTop(ranking, config.topK);
        const cols = selected.map((n) => features.columns[index.get(n)!]!);
        const train = gatherDataset(cols, label, trainRows);
        const valid = gatherDataset(cols, label, validRows);
        const held = gatherDataset(cols, label, heldRows);
        let positives = 0;
        for (const v of train.label) positives += v;
        const { scalePosWeight, ...rest } = config.gbdt;
        const spw = scalePosWeight === 'balanced' ? (train.rows - positives) / positives : scalePosWeight;
        const model = await trainGbdt(train, { ...rest, scalePosWeight: spw, seed }, { valid, featureNames: selected });
        const threshold = tuneThreshold(model.predictProba(valid.columns, valid.rows), valid.label, 2);
        const p = model.predictProba(held.columns, held.rows);
        const f2 = computeMetrics(p, held.label, threshold).f2 ?? 0;
        const auc = rocAuc(p, held.label) ?? 0;
        scores.get(gain)!.f2.push(f2);
        scores.get(gain)!.auc.push(auc);
        log(
          `repeat ${r + 1} fold ${k + 1}/${folds} (${heldOut.size} held-out units, ${held.rows} rows) gain ${gain}: F2 ${f2.toFixed(4)} ROC-AUC ${auc.toFixed(4)} (${((performance.now() - started) / 1000).toFixed(0)} s)`,
        );
      }
    }
  }

  const rows = gains.map((g) => {
    const s = scores.get(g)!;
    return { gain: g, f2: mean(s.f2), f2Sd: sd(s.f2), auc: mean(s.auc), aucSd: sd(s.auc) };
  });
  const best = [...rows].sort((a, b) => b.f2 - a.f2 || b.auc - a.auc)[0]!;
  log('');
  log('| gain weight | mean held-out F2 (sd) | mean held-out ROC-AUC (sd) |');
  log('| --- | --- | --- |');
  for (const r of rows) {
    log(
      `| ${r.gain}${r === best ? ' (chosen)' : ''} | ${r.f2.toFixed(3)} (${r.f2Sd.toFixed(3)}) | ${r.auc.toFixed(4)} (${r.aucSd.toFixed(4)}) |`,
    );
  }
  log(`\nchosen: gain ${best.gain} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
