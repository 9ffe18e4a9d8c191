/**
 * Seeded synthetic remaining-useful-life matrix for the GBDT regression tests: each row is a cycle
 * of an engine with a hidden life L (150–350 cycles) at life fraction t; features are noisy
 * degradation signals of t (some nonlinear, some with regime offsets, some pure noise) and the
 * target is the RUL L·(1 − t) capped at `cap` (the piecewise-linear knee).
 */
import { writeFile } from 'node:fs/promises';
import type { GbdtDataset } from '../../src/main/core/models/gbdt';
import { SeededRng } from '../../src/main/core/models/gbdt/rng';

export interface RegressionMatrixOptions {
  rows: number;
  features: number;
  seed: number;
  /** RUL cap (default 125) */
  cap?: number;
  /** fraction of feature values replaced by NaN (default 0) */
  missing?: number;
}

function gaussian(rng: SeededRng): number {
  const u = Math.max(rng.next(), 1e-12);
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function makeRegressionMatrix(o: RegressionMatrixOptions): GbdtDataset & { target: Float32Array } {
  const rng = new SeededRng(o.seed);
  const { rows, features } = o;
  const cap = o.cap ?? 125;
  const columns = Array.from({ length: features }, () => new Float32Array(rows));
  const target = new Float32Array(rows);
  // the feature shapes depend on a fixed stream so that matrices of different seeds share them
  const shape = new SeededRng(1);
  const rate = Array.from({ length: features }, () => 1 + 4 * shape.next());
  const noise = Array.from({ length: features }, () => 0.05 + 0.25 * shape.next());
  const regimeOffset = Array.from({ length: 4 }, () => gaussian(shape));
  for (let r = 0; r < rows; r++) {
    const life = 150 + 200 * rng.next();
    const cycle = Math.floor(rng.next() * life);
    const t = cycle / life;
    const regime = rng.nextInt(4);
    for (let j = 0; j < features; j++) {
      const k = j % 4;
      let v: number;
      if (k === 0) v = Math.exp(rate[j]! * (t - 1));
      else if (k === 1) v = t ** rate[j]! + 0.5 * regimeOffset[regime]!;
      else if (k === 2) v = Math.tanh(rate[j]! * t) * (1 + 0.2 * regimeOffset[regime]!);
      else v = 0;
      v += noise[j]! * gaussian(rng);
      if (o.missing !== undefined && rng.next() < o.missing) v = Number.NaN;
      columns[j]![r] = v;
    }
    target[r] = Math.min(cap, life - cycle);
  }
  return { rows, features, columns, label: new Uint8Array(0), target };
}

/** Writes the target as little-endian float32 (`base.t.f32`), next to writeMatrix's `base.x.f32`. */
export async function writeTarget(d: GbdtDataset, base: string): Promise<string> {
  if (d.target === undefined) throw new Error('the dataset has no target');
  const path = `${base}.t.f32`;
  await writeFile(path, new Uint8Array(d.target.buffer, d.target.byteOffset, d.target.byteLength));
  return path;
}

export function rmseOf(pred: ArrayLike<number>, target: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < pred.length; i++) {
    const d = pred[i]! - target[i]!;
    s += d * d;
  }
  return Math.sqrt(s / pred.length);
}
