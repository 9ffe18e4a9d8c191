/**
 * Splitting by unit (never rows of one unit in two parts), the leakage guard, row masks and the
 * standard scaler that is fitted on training rows only.
 */
import { PrognosError } from '../../shared/errors';
import { type FleetTable } from './data/table';

export type SplitMode = 'random' | 'chronological';
export type SplitPart = 'train' | 'validation' | 'test';

export interface SplitOptions {
  /** Fractions are normalised by their sum. Defaults 0.7 / 0.15 / 0.15. */
  readonly train?: number;
  readonly validation?: number;
  readonly test?: number;
  /** Seed of the shuffle in random mode (default 42); ignored in chronological mode. */
  readonly seed?: number;
  /** random: seeded shuffle of the units; chronological: units in order of first appearance. Default random. */
  readonly mode?: SplitMode;
}

export interface UnitSplit {
  readonly train: number[];
  readonly validation: number[];
  readonly test: number[];
}

export const DEFAULT_SPLIT_SEED = 42;
const PARTS: readonly SplitPart[] = ['train', 'validation', 'test'];

/**
 * Small, fast, seeded PRNG (mulberry32) returning floats in [0, 1). The same seed gives the same
 * sequence on every platform (32-bit integer arithmetic only).
 */
export function createRng(seed: number): () => number {
  let a = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** In-place Fisher–Yates shuffle driven by `rng`. */
export function shuffleInPlace<T>(items: T[], rng: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}

/**
 * Part sizes by the largest-remainder method (ties go to train, then validation, then test). When
 * there are enough units, every part with a positive fraction gets at least one unit (taken from the
 * largest part).
 */
export function partSizes(n: number, fractions: readonly [number, number, number]): [number, number, number] {
  const sum = fractions[0] + fractions[1] + fractions[2];
  const exact = fractions.map((f) => (n * f) / sum);
  const sizes = exact.map((e) => Math.floor(e));
  let left = n - sizes[0]! - sizes[1]! - sizes[2]!;
  const order = [0, 1, 2].sort((a, b) => exact[b]! - sizes[b]! - (exact[a]! - sizes[a]!) || a - b);
  for (const i of order) {
    if (left <= 0) break;
    sizes[i] = sizes[i]! + 1;
    left--;
  }
  const positive = fractions.filter((f) => f > 0).length;
  if (n >= positive) {
    for (let i = 0; i < 3; i++) {
      if (fractions[i]! > 0 && sizes[i] === 0) {
        let donor = 0;
        for (let j = 1; j < 3; j++) if (sizes[j]! > sizes[donor]!) donor = j;
        sizes[donor] = sizes[donor]! - 1;
        sizes[i] = sizes[i]! + 1;
      }
    }
  }
  return [sizes[0]!, sizes[1]!, sizes[2]!];
}

/**
 * Split units into train / validation / test. Duplicates in `units` are collapsed (first appearance
 * wins). Random mode shuffles with a seeded PRNG and returns each part sorted ascending;
 * chronological mode keeps the order of first appearance (first units train, last units test).
 */
export function splitUnits(units: readonly number[], opts: SplitOptions = {}): UnitSplit {
  const fractions: [number, number, number] = [opts.train ?? 0.7, opts.validation ?? 0.15, opts.test ?? 0.15];
  for (let i = 0; i < 3; i++) {
    const f = fractions[i]!;
    if (!Number.isFinite(f) || f < 0) {
      throw new PrognosError('INVALID_INPUT', `split fraction for ${PARTS[i]} must be a finite number ≥ 0, got ${f}`);
    }
  }
  if (fractions[0] + fractions[1] + fractions[2] <= 0) {
    throw new PrognosError('INVALID_INPUT', 'split fractions must not all be 0');
  }
  const mode = opts.mode ?? 'random';
  const seen = new Set<number>();
  const ordered: number[] = [];
  for (const u of units) {
    if (!seen.has(u)) {
      seen.add(u);
      ordered.push(u);
    }
  }
  if (mode === 'random') shuffleInPlace(ordered, createRng(opts.seed ?? DEFAULT_SPLIT_SEED));
  const [nTrain, nValidation] = partSizes(ordered.length, fractions);
  const train = ordered.slice(0, nTrain);
  const validation = ordered.slice(nTrain, nTrain + nValidation);
  const test = ordered.slice(nTrain + nValidation);
  if (mode === 'random') {
    const asc = (a: number, b: number): number => a - b;
    train.sort(asc);
    validation.sort(asc);
    test.sort(asc);
  }
  return { train, validation, test };
}

/** Throws INVALID_INPUT naming the unit and both parts when one unit appears in two parts. */
export function assertNoLeakage(split: UnitSplit): void {
  const owner = new Map<number, SplitPart>();
  for (const part of PARTS) {
    for (const unit of split[part]) {
      const other = owner.get(unit);
      if (other !== undefined && other !== part) {
        throw new PrognosError(
          'INVALID_INPUT',
          `unit ${unit} is in both the ${other} and the ${part} part of the split`,
          {
            unit,
            parts: [other, part],
          },
        );
      }
      owner.set(unit, part);
    }
  }
}

/** 1 for rows whose unit is in `units`, else 0. */
export function rowMaskFor(table: Pick<FleetTable, 'rowCount' | 'unit'>, units: Iterable<number>): Uint8Array {
  const wanted = new Set(units);
  const mask = new Uint8Array(table.rowCount);
  for (let i = 0; i < table.rowCount; i++) mask[i] = wanted.has(table.unit[i]!) ? 1 : 0;
  return mask;
}

/** Row indices (ascending) of the rows whose unit is in `units`. */
export function rowIndicesFor(table: Pick<FleetTable, 'rowCount' | 'unit'>, units: Iterable<number>): Int32Array {
  const mask = rowMaskFor(table, units);
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i]!;
  const out = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] === 1) out[k++] = i;
  return out;
}

/** JSON form of a fitted scaler (goes into the run record and the export manifest). */
export interface ScalerParams {
  readonly names: string[];
  readonly mean: number[];
  readonly std: number[];
}

/**
 * Per-feature standardisation (x − mean) / std. Fitted on training rows only; std is the
 * population standard deviation (divide by n, as scikit-learn's StandardScaler); a std of 0 (or a
 * column without fitted rows) is replaced by 1 so that the column maps to x − mean.
 */
export class StandardScaler {
  readonly names: readonly string[];
  readonly mean: Float64Array;
  readonly std: Float64Array;

  private constructor(names: readonly string[], mean: Float64Array, std: Float64Array) {
    this.names = names;
    this.mean = mean;
    this.std = std;
  }

  /** Fit on the rows where `rowMask` is 1 (all rows when absent). NaN values are skipped. */
  static fit(names: readonly string[], columns: readonly ArrayLike<number>[], rowMask?: Uint8Array): StandardScaler {
    if (names.length !== columns.length) {
      throw new PrognosError('INVALID_INPUT', `scaler: ${names.length} names but ${columns.length} columns`);
    }
    const mean = new Float64Array(columns.length);
    const std = new Float64Array(columns.length);
    for (let c = 0; c < columns.length; c++) {
      const col = columns[c]!;
      if (rowMask !== undefined && rowMask.length !== col.length) {
        throw new PrognosError(
          'INVALID_INPUT',
          `scaler: row mask has ${rowMask.length} rows, column ${names[c]} has ${col.length}`,
        );
      }
      let n = 0;
      let sum = 0;
      for (let i = 0; i < col.length; i++) {
        const v = col[i]!;
        if ((rowMask === undefined || rowMask[i] === 1) && !Number.isNaN(v)) {
          sum += v;
          n++;
        }
      }
      const m = n > 0 ? sum / n : 0;
      let ss = 0;
      for (let i = 0; i < col.length; i++) {
        const v = col[i]!;
        if ((rowMask === undefined || rowMask[i] === 1) && !Number.isNaN(v)) ss += (v - m) * (v - m);
      }
      const s = n > 0 ? Math.sqrt(ss / n) : 0;
      mean[c] = m;
      std[c] = s > 0 && Number.isFinite(s) ? s : 1;
    }
    return new StandardScaler([...names], mean, std);
  }

  static fromJSON(params: ScalerParams): StandardScaler {
    const k = params.names.length;
    if (params.mean.length !== k || params.std.length !== k) {
      throw new PrognosError('INVALID_INPUT', 'scaler parameters: names, mean and std must have the same length');
    }
    for (let i = 0; i < k; i++) {
      if (!Number.isFinite(params.mean[i]) || !(params.std[i]! > 0) || !Number.isFinite(params.std[i])) {
        throw new PrognosError('INVALID_INPUT', `scaler parameters: bad mean/std for ${params.names[i]}`);
      }
    }
    return new StandardScaler([...params.names], Float64Array.from(params.mean), Float64Array.from(params.std));
  }

  toJSON(): ScalerParams {
    return { names: [...this.names], mean: Array.from(this.mean), std: Array.from(this.std) };
  }

  /** Columns in the fitted order → standardised Float32 columns. */
  transform(columns: readonly ArrayLike<number>[]): Float32Array[] {
    if (columns.length !== this.names.length) {
      throw new PrognosError('INVALID_INPUT', `scaler: fitted on ${this.names.length} columns, got ${columns.length}`);
    }
    return columns.map((col, c) => {
      const m = this.mean[c]!;
      const s = this.std[c]!;
      const out = new Float32Array(col.length);
      for (let i = 0; i < col.length; i++) out[i] = (col[i]! - m) / s;
      return out;
    });
  }

  /** Same as `transform`, but picks the columns by name from a name → column lookup. */
  transformByName(lookup: (name: string) => ArrayLike<number> | undefined): Float32Array[] {
    return this.transform(
      this.names.map((name) => {
        const col = lookup(name);
        if (col === undefined) throw new PrognosError('INVALID_INPUT', `scaler: no column named ${name}`);
        return col;
      }),
    );
  }
}
