/**
 * Scoring with a trained LSTM: table rows without materialising every window at once (windows are
 * built and scored in chunks; a million-row fleet would otherwise need gigabytes of windows), and
 * large window sets on two threads.
 */
import { availableParallelism } from 'node:os';
import type { FleetTable } from '../../data/table';
import { buildWindows, type Windows } from '../../windows';
import { weightShapes } from './init';
import { lstmRuntime, type LstmModel } from './model';
import { concatFlat, GradientPool } from './pool';

export interface RowScores {
  /** probability per requested row, in the order of `rows` (with two model outputs, two per row) */
  prob: Float32Array;
  /** rows whose window was left-padded (fewer cycles of history than the window length) */
  padded: number;
  /** rows of units shorter than the window length */
  shortUnitWindows: number;
}

/**
 * Probabilities for windows ending at `rows` of `table`, over the selected, scaled feature
 * `columns` (one value per table row each, in the model's feature order).
 */
export function predictRows(
  model: LstmModel,
  columns: readonly Float32Array[],
  table: Pick<FleetTable, 'rowCount' | 'unit'>,
  rows: Int32Array,
  opts: { chunk?: number; batchSize?: number } = {},
): RowScores {
  const chunk = Math.max(1, opts.chunk ?? 8192);
  const outputs = model.architecture.outputs ?? 1;
  const prob = new Float32Array(rows.length * outputs);
  let padded = 0;
  let shortUnitWindows = 0;
  for (let from = 0; from < rows.length; from += chunk) {
    const part = rows.subarray(from, Math.min(rows.length, from + chunk));
    const w = buildWindows(columns, table, part, model.architecture.length);
    padded += w.padded;
    shortUnitWindows += w.shortUnitWindows;
    prob.set(model.predict(w, opts.batchSize === undefined ? {} : { batchSize: opts.batchSize }), from * outputs);
  }
  return { prob, padded, shortUnitWindows };
}

export interface ParallelPredictOptions {
  /** threads to use (default: 2 when available); one thread is model.predict itself */
  threads?: number;
  /** below this many windows a helper thread is not worth its start-up (default 4096) */
  minWindows?: number;
}

/**
 * model.predict on two threads for large window sets on the wasm backend (the helper's start-up
 * costs about half a second); the same numbers as model.predict, which it falls back to on other
 * backends, for small sets, or when the helper cannot start.
 */
export async function predictParallel(
  model: LstmModel,
  windows: Windows,
  opts: ParallelPredictOptions = {},
): Promise<Float32Array> {
  const threads = Math.min(2, opts.threads ?? availableParallelism());
  const runtime = lstmRuntime();
  // the helper scores one network; a model averaging several scores on this thread
  if (threads < 2 || windows.n < (opts.minWindows ?? 4096) || !runtime.fused() || model.memberCount > 1) return model.predict(windows);
  const arch = model.architecture;
  const shapes = weightShapes(arch);
  const pool = await GradientPool.start(
    { dims: arch, length: arch.length, shapes, train: windows, valid: null },
    1,
    runtime,
  );
  try {
    if (pool.threads < 2) return model.predict(windows);
    const half = Math.ceil(windows.n / 2);
    const remote = pool.predict(concatFlat(model.weightArrays()), 'train', half, windows.n).catch(() => null);
    const outputs = arch.outputs ?? 1;
    const out = new Float32Array(windows.n * outputs);
    out.set(model.predict({ ...windows, n: half }));
    const rest = (await remote) ?? model.predict(sliceWindows(windows, half, windows.n));
    out.set(rest, half * outputs);
    return out;
  } finally {
    await pool.close();
  }
}

function sliceWindows(w: Windows, from: number, to: number): Windows {
  const size = w.length * w.features;
  return { data: w.data.subarray(from * size, to * size), n: to - from, length: w.length, features: w.features };
}
