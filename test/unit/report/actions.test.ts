import { describe, expect, it } from 'vitest';
import { DEFAULT_ACTION_RULES, type ActionRule } from '../../../src/shared/report';
import { cyclesFor, NO_RULE_MATCHED, rankUnits, resolveAction, riskBucket, type ScoredUnitInput } from '../../../src/main/core/report/actions';

const rule = { threshold: 0.4, horizon: 30 };
const unit = (probability: number, more: Partial<ScoredUnitInput> = {}): ScoredUnitInput => ({ unit: 1, probability, alert: probability >= rule.threshold, lastCycle: 100, ...more });

describe('risk buckets', () => {
  it('now is the alert, whatever the RUL says', () => {
    expect(riskBucket(unit(0.4), rule)).toBe('now');
    expect(riskBucket(unit(0.95, { rul: 500 }), rule)).toBe('now');
  });
  it('soon without RUL: probability at least half the threshold', () => {
    expect(riskBucket(unit(0.2), rule)).toBe('soon');
    expect(riskBucket(unit(0.1999), rule)).toBe('later');
  });
  it('soon with RUL: predicted RUL within 2W, the probability aside', () => {
    expect(riskBucket(unit(0.01, { rul: 60 }), rule)).toBe('soon');
    expect(riskBucket(unit(0.39, { rul: 60.5 }), rule)).toBe('later');
  });
});

describe('ranking', () => {
  it('probability descending, ties by unit id ascending, input untouched', () => {
    const input = [
      { unit: 7, probability: 0.5 },
      { unit: 3, probability: 0.9 },
      { unit: 5, probability: 0.5 },
      { unit: 1, probability: 0.1 },
    ];
    expect(rankUnits(input).map((u) => u.unit)).toEqual([3, 5, 7, 1]);
    expect(input.map((u) => u.unit)).toEqual([7, 3, 5, 1]);
  });
});

describe('action rules', () => {
  it('the default rules, first match wins', () => {
    expect(resolveAction(DEFAULT_ACTION_RULES, unit(0.95), rule).actionId).toBe('remove');
    // above the threshold with a low RUL bound: removed although p < 0.9
    expect(resolveAction(DEFAULT_ACTION_RULES, unit(0.5, { rul: 12, rulLow: 4.2, rulHigh: 20 }), rule)).toEqual({ actionId: 'remove-rul', action: 'Remove from service', priority: 'high' });
    // rulLow floored into the label
    expect(resolveAction(DEFAULT_ACTION_RULES, unit(0.5, { rul: 20, rulLow: 11.9, rulHigh: 30 }), rule)).toEqual({ actionId: 'inspect', action: 'Schedule inspection within 11 cycles', priority: 'medium' });
    // without RUL the rulLow rule never holds and {cycles} becomes W
    expect(resolveAction(DEFAULT_ACTION_RULES, unit(0.5), rule).action).toBe('Schedule inspection within 30 cycles');
    expect(resolveAction(DEFAULT_ACTION_RULES, unit(0.25), rule).actionId).toBe('watch');
    expect(resolveAction(DEFAULT_ACTION_RULES, unit(0.05), rule).actionId).toBe('monitor');
  });
  it('a rule holds only when every condition holds; RUL conditions fail without RUL', () => {
    const rules: ActionRule[] = [
      { id: 'both', label: 'both', priority: 'high', when: { probabilityAtLeast: 0.5, rulAtMost: 10 } },
      { id: 'rul', label: 'in {cycles}', priority: 'medium', when: { rulAtMost: 50 }, withinCycles: 'horizon' },
    ];
    expect(resolveAction(rules, unit(0.6, { rul: 9 }), rule).actionId).toBe('both');
    expect(resolveAction(rules, unit(0.6, { rul: 11 }), rule)).toEqual({ actionId: 'rul', action: 'in 30', priority: 'medium' });
    expect(resolveAction(rules, unit(0.6), rule)).toEqual(NO_RULE_MATCHED);
  });
  it('{cycles}: a fixed number, rulLow floored and never below 0, the horizon', () => {
    expect(cyclesFor(7, unit(0.5), rule)).toBe(7);
    expect(cyclesFor('rulLow', unit(0.5, { rulLow: -3.2 }), rule)).toBe(0);
    expect(cyclesFor('rulLow', unit(0.5, { rulLow: 8.99 }), rule)).toBe(8);
    expect(cyclesFor('rulLow', unit(0.5), rule)).toBe(30);
    expect(cyclesFor('horizon', unit(0.5), rule)).toBe(30);
    expect(cyclesFor(undefined, unit(0.5), rule)).toBeUndefined();
  });
});
