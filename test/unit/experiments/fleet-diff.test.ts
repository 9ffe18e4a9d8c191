/** Per-unit prediction differences of runs scored on one fleet (runs compare --fleet, the Compare view). */
import { describe, expect, it } from 'vitest';
import { fleetDifferences, type RunFleetScores } from '../../../src/main/core/experiments/fleet-diff';

const fleet = { datasetId: 'ds_1', name: 'test fleet', role: 'test' };
const unit = (u: number, probability: number, alert: boolean, extra: { rul?: number; trueRul?: number } = {}) => ({ unit: u, cycle: 100 + u, probability, alert, ...extra });

describe('fleetDifferences', () => {
  const a: RunFleetScores = { runId: 'run_a', threshold: 0.5, units: [unit(1, 0.1, false, { trueRul: 80 }), unit(2, 0.6, true, { trueRul: 5 }), unit(3, 0.3, false, { trueRul: 40 })] };
  const b: RunFleetScores = { runId: 'run_b', threshold: 0.4, units: [unit(3, 0.45, true, { rul: 30, trueRul: 40 }), unit(1, 0.1, false, { rul: 90, trueRul: 80 }), unit(2, 0.9, true, { rul: 4, trueRul: 5 })] };
  const c: RunFleetScores = { runId: 'run_c', threshold: 0.5, units: [unit(1, 0.2, false, { rul: 70 }), unit(2, 0.7, true, { rul: 10 }), unit(3, 0.25, false, { rul: 50 })] };

  it('lines the runs up per unit, largest probability spread first, ties by unit', () => {
    const f = fleetDifferences(fleet, [a, b]);
    expect(f.units.map((u) => u.unit)).toEqual([2, 3, 1]);
    const u3 = f.units[1]!;
    expect(u3.runs).toEqual([
      { runId: 'run_a', probability: 0.3, alert: false, rul: null },
      { runId: 'run_b', probability: 0.45, alert: true, rul: 30 },
    ]);
    expect(u3.maxDiff).toBeCloseTo(0.15, 12);
    expect(u3.disagree).toBe(true);
    expect(f.units[0]!.disagree).toBe(false);
    expect(f.units[2]!).toMatchObject({ unit: 1, maxDiff: 0, disagree: false, trueRul: 80, cycle: 101 });
    expect(f.disagreements).toBe(1);
    expect(f.runs).toEqual([
      { runId: 'run_a', threshold: 0.5, hasRul: false },
      { runId: 'run_b', threshold: 0.4, hasRul: true },
    ]);
    expect(f.fleet).toEqual({ ...fleet, unitCount: 3, hasTrueRul: true });
  });

  it('gives the RUL spread only where two runs predict RUL, and no true RUL without a RUL file', () => {
    const f = fleetDifferences(fleet, [c, b]);
    expect(f.units.find((u) => u.unit === 3)!.rulMaxDiff).toBe(20);
    expect(fleetDifferences(fleet, [a, b]).units.every((u) => u.rulMaxDiff === null)).toBe(true);
    const g = fleetDifferences(fleet, [c, c]);
    expect(g.fleet.hasTrueRul).toBe(false);
    expect(g.units.every((u) => !('trueRul' in u) && u.maxDiff === 0 && !u.disagree)).toBe(true);
  });

  it('refuses answers that do not cover the same units at the same cycles', () => {
    const short: RunFleetScores = { ...b, units: b.units.slice(1) };
    expect(() => fleetDifferences(fleet, [a, short])).toThrow(/did not score unit 3/);
    const moved: RunFleetScores = { ...b, units: b.units.map((u) => ({ ...u, cycle: u.cycle + 1 })) };
    expect(() => fleetDifferences(fleet, [a, moved])).toThrow(/did not score unit 1 at cycle 101/);
  });
});
