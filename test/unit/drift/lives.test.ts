/**
 * Run to failure or in service: data without a RUL file is read by the model's alerts at each unit's
 * last row, unless the caller says; data that knows its lives is left alone.
 */
import { describe, expect, it } from 'vitest';
import { asRunToFailure, endsAtFailureShare, resolveCurrentLives } from '../../../src/main/core/drift/lives';
import type { DriftData } from '../../../src/main/core/drift/reference';

/** `units` units of `n` rows each (cycles 31..30+n); the last row's probability per unit as given, others 0.01. */
function data(lastP: number[], n = 40): DriftData {
  const unit: number[] = [];
  const cycle: number[] = [];
  const p: number[] = [];
  lastP.forEach((last, u) => {
    for (let c = 31; c <= 30 + n; c++) {
      unit.push(u + 1);
      cycle.push(c);
      p.push(c === 30 + n ? last : 0.01);
    }
  });
  return { unit: Int32Array.from(unit), cycle: Int32Array.from(cycle), columns: [], probability: Float32Array.from(p) };
}

describe('current lives', () => {
  it('counts the units whose last row raises the alert', () => {
    expect(endsAtFailureShare(data([0.9, 0.8, 0.1, 0.5]), 0.5)).toEqual({ share: 0.75, units: 4 });
  });

  it('reads run-to-failure data with its lives and labels counting down to the last row', () => {
    const d = asRunToFailure(data([0.9, 0.9], 40), 30);
    expect(d.runToFailure).toBe(true);
    expect([...d.life!.slice(0, 2)]).toEqual([70, 70]);
    // cycles 31..70: failing within 30 from cycle 40 on (70 − 40 = 30)
    expect([...d.labels!].filter((l, k) => k < 40 && l === 1).length).toBe(31);
    expect(d.labels![8]).toBe(0);
    expect(d.labels![9]).toBe(1);
  });

  it("'auto' takes a fleet whose units nearly all end alerting as run to failure, and one that mostly ends healthy as in service", () => {
    const failing = resolveCurrentLives(data(Array.from({ length: 10 }, (_, i) => (i === 0 ? 0.1 : 0.9))), 'auto', 0.5, 30);
    expect(failing.data.life).toBeDefined();
    expect(failing.note).toMatch(/look run to failure.*90 %/);
    const inService = resolveCurrentLives(data(Array.from({ length: 10 }, (_, i) => (i < 8 ? 0.9 : 0.1))), 'auto', 0.5, 30);
    expect(inService.data.life).toBeUndefined();
    expect(inService.data.labels).toBeUndefined();
    expect(inService.note).toMatch(/still in service.*80 %/);
  });

  it('follows an explicit choice, and never rewrites lives a RUL file gave', () => {
    const healthy = data([0.1, 0.1]);
    expect(resolveCurrentLives(healthy, 'run-to-failure', 0.5, 30).data.life).toBeDefined();
    expect(resolveCurrentLives(data([0.9, 0.9]), 'in-service', 0.5, 30).data.life).toBeUndefined();
    const known = { ...healthy, life: Int32Array.from(healthy.unit, () => 500) };
    const r = resolveCurrentLives(known, 'run-to-failure', 0.5, 30);
    expect(r.data).toBe(known);
    expect(r.note).toBeUndefined();
  });
});
