/**
 * Seeded synthetic run-to-failure matrix for the GBDT benchmark and parity tests: rows are engine
 * cycles at a hidden life fraction t under one of six operating regimes; features are noisy
 * nonlinear degradation signals, regime-dependent offsets, interactions and pure-noise columns;
 * the label is "fails soon" (t beyond a unit-specific threshold), about 20 % positives.
 */
import { writeFile } from 'node:fs/promises';
import type { GbdtDataset } from '../../src/main/core/models/gbdt';
import { SeededRng } from '../../src/main/core/models/gbdt/rng';

export interface MatrixOptions {
  rows: number;
  features: number;
  seed: number;
  /** Fraction of values replaced by NaN (default 0). */
  missing?: number;
}

function gaussian(rng: SeededRng): number {
  const u = Math.max(rng.next(), 1e-12);
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function makeSyntheticMatrix(o: MatrixOptions): GbdtDataset {
  const rng = new SeededRng(o.seed);
  const { rows, features } = o;
  const columns = Array.from({ length: features }, () => new Float32Array(rows));
  const label = new Uint8Array(rows);
  // per-feature shape: kind, rate, regime sensitivity, noise
  const kinds = Array.from({ length: features }, (_, j) => j % 5);
  const rate = Array.from({ length: features }, () => 0.5 + 3 * rng.next());
  const regimeGain = Array.from({ length: features }, () => gaussian(rng));
  const noise = Array.from({ length: features }, () => 0.05 + 0.3 * rng.next());
  const regimeOffset = Array.from({ length: 6 }, () => gaussian(rng));
  for (let r = 0; r < rows; r++) {
    const t = rng.next();
    const regime = rng.nextInt(6);
    const wear = 0.2 * gaussian(rng);
    const h = Math.exp(rate[0]! * (t - 1)) + 0.1 * wear;
    const x: number[] = [];
    for (let j = 0; j < features; j++) {
      const k = kinds[j]!;
      let v: number;
      if (k === 0) v = Math.exp(rate[j]! * (t - 1)) + wear;
      else if (k === 1) v = t ** rate[j]! * (1 + 0.5 * regimeOffset[regime]!);
      else if (k === 2) v = Math.sin(3 * t * rate[j]!) + 0.3 * h;
      else if (k === 3) v = regimeGain[j]! * regimeOffset[regime]! + 0.5 * h * h;
      else v = 0;
      v += noise[j]! * gaussian(rng);
      if (o.missing !== undefined && rng.next() < o.missing) v = Number.NaN;
      x.push(v);
      columns[j]![r] = v;
    }
    const risk = 4 * h + 1.5 * (x[1] ?? 0) * (x[3] ?? 0) - 0.8 * Math.abs(x[2] ?? 0) + 0.5 * gaussian(rng);
    label[r] = risk > 2.9 ? 1 : 0;
  }
  return { rows, features, columns, label };
}

/** Writes X row-major as little-endian float32 (`base.x.f32`) and y as uint8 (`base.y.u8`). */
export async function writeMatrix(d: GbdtDataset, base: string): Promise<{ x: string; y: string }> {
  const xRow = new Float32Array(d.rows * d.features);
  for (let f = 0; f < d.features; f++) {
    const col = d.columns[f]!;
    for (let r = 0; r < d.rows; r++) xRow[r * d.features + f] = col[r]!;
  }
  const x = `${base}.x.f32`;
  const y = `${base}.y.u8`;
  await writeFile(x, new Uint8Array(xRow.buffer));
  await writeFile(y, d.label);
  return { x, y };
}
