/**
 * `gbdt-train`: wall time of trainGbdt against python3-xgboost's hist trainer on the same float32
 * matrix (15 000 × 40 by default), the same thread count (2) and the same parameters (185 trees,
 * depth 8, eta 0.1, subsample and colsample 0.8, max_bin 256, no early stopping). Each side is
 * timed `repeats` times, interleaved, and the medians are reported; XGBoost's time covers DMatrix
 * construction and training, ours covers binning, helper-thread start-up and training.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainGbdt, type GbdtDataset, type GbdtParams } from '../../src/main/core/models/gbdt';
import { makeSyntheticMatrix, writeMatrix } from './matrix';
import { OMP_POLICIES, runXgbReference, type OmpPolicy } from './xgboost-reference';

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  reference?: { name: string; value: number; unit: string };
  note?: string;
}

export interface GbdtBenchOptions {
  rows?: number;
  features?: number;
  threads?: number;
  /** Timed repetitions of each trainer; the median is reported (default 3). */
  repeats?: number;
  seed?: number;
  /** A given matrix (e.g. FD001's selected features) instead of the synthetic one. */
  data?: GbdtDataset;
  /** Shown in the figure's note. */
  label?: string;
}

export const GBDT_BENCH_PARAMS: Omit<GbdtParams, 'nThreads'> = {
  objective: 'binary:logistic',
  nEstimators: 185,
  maxDepth: 8,
  eta: 0.1,
  minChildWeight: 1,
  lambda: 1,
  alpha: 0,
  gamma: 0,
  subsample: 0.8,
  colsampleBytree: 0.8,
  maxBin: 256,
  scalePosWeight: 1,
  earlyStoppingRounds: 0,
  seed: 0,
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function benchGbdtTrain(o: GbdtBenchOptions = {}): Promise<BenchFigure[]> {
  const threads = o.threads ?? 2;
  const repeats = o.repeats ?? 3;
  const data = o.data ?? makeSyntheticMatrix({ rows: o.rows ?? 15_000, features: o.features ?? 40, seed: o.seed ?? 7 });
  const { rows, features } = data;
  const params: GbdtParams = { ...GBDT_BENCH_PARAMS, nThreads: threads };
  const dir = await mkdtemp(join(tmpdir(), 'prognos-bench-gbdt-'));
  try {
    const base = join(dir, 'train');
    await writeMatrix(data, base);
    const ours: number[] = [];
    const theirs = new Map<OmpPolicy, number[]>(OMP_POLICIES.map((policy) => [policy, []]));
    let version = '';
    // interleaved so that a noisy machine penalises both trainers alike
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      await trainGbdt(data, params);
      ours.push((performance.now() - t0) / 1000);
      for (const policy of OMP_POLICIES) {
        const ref = runXgbReference({ train: base, rows, features, params }, policy);
        theirs.get(policy)!.push(...ref.seconds);
        version = ref.version;
      }
    }
    const [policy, seconds] = [...theirs.entries()]
      .map(([k, v]) => [k, median(v)] as const)
      .reduce((a, b) => (b[1] < a[1] ? b : a));
    return [
      {
        name: 'gbdt-train',
        value: median(ours),
        unit: 's',
        reference: { name: `xgboost ${version} hist (OMP_WAIT_POLICY=${policy})`, value: seconds, unit: 's' },
        note: `${o.label ?? 'synthetic matrix'}: ${rows.toLocaleString('en-US')} × ${features}, 185 trees, depth 8, ${threads} threads, median of ${repeats}`,
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
