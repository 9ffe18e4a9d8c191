/**
 * The two sides of a drift report as plain columns: the reference (a run's training units, as the run
 * saw them) and the current data (any table scored by the run). Both keep only the rows with a full
 * history window, the rows the run's models are evaluated on, so both sides are read the same way.
 *
 * Each side carries the run's selected features (named as the run lists them), the raw settings and
 * sensors, the run's calibrated probability, RUL when the run has RUL models, and the labels when they
 * are known (run-to-failure data, or a test table imported with its RUL file).
 */
import { PrognosError } from '../../../shared/errors';
import { unitSpans, type FleetTable } from '../data/table';
import { engineerFeatures } from '../features/engineer';
import { failWithin, rulPerRow } from '../labels';
import type { TrainConfig } from '../pipeline/config';
import { scoreRows, type TrainedModels } from '../pipeline/train';
import { splitUnits } from '../split';

export interface DriftColumn {
  readonly name: string;
  /** 'feature': one of the run's selected features; 'sensor': a raw sensor or setting */
  readonly kind: 'feature' | 'sensor';
  readonly values: Float32Array;
}

/** One side of a comparison: one entry per row with a full history window, in (unit, cycle) order. */
export interface DriftData {
  readonly unit: Int32Array;
  readonly cycle: Int32Array;
  /** the selected features in the run's order, then the raw settings and sensors */
  readonly columns: readonly DriftColumn[];
  /** the run's calibrated headline probability */
  readonly probability: Float32Array;
  /** the run's headline RUL, when it has RUL models */
  readonly rul?: Float32Array;
  /** 1 when the row fails within the run's label window; only when the truth is known */
  readonly labels?: Uint8Array;
  /** each row's unit's whole life in cycles, when known (run-to-failure: its last cycle; with a RUL file: last cycle + RUL) */
  readonly life?: Int32Array;
  /** the import batch (dataset) of each row, when the current data joins several */
  readonly batch?: Int32Array;
  /** every unit runs to failure (training data): what 'auto' comparison turns into life-stage matching */
  readonly runToFailure?: boolean;
}

/** What the drift sides need of a finished run (a `TrainedRun` has it all). */
export interface DriftRun extends TrainedModels {
  readonly config: TrainConfig;
  readonly selected: readonly string[];
}

export interface SideOptions {
  /** keep only these units (default: every unit of the table) */
  units?: readonly number[];
  /**
   * The table runs to failure (its last row per unit is the failure), so labels are known. A table
   * imported with its RUL file has labels either way.
   */
  runToFailure?: boolean;
  /** the import batch of every row of the table (default: none) */
  batch?: Int32Array;
}

/** The units a run trained on: its split recomputed from the config and seed, as the pipeline made it. */
export function trainingUnits(table: Pick<FleetTable, 'unit' | 'rowCount'>, config: TrainConfig): number[] {
  const units = unitSpans(table).map((s) => s.unit);
  return splitUnits(units, { ...config.split, seed: config.seed }).train;
}

/** The units of the run's own dataset it never trained on (its validation and test units). */
export function heldOutUnits(table: Pick<FleetTable, 'unit' | 'rowCount'>, config: TrainConfig): number[] {
  const units = unitSpans(table).map((s) => s.unit);
  const split = splitUnits(units, { ...config.split, seed: config.seed });
  return [...split.validation, ...split.test].sort((a, b) => a - b);
}

/**
 * The reference of a run: its training units' rows with a full history window, from the table the
 * run was trained on (the split is recomputed from the run's config and seed, as training made it).
 */
export function referenceFromRun(run: DriftRun, table: FleetTable): DriftData {
  const units = trainingUnits(table, run.config);
  if (units.length === 0) throw new PrognosError('INVALID_INPUT', 'The run has no training units in this table.');
  return sideFromRun(run, table, { units, runToFailure: true }, 'reference');
}

/** The current side: a table scored by the run (every unit, or `options.units`). */
export function currentFromRun(run: DriftRun, table: FleetTable, options: SideOptions = {}): DriftData {
  return sideFromRun(run, table, options, 'current');
}

function sideFromRun(run: DriftRun, table: FleetTable, options: SideOptions, what: 'reference' | 'current'): DriftData {
  if (options.batch !== undefined && options.batch.length !== table.rowCount) {
    throw new PrognosError('INVALID_INPUT', `batch has ${options.batch.length} entries for ${table.rowCount} rows.`);
  }
  const rows = windowRows(table, run.config.historyWindow, options.units);
  if (rows.length === 0) {
    throw new PrognosError('INVALID_INPUT', `The ${what} data has no unit with ${run.config.historyWindow} cycles of history (the run's window).`);
  }
  const engineered = engineerFeatures(table, run.featureState.spec, { state: run.featureState });
  const byName = new Map(engineered.names.map((n, i) => [n, engineered.columns[i]!]));
  const columns: DriftColumn[] = run.selected.map((name) => {
    const c = byName.get(name);
    if (c === undefined) throw new PrognosError('INVALID_INPUT', `The run's feature "${name}" cannot be computed from the ${what} data.`);
    return { name, kind: 'feature', values: gather(c, rows) };
  });
  table.columns.forEach((c, j) => {
    if (c.role === 'setting' || c.role === 'sensor') columns.push({ name: c.name, kind: 'sensor', values: gather(table.values[j]!, rows) });
  });
  const scored = scoreRows(table, run, rows, engineered);
  const runToFailure = options.runToFailure === true;
  const labelled = runToFailure || table.rulAtEnd !== undefined;
  let labels: Uint8Array | undefined;
  let life: Int32Array | undefined;
  if (labelled) {
    life = new Int32Array(rows.length);
    const lifeOf = new Map<number, number>();
    for (const s of unitSpans(table)) lifeOf.set(s.unit, table.cycle[s.end - 1]! + (runToFailure ? 0 : (table.rulAtEnd?.get(s.unit) ?? 0)));
    for (let k = 0; k < rows.length; k++) life[k] = lifeOf.get(table.unit[rows[k]!]!)!;
    // a run-to-failure table's RUL counts down to its last row; a test table's from its RUL file
    const rul = rulPerRow(runToFailure ? { rowCount: table.rowCount, unit: table.unit, cycle: table.cycle } : table);
    const all = failWithin(rul, run.config.labelWindow);
    labels = Uint8Array.from(rows, (i) => all[i]!);
  }
  return {
    unit: Int32Array.from(rows, (i) => table.unit[i]!),
    cycle: Int32Array.from(rows, (i) => table.cycle[i]!),
    columns,
    probability: Float32Array.from(scored.probability),
    ...(scored.rul === undefined ? {} : { rul: Float32Array.from(scored.rul.value) }),
    ...(labels === undefined ? {} : { labels }),
    ...(life === undefined ? {} : { life }),
    ...(options.batch === undefined ? {} : { batch: Int32Array.from(rows, (i) => options.batch![i]!) }),
    runToFailure,
  };
}

/** Rows with at least `window` cycles of history, of `units` (every unit by default), in table order. */
function windowRows(table: FleetTable, window: number, units?: readonly number[]): Int32Array {
  const wanted = units === undefined ? undefined : new Set(units);
  let n = 0;
  const spans = unitSpans(table).filter((s) => wanted === undefined || wanted.has(s.unit));
  for (const s of spans) n += Math.max(0, s.end - s.start - window + 1);
  const out = new Int32Array(n);
  let k = 0;
  for (const s of spans) for (let i = s.start + window - 1; i < s.end; i++) out[k++] = i;
  return out;
}

function gather(values: ArrayLike<number>, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = values[rows[k]!]!;
  return out;
}

/**
 * Several current tables (import batches) as one side, in the order given; each row's `batch` is the
 * index of its part. The parts must come from the same run (same columns).
 */
export function joinBatches(parts: readonly DriftData[]): DriftData {
  if (parts.length === 0) throw new PrognosError('INVALID_INPUT', 'No data to join.');
  const first = parts[0]!;
  for (const p of parts) {
    if (p.columns.length !== first.columns.length || p.columns.some((c, j) => c.name !== first.columns[j]!.name)) {
      throw new PrognosError('INVALID_INPUT', 'The batches do not have the same columns.');
    }
  }
  const n = parts.reduce((s, p) => s + p.unit.length, 0);
  const cat = <T extends Int32Array | Float32Array | Uint8Array>(make: (n: number) => T, pick: (p: DriftData) => T): T => {
    const out = make(n);
    let at = 0;
    for (const p of parts) {
      out.set(pick(p), at);
      at += p.unit.length;
    }
    return out;
  };
  const batch = new Int32Array(n);
  let at = 0;
  parts.forEach((p, b) => {
    batch.fill(b, at, at + p.unit.length);
    at += p.unit.length;
  });
  const withRul = parts.every((p) => p.rul !== undefined);
  const withLabels = parts.every((p) => p.labels !== undefined);
  const withLife = parts.every((p) => p.life !== undefined);
  return {
    unit: cat((k) => new Int32Array(k), (p) => p.unit),
    cycle: cat((k) => new Int32Array(k), (p) => p.cycle),
    columns: first.columns.map((c, j) => ({ name: c.name, kind: c.kind, values: cat((k) => new Float32Array(k), (p) => p.columns[j]!.values) })),
    probability: cat((k) => new Float32Array(k), (p) => p.probability),
    ...(withRul ? { rul: cat((k) => new Float32Array(k), (p) => p.rul!) } : {}),
    ...(withLabels ? { labels: cat((k) => new Uint8Array(k), (p) => p.labels!) } : {}),
    ...(withLife ? { life: cat((k) => new Int32Array(k), (p) => p.life!) } : {}),
    batch,
    runToFailure: parts.every((p) => p.runToFailure === true),
  };
}
