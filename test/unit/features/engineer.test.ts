import { describe, expect, it } from 'vitest';
import { synthesizeFleetWithRegimes } from '../../../src/main/core/data/synth';
import { unitSpans } from '../../../src/main/core/data/table';
import { assignRegimes } from '../../../src/main/core/features/regime';
import { engineerFeatures, nearConstantReason, rollingWindow } from '../../../src/main/core/features/engineer';
import { DEFAULT_FEATURE_SPEC, featureSpecJsonSchema, parseFeatureSpec } from '../../../src/main/core/features/spec';
import { PrognosError } from '../../../src/shared/errors';
import { fixtureTable } from './fixture';
import { loadCmapss } from './load-cmapss';

const SPEC = { windows: [3], ewmaAlpha: 0.5, baselineCycles: 2, include: { trend: true } };

function col(f: ReturnType<typeof engineerFeatures>, name: string): number[] {
  const i = f.names.indexOf(name);
  expect(i, `feature ${name}`).toBeGreaterThanOrEqual(0);
  return Array.from(f.columns[i]!);
}

function expectClose(actual: number[], expected: number[], digits = 4): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(v, `index ${i}`).toBeCloseTo(expected[i]!, digits));
}

describe('engineerFeatures on a two-unit fixture', () => {
  const f = engineerFeatures(fixtureTable(), SPEC);

  it('names features per sensor and drops the constant one', () => {
    expect(f.droppedSensors.map((d) => d.name)).toEqual(['s3']);
    expect(f.droppedSensors[0]!.reason).toMatch(/near-constant/);
    expect(f.names).toEqual([
      's1',
      's1_mean_3',
      's1_std_3',
      's1_min_3',
      's1_max_3',
      's1_slope_3',
      's1_ewma',
      's1_diff',
      's1_vs_start',
      's1_trend',
      's2',
      's2_mean_3',
      's2_std_3',
      's2_min_3',
      's2_max_3',
      's2_slope_3',
      's2_ewma',
      's2_diff',
      's2_vs_start',
      's2_trend',
      'cycle',
    ]);
    expect(f.columns.every((c) => c instanceof Float32Array && c.length === 9)).toBe(true);
    const slope = f.defs.find((d) => d.name === 's1_slope_3')!;
    expect(slope).toMatchObject({ sensor: 's1', kind: 'slope', window: 3 });
    expect(slope.formula).toBe(
      "least-squares slope per cycle of s1 over the last 3 cycles (fewer at a unit's start; 0 at its first cycle)",
    );
    expect(f.defs.find((d) => d.name === 's1_ewma')).toMatchObject({ kind: 'ewma', alpha: 0.5 });
  });

  it('raw values and rolling mean with partial windows at each unit start', () => {
    expectClose(col(f, 's1'), [1, 3, 2, 5, 4, 100, 90, 95, 80]);
    expectClose(col(f, 's1_mean_3'), [1, 2, 2, 10 / 3, 11 / 3, 100, 95, 95, 265 / 3]);
  });

  it('rolling population std (0 at the first row)', () => {
    expectClose(col(f, 's1_std_3'), [
      0,
      1,
      Math.sqrt(2 / 3),
      Math.sqrt(42 / 27),
      Math.sqrt(42 / 27),
      0,
      5,
      Math.sqrt(50 / 3),
      Math.sqrt(350 / 9),
    ]);
  });

  it('rolling min and max', () => {
    expectClose(col(f, 's1_min_3'), [1, 1, 1, 2, 2, 100, 90, 90, 80]);
    expectClose(col(f, 's1_max_3'), [1, 3, 3, 5, 5, 100, 100, 100, 95]);
  });

  it('least-squares slope: hand values, and a straight line gives its own slope', () => {
    expectClose(col(f, 's1_slope_3'), [0, 2, 0.5, 1, 1, 0, -10, -2.5, -5]);
    expectClose(col(f, 's2_slope_3'), [0, 2, 2, 2, 2, 0, -1, -1, -1]);
  });

  it('EWMA recursion and first difference restart at each unit', () => {
    expectClose(col(f, 's1_ewma'), [1, 2, 2, 3.5, 3.75, 100, 95, 95, 87.5]);
    expectClose(col(f, 's1_diff'), [0, 2, -1, 3, -1, 0, -10, 5, -15]);
  });

  it('distance from the unit\'s start: the EWMA minus the mean of its first baselineCycles rows (fewer so far)', () => {
    // s1 unit 1: EWMA 1, 2, 2, 3.5, 3.75; baseline 1, then (1 + 3) / 2 = 2 from the second row on
    expectClose(col(f, 's1_vs_start'), [0, 0, 0, 1.5, 1.75, 0, 0, 0, -7.5]);
    expect(f.defs.find((d) => d.name === 's1_vs_start')).toMatchObject({ kind: 'vsStart', alpha: 0.5, baselineCycles: 2 });
  });

  it('trend since the unit\'s start: the least-squares slope over every row so far', () => {
    // s1 unit 1 is 1, 3, 2, 5, 4 at cycles 1–5; unit 2 is 100, 90, 95, 80
    expectClose(col(f, 's1_trend'), [0, 2, 0.5, 1.1, 0.8, 0, -10, -2.5, -5.5]);
    expect(f.defs.find((d) => d.name === 's1_trend')).toMatchObject({ kind: 'trend', sensor: 's1' });
    // on a unit's first w rows the trend is the rolling slope of window w
    const slope = col(f, 's1_slope_3');
    const trend = col(f, 's1_trend');
    for (const i of [0, 1, 2, 5, 6, 7]) expect(trend[i]).toBeCloseTo(slope[i]!, 6);
  });

  it('the age feature is the cycle number', () => {
    expectClose(col(f, 'cycle'), [1, 2, 3, 4, 5, 1, 2, 3, 4]);
    expect(f.defs.find((d) => d.name === 'cycle')).toMatchObject({ kind: 'age', sensor: 'cycle' });
  });

  it('a state stored before the age, baseline and trend features existed still gives its own columns', () => {
    const legacy = engineerFeatures(fixtureTable(), { ...SPEC, include: { raw: true, diff: true, ewma: true, age: true, baseline: true, trend: true } });
    const spec = JSON.parse(JSON.stringify(legacy.state.spec)) as { include: Record<string, boolean> };
    delete spec.include.age;
    delete spec.include.baseline;
    delete spec.include.trend;
    const again = engineerFeatures(fixtureTable(), {}, { state: { ...legacy.state, spec: spec as never } });
    expect(again.names).toEqual(f.names.filter((n) => n !== 'cycle' && !n.endsWith('_vs_start') && !n.endsWith('_trend')));
    expect(legacy.names).toEqual(f.names);
  });

  it("never leaks across the unit boundary: unit 2's features ignore unit 1", () => {
    const other = engineerFeatures(fixtureTable([1000, -50, 3, 3e4, -7]), SPEC);
    expect(other.names).toEqual(f.names);
    f.columns.forEach((c, k) => {
      expect(Array.from(other.columns[k]!.subarray(5)), f.names[k]).toEqual(Array.from(c.subarray(5)));
    });
    // unit 2's first row: window stats equal the value itself (std, slope and diff 0)
    for (const name of ['s1', 's1_mean_3', 's1_min_3', 's1_max_3', 's1_ewma']) expect(col(f, name)[5]).toBe(100);
    for (const name of ['s1_std_3', 's1_slope_3', 's1_diff']) expect(col(f, name)[5]).toBe(0);
  });

  it('applies a fitted state to another table (same sensors, same names)', () => {
    const t = fixtureTable();
    const again = engineerFeatures(
      { ...t, values: [t.values[0]!, t.values[1]!, t.values[2]!, Float64Array.from({ length: 9 }, (_, i) => i)] },
      {},
      { state: f.state },
    );
    expect(again.names).toEqual(f.names);
  });

  it('honours include flags, stat lists and explicit sensors', () => {
    const g = engineerFeatures(fixtureTable(), {
      sensors: ['s2'],
      windows: [2, 4],
      stats: ['max', 'mean'],
      include: { raw: false, diff: false, ewma: false, age: false, baseline: false },
    });
    expect(g.names).toEqual(['s2_max_2', 's2_mean_2', 's2_max_4', 's2_mean_4']);
    expectClose(Array.from(g.columns[3]!), [12, 13, 14, 15, 17, 5, 4.5, 4, 3.5]);
  });

  it('refuses unknown sensors and bad specs', () => {
    expect(() => engineerFeatures(fixtureTable(), { sensors: ['s99'] })).toThrow(PrognosError);
    expect(() => parseFeatureSpec({ windows: [1] })).toThrow();
    expect(() => parseFeatureSpec({ bogus: true })).toThrow();
  });

  it('regime normalisation standardises sensors per k-means regime', () => {
    const t = fixtureTable();
    const setting = Float64Array.from([0, 10, 0, 10, 0, 10, 0, 10, 0]);
    const table = { ...t, values: [setting, t.values[1]!, t.values[2]!, t.values[3]!] };
    const g = engineerFeatures(table, { windows: [3], regimeNormalisation: { enabled: true, clusters: 2 } });
    expect(g.state.regime?.centroids).toHaveLength(2);
    const raw = col(g, 's1');
    // rows of one regime have mean 0 and population std 1
    for (const r of [0, 10]) {
      const vals = raw.filter((_, i) => setting[i] === r);
      const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
      const sd = Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / vals.length);
      expect(mean).toBeCloseTo(0, 5);
      expect(sd).toBeCloseTo(1, 5);
    }
    expect(g.defs[0]!.formula).toContain('standardised per operating regime');
    expect(JSON.parse(JSON.stringify(g.state))).toEqual(g.state);
  });

  it("'auto' normalises per detected regime and adds cycles and share of time per regime", () => {
    const { table, regime } = synthesizeFleetWithRegimes({ units: 6, seed: 4, regimes: 6 });
    const g = engineerFeatures(table, { windows: [3], sensors: ['s2', 's7'] });
    expect(g.state.regimeChoice).toMatchObject({ requested: { enabled: 'auto', clusters: 'auto' }, enabled: true, clusters: 6, detected: { k: 6 } });
    expect(g.state.regime?.centroids).toHaveLength(6);
    // the detected regimes are the generator's; map them to compare the counts with a brute force
    const assigned = assignRegimes(table, g.state.regime!);
    const toGenerator = new Map<number, number>();
    assigned.forEach((a, i) => toGenerator.set(a, regime[i]!));
    expect(new Set(toGenerator.values()).size).toBe(6);
    for (let c = 0; c < 6; c++) {
      const cycles = col(g, `regime${c + 1}_cycles`);
      const share = col(g, `regime${c + 1}_share`);
      let unit = -1;
      let start = 0;
      let count = 0;
      for (let i = 0; i < table.rowCount; i++) {
        if (table.unit[i] !== unit) {
          unit = table.unit[i]!;
          start = i;
          count = 0;
        }
        if (regime[i] === toGenerator.get(c)) count++;
        expect(cycles[i]).toBe(count);
        expect(share[i]).toBe(Math.fround(count / (i - start + 1)));
      }
    }
    expect(g.defs.find((d) => d.name === 'regime3_share')).toMatchObject({ kind: 'regimeShare', regime: 2 });
    // applying the state gives the same columns
    const again = engineerFeatures(table, {}, { state: g.state });
    expect(again.names).toEqual(g.names);
    expect(again.columns).toEqual(g.columns);
    // no regime features when asked not to
    const plain = engineerFeatures(table, { windows: [3], sensors: ['s2'], regimeNormalisation: { features: false } });
    expect(plain.state.regime?.centroids).toHaveLength(6);
    expect(plain.names.some((n) => n.startsWith('regime'))).toBe(false);
  });

  it("'auto' leaves a single-regime fleet alone; false turns normalisation off without detecting", () => {
    const one = synthesizeFleetWithRegimes({ units: 5, seed: 4, regimes: 1 }).table;
    const g = engineerFeatures(one, { windows: [3], sensors: ['s2'] });
    expect(g.state.regime).toBeUndefined();
    expect(g.state.regimeChoice).toMatchObject({ enabled: false, clusters: null, detected: { k: 1 } });
    expect(g.names.some((n) => n.startsWith('regime'))).toBe(false);

    const six = synthesizeFleetWithRegimes({ units: 5, seed: 4, regimes: 6 }).table;
    const off = engineerFeatures(six, { windows: [3], sensors: ['s2'], regimeNormalisation: { enabled: false } });
    expect(off.state.regime).toBeUndefined();
    expect(off.state.regimeChoice).toEqual({ requested: { enabled: false, clusters: 'auto' }, enabled: false, clusters: null, detected: null });
    const forced = engineerFeatures(six, { windows: [3], sensors: ['s2'], regimeNormalisation: { enabled: true, clusters: 3 } });
    expect(forced.state.regimeChoice).toMatchObject({ enabled: true, clusters: 3, detected: null });
    expect(forced.names.filter((n) => n.endsWith('_cycles'))).toEqual(['regime1_cycles', 'regime2_cycles', 'regime3_cycles']);
  });
});

describe('rollingWindow matches a brute-force reference', () => {
  it('on random data with ties, random unit lengths and windows 1..7', () => {
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const lengths = [1, 2, 9, 30, 5, 17];
    const n = lengths.reduce((a, b) => a + b, 0);
    const unit = new Int32Array(n);
    const cycle = new Int32Array(n);
    const x = new Float64Array(n);
    let i = 0;
    lengths.forEach((len, u) => {
      for (let c = 0; c < len; c++, i++) {
        unit[i] = u + 1;
        cycle[i] = c + 1 + (c > 4 ? 2 : 0); // a gap in the cycle numbers
        x[i] = Math.round(rnd() * 6) + 500;
      }
    });
    const spans = unitSpans({ unit, rowCount: n });
    for (let w = 1; w <= 7; w++) {
      const out = {
        mean: new Float32Array(n),
        std: new Float32Array(n),
        min: new Float32Array(n),
        max: new Float32Array(n),
        slope: new Float32Array(n),
      };
      rollingWindow(x, cycle, spans, w, out);
      for (const s of spans) {
        for (let r = s.start; r < s.end; r++) {
          const lo = Math.max(s.start, r - w + 1);
          const xs = Array.from(x.subarray(lo, r + 1));
          const ts = Array.from(cycle.subarray(lo, r + 1));
          const m = xs.reduce((a, b) => a + b, 0) / xs.length;
          const tm = ts.reduce((a, b) => a + b, 0) / ts.length;
          const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
          const stt = ts.reduce((a, t) => a + (t - tm) ** 2, 0);
          const slope = stt > 0 ? ts.reduce((a, t, k) => a + (t - tm) * (xs[k]! - m), 0) / stt : 0;
          expect(out.mean[r]).toBeCloseTo(m, 3);
          expect(out.std[r]).toBeCloseTo(sd, 3);
          expect(out.min[r]).toBe(Math.min(...xs));
          expect(out.max[r]).toBe(Math.max(...xs));
          expect(out.slope[r]).toBeCloseTo(slope, 4);
        }
      }
    }
  });
});

describe('near-constant rule', () => {
  it('drops tiny relative std and too few distinct values, keeps real signals', () => {
    const spec = { nearConstantStd: 1e-6, minDistinctValues: 3 };
    expect(nearConstantReason([518.67, 518.67, 518.67 + 1e-10], spec)).toMatch(/std/);
    expect(nearConstantReason([21.6, 21.61, 21.61, 21.6], spec)).toMatch(/2 distinct values/);
    expect(nearConstantReason([2388.0, 2388.05, 2388.1, 2387.95], spec)).toBeNull();
  });
});

describe('feature spec', () => {
  it('has the documented defaults and an input JSON Schema for the editor', () => {
    expect(DEFAULT_FEATURE_SPEC).toMatchObject({
      sensors: 'auto',
      windows: [5, 10, 20, 30],
      stats: ['mean', 'std', 'min', 'max', 'slope'],
      ewmaAlpha: 0.1,
      include: { raw: true, diff: true, ewma: true },
      regimeNormalisation: { enabled: 'auto', clusters: 'auto', seed: 0, features: true },
    });
    expect(featureSpecJsonSchema).toMatchObject({ type: 'object', additionalProperties: false });
    const props = featureSpecJsonSchema.properties as Record<string, { default?: unknown }>;
    expect(props.windows?.default).toEqual([5, 10, 20, 30]);
    expect(parseFeatureSpec({ ewmaSpan: 19 }).ewmaSpan).toBe(19);
  });
});

describe('FD001', () => {
  const train = loadCmapss('train_FD001.txt');
  const test = loadCmapss('test_FD001.txt', 'RUL_FD001.txt');

  it('gives ≥ 128 features from the default spec and lists the near-constant sensors', () => {
    const f = engineerFeatures(train);
    expect(f.names.length).toBeGreaterThanOrEqual(128);
    expect(f.names.length).toBe(14 * 24 + 1);
    expect(new Set(f.names).size).toBe(f.names.length);
    expect(f.droppedSensors.map((d) => d.name).sort()).toEqual(['s1', 's10', 's16', 's18', 's19', 's5', 's6']);
    for (const c of f.columns) {
      expect(c.length).toBe(train.rowCount);
      expect(c.every(Number.isFinite)).toBe(true);
    }
    for (const name of ['s11', 's11_mean_20', 's11_slope_10', 's11_ewma', 's11_diff', 's4_max_30'])
      expect(f.names).toContain(name);

    const g = engineerFeatures(test, {}, { state: f.state });
    expect(g.names).toEqual(f.names);
    expect(g.columns[0]!.length).toBe(test.rowCount);
  });

  it('fits near-constant checks on the given rows only', () => {
    const fitRows = new Uint8Array(train.rowCount);
    for (let i = 0; i < train.rowCount; i++) fitRows[i] = train.unit[i]! <= 50 ? 1 : 0;
    const f = engineerFeatures(train, { windows: [5], stats: ['mean'] }, { fitRows });
    expect(f.droppedSensors.map((d) => d.name).sort()).toEqual(['s1', 's10', 's16', 's18', 's19', 's5', 's6']);
  });
});
