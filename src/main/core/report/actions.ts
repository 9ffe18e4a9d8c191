/**
 * From a scored unit to what the maintenance planner should do: the summary bucket (now / soon /
 * later), the ranking, and the template's action rules (first match wins). Pure functions.
 */
import type { ActionRule, RiskBucket } from '../../../shared/report';

/** A unit as scored at its last cycle (the same numbers as `prognos predict --json`). */
export interface ScoredUnitInput {
  readonly unit: number;
  readonly probability: number;
  readonly alert: boolean;
  readonly lastCycle: number;
  readonly rul?: number;
  readonly rulLow?: number;
  readonly rulHigh?: number;
  readonly trueRul?: number;
}

/** The decision rule the units are judged by. */
export interface DecisionRule {
  /** alert when probability ≥ threshold (the calibrated scale) */
  readonly threshold: number;
  /** the label window W: failure within W cycles */
  readonly horizon: number;
}

/**
 * now: the model alerts (p ≥ threshold, failure expected within W cycles);
 * soon: no alert yet, but the predicted RUL ≤ 2W when the model has RUL, or p ≥ threshold / 2 without RUL;
 * later: the rest.
 */
export function riskBucket(u: ScoredUnitInput, rule: DecisionRule): RiskBucket {
  if (u.probability >= rule.threshold) return 'now';
  if (u.rul !== undefined) return u.rul <= 2 * rule.horizon ? 'soon' : 'later';
  return u.probability >= rule.threshold / 2 ? 'soon' : 'later';
}

/** Probability descending; ties by unit id ascending. A new array; the input is left as it is. */
export function rankUnits<T extends { readonly unit: number; readonly probability: number }>(units: readonly T[]): T[] {
  return [...units].sort((a, b) => b.probability - a.probability || a.unit - b.unit);
}

export interface ResolvedAction {
  readonly actionId: string;
  readonly action: string;
  readonly priority: ActionRule['priority'];
}

/** What a template whose rules all fail gives (a template without a catch-all rule). */
export const NO_RULE_MATCHED: ResolvedAction = { actionId: 'none', action: 'No rule matched', priority: 'low' };

function holds(r: ActionRule, u: ScoredUnitInput, rule: DecisionRule): boolean {
  const w = r.when;
  if (w.probabilityAtLeast !== undefined) {
    const at = w.probabilityAtLeast === 'threshold' ? rule.threshold : w.probabilityAtLeast;
    if (!(u.probability >= at)) return false;
  }
  // a RUL condition never holds for a unit without a RUL estimate
  if (w.rulAtMost !== undefined && !(u.rul !== undefined && u.rul <= w.rulAtMost)) return false;
  if (w.rulLowAtMost !== undefined && !(u.rulLow !== undefined && u.rulLow <= w.rulLowAtMost)) return false;
  return true;
}

/** What `{cycles}` becomes for this unit: a fixed number; "rulLow": ⌊rulLow⌋, at least 0 (W without RUL); "horizon": W. */
export function cyclesFor(within: ActionRule['withinCycles'], u: ScoredUnitInput, rule: DecisionRule): number | undefined {
  if (within === undefined) return undefined;
  if (within === 'horizon') return rule.horizon;
  if (within === 'rulLow') return u.rulLow === undefined ? rule.horizon : Math.max(0, Math.floor(u.rulLow));
  return within;
}

/** The template's rules in order, first match wins; `{cycles}` in its label resolved (W when the rule names no cycles). */
export function resolveAction(rules: readonly ActionRule[], u: ScoredUnitInput, rule: DecisionRule): ResolvedAction {
  for (const r of rules) {
    if (!holds(r, u, rule)) continue;
    const cycles = cyclesFor(r.withinCycles, u, rule) ?? rule.horizon;
    return { actionId: r.id, action: r.label.replaceAll('{cycles}', String(cycles)), priority: r.priority };
  }
  return NO_RULE_MATCHED;
}
