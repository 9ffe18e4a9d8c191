/**
 * Classification figures at any threshold, from scores and 0/1 labels, with main's conventions:
 * a row is positive when p ≥ t; a figure that is undefined is null (precision with no predicted
 * positives, recall with no positives, F-beta with neither).
 */

export interface Confusion {
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
}

export interface ThresholdFigures {
  readonly threshold: number;
  readonly confusion: Confusion;
  readonly precision: number | null;
  readonly recall: number | null;
  readonly f1: number | null;
  readonly f2: number | null;
}

export function fBeta(c: Confusion, beta: number): number | null {
  const b2 = beta * beta;
  const denom = (1 + b2) * c.tp + b2 * c.fn + c.fp;
  return denom === 0 ? null : ((1 + b2) * c.tp) / denom;
}

export function figuresOf(threshold: number, c: Confusion): ThresholdFigures {
  return {
    threshold,
    confusion: c,
    precision: c.tp + c.fp === 0 ? null : c.tp / (c.tp + c.fp),
    recall: c.tp + c.fn === 0 ? null : c.tp / (c.tp + c.fn),
    f1: fBeta(c, 1),
    f2: fBeta(c, 2),
  };
}

/** Number of values ≥ t in an ascending array. */
function countAtLeast(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}

/** Scores split by label and sorted once; each threshold then costs two binary searches. */
export class ScoredRows {
  private readonly positives: Float64Array;
  private readonly negatives: Float64Array;

  constructor(scores: readonly number[], labels: readonly number[]) {
    const n = Math.min(scores.length, labels.length);
    const pos: number[] = [];
    const neg: number[] = [];
    for (let i = 0; i < n; i++) {
      if (labels[i] === 1) pos.push(scores[i]!);
      else neg.push(scores[i]!);
    }
    this.positives = Float64Array.from(pos).sort();
    this.negatives = Float64Array.from(neg).sort();
  }

  get size(): number {
    return this.positives.length + this.negatives.length;
  }

  get positiveCount(): number {
    return this.positives.length;
  }

  at(threshold: number): ThresholdFigures {
    const tp = countAtLeast(this.positives, threshold);
    const fp = countAtLeast(this.negatives, threshold);
    return figuresOf(threshold, {
      tp,
      fp,
      fn: this.positives.length - tp,
      tn: this.negatives.length - fp,
    });
  }

  /** Figures on an even grid of thresholds in [0, 1], for a chart. */
  sweep(steps: number): ThresholdFigures[] {
    const out: ThresholdFigures[] = [];
    for (let i = 0; i <= steps; i++) out.push(this.at(i / steps));
    return out;
  }

  /** The (false positive rate, true positive rate) point at a threshold, or null without both classes. */
  rocPoint(threshold: number): { x: number; y: number } | null {
    if (this.positives.length === 0 || this.negatives.length === 0) return null;
    const f = this.at(threshold).confusion;
    return { x: f.fp / this.negatives.length, y: f.tp / this.positives.length };
  }
}
