/**
 * score-latency: one unit scored through the shipped bundle's pipeline.onnx (raw history in, ensemble
 * probability out), p50 and p99 over repeated calls, for the shortest and the longest test unit.
 * score-batch: every row of test_FD001 scored through the bundle's models (features, gbdt.onnx and
 * lstm.onnx on onnxruntime), in windows per second, beside a PyTorch forward pass of the same LSTM
 * architecture over the same number of windows where python3-torch is installed.
 */
import { join, resolve } from 'node:path';
import { parseFleetFile } from '../src/main/core/data/import-file';
import { unitSpans, type FleetTable } from '../src/main/core/data/table';
import { BundleScorer } from '../src/main/core/export';
import type { Benchmark, Figure } from './figures';
import { pythonHas, runPythonJson } from './python';

const ROOT = resolve(__dirname, '..');
const BUNDLE = join(ROOT, 'resources', 'models', 'demo');
const CMAPSS = resolve(ROOT, '..', 'shared', 'data', 'cmapss');

function oneUnit(t: FleetTable, unit: number): FleetTable {
  const s = unitSpans(t).find((x) => x.unit === unit)!;
  return { rowCount: s.end - s.start, unit: t.unit.slice(s.start, s.end), cycle: t.cycle.slice(s.start, s.end), columns: t.columns, values: t.values.map((v) => v.slice(s.start, s.end)) };
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

const TORCH = `
import json, sys, time, torch, torch.nn as nn
torch.set_num_threads(2)
n, T, F = int(sys.argv[1]), 30, int(sys.argv[2])
class Net(nn.Module):
    def __init__(s):
        super().__init__()
        s.l1 = nn.LSTM(F, 64, batch_first=True); s.l2 = nn.LSTM(64, 32, batch_first=True)
        s.W = nn.Linear(32, 32); s.v = nn.Linear(32, 1, bias=False); s.out = nn.Linear(32, 1)
    def forward(s, x):
        h, _ = s.l1(x); h, _ = s.l2(h)
        a = torch.softmax(s.v(torch.tanh(s.W(h))), dim=1)
        return torch.sigmoid(s.out((a * h).sum(1)))
m = Net().eval(); x = torch.randn(n, T, F)
with torch.no_grad():
    m(x[:256]); best = 1e9
    for _ in range(3):
        t = time.perf_counter(); m(x); best = min(best, time.perf_counter() - t)
print(json.dumps({'seconds': best, 'version': torch.__version__}))
`;

export const scoreBenchmarks: Benchmark = {
  name: 'score',
  async run(): Promise<Figure[]> {
    const test = (await parseFleetFile(join(CMAPSS, 'test_FD001.txt'))).table;
    const figures: Figure[] = [];

    const pipeline = await BundleScorer.open(BUNDLE, { engine: 'pipeline' });
    try {
      // the test file's shortest and longest units: the bundle's EWMA features need each unit's whole history
      const spans = unitSpans(test);
      const short = spans.reduce((a, b) => (b.end - b.start < a.end - a.start ? b : a));
      const long = spans.reduce((a, b) => (b.end - b.start > a.end - a.start ? b : a));
      for (const [label, span] of [['', short], [' longest-unit', long]] as const) {
        const unit = oneUnit(test, span.unit);
        for (let i = 0; i < 20; i++) await pipeline.scoreUnits(unit);
        const times: number[] = [];
        for (let i = 0; i < 300; i++) {
          const t0 = performance.now();
          await pipeline.scoreUnits(unit);
          times.push(performance.now() - t0);
        }
        const note = `unit ${span.unit}, ${unit.rowCount} cycles of raw history through pipeline.onnx, 300 calls`;
        figures.push({ name: `score-latency${label} p50`, value: quantile(times, 0.5), unit: 'ms', note });
        figures.push({ name: `score-latency${label} p99`, value: quantile(times, 0.99), unit: 'ms', note: `${note}; target ≤ 5 ms` });
      }
    } finally {
      await pipeline.close();
    }

    const models = await BundleScorer.open(BUNDLE, { engine: 'models' });
    try {
      await models.scoreRows(test, Int32Array.from({ length: 500 }, (_, i) => i));
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        await models.scoreRows(test);
        best = Math.min(best, (performance.now() - t0) / 1000);
      }
      const windows = test.rowCount;
      const features = models.manifest.lstmFeatures?.length ?? 40;
      let reference: Figure['reference'];
      if (pythonHas('torch')) {
        const r = runPythonJson<{ seconds: number; version: string }>(TORCH, [String(windows), String(features)]);
        reference = { name: `PyTorch ${r.version} LSTM forward only`, value: windows / r.seconds, unit: 'windows/s' };
      }
      figures.push({
        name: 'score-batch',
        value: windows / best,
        unit: 'windows/s',
        note: `${windows.toLocaleString('en-US')} windows of test_FD001: features + gbdt.onnx + lstm.onnx, best of 3; target ≥ 20,000 windows/s; a higher ratio is better`,
        ...(reference === undefined ? {} : { reference }),
      });
    } finally {
      await models.close();
    }
    return figures;
  },
};
