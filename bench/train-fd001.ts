/**
 * `npm run bench -- train-fd001`: a whole training run of the default config on train_FD001, stage by
 * stage, beside the same stages in the Python stack (bench/python/train_fd001.py: pandas, xgboost,
 * PyTorch, numpy/scipy), in the same run on the same machine.
 *
 * Ours is `prognos train --dataset train_FD001.txt --json` (the built CLI, a fresh store, no config
 * file): its stage times are the ones the training worker records in the run (`timings`). The
 * reference then trains on the run's own split units and selected features, its two LSTMs run as
 * many epochs as ours did and each of its xgboost models (the classifier, each RUL member) trains as
 * many boosting rounds as the corresponding model of ours did (each side's early stopping would
 * otherwise decide the work), so each stage does the same work on both sides. Our rounds are read
 * from the run's saved outcome: a model that stopped early trained its kept trees plus the
 * early-stopping patience (the rounds without improvement that ended it), at most nEstimators. PyTorch runs at the faster of 1 and 2 threads (probed on a few
 * batches first, outside the timed stages); xgboost on 2 threads with passive OpenMP waiting.
 *
 * PROGNOS_BENCH_TRAIN_JSON=FILE keeps our run's `train --json` output (metrics, timings) in FILE.
 *
 * Figures: `train-fd001` (the sum of the stages) and `train-fd001-STAGE` for features, ranking,
 * gbdt, lstm, rul-gbdt, rul-lstm, calibration and evaluate; `train-fd001-gbdt-round` and
 * `train-fd001-rul-gbdt-round`: the stage's time per boosting round trained (ms), with xgboost's
 * xgb.train call alone per round and where its own early stopping would have stopped in the note;
 * ratio = ours / reference.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ExperimentStore } from '../src/main/core/store/store';
import { OUTCOME_ARTIFACT } from '../src/main/core/pipeline/saved-run';
import { parseTrainConfig } from '../src/main/core/pipeline/config';
import { engineeredSpec, trendsForRulOnly } from '../src/main/core/pipeline/train';
import type { Benchmark, Figure } from './figures';
import { PYTHON, pythonHas } from './python';

const ROOT = resolve(__dirname, '..');
const CMAPSS = resolve(ROOT, '..', 'shared', 'data', 'cmapss');
const SCRIPT = resolve(__dirname, 'python', 'train_fd001.py');

/** the stages in run order: the key in a run's `timings` (without `Seconds`), the figure's suffix */
const STAGES = [
  ['features', 'features'],
  ['ranking', 'ranking'],
  ['gbdt', 'gbdt'],
  ['lstm', 'lstm'],
  ['rulGbdt', 'rul-gbdt'],
  ['rulLstm', 'rul-lstm'],
  ['calibration', 'calibration'],
  ['evaluate', 'evaluate'],
] as const;

interface TrainJson {
  runId: string;
  timings: Record<string, number>;
  backend: string;
  selectedFeatures: string[];
}

interface Outcome {
  split: { train: number[]; validation: number[]; test: number[] };
  selected: string[];
  bestIteration: number;
  lstm?: { history: unknown[]; members?: { epochs: number }[]; threads: number; backend: string };
  rul?: { lstm?: { history: unknown[]; members?: { epochs: number }[] }; gbdtMembers: number[]; features?: string[] };
}

/** one tree model's boosting rounds: trained, and kept after early stopping */
interface Rounds {
  trained: number;
  kept: number;
}

/** the reference's account of one xgboost model */
interface RefTrees {
  rounds: number;
  kept: number;
  /** the xgb.train call alone, over its rounds */
  secondsPerRound: number;
  /** trees xgboost's own early stopping would have kept */
  ownEarlyStop: number;
}

interface Reference {
  versions: Record<string, string>;
  stages: Record<string, number>;
  info: { torchThreads: number; threadProbe?: Record<string, number>; gbdt: RefTrees; rulGbdt: RefTrees[]; topOverlap: number; features: number; calibration: string };
}

/** The rounds a model of ours trained from the trees it kept: early stopping ends `patience` rounds after the best one. */
function roundsOf(kept: number, params: { nEstimators: number; earlyStoppingRounds: number }): Rounds {
  return { trained: params.earlyStoppingRounds > 0 ? Math.min(kept + params.earlyStoppingRounds, params.nEstimators) : params.nEstimators, kept };
}

/** the rounds of our classifier and of each RUL member */
function roundsOfRun(outcome: Outcome): { gbdt: Rounds; rul: Rounds[] } {
  const config = parseTrainConfig({});
  return { gbdt: roundsOf(outcome.bestIteration + 1, config.gbdt), rul: (outcome.rul?.gbdtMembers ?? []).map((kept) => roundsOf(kept, config.rul.gbdt)) };
}

function trainWithCli(store: string): { train: TrainJson; outcome: Outcome; wallSeconds: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'prognos.js'), 'train', '--dataset', join(CMAPSS, 'train_FD001.txt'), '--store', store, '--json'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallSeconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`prognos train exited with ${r.status ?? r.signal}: ${r.stderr}`);
  const train = JSON.parse(r.stdout) as TrainJson;
  // the run's whole `train --json` document, for comparing a run's results before and after a change
  const keep = process.env.PROGNOS_BENCH_TRAIN_JSON;
  if (keep !== undefined && keep !== '') writeFileSync(keep, r.stdout);
  const s = ExperimentStore.open(store, { sweepIntervalMs: 0 });
  try {
    const art = s.getArtifact(train.runId, OUTCOME_ARTIFACT);
    if (art === undefined) throw new Error(`run ${train.runId} has no ${OUTCOME_ARTIFACT}`);
    return { train, outcome: JSON.parse(art.data.toString('utf8')) as Outcome, wallSeconds };
  } finally {
    s.close();
  }
}

function runReference(outcome: Outcome): Reference {
  const config = parseTrainConfig({});
  if (config.rul.folds !== 0) throw new Error(`the reference trains the RUL trees by seeds, not cross-fitted (rul.folds ${config.rul.folds})`);
  const rounds = roundsOfRun(outcome);
  const request = {
    file: join(CMAPSS, 'train_FD001.txt'),
    seed: config.seed,
    split: outcome.split,
    selected: outcome.selected,
    // the RUL trees' own features (the classifier's in runs made before they had their own)
    rulSelected: outcome.rul?.features ?? outcome.selected,
    labelWindow: config.labelWindow,
    historyWindow: config.historyWindow,
    topK: config.topK,
    // the spec the pipeline engineers (with the trends for the RUL trees), and the features it does not rank
    featureSpec: engineeredSpec(config),
    rulOnly: trendsForRulOnly(config) ? (outcome.rul?.features ?? []).filter((n) => n.endsWith('_trend')) : [],
    ranking: { weights: config.rankingWeights, bins: 16, resampleLength: 100 },
    gbdt: config.gbdt,
    lstm: config.lstm,
    rul: config.rul,
    // epochs of each network the LSTM and the RUL head average (runs from before members had one)
    lstmEpochs: outcome.lstm === undefined ? [] : (outcome.lstm.members ?? [{ epochs: outcome.lstm.history.length }]).map((m) => m.epochs),
    rulLstmEpochs: outcome.rul?.lstm === undefined ? [] : (outcome.rul.lstm.members ?? [{ epochs: outcome.rul.lstm.history.length }]).map((m) => m.epochs),
    gbdtRounds: rounds.gbdt,
    rulRounds: rounds.rul,
    xgbThreads: 2,
    torchThreads: process.env.PROGNOS_BENCH_TORCH_THREADS ?? 'auto',
  };
  const r = spawnSync(PYTHON, [SCRIPT, JSON.stringify(request)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // OpenMP threads spin while they wait by default, which on a shared machine makes xgboost many times slower
    env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' },
  });
  if (r.status !== 0) throw new Error(`the Python reference failed: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Reference;
}

export const trainFd001: Benchmark = {
  name: 'train-fd001',
  run: () => {
    const store = mkdtempSync(join(tmpdir(), 'prognos-train-bench-'));
    try {
      const { train, outcome, wallSeconds } = trainWithCli(store);
      const ours = (key: string): number => train.timings[`${key}Seconds`] ?? 0;
      const missing = STAGES.filter(([key]) => train.timings[`${key}Seconds`] === undefined).map(([key]) => key);
      if (missing.length > 0) throw new Error(`the run recorded no time for ${missing.join(', ')} (timings: ${Object.keys(train.timings).join(', ')})`);
      const total = STAGES.reduce((s, [key]) => s + ours(key), 0);
      // epochs of each network the LSTM and the RUL head average
      const classEpochs = outcome.lstm === undefined ? '0' : (outcome.lstm.members ?? [{ epochs: outcome.lstm.history.length }]).map((m) => m.epochs).join('/');
      const rulEpochs = outcome.rul?.lstm === undefined ? '0' : (outcome.rul.lstm.members ?? [{ epochs: outcome.rul.lstm.history.length }]).map((m) => m.epochs).join('/');
      const rounds = roundsOfRun(outcome);
      const oursNote = `prognos train, default config, seed ${parseTrainConfig({}).seed}: GBDT ${rounds.gbdt.trained} rounds (${rounds.gbdt.kept} trees kept), RUL ${rounds.rul.map((r) => r.trained).join('/')} rounds (${rounds.rul.map((r) => r.kept).join('/')} kept), LSTM ${classEpochs} + RUL head ${rulEpochs} epochs on ${outcome.lstm?.backend ?? '—'} (${outcome.lstm?.threads ?? 0} threads)`;
      let ref: Reference | undefined;
      if (pythonHas('pandas') && pythonHas('xgboost') && pythonHas('torch') && pythonHas('scipy')) {
        ref = runReference(outcome);
      } else {
        console.error(`bench train-fd001: no reference (${PYTHON} needs pandas, xgboost, torch and scipy)`);
      }
      const refName = ref === undefined ? '' : `pandas ${ref.versions.pandas} + xgboost ${ref.versions.xgboost} + torch ${ref.versions.torch}`;
      const refTotal = ref === undefined ? 0 : STAGES.reduce((s, [key]) => s + (ref.stages[key] ?? 0), 0);
      const probe = ref?.info.threadProbe === undefined ? '' : ` (probe: ${Object.entries(ref.info.threadProbe).map(([t, s]) => `${t} thread${t === '1' ? '' : 's'} ${(s * 1000).toFixed(0)} ms/batch`).join(', ')})`;
      const refNote =
        ref === undefined
          ? ''
          : `; reference: torch on ${ref.info.torchThreads} thread${ref.info.torchThreads === 1 ? '' : 's'}${probe}, same epochs, xgboost the same rounds and kept trees (its own early stopping would keep ${ref.info.gbdt.ownEarlyStop} and RUL ${ref.info.rulGbdt.map((m) => m.ownEarlyStop).join('/')}), calibration ${ref.info.calibration}, its own top 40 shares ${ref.info.topOverlap} with ours`;
      const figures: Figure[] = [
        {
          name: 'train-fd001',
          value: total,
          unit: 's',
          ...(ref === undefined ? {} : { reference: { name: refName, value: refTotal, unit: 's' }, ratio: total / refTotal }),
          note: `sum of the stages; ${oursNote}; whole CLI ${wallSeconds.toFixed(1)} s${refNote}; target ratio ≤ 1.0`,
        },
      ];
      for (const [key, suffix] of STAGES) {
        const value = ours(key);
        const refValue = ref?.stages[key];
        figures.push({
          name: `train-fd001-${suffix}`,
          value,
          unit: 's',
          ...(refValue === undefined ? {} : { reference: { name: 'reference', value: refValue, unit: 's' }, ratio: value / refValue }),
        });
      }
      // per boosting round: the stage over the rounds it trained (the same rounds on both sides)
      const perRound = (name: string, key: string, trained: number, refTrees: RefTrees[] | undefined): void => {
        if (trained === 0) return;
        const value = (ours(key) / trained) * 1000;
        const refValue = ref === undefined ? undefined : ((ref.stages[key] ?? 0) / trained) * 1000;
        const alone = refTrees === undefined ? '' : `; xgb.train alone ${refTrees.map((m) => `${(m.secondsPerRound * 1000).toFixed(2)}`).join('/')} ms per round`;
        figures.push({
          name,
          value,
          unit: 'ms/round',
          ...(refValue === undefined ? {} : { reference: { name: 'reference', value: refValue, unit: 'ms/round' }, ratio: value / refValue }),
          note: `${trained} rounds${alone}`,
        });
      };
      perRound('train-fd001-gbdt-round', 'gbdt', rounds.gbdt.trained, ref === undefined ? undefined : [ref.info.gbdt]);
      perRound('train-fd001-rul-gbdt-round', 'rulGbdt', rounds.rul.reduce((s, r) => s + r.trained, 0), ref?.info.rulGbdt);
      return Promise.resolve(figures);
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
  },
};
