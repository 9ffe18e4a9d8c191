/**
 * Probability calibration of the headline (ensemble) probability, fitted on the validation units.
 *
 * - Platt scaling: p' = σ(a·logit(clamp(p, 1e-7, 1 − 1e-7)) + b), a and b the maximum-likelihood fit
 *   by Newton's method with a backtracking line search (Lin, Lin & Weng's form of Platt's
 *   algorithm), with Platt's smoothed targets t₊ = (N₊ + 1)/(N₊ + 2), t₋ = 1/(N₋ + 2) so a separable
 *   validation set still gives finite a and b.
 * - Isotonic regression: pool-adjacent-violators on the probabilities sorted ascending (equal
 *   probabilities pooled first), kept as the knots of a piecewise-linear interpolation, constant beyond
 *   the ends (scikit-learn's IsotonicRegression with out_of_bounds='clip').
 * - Expected calibration error: 10 equal-width bins on [0, 1] (bin k holds k/10 ≤ p < (k+1)/10, the
 *   last bin includes 1), ECE = Σ_bins (count/N)·|mean predicted − observed frequency|. The reliability
 *   diagram shows the same bins.
 * - The chooser picks none/platt/isotonic by cross-validation grouped by unit on the validation units:
 *   each method is fitted on k − 1 folds of units and scored by log-loss on the held-out fold; the
 *   lowest mean held-out log-loss wins, ties going to the simpler method (none, then platt).
 */
import { applyCalibration, logit, sigmoid } from '../../../shared/calibration';
import { PrognosError } from '../../../shared/errors';
import type { Calibration } from '../rul/types';
import { createRng, shuffleInPlace } from '../split';

export type CalibrationMethod = Calibration['method'];
export { applyCalibration, logit, PLATT_EPS } from '../../../shared/calibration';
export const CALIBRATION_METHODS: readonly CalibrationMethod[] = ['none', 'platt', 'isotonic'];

/** log-loss clamps probabilities to [LOGLOSS_EPS, 1 − LOGLOSS_EPS] */
export const LOGLOSS_EPS = 1e-6;
export const ECE_BINS = 10;

function checkPair(p: ArrayLike<number>, y: ArrayLike<number>, what: string): void {
  if (p.length !== y.length) throw new PrognosError('INVALID_INPUT', `${what}: ${p.length} probabilities but ${y.length} labels`);
  for (let i = 0; i < p.length; i++) {
    const v = p[i]!;
    if (!(v >= 0 && v <= 1)) throw new PrognosError('INVALID_INPUT', `${what}: probability at row ${i} is ${v}, expected a number in [0, 1]`);
    if (y[i] !== 0 && y[i] !== 1) throw new PrognosError('INVALID_INPUT', `${what}: label at row ${i} is ${y[i]}, expected 0 or 1`);
  }
}

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/** log(1 + e^z) without overflow */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

export interface PlattOptions {
  /** Platt's smoothed targets (default true); false fits the plain 0/1 labels */
  readonly smoothing?: boolean;
  readonly maxIterations?: number;
}

/** Platt scaling on logit(p): the a, b of σ(a·logit(p) + b) minimising the (smoothed-target) log-loss. */
export function fitPlatt(p: ArrayLike<number>, y: ArrayLike<number>, opts: PlattOptions = {}): { method: 'platt'; a: number; b: number } {
  checkPair(p, y, 'Platt scaling');
  const n = p.length;
  if (n === 0) throw new PrognosError('INVALID_INPUT', 'Platt scaling: no probabilities to fit');
  let pos = 0;
  for (let i = 0; i < n; i++) pos += y[i]!;
  const neg = n - pos;
  const smoothing = opts.smoothing ?? true;
  const tPos = smoothing ? (pos + 1) / (pos + 2) : 1;
  const tNeg = smoothing ? 1 / (neg + 2) : 0;
  const z = new Float64Array(n);
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    z[i] = logit(p[i]!);
    t[i] = y[i] === 1 ? tPos : tNeg;
  }
  // objective: Σ softplus(f) − t·f with f = a·z + b (the cross-entropy against the targets)
  const objective = (a: number, b: number): number => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const f = a * z[i]! + b;
      s += softplus(f) - t[i]! * f;
    }
    return s;
  };
  let a = 1;
  let b = 0;
  let fval = objective(a, b);
  const maxIterations = opts.maxIterations ?? 100;
  const sigma = 1e-12; // keeps the Hessian positive definite
  for (let it = 0; it < maxIterations; it++) {
    let h11 = sigma;
    let h22 = sigma;
    let h21 = 0;
    let g1 = 0;
    let g2 = 0;
    for (let i = 0; i < n; i++) {
      const q = sigmoid(a * z[i]! + b);
      const d1 = q - t[i]!;
      const d2 = q * (1 - q);
      h11 += z[i]! * z[i]! * d2;
      h22 += d2;
      h21 += z[i]! * d2;
      g1 += z[i]! * d1;
      g2 += d1;
    }
    if (Math.abs(g1) < 1e-10 * n && Math.abs(g2) < 1e-10 * n) break;
    const det = h11 * h22 - h21 * h21;
    const dA = -(h22 * g1 - h21 * g2) / det;
    const dB = -(-h21 * g1 + h11 * g2) / det;
    const gd = g1 * dA + g2 * dB;
    let step = 1;
    let moved = false;
    while (step >= 1e-10) {
      const na = a + step * dA;
      const nb = b + step * dB;
      const nf = objective(na, nb);
      if (nf < fval + 1e-4 * step * gd) {
        a = na;
        b = nb;
        fval = nf;
        moved = true;
        break;
      }
      step /= 2;
    }
    if (!moved) break;
  }
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new PrognosError('INTERNAL', 'Platt scaling did not converge');
  return { method: 'platt', a, b };
}

/**
 * Weighted pool-adjacent-violators: the non-decreasing sequence closest (weighted least squares) to
 * `values` in the given order. Returns one fitted value per input.
 */
export function poolAdjacentViolators(values: ArrayLike<number>, weights?: ArrayLike<number>): Float64Array {
  const n = values.length;
  const mean = new Float64Array(n);
  const weight = new Float64Array(n);
  const size = new Int32Array(n);
  let top = -1;
  for (let i = 0; i < n; i++) {
    top++;
    mean[top] = values[i]!;
    weight[top] = weights === undefined ? 1 : weights[i]!;
    size[top] = 1;
    while (top > 0 && mean[top - 1]! > mean[top]!) {
      const w = weight[top - 1]! + weight[top]!;
      mean[top - 1] = (mean[top - 1]! * weight[top - 1]! + mean[top]! * weight[top]!) / w;
      weight[top - 1] = w;
      size[top - 1] = size[top - 1]! + size[top]!;
      top--;
    }
  }
  const out = new Float64Array(n);
  let k = 0;
  for (let b = 0; b <= top; b++) for (let j = 0; j < size[b]!; j++) out[k++] = mean[b]!;
  return out;
}

/** Isotonic regression of the labels on the probabilities, as interpolation knots (x ascending, y non-decreasing). */
export function fitIsotonic(p: ArrayLike<number>, y: ArrayLike<number>): { method: 'isotonic'; x: number[]; y: number[] } {
  checkPair(p, y, 'Isotonic calibration');
  const n = p.length;
  if (n === 0) throw new PrognosError('INVALID_INPUT', 'Isotonic calibration: no probabilities to fit');
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => p[i]! - p[j]!);
  // equal probabilities pooled first: one point per distinct value, weighted by its count
  const xs: number[] = [];
  const ys: number[] = [];
  const ws: number[] = [];
  for (const i of order) {
    const last = xs.length - 1;
    if (last >= 0 && xs[last] === p[i]) {
      ys[last] = (ys[last]! * ws[last]! + y[i]!) / (ws[last]! + 1);
      ws[last] = ws[last]! + 1;
    } else {
      xs.push(p[i]!);
      ys.push(y[i]!);
      ws.push(1);
    }
  }
  const fitted = poolAdjacentViolators(ys, ws);
  // keep the ends of each constant run (the interior points add nothing to the interpolation)
  const kx: number[] = [];
  const ky: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    const keep = i === 0 || i === xs.length - 1 || fitted[i] !== fitted[i - 1] || fitted[i] !== fitted[i + 1];
    if (keep) {
      kx.push(xs[i]!);
      ky.push(fitted[i]!);
    }
  }
  return { method: 'isotonic', x: kx, y: ky };
}

/** Checks a stored or received calibration (finite parameters, ascending knots); names what is wrong. */
export function validateCalibration(c: Calibration, where: string): Calibration {
  const bad = (reason: string): never => {
    throw new PrognosError('INVALID_INPUT', `${where}: calibration ${reason}`);
  };
  switch (c.method) {
    case 'none':
      return c;
    case 'platt':
      if (!Number.isFinite(c.a) || !Number.isFinite(c.b)) bad(`Platt parameters must be finite numbers (a ${c.a}, b ${c.b})`);
      return c;
    case 'isotonic': {
      if (c.x.length === 0 || c.x.length !== c.y.length) bad(`isotonic knots need equal, non-zero numbers of x and y (${c.x.length} x, ${c.y.length} y)`);
      for (let i = 0; i < c.x.length; i++) {
        if (!Number.isFinite(c.x[i]) || !Number.isFinite(c.y[i])) bad(`isotonic knot ${i} is not finite`);
        if (i > 0 && !(c.x[i]! > c.x[i - 1]!)) bad(`isotonic knot x must be strictly ascending (knot ${i})`);
        if (i > 0 && c.y[i]! < c.y[i - 1]!) bad(`isotonic knot y must be non-decreasing (knot ${i})`);
        if (c.y[i]! < 0 || c.y[i]! > 1) bad(`isotonic knot y must be in [0, 1] (knot ${i} is ${c.y[i]})`);
      }
      return c;
    }
    default:
      return bad(`method ${(c as { method: string }).method} is unknown`);
  }
}

export interface ReliabilityBin {
  /** the bin [lower, upper) on the predicted probability (the last includes 1) */
  readonly lower: number;
  readonly upper: number;
  /** null when the bin is empty */
  readonly meanPredicted: number | null;
  readonly observed: number | null;
  readonly count: number;
}

export interface CalibrationSummary {
  /** expected calibration error over ECE_BINS equal-width bins weighted by count; null without rows */
  readonly ece: number | null;
  readonly bins: ReliabilityBin[];
}

/** ECE and the reliability diagram's bins (10 equal-width bins on [0, 1], weighted by count). */
export function reliability(p: ArrayLike<number>, y: ArrayLike<number>, nBins: number = ECE_BINS): CalibrationSummary {
  checkPair(p, y, 'Calibration error');
  const sumP = new Float64Array(nBins);
  const sumY = new Float64Array(nBins);
  const count = new Int32Array(nBins);
  for (let i = 0; i < p.length; i++) {
    const k = Math.min(nBins - 1, Math.floor(p[i]! * nBins));
    sumP[k] = sumP[k]! + p[i]!;
    sumY[k] = sumY[k]! + y[i]!;
    count[k] = count[k]! + 1;
  }
  let ece = 0;
  const bins: ReliabilityBin[] = [];
  for (let k = 0; k < nBins; k++) {
    const c = count[k]!;
    const meanPredicted = c === 0 ? null : sumP[k]! / c;
    const observed = c === 0 ? null : sumY[k]! / c;
    if (c > 0) ece += (c / p.length) * Math.abs(meanPredicted! - observed!);
    bins.push({ lower: k / nBins, upper: (k + 1) / nBins, meanPredicted, observed, count: c });
  }
  return { ece: p.length === 0 ? null : ece, bins };
}

export function expectedCalibrationError(p: ArrayLike<number>, y: ArrayLike<number>): number | null {
  return reliability(p, y).ece;
}

/** Mean log-loss with probabilities clamped to [LOGLOSS_EPS, 1 − LOGLOSS_EPS]. */
export function logLoss(p: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPair(p, y, 'Log-loss');
  if (p.length === 0) throw new PrognosError('INVALID_INPUT', 'Log-loss: no probabilities');
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const q = clamp(p[i]!, LOGLOSS_EPS, 1 - LOGLOSS_EPS);
    s -= y[i] === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return s / p.length;
}

export function fitCalibration(method: CalibrationMethod, p: ArrayLike<number>, y: ArrayLike<number>): Calibration {
  switch (method) {
    case 'none':
      checkPair(p, y, 'Calibration');
      return { method: 'none' };
    case 'platt':
      return fitPlatt(p, y);
    case 'isotonic':
      return fitIsotonic(p, y);
  }
}

export interface CalibrationChoice {
  readonly calibration: Calibration;
  /** how the method was chosen: 'cv' by the grouped cross-validation, 'config' when the config named it */
  readonly chosenBy: 'cv' | 'config';
  /** mean held-out log-loss of each candidate over the folds (empty when the config named the method) */
  readonly cv: { readonly method: CalibrationMethod; readonly logLoss: number }[];
  readonly folds: number;
}

export interface ChooseOptions {
  readonly folds?: number;
  readonly seed?: number;
}

/**
 * Picks none/platt/isotonic by cross-validation grouped by unit: units are shuffled (seeded) into
 * `folds` folds (5, or fewer with fewer units); each candidate is fitted on the other folds' rows and
 * scored by log-loss on the held-out fold; the lowest mean wins (ties to the simpler method). The
 * winner is then fitted on every row. With fewer than 2 units, or a fold whose training rows lack a
 * class, there is nothing to cross-validate: the result is `none`.
 */
export function chooseCalibration(p: ArrayLike<number>, y: ArrayLike<number>, unitOfRow: ArrayLike<number>, opts: ChooseOptions = {}): CalibrationChoice {
  checkPair(p, y, 'Calibration choice');
  if (unitOfRow.length !== p.length) throw new PrognosError('INVALID_INPUT', `Calibration choice: ${p.length} probabilities but ${unitOfRow.length} unit ids`);
  const units = [...new Set(Array.from(unitOfRow))].sort((a, b) => a - b);
  const k = Math.min(opts.folds ?? 5, units.length);
  if (k < 2) return { calibration: { method: 'none' }, chosenBy: 'cv', cv: [], folds: 0 };
  shuffleInPlace(units, createRng(opts.seed ?? 0));
  const foldOf = new Map(units.map((u, i) => [u, i % k]));
  const totals = new Map<CalibrationMethod, number>(CALIBRATION_METHODS.map((m) => [m, 0]));
  for (let f = 0; f < k; f++) {
    const fitP: number[] = [];
    const fitY: number[] = [];
    const heldP: number[] = [];
    const heldY: number[] = [];
    for (let i = 0; i < p.length; i++) {
      if (foldOf.get(unitOfRow[i]!) === f) {
        heldP.push(p[i]!);
        heldY.push(y[i]!);
      } else {
        fitP.push(p[i]!);
        fitY.push(y[i]!);
      }
    }
    const pos = fitY.reduce((s, v) => s + v, 0);
    if (pos === 0 || pos === fitY.length || heldP.length === 0) return { calibration: { method: 'none' }, chosenBy: 'cv', cv: [], folds: 0 };
    for (const m of CALIBRATION_METHODS) {
      const c = fitCalibration(m, fitP, fitY);
      // weighted by rows, so each row counts once over the folds
      totals.set(m, totals.get(m)! + logLoss(applyCalibration(c, heldP), heldY) * heldP.length);
    }
  }
  const cv = CALIBRATION_METHODS.map((m) => ({ method: m, logLoss: totals.get(m)! / p.length }));
  let best = cv[0]!;
  for (const c of cv) if (c.logLoss < best.logLoss - 1e-12) best = c;
  return { calibration: fitCalibration(best.method, p, y), chosenBy: 'cv', cv, folds: k };
}
