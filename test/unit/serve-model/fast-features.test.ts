/**
 * The model server computes only the features its models read (FeaturePlan). Every value must be
 * bit for bit what the full feature engine gives, on every row: with one operating regime and with
 * six (per-regime standardisation and the regime time features), over whole fleets and one unit alone.
 */
import { describe, expect, it } from 'vitest';
import { pickUnits, unitSpans, type FleetTable } from '../../../src/main/core/data/table';
import { synthesizeFleet, synthesizeFleetWithRegimes } from '../../../src/main/core/data/synth';
import type { BundleManifest } from '../../../src/main/core/export';
import { engineerFeatures, type EngineeredFeatures } from '../../../src/main/core/features/engineer';
import { FeatureArena, FeaturePlan } from '../../../src/main/serve-model/fast-features';

/** The part of a manifest FeaturePlan reads, for a feature state fitted on `table`. */
function manifestOf(e: EngineeredFeatures, selected: string[], lstm: string[], rul: string[]): BundleManifest {
  const s = e.state;
  return {
    features: { spec: s.spec, sensors: s.sensors, droppedSensors: s.droppedSensors, ...(s.regime === undefined ? {} : { regime: s.regime }), definitions: e.defs },
    selectedFeatures: selected,
    lstmFeatures: lstm,
    rul: { features: rul },
  } as unknown as BundleManifest;
}

function expectSameBits(table: FleetTable, fitted: EngineeredFeatures, plan: FeaturePlan, arena?: FeatureArena): number {
  const full = engineerFeatures(table, fitted.state.spec, { state: fitted.state });
  const got = plan.compute(table, unitSpans(table), arena);
  let compared = 0;
  for (const name of plan.names) {
    const want = full.columns[full.names.indexOf(name)]!;
    const have = got.get(name)!;
    expect(have.length, name).toBe(want.length);
    // byte comparison: NaN and −0 must match too
    expect(Buffer.from(have.buffer, have.byteOffset, have.byteLength).equals(Buffer.from(want.buffer, want.byteOffset, want.byteLength)), name).toBe(true);
    compared++;
  }
  return compared;
}

describe('FeaturePlan', () => {
  it('computes exactly the features the models read, bit for bit as engineerFeatures, with one regime', () => {
    const table = synthesizeFleet({ units: 12, seed: 3 });
    const fitted = engineerFeatures(table, { include: { trend: true } });
    const names = fitted.names;
    // a spread of kinds: raw, every statistic and window, EWMA, diff, distance from and trend since the start, shared between the models
    const selected = names.filter((_, i) => i % 7 === 0);
    const lstm = names.filter((_, i) => i % 11 === 3);
    const rul = [...selected.slice(0, 5), ...['_ewma', '_diff', '_vs_start', '_trend'].map((k) => names.find((n) => n.endsWith(k))!)];
    const plan = new FeaturePlan(manifestOf(fitted, selected, lstm, rul));
    expect(new Set(plan.names)).toEqual(new Set([...selected, ...lstm, ...rul]));
    expect(plan.names.length).toBeLessThan(names.length / 3);
    expect(expectSameBits(table, fitted, plan)).toBe(plan.names.length);
    // one unit alone, as a request sends it
    const one = pickUnits(table, [unitSpans(table)[5]!]);
    expectSameBits(one, fitted, plan);
  });

  it('matches with six operating regimes (per-regime standardisation and the regime time features)', () => {
    const { table } = synthesizeFleetWithRegimes({ units: 10, seed: 5, regimes: 6 });
    const fitted = engineerFeatures(table, { regimeNormalisation: { enabled: true, clusters: 6 } });
    expect(fitted.state.regime).toBeDefined();
    const names = fitted.names;
    const regimeFeatures = names.filter((n) => /^regime\d+_(cycles|share)$/.test(n));
    expect(regimeFeatures.length).toBe(12);
    const selected = [...names.filter((_, i) => i % 9 === 1), regimeFeatures[0]!, regimeFeatures[8]!];
    const plan = new FeaturePlan(manifestOf(fitted, selected, names.filter((_, i) => i % 13 === 2), []));
    expect(expectSameBits(table, fitted, plan)).toBe(plan.names.length);
  });

  it('gives the same bits in a reused arena, whatever the calls before it left there', () => {
    const table = synthesizeFleet({ units: 12, seed: 7 });
    const fitted = engineerFeatures(table, {});
    const names = fitted.names;
    const plan = new FeaturePlan(manifestOf(fitted, names.filter((_, i) => i % 5 === 0), names.filter((_, i) => i % 8 === 1), []));
    const arena = new FeatureArena();
    const spans = unitSpans(table);
    // the whole fleet first (the arena's largest use), then single units and pairs of several lengths in its leftovers
    expectSameBits(table, fitted, plan, arena);
    for (const k of [3, 0, 11, 6]) expectSameBits(pickUnits(table, [spans[k]!]), fitted, plan, arena);
    expectSameBits(pickUnits(table, [spans[2]!, spans[9]!]), fitted, plan, arena);
    expectSameBits(table, fitted, plan, arena);
  });

  it('refuses a manifest naming a feature the recipe does not make', () => {
    const table = synthesizeFleet({ units: 3, seed: 1 });
    const fitted = engineerFeatures(table, {});
    expect(() => new FeaturePlan(manifestOf(fitted, ['s2_median_5'], [], []))).toThrow(/does not produce s2_median_5/);
  });
});
