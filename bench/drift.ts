/**
 * drift: every univariate drift method (PSI, KS + p-value, Wasserstein, Jensen–Shannon, Hellinger) for
 * 40 columns of 1,000,000 current rows against the FD001 reference, beside scipy.stats (ks_2samp,
 * wasserstein_distance) on the same arrays in the same run.
 *
 * Reference: the training units' rows of train_FD001 with the default run's 40 selected engineered
 * features (default config: features, ranking and top-40 selection as training does). Current:
 * 1,000,000 rows drawn from those reference rows (seeded), each value with noise of 0.1 reference std,
 * and every fourth column shifted by 0.5 reference std. Both sides are float32, as stored.
 *
 * Prognos runs on one thread (no worker threads). Each figure is the best of 3 runs, for both tools.
 * The results are checked against scipy's before any time is printed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseFleetFile } from '../src/main/core/data/import-file';
import { Rng } from '../src/main/core/data/prng';
import { unitSpans } from '../src/main/core/data/table';
import {
  binShares,
  driftScores,
  hellingerFromShares,
  jensenShannonFromShares,
  ksPValue,
  ksStatistic,
  psiFromShares,
  referenceQuantileEdges,
  sortedSample,
  wasserstein1,
  WASSERSTEIN_STD_FLOOR,
  type SortedSample,
} from '../src/main/core/drift/stats';
import { selectTop } from '../src/main/core/features/ranking';
import { parseTrainConfig } from '../src/main/core/pipeline/config';
import { prepareFeatures, rankPrepared } from '../src/main/core/pipeline/train';
import type { Benchmark, Figure } from './figures';
import { pythonHas, runPythonJson } from './python';

const CMAPSS = resolve(__dirname, '..', '..', 'shared', 'data', 'cmapss');
const CURRENT_ROWS = 1_000_000;
const COLUMNS = 40;
const REPEATS = 3;

const SCIPY = `
import sys, json, time
import numpy as np
from scipy import stats
ref_file, cur_file, cols, nref, ncur, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
ref = np.fromfile(ref_file, dtype='<f4').reshape(cols, nref)
cur = np.fromfile(cur_file, dtype='<f4').reshape(cols, ncur)
best_ks = best_w = float('inf')
for _ in range(repeats):
    t0 = time.perf_counter()
    ks = [stats.ks_2samp(ref[j], cur[j]) for j in range(cols)]
    t1 = time.perf_counter()
    w = [stats.wasserstein_distance(ref[j], cur[j]) for j in range(cols)]
    t2 = time.perf_counter()
    best_ks = min(best_ks, t1 - t0); best_w = min(best_w, t2 - t1)
print(json.dumps({'ks': best_ks, 'w': best_w, 'd': [float(k.statistic) for k in ks], 'p': [float(k.pvalue) for k in ks], 'wd': [float(x) for x in w],
                  'numpy': np.__version__, 'scipy': __import__('scipy').__version__}))
`;

interface Fd001Reference {
  names: string[];
  columns: Float32Array[];
}

/** The default run's 40 selected features on the training units' rows of train_FD001. */
async function fd001Reference(): Promise<Fd001Reference> {
  const table = (await parseFleetFile(join(CMAPSS, 'train_FD001.txt'))).table;
  const config = parseTrainConfig({});
  const prepared = prepareFeatures(table, config);
  const ranking = await rankPrepared(prepared, table, config);
  const selected = selectTop(ranking, COLUMNS);
  const train = new Set(prepared.split.train);
  const rows: number[] = [];
  for (const s of unitSpans(table)) if (train.has(s.unit)) for (let i = s.start; i < s.end; i++) rows.push(i);
  const names: string[] = [];
  const columns: Float32Array[] = [];
  for (const name of selected) {
    const col = prepared.features.columns[prepared.features.names.indexOf(name)]!;
    names.push(name);
    columns.push(Float32Array.from(rows, (r) => col[r]!));
  }
  return { names, columns };
}

function std(c: Float32Array): number {
  let s = 0;
  for (const v of c) s += v;
  const m = s / c.length;
  let ss = 0;
  for (const v of c) ss += (v - m) * (v - m);
  return Math.sqrt(ss / c.length);
}

/** 1,000,000 rows resampled from the reference rows, with noise, every fourth column shifted. */
function currentFrom(ref: Float32Array[]): Float32Array[] {
  const nRef = ref[0]!.length;
  const rng = new Rng(20261205);
  const pick = Int32Array.from({ length: CURRENT_ROWS }, () => rng.int(nRef));
  return ref.map((col, j) => {
    const sd = std(col);
    const shift = j % 4 === 3 ? 0.5 * sd : 0;
    const out = new Float32Array(CURRENT_ROWS);
    for (let i = 0; i < CURRENT_ROWS; i++) out[i] = col[pick[i]!]! + shift + 0.1 * sd * rng.normal();
    return out;
  });
}

/** Best of REPEATS: seconds for `run` over every column. */
function best<T>(run: () => T): { seconds: number; result: T } {
  let seconds = Infinity;
  let result: T | undefined;
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    result = run();
    seconds = Math.min(seconds, (performance.now() - t0) / 1000);
  }
  return { seconds, result: result! };
}

export const driftBench: Benchmark = {
  name: 'drift',
  async run(): Promise<Figure[]> {
    const { columns: ref } = await fd001Reference();
    const cur = currentFrom(ref);
    const nRef = ref[0]!.length;
    const shape = `${CURRENT_ROWS.toLocaleString('en-US')} rows × ${ref.length} columns vs the FD001 reference (${nRef.toLocaleString('en-US')} training-unit rows, the default run's ${ref.length} selected features)`;

    // each method alone (its own sort of each current column and of each reference column), then all five at once
    const sortRef = (): SortedSample[] => ref.map((c) => sortedSample(c));
    const ks = best(() => {
      const rs = sortRef();
      return cur.map((c, j) => {
        const s = sortedSample(c);
        const d = ksStatistic(rs[j]!, s);
        return { d, p: ksPValue(d, rs[j]!.n, s.n) };
      });
    });
    const was = best(() => {
      const rs = sortRef();
      return cur.map((c, j) => wasserstein1(rs[j]!, sortedSample(c)) / Math.max(rs[j]!.std, WASSERSTEIN_STD_FLOOR));
    });
    const binned = (score: (r: Float64Array, c: Float64Array) => number) =>
      best(() => {
        const rs = sortRef();
        return cur.map((c, j) => {
          const edges = referenceQuantileEdges(rs[j]!);
          return score(binShares(rs[j]!, edges), binShares(sortedSample(c), edges));
        });
      });
    const psi = binned(psiFromShares);
    const jsd = binned(jensenShannonFromShares);
    const hel = binned(hellingerFromShares);
    const all = best(() => {
      const rs = sortRef();
      return cur.map((c, j) => driftScores(rs[j]!, sortedSample(c)));
    });

    let scipy:
      { ks: number; w: number; d: number[]; p: number[]; wd: number[]; numpy: string; scipy: string } | undefined;
    if (pythonHas('scipy.stats')) {
      const dir = mkdtempSync(join(tmpdir(), 'prognos-bench-drift-'));
      try {
        const pack = (cols: Float32Array[]): Buffer =>
          Buffer.concat(cols.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
        writeFileSync(join(dir, 'ref.f32'), pack(ref));
        writeFileSync(join(dir, 'cur.f32'), pack(cur));
        scipy = runPythonJson(SCIPY, [
          join(dir, 'ref.f32'),
          join(dir, 'cur.f32'),
          String(ref.length),
          String(nRef),
          String(CURRENT_ROWS),
          String(REPEATS),
        ]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      // the same answers, or the times mean nothing
      const bad: string[] = [];
      all.result.forEach((s, j) => {
        const sd = Math.max(std(ref[j]!), WASSERSTEIN_STD_FLOOR);
        const w = scipy!.wd[j]! / sd;
        const p = scipy!.p[j]!;
        if (Math.abs(s.ks - scipy!.d[j]!) > 1e-9) bad.push(`column ${j}: KS ${s.ks} vs scipy ${scipy!.d[j]}`);
        if (Math.abs(s.ksPValue - p) > Math.max(1e-10, 1e-6 * p))
          bad.push(`column ${j}: p ${s.ksPValue} vs scipy ${p}`);
        // scipy takes the differences of float32 values in float32; Prognos in float64
        if (Math.abs(s.wasserstein - w) > 1e-4 * Math.max(w, 1e-3))
          bad.push(`column ${j}: Wasserstein ${s.wasserstein} vs scipy ${w}`);
        if (ks.result[j]!.d !== s.ks || was.result[j] !== s.wasserstein)
          bad.push(`column ${j}: the single-method figures differ from driftScores`);
      });
      if (bad.length > 0) throw new Error(`drift results differ from scipy's:\n${bad.slice(0, 10).join('\n')}`);
    }
    const drifted = all.result.filter((s) => s.wasserstein >= 0.1).length;
    const ref_ = (name: string, seconds: number | undefined): Pick<Figure, 'reference'> =>
      seconds === undefined ? {} : { reference: { name, value: seconds, unit: 's' } };
    const version = scipy === undefined ? '' : ` ${scipy.scipy}`;
    const note = `${shape}; best of ${REPEATS}; one thread`;
    return [
      {
        name: 'drift-ks',
        value: ks.seconds,
        unit: 's',
        ...ref_(`scipy${version} ks_2samp`, scipy?.ks),
        note: `KS statistic + p-value, ${note}`,
      },
      {
        name: 'drift-wasserstein',
        value: was.seconds,
        unit: 's',
        ...ref_(`scipy${version} wasserstein_distance`, scipy?.w),
        note: `Wasserstein-1 / reference std, ${note}`,
      },
      { name: 'drift-psi', value: psi.seconds, unit: 's', note: `PSI on 10 reference-quantile bins, ${note}` },
      { name: 'drift-jsd', value: jsd.seconds, unit: 's', note: `Jensen–Shannon distance on the same bins, ${note}` },
      { name: 'drift-hellinger', value: hel.seconds, unit: 's', note: `Hellinger distance on the same bins, ${note}` },
      {
        name: 'drift-all',
        value: all.seconds,
        unit: 's',
        ...ref_(
          `scipy${version} ks_2samp + wasserstein_distance`,
          scipy === undefined ? undefined : scipy.ks + scipy.w,
        ),
        note: `all five methods per column from one sort (driftScores), ${note}; ${drifted} of ${ref.length} columns drift by Wasserstein ≥ 0.1; target ratio ≤ 1.0`,
      },
    ];
  },
};
