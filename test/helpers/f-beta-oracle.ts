/**
 * An independent reference for threshold and ensemble choices: plain counting over every candidate
 * threshold and every grid weight, sharing no code with src/main/core/eval. Tests compare the
 * library's choices and reported scores with it.
 */

/** F-beta of "predict positive when p ≥ threshold", by counting (0 without true positives). */
export function fBetaByCounting(p: ArrayLike<number>, y: ArrayLike<number>, threshold: number, beta = 2): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < p.length; i++) {
    const predicted = p[i]! >= threshold;
    if (predicted && y[i] === 1) tp++;
    else if (predicted) fp++;
    else if (y[i] === 1) fn++;
  }
  const b2 = beta * beta;
  return tp === 0 ? 0 : ((1 + b2) * tp) / ((1 + b2) * tp + b2 * fn + fp);
}

/** The best threshold among the distinct scores (ties to the higher threshold) and its F-beta. */
export function bestThresholdByCounting(
  p: ArrayLike<number>,
  y: ArrayLike<number>,
  beta = 2,
): { threshold: number; f: number } {
  const candidates = [...new Set(Array.from(p))].sort((a, b) => b - a);
  let best = { threshold: candidates[0]!, f: -1 };
  for (const t of candidates) {
    const f = fBetaByCounting(p, y, t, beta);
    if (f > best.f) best = { threshold: t, f };
  }
  return best;
}

/** w·g + (1 − w)·l, element by element. */
export function blendByHand(g: ArrayLike<number>, l: ArrayLike<number>, w: number): number[] {
  return Array.from({ length: g.length }, (_, i) => w * g[i]! + (1 - w) * l[i]!);
}

/**
 * Every weight k/n (k = 0…n) with its best threshold; the best F-beta wins (ties within 1e-12 to the
 * weight nearest `preferred`).
 */
export function bestBlendByCounting(
  g: ArrayLike<number>,
  l: ArrayLike<number>,
  y: ArrayLike<number>,
  n = 20,
  preferred = 0.6,
  beta = 2,
): { weight: number; threshold: number; f: number } {
  let best: { weight: number; threshold: number; f: number } | undefined;
  for (let k = 0; k <= n; k++) {
    const weight = k / n;
    const t = bestThresholdByCounting(blendByHand(g, l, weight), y, beta);
    const c = { weight, threshold: t.threshold, f: t.f };
    if (
      best === undefined ||
      c.f > best.f + 1e-12 ||
      (Math.abs(c.f - best.f) <= 1e-12 && Math.abs(weight - preferred) < Math.abs(best.weight - preferred))
    )
      best = c;
  }
  return best!;
}
