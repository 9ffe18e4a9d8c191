import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unitSpans } from '../../src/main/core/data/table';
import { failWithin, rulPerRow } from '../../src/main/core/labels';
import {
  StandardScaler,
  assertNoLeakage,
  partSizes,
  rowIndicesFor,
  rowMaskFor,
  splitUnits,
} from '../../src/main/core/split';
import { PrognosError } from '../../src/shared/errors';
import { CMAPSS_DIR, loadCmapss } from './features/load-cmapss';
import { fixtureTable } from './features/fixture';

describe('labels', () => {
  it('training RUL = last cycle − cycle; label = RUL ≤ W', () => {
    const t = fixtureTable();
    const rul = rulPerRow(t);
    expect(Array.from(rul)).toEqual([4, 3, 2, 1, 0, 3, 2, 1, 0]);
    expect(Array.from(failWithin(rul, 2))).toEqual([0, 0, 1, 1, 1, 0, 1, 1, 1]);
    expect(Array.from(failWithin(Int32Array.from([30, 31, 0])))).toEqual([1, 0, 1]);
  });

  it('test RUL = rulAtEnd[unit] + (last cycle − cycle), refuses a unit without one', () => {
    const t = {
      ...fixtureTable(),
      rulAtEnd: new Map([
        [1, 10],
        [2, 0],
      ]),
    };
    expect(Array.from(rulPerRow(t))).toEqual([14, 13, 12, 11, 10, 3, 2, 1, 0]);
    expect(() => rulPerRow({ ...t, rulAtEnd: new Map([[1, 10]]) })).toThrow(/unit 2/);
  });

  it('FD001: train last rows have RUL 0; test unit 1 last row equals RUL_FD001 line 1', () => {
    const train = loadCmapss('train_FD001.txt');
    const rul = rulPerRow(train);
    const spans = unitSpans(train);
    expect(spans).toHaveLength(100);
    for (const s of spans) {
      expect(rul[s.end - 1]).toBe(0);
      expect(rul[s.start]).toBe(train.cycle[s.end - 1]! - train.cycle[s.start]!);
    }
    const test = loadCmapss('test_FD001.txt', 'RUL_FD001.txt');
    const line1 = Number(readFileSync(join(CMAPSS_DIR, 'RUL_FD001.txt'), 'utf8').split('\n')[0]!.trim());
    const testRul = rulPerRow(test);
    const unit1 = unitSpans(test)[0]!;
    expect(unit1.unit).toBe(1);
    expect(testRul[unit1.end - 1]).toBe(line1);
    expect(line1).toBe(112);
    expect(testRul[unit1.start]).toBe(line1 + unit1.end - 1 - unit1.start);
  });
});

describe('splitUnits', () => {
  const units = Array.from({ length: 100 }, (_, i) => i + 1);

  it('70/15/15 by default, disjoint, covering every unit', () => {
    const s = splitUnits(units, { seed: 7 });
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([70, 15, 15]);
    const all = [...s.train, ...s.validation, ...s.test].sort((a, b) => a - b);
    expect(all).toEqual(units);
    expect(() => assertNoLeakage(s)).not.toThrow();
    expect(s.train).toEqual([...s.train].sort((a, b) => a - b));
  });

  it('is reproducible for a seed and differs across seeds', () => {
    expect(splitUnits(units, { seed: 1 })).toEqual(splitUnits(units, { seed: 1 }));
    expect(splitUnits(units, { seed: 1 }).test).not.toEqual(splitUnits(units, { seed: 2 }).test);
    // a shuffle, not a prefix
    expect(splitUnits(units, { seed: 1 }).train).not.toEqual(units.slice(0, 70));
  });

  it('honours other fractions and normalises them', () => {
    const s = splitUnits(units, { train: 6, validation: 2, test: 2, seed: 3 });
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([60, 20, 20]);
    expect(partSizes(5, [0.7, 0.15, 0.15])).toEqual([3, 1, 1]);
    expect(partSizes(3, [0.9, 0.05, 0.05])).toEqual([1, 1, 1]);
    expect(partSizes(10, [1, 0, 0])).toEqual([10, 0, 0]);
    expect(() => splitUnits(units, { train: -1 })).toThrow(PrognosError);
  });

  it('chronological mode keeps the order of first appearance', () => {
    const order = [5, 3, 9, 1, 2, 8, 7, 4, 6, 10, 3, 5];
    const s = splitUnits(order, { mode: 'chronological', train: 0.6, validation: 0.2, test: 0.2 });
    expect(s).toEqual({ train: [5, 3, 9, 1, 2, 8], validation: [7, 4], test: [6, 10] });
    const d = splitUnits(units, { mode: 'chronological' });
    expect(d.train).toEqual(units.slice(0, 70));
    expect(d.test).toEqual(units.slice(85));
  });

  it('the leakage guard names the unit and both parts', () => {
    const bad = { train: [1, 2, 3], validation: [4], test: [5, 2] };
    expect(() => assertNoLeakage(bad)).toThrow(PrognosError);
    try {
      assertNoLeakage(bad);
    } catch (e) {
      const err = e as PrognosError;
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.message).toBe('unit 2 is in both the train and the test part of the split');
      expect(err.details).toMatchObject({ unit: 2, parts: ['train', 'test'] });
    }
  });
});

describe('row masks and the scaler', () => {
  const t = fixtureTable();

  it('rowMaskFor / rowIndicesFor select the rows of the given units', () => {
    expect(Array.from(rowMaskFor(t, [2]))).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(Array.from(rowIndicesFor(t, new Set([1])))).toEqual([0, 1, 2, 3, 4]);
  });

  it('fits mean/std on training rows only, std 0 → 1, Float32 output, JSON round trip', () => {
    const mask = rowMaskFor(t, [1]);
    const a = Float32Array.from([1, 3, 2, 5, 4, 100, 90, 95, 80]);
    const c = Float32Array.from([7, 7, 7, 7, 7, 0, 0, 0, 0]);
    const scaler = StandardScaler.fit(['a', 'c'], [a, c], mask);
    expect(scaler.mean[0]).toBeCloseTo(3, 12);
    expect(scaler.std[0]).toBeCloseTo(Math.sqrt(2), 12);
    expect(scaler.mean[1]).toBe(7);
    expect(scaler.std[1]).toBe(1);
    const [za, zc] = scaler.transform([a, c]);
    expect(za).toBeInstanceOf(Float32Array);
    expect(za![5]).toBeCloseTo(97 / Math.sqrt(2), 4);
    expect(Array.from(zc!)).toEqual([0, 0, 0, 0, 0, -7, -7, -7, -7]);
    const json = JSON.parse(JSON.stringify(scaler)) as ReturnType<StandardScaler['toJSON']>;
    expect(json).toEqual({ names: ['a', 'c'], mean: [3, 7], std: [Math.sqrt(2), 1] });
    const back = StandardScaler.fromJSON(json);
    expect(Array.from(back.transform([a, c])[0]!)).toEqual(Array.from(za!));
    expect(() => scaler.transform([a])).toThrow(PrognosError);
    expect(() => StandardScaler.fromJSON({ names: ['a'], mean: [0], std: [0] })).toThrow(PrognosError);
    expect(Array.from(scaler.transformByName((n) => (n === 'a' ? a : c))[1]!)).toEqual(Array.from(zc!));
  });
});
