/**
 * The engineered features a bundle's models read, and only those. `engineerFeatures` computes every
 * column of the recipe (for FD001: 14 sensors × 24 columns and the age); the models read about 40 of them. This
 * computes the named columns with the very functions `engineerFeatures` uses (rollingWindow,
 * ewmaPerUnit, diffPerUnit, vsStartPerUnit, ageColumn, regimeTimeColumns, normaliseSensors), over the whole history of each
 * unit, so every value is bit for bit what the full computation gives: running sums and the EWMA
 * depend on the whole history, so the tail alone would not do.
 *
 * A caller that reads the columns only until its next call (the model server's scorer builds the
 * models' inputs from them at once) passes a FeatureArena: the columns are then views of the arena's
 * buffers, zeroed and reused, instead of new ones per call. Those buffers live outside the V8 heap,
 * and a new ~50 KiB a request (a test_FD001 unit) was external memory that started scavenges and
 * mark-compacts under load.
 */
import { PrognosError } from '../../shared/errors';
import { unitSpans, type FleetTable, type UnitSpan } from '../core/data/table';
import type { BundleManifest } from '../core/export';
import {
  AGE_SOURCE,
  REGIME_SOURCE,
  ageColumn,
  diffPerUnit,
  vsStartPerUnit,
  trendPerUnit,
  ewmaPerUnit,
  featureDefsOfState,
  regimeTimeColumns,
  rollingWindow,
  type FeatureDef,
  type FeatureState,
} from '../core/features/engineer';
import { assignRegimes, columnIndex, normaliseSensors } from '../core/features/regime';
import { ewmaAlphaOf, parseStoredFeatureSpec, type FeatureStat } from '../core/features/spec';

/** Buffers compute() reuses from one call to the next (the columns of a call are valid until the next). */
export class FeatureArena {
  private values = new Float32Array(0);
  private ints = new Int32Array(0);

  /** `n` zeroed floats */
  floats(n: number): Float32Array {
    if (this.values.length < n) this.values = new Float32Array(Math.max(n, 2 * this.values.length));
    const v = this.values.subarray(0, n);
    v.fill(0);
    return v;
  }

  /** `n` ints of scratch (not zeroed: rollingWindow's deques write before they read) */
  scratch(n: number): Int32Array {
    if (this.ints.length < n) this.ints = new Int32Array(Math.max(n, 2 * this.ints.length));
    return this.ints.subarray(0, n);
  }
}

/** One rolling-window pass: a sensor, a window and the statistics read from it. */
interface WindowPass {
  readonly sensor: string;
  readonly window: number;
  readonly stats: { readonly stat: FeatureStat; readonly name: string }[];
}

export class FeaturePlan {
  /** the feature names computed, each once */
  readonly names: readonly string[];
  private readonly state: FeatureState;
  private readonly sensors: readonly string[];
  private readonly raw: readonly FeatureDef[];
  private readonly passes: readonly WindowPass[];
  private readonly ewma: readonly FeatureDef[];
  private readonly diff: readonly FeatureDef[];
  private readonly vsStart: readonly FeatureDef[];
  private readonly trend: readonly FeatureDef[];
  private readonly age: readonly FeatureDef[];
  private readonly regime: readonly FeatureDef[];
  private readonly alpha: number;
  /** columns compute() writes itself (all but the regime columns) */
  private readonly arenaColumns: number;

  /** The features any of the bundle's models reads: the GBDT's, the LSTM's and the RUL GBDT's. */
  constructor(m: BundleManifest) {
    const f = m.features;
    this.state = {
      spec: parseStoredFeatureSpec(f.spec),
      sensors: [...f.sensors],
      droppedSensors: [...f.droppedSensors],
      ...(f.regime === undefined ? {} : { regime: f.regime }),
    };
    const wanted = new Set([...m.selectedFeatures, ...(m.lstmFeatures ?? []), ...(m.rul?.features ?? [])]);
    const defs = new Map(featureDefsOfState(this.state).map((d) => [d.name, d]));
    const used: FeatureDef[] = [];
    for (const name of wanted) {
      const d = defs.get(name);
      if (d === undefined) throw new PrognosError('BAD_FILE', `manifest.json: the feature recipe does not produce ${name}`);
      used.push(d);
    }
    this.names = used.map((d) => d.name);
    this.sensors = [...new Set(used.filter((d) => d.sensor !== REGIME_SOURCE && d.sensor !== AGE_SOURCE).map((d) => d.sensor))];
    this.raw = used.filter((d) => d.kind === 'raw');
    this.ewma = used.filter((d) => d.kind === 'ewma');
    this.diff = used.filter((d) => d.kind === 'diff');
    this.vsStart = used.filter((d) => d.kind === 'vsStart');
    this.trend = used.filter((d) => d.kind === 'trend');
    this.age = used.filter((d) => d.kind === 'age');
    this.regime = used.filter((d) => d.kind === 'regimeCycles' || d.kind === 'regimeShare');
    const passes = new Map<string, WindowPass>();
    for (const d of used) {
      if (d.kind !== 'mean' && d.kind !== 'std' && d.kind !== 'min' && d.kind !== 'max' && d.kind !== 'slope') continue;
      const key = `${d.sensor}\u0000${d.window!}`;
      let p = passes.get(key);
      if (p === undefined) passes.set(key, (p = { sensor: d.sensor, window: d.window!, stats: [] }));
      p.stats.push({ stat: d.kind, name: d.name });
    }
    this.passes = [...passes.values()];
    this.arenaColumns = this.raw.length + this.passes.reduce((a, p) => a + p.stats.length, 0) + this.ewma.length + this.diff.length + this.vsStart.length + this.trend.length + this.age.length;
    this.alpha = ewmaAlphaOf(this.state.spec);
  }

  /**
   * The planned feature columns of `table`, one value per table row, as `engineerFeatures` computes
   * them; with `reuse`, views of its buffers, valid until the next call with the same arena.
   */
  compute(table: FleetTable, spans: readonly UnitSpan[] = unitSpans(table), reuse?: FeatureArena): Map<string, Float32Array> {
    const state = this.state;
    for (const name of state.sensors) columnIndex(table, name);
    const source = state.regime !== undefined ? normaliseSensors(table, state.regime) : new Map(this.sensors.map((s) => [s, table.values[columnIndex(table, s)]!]));
    const n = table.rowCount;
    const out = new Map<string, Float32Array>();
    // the columns computed here are views of one zeroed buffer: one allocation a call instead of one a column (none with `reuse`)
    const arena = reuse === undefined ? new Float32Array(this.arenaColumns * n) : reuse.floats(this.arenaColumns * n);
    let next = 0;
    const column = (): Float32Array => arena.subarray(n * next, n * ++next);
    for (const d of this.raw) {
      const col = column();
      col.set(source.get(d.sensor)!);
      out.set(d.name, col);
    }
    const scratch = reuse === undefined ? new Int32Array(2 * n) : reuse.scratch(2 * n);
    for (const p of this.passes) {
      const cols: Partial<Record<FeatureStat, Float32Array>> = {};
      for (const s of p.stats) out.set(s.name, (cols[s.stat] = column()));
      rollingWindow(source.get(p.sensor)!, table.cycle, spans, p.window, cols, scratch);
    }
    for (const d of this.ewma) {
      const col = column();
      ewmaPerUnit(source.get(d.sensor)!, spans, this.alpha, col);
      out.set(d.name, col);
    }
    for (const d of this.diff) {
      const col = column();
      diffPerUnit(source.get(d.sensor)!, spans, col);
      out.set(d.name, col);
    }
    for (const d of this.vsStart) {
      const col = column();
      vsStartPerUnit(source.get(d.sensor)!, spans, this.alpha, d.baselineCycles!, col);
      out.set(d.name, col);
    }
    for (const d of this.trend) {
      const col = column();
      trendPerUnit(source.get(d.sensor)!, table.cycle, spans, col);
      out.set(d.name, col);
    }
    for (const d of this.age) {
      const col = column();
      ageColumn(table, col);
      out.set(d.name, col);
    }
    if (this.regime.length > 0) {
      const k = state.regime!.centroids.length;
      const cols = regimeTimeColumns(assignRegimes(table, state.regime!), spans, k);
      for (const d of this.regime) out.set(d.name, cols[(d.kind === 'regimeShare' ? k : 0) + d.regime!]!);
    }
    return out;
  }
}
