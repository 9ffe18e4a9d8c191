/**
 * FD001 windows for the LSTM benchmarks and the quality run: the pipeline's own steps (labels,
 * split by unit 70/15/15, features fitted on the training units, top-40 selection, scaler fitted
 * on the training rows), then 30-cycle windows. Training windows end at every row of the training
 * units (left-padded at a unit's start); validation and test windows end at rows with a full window.
 */
import { join, resolve } from 'node:path';
import { parseFleetFile } from '../../src/main/core/data/import-file';
import type { FleetTable } from '../../src/main/core/data/table';
import { engineerFeatures, type FeatureState } from '../../src/main/core/features/engineer';
import { selectTop } from '../../src/main/core/features/ranking';
import { failWithin, rulPerRow } from '../../src/main/core/labels';
import { parseTrainConfig } from '../../src/main/core/pipeline/config';
import { prepareFeatures, rankPrepared } from '../../src/main/core/pipeline/train';
import { StandardScaler, type UnitSplit } from '../../src/main/core/split';
import { buildWindows, windowEnds, type BuiltWindows } from '../../src/main/core/windows';
import type { LabelledWindows } from '../../src/main/core/models/lstm';

export const CMAPSS_DIR = resolve(__dirname, '..', '..', '..', 'shared', 'data', 'cmapss');
export const WINDOW = 30;

export interface Fd001Set extends LabelledWindows {
  rows: Int32Array;
  padded: number;
}

export interface Fd001 {
  table: FleetTable;
  split: UnitSplit;
  selected: string[];
  state: FeatureState;
  scaler: StandardScaler;
  train: Fd001Set;
  valid: Fd001Set;
  test: Fd001Set;
  /** windows ending at every row of the whole training file (all 100 units, padded at unit starts) */
  all: () => Fd001Set;
}

function labelled(w: BuiltWindows, rows: Int32Array, label: Uint8Array): Fd001Set {
  const labels = new Uint8Array(rows.length);
  for (let k = 0; k < rows.length; k++) labels[k] = label[rows[k]!]!;
  return { ...w, labels, rows };
}

/** `rank`: the pipeline's ranking (with the quick GBDT gain) picks the 40 features; else the first 40 engineered. */
export async function loadFd001(opts: { seed?: number; rank?: boolean } = {}): Promise<Fd001> {
  const { table } = await parseFleetFile(join(CMAPSS_DIR, 'train_FD001.txt'));
  const config = parseTrainConfig({ seed: opts.seed ?? 42 });
  const prepared = prepareFeatures(table, config);
  const names = prepared.features.names;
  let selected: string[];
  if (opts.rank === false) selected = names.slice(0, config.topK);
  else selected = selectTop(await rankPrepared(prepared, table, config), config.topK, config.manualFeatures);
  const index = new Map(names.map((n, i) => [n, i]));
  const cols = selected.map((n) => prepared.features.columns[index.get(n)!]!);
  const scaler = StandardScaler.fit(selected, cols, prepared.trainMask);
  const scaled = scaler.transform(cols);
  const { split, label } = prepared;
  const set = (units: number[], fullOnly: boolean): Fd001Set => {
    const ends = windowEnds(table, units, { length: WINDOW, fullOnly });
    return labelled(buildWindows(scaled, table, ends.rows, WINDOW), ends.rows, label);
  };
  return {
    table,
    split,
    selected,
    state: prepared.features.state,
    scaler,
    train: set(split.train, false),
    valid: set(split.validation, true),
    test: set(split.test, true),
    all: () => set([...split.train, ...split.validation, ...split.test], false),
  };
}

/** Windows ending at every row of a C-MAPSS test file (with its RUL file), features as in training. */
export async function loadFd001Test(fd: Fd001): Promise<{ table: FleetTable; windows: Fd001Set }> {
  const { table } = await parseFleetFile(join(CMAPSS_DIR, 'test_FD001.txt'), {
    rulPath: join(CMAPSS_DIR, 'RUL_FD001.txt'),
  });
  const f = engineerFeatures(table, fd.state.spec, { state: fd.state });
  const index = new Map(f.names.map((n, i) => [n, i]));
  const scaled = fd.scaler.transformByName((name) => {
    const i = index.get(name);
    return i === undefined ? undefined : f.columns[i];
  });
  const rows = Int32Array.from({ length: table.rowCount }, (_, i) => i);
  const label = failWithin(rulPerRow(table), 30);
  return { table, windows: labelled(buildWindows(scaled, table, rows, WINDOW), rows, label) };
}
