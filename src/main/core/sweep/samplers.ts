/**
 * Samplers of a search space: grid, random and TPE (Tree-structured Parzen Estimator, Bergstra et
 * al. 2011). Every sampler is seeded and pure: the values of trial n follow from the seed, n and the
 * trials finished before it, so a resumed sweep samples what the first process would have.
 */
import { Rng } from '../data/prng';
import { gridValues, paramFromUniform, snapFloat, snapLog, type ParamSpec, type ParamValues, type SearchParam, type SearchSpace } from './space';

export type SamplerName = 'grid' | 'random' | 'tpe';
export const SAMPLERS: readonly SamplerName[] = ['grid', 'random', 'tpe'];

/** A finished trial as a sampler sees it: its values and its loss (lower is better; null = pruned or failed). */
export interface Observation {
  values: ParamValues;
  loss: number | null;
}

export interface TpeOptions {
  /** random trials before the model is used */
  startupTrials: number;
  /** share of the finished trials that make the "good" density l(x) */
  gamma: number;
  /** candidates drawn from l(x); the one with the largest l(x)/g(x) is taken */
  candidates: number;
}

export const DEFAULT_TPE: TpeOptions = { startupTrials: 10, gamma: 0.25, candidates: 24 };

/** The number of points of a full grid; a float range without a step is refused (naming it). */
export function gridSize(space: SearchSpace): number {
  let n = 1;
  for (const p of space.params) {
    const v = gridValues(p.spec);
    if (v === undefined) throw new Error(`grid search needs the points of ${p.name}: give its ${p.spec.kind} range a ${p.spec.kind === 'float' ? '"step"' : '"steps"'}, or use the random or tpe sampler`);
    n *= v.length;
  }
  return n;
}

/** Point `index` of the grid (the last parameter varies fastest). */
export function gridPoint(space: SearchSpace, index: number): ParamValues {
  const out: ParamValues = {};
  let rest = index;
  for (let i = space.params.length - 1; i >= 0; i--) {
    const p = space.params[i]!;
    const values = gridValues(p.spec)!;
    out[p.name] = values[rest % values.length];
    rest = Math.floor(rest / values.length);
  }
  return out;
}

function trialRng(seed: number, trial: number): Rng {
  return new Rng(seed, 1 + trial);
}

export function randomPoint(space: SearchSpace, seed: number, trial: number): ParamValues {
  const rng = trialRng(seed, trial);
  return Object.fromEntries(space.params.map((p) => [p.name, paramFromUniform(p.spec, rng.float())]));
}

// --- TPE -------------------------------------------------------------------------------------

/** erf by Abramowitz and Stegun 7.1.26 (|error| < 1.5e-7) */
function erf(x: number): number {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}
const phi = (z: number): number => 0.5 * (1 + erf(z / Math.SQRT2));

/** A numeric parameter in its search coordinates: ints widened by half a step, logFloat in log. */
interface Axis {
  lo: number;
  hi: number;
  to(v: unknown): number;
  from(u: number): unknown;
}

function axisOf(spec: Exclude<ParamSpec, { kind: 'choice' }>): Axis {
  switch (spec.kind) {
    case 'int':
      return {
        lo: -0.5,
        hi: Math.floor((spec.hi - spec.lo) / spec.step) + 0.5,
        to: (v) => ((v as number) - spec.lo) / spec.step,
        from: (u) => spec.lo + spec.step * Math.min(Math.floor((spec.hi - spec.lo) / spec.step), Math.max(0, Math.round(u))),
      };
    case 'float':
      return { lo: spec.lo, hi: spec.hi, to: (v) => v as number, from: (u) => snapFloat(spec, u) };
    case 'logFloat':
      return { lo: Math.log(spec.lo), hi: Math.log(spec.hi), to: (v) => Math.log(v as number), from: (u) => snapLog(spec, Math.exp(u)) };
  }
}

/** A mixture of Gaussians truncated to [lo, hi], one per observation plus a wide prior. */
class Parzen {
  private readonly mus: number[];
  private readonly sigmas: number[];
  private readonly mass: number[];
  constructor(
    points: readonly number[],
    private readonly lo: number,
    private readonly hi: number,
  ) {
    const width = hi - lo || 1;
    const mus = [...points, (lo + hi) / 2].sort((a, b) => a - b);
    const n = points.length;
    const minSigma = width / Math.min(100, n + 1);
    this.mus = mus;
    this.sigmas = mus.map((m, i) => {
      const left = i === 0 ? m - lo : m - mus[i - 1]!;
      const right = i === mus.length - 1 ? hi - m : mus[i + 1]! - m;
      return Math.min(width, Math.max(minSigma, left, right));
    });
    // the prior is the point at the middle with the whole width as its spread
    const prior = mus.indexOf((lo + hi) / 2);
    this.sigmas[prior] = width;
    this.mass = mus.map((m, i) => Math.max(1e-12, phi((hi - m) / this.sigmas[i]!) - phi((lo - m) / this.sigmas[i]!)));
  }
  logPdf(x: number): number {
    let sum = 0;
    for (let i = 0; i < this.mus.length; i++) {
      const s = this.sigmas[i]!;
      const z = (x - this.mus[i]!) / s;
      sum += Math.exp(-0.5 * z * z) / (s * Math.sqrt(2 * Math.PI) * this.mass[i]!);
    }
    return Math.log(sum / this.mus.length + 1e-300);
  }
  sample(rng: Rng): number {
    const i = Math.min(this.mus.length - 1, Math.floor(rng.float() * this.mus.length));
    for (let tries = 0; tries < 100; tries++) {
      const x = this.mus[i]! + this.sigmas[i]! * rng.normal();
      if (x >= this.lo && x <= this.hi) return x;
    }
    return rng.uniform(this.lo, this.hi);
  }
}

/** Category weights: counts plus one prior count spread over the options. */
class Categorical {
  private readonly p: number[];
  constructor(indices: readonly number[], k: number) {
    const counts = new Array<number>(k).fill(1 / k);
    for (const i of indices) counts[i]! += 1;
    const total = indices.length + 1;
    this.p = counts.map((c) => c / total);
  }
  logPdf(i: number): number {
    return Math.log(this.p[i]!);
  }
  sample(rng: Rng): number {
    let u = rng.float();
    for (let i = 0; i < this.p.length; i++) {
      u -= this.p[i]!;
      if (u < 0) return i;
    }
    return this.p.length - 1;
  }
}

function choiceIndex(p: SearchParam & { spec: { kind: 'choice' } }, v: unknown): number {
  const key = JSON.stringify(v);
  return Math.max(0, p.spec.options.findIndex((o) => JSON.stringify(o) === key));
}

/**
 * TPE: the finished trials are split by loss at the gamma quantile into good and bad; per parameter a
 * Parzen density l(x) over the good values and g(x) over the bad (pruned and failed trials count as
 * bad); candidates are drawn from l and the one maximising Σ log l(x) − log g(x) is taken. Before
 * `startupTrials` trials have a loss the point is random.
 */
export function tpePoint(space: SearchSpace, history: readonly Observation[], seed: number, trial: number, opts: TpeOptions = DEFAULT_TPE): ParamValues {
  const scored = history.filter((h): h is Observation & { loss: number } => h.loss !== null && Number.isFinite(h.loss));
  if (scored.length < opts.startupTrials || space.params.length === 0) return randomPoint(space, seed, trial);
  const sorted = [...scored].sort((a, b) => a.loss - b.loss);
  const nGood = Math.min(25, Math.max(1, Math.ceil(opts.gamma * sorted.length)));
  const good = sorted.slice(0, nGood);
  const bad = [...sorted.slice(nGood), ...history.filter((h) => h.loss === null || !Number.isFinite(h.loss))];
  const rng = trialRng(seed, trial);
  const samplers = space.params.map((p) => {
    if (p.spec.kind === 'choice') {
      const ps = p as SearchParam & { spec: { kind: 'choice' } };
      const k = ps.spec.options.length;
      const l = new Categorical(good.map((h) => choiceIndex(ps, h.values[p.name])), k);
      const g = new Categorical(bad.map((h) => choiceIndex(ps, h.values[p.name])), k);
      return { sample: () => l.sample(rng), score: (i: number) => l.logPdf(i) - g.logPdf(i), value: (i: number) => ps.spec.options[i] };
    }
    const axis = axisOf(p.spec);
    const l = new Parzen(good.map((h) => axis.to(h.values[p.name])), axis.lo, axis.hi);
    const g = new Parzen(bad.map((h) => axis.to(h.values[p.name])), axis.lo, axis.hi);
    // score where the value lands: an int or a stepped value at its grid point
    const landed = (u: number): number => axis.to(axis.from(u));
    return { sample: () => l.sample(rng), score: (u: number) => l.logPdf(landed(u)) - g.logPdf(landed(u)), value: (u: number) => axis.from(u) };
  });
  let best: number[] | undefined;
  let bestScore = -Infinity;
  for (let c = 0; c < opts.candidates; c++) {
    const cand = samplers.map((s) => s.sample());
    const score = cand.reduce((sum, u, i) => sum + samplers[i]!.score(u), 0);
    if (score > bestScore) {
      bestScore = score;
      best = cand;
    }
  }
  return Object.fromEntries(space.params.map((p, i) => [p.name, samplers[i]!.value(best![i]!)]));
}
