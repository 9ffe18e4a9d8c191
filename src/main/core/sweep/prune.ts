/**
 * Early pruning by the median rule (as Vizier's and Optuna's median stopping): at a checkpoint
 * step, a trial whose best validation loss so far is worse than the median of the finished trials'
 * best losses up to the same step is stopped. Curves are per model (GBDT rounds, LSTM epochs).
 */

export interface CurvePoint {
  step: number;
  value: number;
}

export interface MedianRule {
  /** finished trials needed at a step before any trial is pruned there */
  startupTrials: number;
  /** steps before the first checkpoint */
  warmupSteps: number;
  /** steps between checkpoints */
  interval: number;
}

export const DEFAULT_MEDIAN_RULE: MedianRule = { startupTrials: 4, warmupSteps: 10, interval: 10 };

/** The lowest finite value at a step ≤ `step`, or undefined. */
export function bestUpTo(curve: readonly CurvePoint[], step: number): number | undefined {
  let best: number | undefined;
  for (const p of curve) if (p.step <= step && Number.isFinite(p.value) && (best === undefined || p.value < best)) best = p.value;
  return best;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function isCheckpoint(step: number, rule: MedianRule): boolean {
  return step >= rule.warmupSteps && (step - rule.warmupSteps) % rule.interval === 0;
}

/**
 * Whether to prune a trial at `step`: null to go on, else the reason. `finished` are the curves of
 * trials that completed (not pruned) for the same model; a finished curve that ended before `step`
 * (early stopping) counts with its best value.
 */
export function medianPrune(current: readonly CurvePoint[], finished: readonly (readonly CurvePoint[])[], step: number, rule: MedianRule = DEFAULT_MEDIAN_RULE): string | null {
  if (!isCheckpoint(step, rule)) return null;
  const mine = bestUpTo(current, step);
  if (mine === undefined) return null;
  const others = finished.map((c) => bestUpTo(c, step)).filter((v): v is number => v !== undefined);
  if (others.length < rule.startupTrials) return null;
  const m = median(others);
  return mine > m ? `validation loss ${mine.toPrecision(4)} at step ${step} is worse than the median ${m.toPrecision(4)} of ${others.length} finished trials` : null;
}
