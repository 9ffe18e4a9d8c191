/**
 * features-fd001: every engineered feature (default spec) on FD001 train + test — fitted on train,
 * applied to test — beside the same rolling features in pandas (groupby-rolling) in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseFleetFile } from '../src/main/core/data/import-file';
import { engineerFeatures } from '../src/main/core/features/engineer';
import type { Benchmark, Figure } from './figures';
import { pythonHas, runPythonJson } from './python';

const CMAPSS = resolve(__dirname, '..', '..', 'shared', 'data', 'cmapss');

const PANDAS = `
import sys, json, time
import numpy as np, pandas as pd
cols = ['unit', 'cycle', 's1', 's2', 's3'] + ['x%d' % i for i in range(21)]
names = ['unit', 'cycle', 'setting1', 'setting2', 'setting3'] + ['s%d' % i for i in range(1, 22)]
sensors = json.loads(sys.argv[3])
windows = [5, 10, 20, 30]
def features(df):
    g = df.groupby('unit', sort=False)
    out = {}
    for s in sensors:
        x = df[s]
        gs = g[s]
        out[s] = x
        t = df['cycle'].astype('float64')
        for w in windows:
            r = gs.rolling(w, min_periods=1)
            m = r.mean().reset_index(level=0, drop=True)
            out[f'{s}_mean_{w}'] = m
            out[f'{s}_std_{w}'] = r.std(ddof=0).reset_index(level=0, drop=True)
            out[f'{s}_min_{w}'] = r.min().reset_index(level=0, drop=True)
            out[f'{s}_max_{w}'] = r.max().reset_index(level=0, drop=True)
            # least-squares slope = cov(t, x) / var(t) over the window
            tx = (t * x).groupby(df['unit']).rolling(w, min_periods=1).mean().reset_index(level=0, drop=True)
            tm = t.groupby(df['unit']).rolling(w, min_periods=1).mean().reset_index(level=0, drop=True)
            tt = (t * t).groupby(df['unit']).rolling(w, min_periods=1).mean().reset_index(level=0, drop=True)
            var = tt - tm * tm
            out[f'{s}_slope_{w}'] = ((tx - tm * m) / var.where(var > 0)).fillna(0)
        out[f'{s}_ewma'] = gs.transform(lambda v: v.ewm(alpha=0.1, adjust=False).mean())
        out[f'{s}_diff'] = gs.diff().fillna(0)
        # distance from the unit's start: the EWMA minus the mean of its first 20 rows (the rows so far while fewer)
        base = gs.transform(lambda v: v.expanding().mean().where(np.arange(len(v)) < 20).ffill())
        out[f'{s}_vs_start'] = out[f'{s}_ewma'] - base
    out['cycle'] = df['cycle']
    return pd.DataFrame(out).astype('float32')
train = pd.read_csv(sys.argv[1], sep=r'\\s+', header=None, names=names)
test = pd.read_csv(sys.argv[2], sep=r'\\s+', header=None, names=names)
best = 1e9
for _ in range(3):
    t0 = time.perf_counter()
    a = features(train); b = features(test)
    best = min(best, time.perf_counter() - t0)
print(json.dumps({'seconds': best, 'features': a.shape[1]}))
`;

export const featuresFd001: Benchmark = {
  name: 'features-fd001',
  async run(): Promise<Figure[]> {
    const train = (await parseFleetFile(join(CMAPSS, 'train_FD001.txt'))).table;
    const test = (await parseFleetFile(join(CMAPSS, 'test_FD001.txt'), { rulPath: join(CMAPSS, 'RUL_FD001.txt') })).table;
    let best = Infinity;
    let count = 0;
    let sensors: string[] = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      const a = engineerFeatures(train, {});
      engineerFeatures(test, a.state.spec, { state: a.state });
      const seconds = (performance.now() - t0) / 1000;
      if (i > 0) best = Math.min(best, seconds); // the first run warms the JIT
      count = a.names.length;
      sensors = a.state.sensors;
    }
    let reference: Figure['reference'];
    if (pythonHas('pandas')) {
      const dir = mkdtempSync(join(tmpdir(), 'prognos-bench-'));
      try {
        const r = runPythonJson<{ seconds: number; features: number }>(PANDAS, [join(CMAPSS, 'train_FD001.txt'), join(CMAPSS, 'test_FD001.txt'), JSON.stringify(sensors)]);
        reference = { name: `pandas groupby-rolling (${r.features} features)`, value: r.seconds, unit: 's' };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    return [
      {
        name: 'features-fd001',
        value: best,
        unit: 's',
        note: `${count} features on ${(train.rowCount + test.rowCount).toLocaleString('en-US')} rows, best of 6 after warm-up; target ≤ 0.3 s`,
        ...(reference === undefined ? {} : { reference, ratio: best / reference.value }),
      },
    ];
  },
};
