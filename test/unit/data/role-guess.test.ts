import { describe, expect, it } from 'vitest';
import { guessDatasetRole } from '../../../src/main/core/data/role-guess';
import { detectRegimes } from '../../../src/main/core/data/regimes';
import { synthesizeFleet } from '../../../src/main/core/data/synth';
import { pickUnits, unitSpans, type FleetTable } from '../../../src/main/core/data/table';

/** The same fleet cut before failure: every unit keeps its first `share(u)` of life (engines in service). */
function inService(t: FleetTable, share: (unit: number) => number): FleetTable {
  const spans = unitSpans(t).map((s) => ({ ...s, end: s.start + Math.max(6, Math.floor((s.end - s.start) * share(s.unit))) }));
  return pickUnits(t, spans);
}

describe('guessDatasetRole', () => {
  it('a run-to-failure fleet is a training fleet (one regime and six)', () => {
    for (const regimes of [1, 6] as const) {
      const t = synthesizeFleet({ units: 30, seed: 5, regimes });
      const g = guessDatasetRole(t, detectRegimes(t));
      expect(g.role, g.reason).toBe('training');
      expect(g.wornShare).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('the same units cut at 30–95 % of life (in service) are unlabeled', () => {
    const t = synthesizeFleet({ units: 30, seed: 6 });
    const cut = inService(t, (u) => 0.3 + ((u * 37) % 66) / 100);
    const g = guessDatasetRole(cut, detectRegimes(cut));
    expect(g.role, g.reason).toBe('unlabeled');
  });

  it('a fleet whose units are all early in life is unlabeled, and one unit near failure does not make it training', () => {
    const t = synthesizeFleet({ units: 20, seed: 7 });
    const g = guessDatasetRole(inService(t, (u) => (u === 1 ? 1 : 0.35)), null);
    expect(g.role, g.reason).toBe('unlabeled');
  });

  it('a RUL file makes it a test fleet, whatever the data', () => {
    const t = synthesizeFleet({ units: 10, seed: 8 });
    const withRul: FleetTable = { ...t, rulAtEnd: new Map(unitSpans(t).map((s) => [s.unit, 0])) };
    expect(guessDatasetRole(withRul, null).role).toBe('test');
  });

  it('too few units to tell is unlabeled', () => {
    const t = synthesizeFleet({ units: 1, seed: 9 });
    expect(guessDatasetRole(t, null).role).toBe('unlabeled');
  });
});
