/** The JSON-aware config diff and the direction-aware best run per metric. */
import { describe, expect, it } from 'vitest';
import { configDiff, jsonEqual } from '../../../src/main/core/experiments/config-diff';
import { bestOf } from '../../../src/main/core/experiments/compare';

describe('configDiff', () => {
  it('lists only the leaf paths whose values differ, in path order', () => {
    const a = { models: ['gbdt'], gbdt: { maxDepth: 6, eta: 0.1 }, seed: 1, split: { train: 0.7 } };
    const b = { seed: 1, split: { train: 0.7 }, gbdt: { eta: 0.1, maxDepth: 4 }, models: ['gbdt'] };
    expect(configDiff([a, b])).toEqual([{ path: 'gbdt.maxDepth', values: [6, 4], absent: [] }]);
    expect(configDiff([a, structuredClone(a)])).toEqual([]);
  });

  it('compares arrays by value and reports them whole', () => {
    expect(configDiff([{ models: ['gbdt', 'lstm'] }, { models: ['gbdt', 'lstm'] }])).toEqual([]);
    expect(configDiff([{ models: ['gbdt', 'lstm'] }, { models: ['lstm', 'gbdt'] }])).toEqual([{ path: 'models', values: [['gbdt', 'lstm'], ['lstm', 'gbdt']], absent: [] }]);
    expect(configDiff([{ w: [{ a: 1 }] }, { w: [{ a: 2 }] }])).toEqual([{ path: 'w', values: [[{ a: 1 }], [{ a: 2 }]], absent: [] }]);
  });

  it('shows missing keys as absent, at the leaves of an object the other run has', () => {
    expect(configDiff([{ gbdt: { maxDepth: 6, eta: 0.1 } }, {}, { gbdt: { maxDepth: 6 } }])).toEqual([
      { path: 'gbdt.eta', values: [0.1, null, null], absent: [1, 2] },
      { path: 'gbdt.maxDepth', values: [6, null, 6], absent: [1] },
    ]);
    // null is a value, not an absence
    expect(configDiff([{ k: null }, {}])).toEqual([{ path: 'k', values: [null, null], absent: [1] }]);
  });

  it('reports a value whose type changes (object against number) whole, and quotes odd keys', () => {
    expect(configDiff([{ a: { b: 1 } }, { a: 3 }])).toEqual([{ path: 'a', values: [{ b: 1 }, 3], absent: [] }]);
    expect(configDiff([{ 'odd key': 1 }, { 'odd key': 2 }])).toEqual([{ path: '["odd key"]', values: [1, 2], absent: [] }]);
    expect(jsonEqual({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toBe(true);
    expect(jsonEqual(1, '1')).toBe(false);
  });
});

describe('bestOf', () => {
  it('takes the highest or the lowest value, every tie, and nothing for unranked or single values', () => {
    expect(bestOf([0.8, 0.9, 0.9], 'higher')).toEqual([1, 2]);
    expect(bestOf([0.2, 0.1, null], 'lower')).toEqual([1]);
    expect(bestOf([5, 7], null)).toEqual([]);
    expect(bestOf([0.5, null], 'higher')).toEqual([]);
    expect(bestOf([Number.NaN, 0.3, 0.4], 'higher')).toEqual([2]);
  });
});
