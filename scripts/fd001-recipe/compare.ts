/**
 * Candidate recipes for the FD001 ensemble, each fitted on the validation units' scores only and
 * judged on the test-split units of the same seed (units of train_FD001 that no model or choice saw).
 *
 * The held-out units run to failure, while an official C-MAPSS test unit is cut somewhere in its
 * life. Besides every full-window row, rows are therefore also scored "as if cut": each row weighted
 * by the chance that a unit cut at a uniform 30–95 % of its life (the project's own test-set
 * convention, `prognos synth --rul-out`) still contains it.
 */
import type { Collected, Part } from './collect';

const EPS = 1e-7;
export const logit = (p: number): number => {
  const q = Math.min(1 - EPS, Math.max(EPS, p));
  return Math.log(q / (1 - q));
};
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Weight of a row at `position` (0-based) of a unit of `length` rows when the unit is cut at U(0.3, 0.95)·length rows. */
export function cutWeight(position: number, length: number): number {
  const need = (position + 0.5) / length;
  return Math.min(1, Math.max(0, (0.95 - need) / 0.65));
}

export interface Scored {
  f2: number;
  auc: number;
}

/** Weighted F2 at a threshold and weighted ROC-AUC (mid-ranks for ties). */
export function weightedScores(p: ArrayLike<number>, y: ArrayLike<number>, w: ArrayLike<number>, threshold: number): Scored {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < p.length; i++) {
    const pos = p[i]! >= threshold;
    if (y[i] === 1) {
      if (pos) tp += w[i]!;
      else fn += w[i]!;
    } else if (pos) fp += w[i]!;
  }
  const f2 = tp > 0 ? (5 * tp) / (5 * tp + 4 * fn + fp) : 0;
  const order = Array.from({ length: p.length }, (_, i) => i).sort((a, b) => p[a]! - p[b]!);
  let negBelow = 0;
  let pairs = 0;
  let totPos = 0;
  let totNeg = 0;
  for (let k = 0; k < order.length; ) {
    let j = k;
    let pos = 0;
    let neg = 0;
    while (j < order.length && p[order[j]!] === p[order[k]!]) {
      const i = order[j]!;
      if (y[i] === 1) pos += w[i]!;
      else neg += w[i]!;
      j++;
    }
    pairs += pos * (negBelow + neg / 2);
    negBelow += neg;
    totPos += pos;
    totNeg += neg;
    k = j;
  }
  return { f2, auc: totPos > 0 && totNeg > 0 ? pairs / (totPos * totNeg) : Number.NaN };
}

/** The F2-best threshold among the distinct scores (ties to the higher threshold), as tuneThreshold; rows optionally weighted. */
export function f2Threshold(p: ArrayLike<number>, y: ArrayLike<number>, w?: ArrayLike<number>): number {
  const order = Array.from({ length: p.length }, (_, i) => i).sort((a, b) => p[b]! - p[a]!);
  const wt = (i: number): number => (w === undefined ? 1 : w[i]!);
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i]! * wt(i);
  let tp = 0;
  let fp = 0;
  let best = -1;
  let threshold = p[order[0]!]!;
  for (let k = 0; k < order.length; k++) {
    if (y[order[k]!] === 1) tp += wt(order[k]!);
    else fp += wt(order[k]!);
    if (k === order.length - 1 || p[order[k + 1]!] !== p[order[k]!]) {
      const f = tp > 0 ? (5 * tp) / (5 * tp + 4 * (positives - tp) + fp) : 0;
      if (f > best) {
        best = f;
        threshold = p[order[k]!]!;
      }
    }
  }
  return threshold;
}

/** Logistic regression by Newton steps with a small L2 penalty (not on the intercept). */
export function fitLogistic(x: readonly number[][], y: ArrayLike<number>, l2 = 1e-3): number[] {
  const d = x[0]!.length + 1;
  const beta = new Array<number>(d).fill(0);
  for (let it = 0; it < 50; it++) {
    const g = new Array<number>(d).fill(0);
    const h = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (let i = 0; i < x.length; i++) {
      const row = [1, ...x[i]!];
      const z = row.reduce((a, v, j) => a + v * beta[j]!, 0);
      const q = sigmoid(z);
      const r = q - y[i]!;
      const s = q * (1 - q);
      for (let a = 0; a < d; a++) {
        g[a]! += r * row[a]!;
        for (let b = 0; b < d; b++) h[a]![b]! += s * row[a]! * row[b]!;
      }
    }
    for (let a = 1; a < d; a++) {
      g[a]! += l2 * x.length * beta[a]!;
      h[a]![a]! += l2 * x.length;
    }
    const step = solve(h, g);
    let size = 0;
    for (let a = 0; a < d; a++) {
      beta[a]! -= step[a]!;
      size = Math.max(size, Math.abs(step[a]!));
    }
    if (size < 1e-9) break;
  }
  return beta;
}

function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((r, i) => [...r, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((r, i) => r[n]! / r[i]!);
}

const mean = (arrays: readonly number[][]): number[] => arrays[0]!.map((_, i) => arrays.reduce((a, s) => a + s[i]!, 0) / arrays.length);

/** A base model's scores: one named model or the mean of several (a seed bag). */
export interface Base {
  name: string;
  /** one binary:logistic tree ensemble (a single GBDT, or several merged in log-odds) */
  single: boolean;
  of: (p: Part) => number[];
}

export const bases = (names: Record<string, readonly string[]>): Base[] =>
  Object.entries(names).map(([name, members]) => ({ name, single: members.length === 1, of: (p: Part) => mean(members.map((m) => p.scores[m]!)) }));

/** Members averaged in log-odds (a GBDT bag merged into one tree ensemble with leaves scaled by 1/k predicts this). */
export const logitBases = (names: Record<string, readonly string[]>, single = true): Base[] =>
  Object.entries(names).map(([name, members]) => ({
    name,
    single,
    of: (p: Part) => mean(members.map((m) => p.scores[m]!.map(logit))).map(sigmoid),
  }));

/** A combination rule: fitted on the validation part, returns the test part's scores and a threshold. */
export interface Rule {
  name: string;
  /** a linear blend of the two probabilities, as bundles and pipeline.onnx compute the ensemble */
  blend: boolean;
  fit: (g: number[], l: number[], y: number[], w?: number[]) => { combine: (g: number[], l: number[]) => number[]; threshold: number };
}

const blendOf = (w: number) => (g: number[], l: number[]): number[] => g.map((v, i) => w * v + (1 - w) * l[i]!);


export const RULES: Rule[] = [
  {
    // today's rule: every w on a 0.05 grid with its F2-best threshold, ties toward 0.6
    name: 'blend, w by F2 grid',
    blend: true,
    fit: (g, l, y, wt) => {
      let best = { w: 0, t: 0, f: -1 };
      for (let k = 0; k <= 20; k++) {
        const w = k / 20;
        const p = blendOf(w)(g, l);
        const t = f2Threshold(p, y, wt);
        const f = weightedScores(p, y, wt ?? y.map(() => 1), t).f2;
        if (f > best.f + 1e-12 || (Math.abs(f - best.f) <= 1e-12 && Math.abs(w - 0.6) < Math.abs(best.w - 0.6))) best = { w, t, f };
      }
      return { combine: blendOf(best.w), threshold: best.t };
    },
  },
  {
    // a smooth criterion instead of F2: the grid weight with the lowest validation log-loss
    name: 'blend, w by log-loss grid',
    blend: true,
    fit: (g, l, y, wt) => {
      let best = { w: 0, loss: Infinity };
      for (let k = 0; k <= 20; k++) {
        const w = k / 20;
        const p = blendOf(w)(g, l);
        let loss = 0;
        for (let i = 0; i < p.length; i++) loss -= y[i] === 1 ? Math.log(Math.max(EPS, p[i]!)) : Math.log(Math.max(EPS, 1 - p[i]!));
        if (loss < best.loss - 1e-9) best = { w, loss };
      }
      return { combine: blendOf(best.w), threshold: f2Threshold(blendOf(best.w)(g, l), y, wt) };
    },
  },
  {
    name: 'blend, w = 0.5',
    blend: true,
    fit: (g, l, y, wt) => ({ combine: blendOf(0.5), threshold: f2Threshold(blendOf(0.5)(g, l), y, wt) }),
  },
  {
    name: 'mean of logits',
    blend: false,
    fit: (g, l, y, wt) => {
      const combine = (a: number[], b: number[]): number[] => a.map((v, i) => sigmoid((logit(v) + logit(b[i]!)) / 2));
      return { combine, threshold: f2Threshold(combine(g, l), y, wt) };
    },
  },
  {
    name: 'stacked logistic on logits',
    blend: false,
    fit: (g, l, y, wt) => {
      const beta = fitLogistic(g.map((v, i) => [logit(v), logit(l[i]!)]), y);
      const combine = (a: number[], b: number[]): number[] => a.map((v, i) => sigmoid(beta[0]! + beta[1]! * logit(v) + beta[2]! * logit(b[i]!)));
      return { combine, threshold: f2Threshold(combine(g, l), y, wt) };
    },
  },
];

export const cutWeights = (p: Part): number[] => p.position.map((pos, i) => cutWeight(pos, p.length[i]!));

export interface Row {
  base: string;
  rule: string;
  deliverable: boolean;
  perSeed: { seed: number; f2: number; auc: number; cutF2: number; cutAuc: number }[];
}

/** A recipe fitted on a run's validation part and applied to another part of the same run (its test split, or the official rows). */
export interface Recipe {
  base: string;
  rule: string;
  /** the form bundles and pipeline.onnx compute: P = w·P_gbdt + (1 − w)·P_lstm of one binary:logistic tree ensemble and the LSTM, threshold on every validation row */
  deliverable: boolean;
  score: (run: Collected, part: Part) => { p: number[]; threshold: number };
}

/** Every single model alone and every GBDT × LSTM × rule, each with the threshold on all validation rows or weighted as if cut. */
export function recipes(gbdts: readonly Base[], lstms: readonly Base[], rules: readonly Rule[] = RULES): Recipe[] {
  const out: Recipe[] = [];
  for (const b of [...gbdts, ...lstms]) {
    for (const asIfCut of [false, true]) {
      out.push({
        base: b.name,
        rule: asIfCut ? 'alone, threshold as if cut' : 'alone',
        deliverable: false,
        score: (run, part) => ({ p: b.of(part), threshold: f2Threshold(b.of(run.validation), run.validation.label, asIfCut ? cutWeights(run.validation) : undefined) }),
      });
    }
  }
  for (const g of gbdts) {
    for (const l of lstms) {
      for (const rule of rules) {
        for (const asIfCut of [false, true]) {
          out.push({
            base: `${g.name} + ${l.name}`,
            rule: `${rule.name}${asIfCut ? ', threshold as if cut' : ''}`,
            deliverable: g.single && l.single && rule.blend && !asIfCut,
            score: (run, part) => {
              const fitted = rule.fit(g.of(run.validation), l.of(run.validation), run.validation.label, asIfCut ? cutWeights(run.validation) : undefined);
              return { p: fitted.combine(g.of(part), l.of(part)), threshold: fitted.threshold };
            },
          });
        }
      }
    }
  }
  return out;
}

/** Each recipe judged on the test-split units of every run: all full-window rows, and weighted as if cut. */
export function compare(runs: readonly Collected[], all: readonly Recipe[]): Row[] {
  return all.map((r) => ({
    base: r.base,
    rule: r.rule,
    deliverable: r.deliverable,
    perSeed: runs.map((run) => {
      const { p, threshold } = r.score(run, run.test);
      const y = run.test.label;
      const plain = weightedScores(p, y, y.map(() => 1), threshold);
      const cut = weightedScores(p, y, cutWeights(run.test), threshold);
      return { seed: run.seed, f2: plain.f2, auc: plain.auc, cutF2: cut.f2, cutAuc: cut.auc };
    }),
  }));
}

/**
 * Causal smoothing of scores along each unit's rows, in log-odds: `mean` averages a row with up to
 * k − 1 rows before it; `trend` fits a least-squares line through the same rows and reads it at the
 * row itself (no lag on a steady rise). Only past rows are read, so a unit cut anywhere is scored
 * as it would be live.
 */
export function smoothAlongUnits(p: readonly number[], part: Part, k: number, mode: 'mean' | 'trend'): number[] {
  const byUnit = new Map<number, number[]>();
  part.unit.forEach((u, i) => {
    const rows = byUnit.get(u);
    if (rows === undefined) byUnit.set(u, [i]);
    else rows.push(i);
  });
  const out = new Array<number>(p.length);
  for (const rows of byUnit.values()) {
    rows.sort((a, b) => part.position[a]! - part.position[b]!);
    const z = rows.map((i) => logit(p[i]!));
    for (let j = 0; j < rows.length; j++) {
      const lo = Math.max(0, j - k + 1);
      const n = j - lo + 1;
      let v: number;
      if (mode === 'mean' || n < 3) {
        let s = 0;
        for (let t = lo; t <= j; t++) s += z[t]!;
        v = mode === 'mean' ? s / n : z[j]!;
      } else {
        // line through (x, z) for x = 0..n−1, read at x = n − 1
        let sx = 0;
        let sz = 0;
        let sxx = 0;
        let sxz = 0;
        for (let t = lo; t <= j; t++) {
          const x = t - lo;
          sx += x;
          sz += z[t]!;
          sxx += x * x;
          sxz += x * z[t]!;
        }
        const slope = (n * sxz - sx * sz) / (n * sxx - sx * sx);
        v = (sz - slope * sx) / n + slope * (n - 1);
      }
      out[rows[j]!] = sigmoid(v);
    }
  }
  return out;
}

/** A recipe's scores smoothed along each unit (smoothAlongUnits), the threshold refitted on the smoothed validation rows. */
export function smoothed(recipe: Recipe, k: number, mode: 'mean' | 'trend'): Recipe {
  return {
    base: recipe.base,
    rule: `${recipe.rule}, then ${mode === 'mean' ? 'mean' : 'trend'} of the last ${k} rows`,
    deliverable: false,
    score: (run, part) => {
      const v = smoothAlongUnits(recipe.score(run, run.validation).p, run.validation, k, mode);
      return { p: smoothAlongUnits(recipe.score(run, part).p, part, k, mode), threshold: f2Threshold(v, run.validation.label) };
    },
  };
}
