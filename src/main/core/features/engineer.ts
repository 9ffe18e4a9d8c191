/**
 * Feature engineering: per sensor, the raw value, rolling statistics over trailing windows, an EWMA
 * and the first difference. Everything is computed per unit, never across a unit boundary: at a
 * unit's start a window uses the rows available so far. Arithmetic is float64, storage Float32.
 *
 * Rolling statistics are O(n) per (sensor, window): running sums of x, x², t, t², t·x (with x and t
 * shifted by the unit's first value for numerical stability) give mean, population std and the
 * least-squares slope per cycle; monotone deques give min and max.
 */
import { PrognosError } from '../../../shared/errors';
import { type FleetTable, type UnitSpan, unitSpans } from '../data/table';
import { detectRegimes } from '../data/regimes';
import { type RegimeModel, assignRegimes, columnIndex, fitRegimes, normaliseSensors, regimeModelFromDetected } from './regime';
import { type FeatureSpec, type FeatureSpecInput, type FeatureStat, ewmaAlphaOf, parseFeatureSpec, parseStoredFeatureSpec } from './spec';

export type FeatureKind = 'raw' | FeatureStat | 'ewma' | 'diff' | 'vsStart' | 'trend' | 'age' | 'regimeCycles' | 'regimeShare';

/** The `sensor` of the age feature (`cycle`), which reads the cycle column, not a sensor. */
export const AGE_SOURCE = 'cycle';
/** The `sensor` of the regime features. */
export const REGIME_SOURCE = 'regime';

export interface FeatureDef {
  readonly name: string;
  readonly sensor: string;
  readonly kind: FeatureKind;
  readonly window?: number;
  readonly alpha?: number;
  /** regimeCycles and regimeShare: the operating regime (0-based index into the regime model) */
  readonly regime?: number;
  /** vsStart: the cycles at the unit's start that make its baseline */
  readonly baselineCycles?: number;
  /** Human-readable definition, shown in the UI, the model card and the export manifest. */
  readonly formula: string;
}

export interface DroppedSensor {
  readonly name: string;
  readonly reason: string;
}

/**
 * Everything needed to compute the same features on new data (test files, scoring): the parsed
 * spec, the kept sensors and the fitted regime model. JSON-serialisable.
 */
export interface FeatureState {
  readonly spec: FeatureSpec;
  readonly sensors: string[];
  readonly droppedSensors: DroppedSensor[];
  readonly regime?: RegimeModel;
  /** how the spec's regime choice was resolved (absent in runs recorded before 'auto' existed) */
  readonly regimeChoice?: RegimeChoice;
}

/** The spec's regime choice and what was used; recorded with the run. */
export interface RegimeChoice {
  readonly requested: { readonly enabled: 'auto' | boolean; readonly clusters: 'auto' | number };
  /** regime normalisation was used */
  readonly enabled: boolean;
  /** regimes in the model used (null when not used) */
  readonly clusters: number | null;
  /** the detection on the fitting rows (the training units), when an 'auto' asked for it */
  readonly detected: {
    readonly k: number;
    readonly settings: string[];
    readonly scores: { k: number; silhouette: number | null }[];
    readonly method: string;
    readonly note?: string;
  } | null;
}

export interface EngineeredFeatures {
  readonly names: string[];
  readonly columns: Float32Array[];
  readonly defs: FeatureDef[];
  readonly droppedSensors: DroppedSensor[];
  readonly state: FeatureState;
}

export interface EngineerOptions {
  /** Apply a state fitted earlier (same sensors, same regime model) instead of fitting one. */
  readonly state?: FeatureState;
  /** Rows (1 = use) on which near-constant checks and the regime model are fitted; all rows when absent. */
  readonly fitRows?: Uint8Array;
  /** Checked between sensors; an aborted signal stops the work with a CANCELLED error. */
  readonly signal?: AbortSignal;
  /** Fraction done in [0, 1], reported after each sensor. */
  readonly onProgress?: (fraction: number) => void;
}

const STAT_WORDS: Record<FeatureStat, string> = {
  mean: 'mean',
  std: 'population standard deviation',
  min: 'minimum',
  max: 'maximum',
  slope: 'least-squares slope per cycle',
};

function fmt(x: number): string {
  return Number(x.toPrecision(6)).toString();
}

/** The feature definitions (names, kinds, formulas) that a spec gives for a list of sensors, in column order. */
export function buildFeatureDefs(
  spec: FeatureSpec,
  sensors: readonly string[],
  regimeNormalised = spec.regimeNormalisation.enabled === true,
  /** regimes in the regime model: with more than one, the regime features are added (when the spec asks) */
  regimes = 0,
): FeatureDef[] {
  const windows = [...new Set(spec.windows)];
  const stats = [...new Set(spec.stats)];
  const alpha = ewmaAlphaOf(spec);
  const defs: FeatureDef[] = [];
  for (const sensor of sensors) {
    const x = regimeNormalised ? `${sensor} (standardised per operating regime)` : sensor;
    if (spec.include.raw) defs.push({ name: sensor, sensor, kind: 'raw', formula: `${x} at the current cycle` });
    for (const w of windows) {
      for (const stat of stats) {
        const start =
          stat === 'std' || stat === 'slope'
            ? "fewer at a unit's start; 0 at its first cycle"
            : "fewer at a unit's start";
        defs.push({
          name: `${sensor}_${stat}_${w}`,
          sensor,
          kind: stat,
          window: w,
          formula: `${STAT_WORDS[stat]} of ${x} over the last ${w} cycles (${start})`,
        });
      }
    }
    if (spec.include.ewma) {
      defs.push({
        name: `${sensor}_ewma`,
        sensor,
        kind: 'ewma',
        alpha,
        formula: `exponentially weighted moving average of ${x}: e_t = ${fmt(alpha)}·x_t + ${fmt(1 - alpha)}·e_(t−1), e = x at a unit's first cycle`,
      });
    }
    if (spec.include.diff) {
      defs.push({
        name: `${sensor}_diff`,
        sensor,
        kind: 'diff',
        formula: `${x} minus its value at the previous cycle (0 at a unit's first cycle)`,
      });
    }
    if (spec.include.baseline) {
      const b = spec.baselineCycles;
      defs.push({
        name: `${sensor}_vs_start`,
        sensor,
        kind: 'vsStart',
        alpha,
        baselineCycles: b,
        formula: `exponentially weighted moving average of ${x} (α = ${fmt(alpha)}) minus the mean of ${x} over the unit's first ${b} cycles (the cycles so far while fewer)`,
      });
    }
    if (spec.include.trend) {
      defs.push({
        name: `${sensor}_trend`,
        sensor,
        kind: 'trend',
        formula: `least-squares slope of ${x} per cycle over every cycle of the unit so far (0 at its first cycle)`,
      });
    }
  }
  if (spec.include.age) {
    defs.push({ name: 'cycle', sensor: AGE_SOURCE, kind: 'age', formula: "the unit's cycle number at the current row (its age)" });
  }
  if (regimeNormalised && regimes > 1 && spec.regimeNormalisation.features) {
    for (let c = 0; c < regimes; c++) {
      defs.push({
        name: `regime${c + 1}_cycles`,
        sensor: REGIME_SOURCE,
        kind: 'regimeCycles',
        regime: c,
        formula: `cycles the unit has spent in operating regime ${c + 1} of ${regimes} so far (its whole history, this cycle included)`,
      });
    }
    for (let c = 0; c < regimes; c++) {
      defs.push({
        name: `regime${c + 1}_share`,
        sensor: REGIME_SOURCE,
        kind: 'regimeShare',
        regime: c,
        formula: `share of the unit's cycles so far spent in operating regime ${c + 1} of ${regimes} (its whole history, this cycle included)`,
      });
    }
  }
  return defs;
}

/** The feature definitions a fitted feature state produces, in column order. */
export function featureDefsOfState(state: FeatureState): FeatureDef[] {
  return buildFeatureDefs(state.spec, state.sensors, state.regime !== undefined, state.regime?.centroids.length ?? 0);
}

/**
 * Cycles spent so far in each regime and their share of the unit's cycles so far, per row: the
 * regime features, [cycles of regime 0..k−1, shares of regime 0..k−1].
 */
export function regimeTimeColumns(regimes: Int32Array, spans: readonly UnitSpan[], k: number): Float32Array[] {
  const n = regimes.length;
  const cycles = Array.from({ length: k }, () => new Float32Array(n));
  const shares = Array.from({ length: k }, () => new Float32Array(n));
  const count = new Float64Array(k);
  for (const { start, end } of spans) {
    count.fill(0);
    for (let i = start; i < end; i++) {
      count[regimes[i]!]!++;
      const seen = i - start + 1;
      for (let c = 0; c < k; c++) {
        cycles[c]![i] = count[c]!;
        shares[c]![i] = count[c]! / seen;
      }
    }
  }
  return [...cycles, ...shares];
}

/** Sensors the spec asks for, before near-constant checks. */
function requestedSensors(table: FleetTable, spec: FeatureSpec): string[] {
  if (spec.sensors === 'auto') return table.columns.filter((c) => c.role === 'sensor').map((c) => c.name);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const name of spec.sensors) {
    const col = table.columns.find((c) => c.name === name);
    if (col === undefined) {
      throw new PrognosError(
        'INVALID_INPUT',
        `feature spec names sensor "${name}", which is not a column of this dataset`,
      );
    }
    if (col.role !== 'sensor' && col.role !== 'setting') {
      throw new PrognosError(
        'INVALID_INPUT',
        `feature spec names "${name}", which is a ${col.role} column, not a sensor or setting`,
      );
    }
    if (!seen.has(name)) {
      seen.add(name);
      out.push(name);
    }
  }
  return out;
}

/**
 * Why a sensor is dropped, or null when it is kept. Near-constant means, over the fitting rows:
 * population std ≤ nearConstantStd · max(1, |mean|), or fewer than minDistinctValues distinct values.
 */
export function nearConstantReason(
  values: ArrayLike<number>,
  spec: Pick<FeatureSpec, 'nearConstantStd' | 'minDistinctValues'>,
  fitRows?: Uint8Array,
): string | null {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    if (fitRows === undefined || fitRows[i] === 1) {
      sum += values[i]!;
      n++;
    }
  }
  if (n === 0) return 'no rows to fit on';
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < values.length; i++) {
    if (fitRows === undefined || fitRows[i] === 1) ss += (values[i]! - mean) * (values[i]! - mean);
  }
  const std = Math.sqrt(ss / n);
  const limit = spec.nearConstantStd * Math.max(1, Math.abs(mean));
  if (!(std > limit)) {
    return `near-constant: std ${std.toExponential(2)} ≤ ${spec.nearConstantStd} · max(1, |mean| = ${fmt(mean)})`;
  }
  const distinct = new Set<number>();
  for (let i = 0; i < values.length && distinct.size < spec.minDistinctValues; i++) {
    if (fitRows === undefined || fitRows[i] === 1) distinct.add(values[i]!);
  }
  if (distinct.size < spec.minDistinctValues) {
    return `near-constant: only ${distinct.size} distinct value${distinct.size === 1 ? '' : 's'} (fewer than ${spec.minDistinctValues})`;
  }
  return null;
}

interface WindowOutputs {
  mean?: Float32Array;
  std?: Float32Array;
  min?: Float32Array;
  max?: Float32Array;
  slope?: Float32Array;
}

/**
 * Trailing-window statistics of `x` over at most `w` rows of the same unit, written into the
 * requested outputs. O(n) per call.
 */
export function rollingWindow(
  x: Float64Array,
  t: Int32Array,
  spans: readonly UnitSpan[],
  w: number,
  out: WindowOutputs,
  /** Optional reusable buffer of at least 2 · x.length entries for the deques. */
  scratch?: Int32Array,
): void {
  if (out.mean !== undefined || out.std !== undefined || out.slope !== undefined) {
    rollingMoments(x, t, spans, w, out.mean, out.std, out.slope);
  }
  if (out.min !== undefined || out.max !== undefined) {
    const n = x.length;
    const minDeque = scratch !== undefined && scratch.length >= 2 * n ? scratch.subarray(0, n) : new Int32Array(n);
    const maxDeque = scratch !== undefined && scratch.length >= 2 * n ? scratch.subarray(n, 2 * n) : new Int32Array(n);
    rollingExtremes(x, spans, w, out.min, out.max, minDeque, maxDeque);
  }
}

/** Mean, population std and least-squares slope per cycle from running sums (x, t shifted per unit). */
function rollingMoments(
  x: Float64Array,
  t: Int32Array,
  spans: readonly UnitSpan[],
  w: number,
  mean: Float32Array | undefined,
  std: Float32Array | undefined,
  slope: Float32Array | undefined,
): void {
  for (let u = 0; u < spans.length; u++) {
    const start = spans[u]!.start;
    const end = spans[u]!.end;
    const x0 = x[start]!;
    const t0 = t[start]!;
    let sx = 0;
    let sxx = 0;
    let st = 0;
    let stt = 0;
    let stx = 0;
    for (let i = start; i < end; i++) {
      const xv = x[i]! - x0;
      const tv = t[i]! - t0;
      sx += xv;
      sxx += xv * xv;
      st += tv;
      stt += tv * tv;
      stx += tv * xv;
      const j = i - w;
      let n = i - start + 1;
      if (j >= start) {
        const xo = x[j]! - x0;
        const to = t[j]! - t0;
        sx -= xo;
        sxx -= xo * xo;
        st -= to;
        stt -= to * to;
        stx -= to * xo;
        n = w;
      }
      const m = sx / n;
      if (mean !== undefined) mean[i] = x0 + m;
      if (std !== undefined) {
        const v = sxx / n - m * m;
        std[i] = v > 0 ? Math.sqrt(v) : 0;
      }
      if (slope !== undefined) {
        const den = n * stt - st * st;
        slope[i] = den > 0 ? (n * stx - st * sx) / den : 0;
      }
    }
  }
}

/** Sliding minimum and maximum with monotone deques of row indices. */
function rollingExtremes(
  x: Float64Array,
  spans: readonly UnitSpan[],
  w: number,
  min: Float32Array | undefined,
  max: Float32Array | undefined,
  minDeque: Int32Array,
  maxDeque: Int32Array,
): void {
  for (let u = 0; u < spans.length; u++) {
    const start = spans[u]!.start;
    const end = spans[u]!.end;
    let minHead = start;
    let minTail = start;
    let maxHead = start;
    let maxTail = start;
    for (let i = start; i < end; i++) {
      const xi = x[i]!;
      const expired = i - w;
      if (min !== undefined) {
        while (minTail > minHead && x[minDeque[minTail - 1]!]! >= xi) minTail--;
        minDeque[minTail++] = i;
        if (minDeque[minHead]! <= expired) minHead++;
        min[i] = x[minDeque[minHead]!]!;
      }
      if (max !== undefined) {
        while (maxTail > maxHead && x[maxDeque[maxTail - 1]!]! <= xi) maxTail--;
        maxDeque[maxTail++] = i;
        if (maxDeque[maxHead]! <= expired) maxHead++;
        max[i] = x[maxDeque[maxHead]!]!;
      }
    }
  }
}

/** e_t = α·x_t + (1 − α)·e_(t−1), started at the unit's first value. */
export function ewmaPerUnit(x: Float64Array, spans: readonly UnitSpan[], alpha: number, out: Float32Array): void {
  for (const { start, end } of spans) {
    let e = x[start]!;
    out[start] = e;
    for (let i = start + 1; i < end; i++) {
      e = alpha * x[i]! + (1 - alpha) * e;
      out[i] = e;
    }
  }
}

/** x_t − x_(t−1), 0 at the unit's first row. */
export function diffPerUnit(x: Float64Array, spans: readonly UnitSpan[], out: Float32Array): void {
  for (const { start, end } of spans) {
    out[start] = 0;
    for (let i = start + 1; i < end; i++) out[i] = x[i]! - x[i - 1]!;
  }
}

/**
 * EWMA (as `ewmaPerUnit`) minus the unit's baseline: the mean of its first `baseline` rows, or of
 * the rows so far while fewer have been seen.
 */
export function vsStartPerUnit(x: Float64Array, spans: readonly UnitSpan[], alpha: number, baseline: number, out: Float32Array): void {
  for (const { start, end } of spans) {
    let e = x[start]!;
    let sum = 0;
    let base = 0;
    for (let i = start; i < end; i++) {
      if (i > start) e = alpha * x[i]! + (1 - alpha) * e;
      const seen = i - start + 1;
      if (seen <= baseline) {
        sum += x[i]!;
        base = sum / seen;
      }
      out[i] = e - base;
    }
  }
}

/**
 * The least-squares slope of x per cycle over every row of the unit so far (0 at its first row): the
 * rolling slope with a window that never ends.
 */
export function trendPerUnit(x: Float64Array, t: Int32Array, spans: readonly UnitSpan[], out: Float32Array): void {
  rollingMoments(x, t, spans, Infinity, undefined, undefined, out);
}

/** The cycle number of every row. */
export function ageColumn(table: FleetTable, out: Float32Array): void {
  const t = table.cycle;
  for (let i = 0; i < t.length; i++) out[i] = t[i]!;
}

function checkCancelled(signal?: AbortSignal): void {
  if (signal?.aborted === true) throw new PrognosError('CANCELLED', 'feature engineering was cancelled');
}

/**
 * Engineer every feature of `spec` on `table`. Without `opts.state`, near-constant sensors are
 * dropped and the regime model (when enabled) is fitted on `opts.fitRows`; the returned `state`
 * applies the same choices to other tables (pass it as `opts.state`; `specInput` is then ignored
 * and the state's own spec is used, so train, test and scoring data get identical columns).
 */
export function engineerFeatures(
  table: FleetTable,
  specInput: FeatureSpecInput | FeatureSpec = {},
  opts: EngineerOptions = {},
): EngineeredFeatures {
  if (opts.fitRows !== undefined && opts.fitRows.length !== table.rowCount) {
    throw new PrognosError('INVALID_INPUT', `fitRows has ${opts.fitRows.length} rows, the table ${table.rowCount}`);
  }
  let state: FeatureState;
  let source: Map<string, Float64Array>;
  if (opts.state !== undefined) {
    state = { ...opts.state, spec: parseStoredFeatureSpec(opts.state.spec) };
    for (const name of state.sensors) columnIndex(table, name);
    source = state.regime !== undefined ? normaliseSensors(table, state.regime) : rawSources(table, state.sensors);
  } else {
    const spec = parseFeatureSpec(specInput);
    const requested = requestedSensors(table, spec);
    const { regime, choice } = resolveRegimes(table, spec, requested, opts.fitRows);
    source = regime !== undefined ? normaliseSensors(table, regime) : rawSources(table, requested);
    const sensors: string[] = [];
    const droppedSensors: DroppedSensor[] = [];
    for (const name of requested) {
      const reason = nearConstantReason(source.get(name)!, spec, opts.fitRows);
      if (reason === null) sensors.push(name);
      else droppedSensors.push({ name, reason });
    }
    let kept = regime;
    if (regime !== undefined) {
      const fitted = regime;
      const keep = sensors.map((s) => fitted.sensors.indexOf(s));
      kept = {
        ...fitted,
        sensors: [...sensors],
        sensorMean: fitted.sensorMean.map((row) => keep.map((k) => row[k]!)),
        sensorStd: fitted.sensorStd.map((row) => keep.map((k) => row[k]!)),
      };
    }
    state = {
      spec,
      sensors,
      droppedSensors,
      ...(kept === undefined ? {} : { regime: kept }),
      regimeChoice: choice,
    };
  }

  const spec = state.spec;
  const defs = featureDefsOfState(state);
  const n = table.rowCount;
  const spans = unitSpans(table);
  const t = table.cycle;
  const windows = [...new Set(spec.windows)];
  const alpha = ewmaAlphaOf(spec);
  const scratch = new Int32Array(2 * n);
  const columns: Float32Array[] = [];

  state.sensors.forEach((sensor, s) => {
    checkCancelled(opts.signal);
    const x = source.get(sensor)!;
    if (spec.include.raw) columns.push(new Float32Array(x));
    for (const w of windows) {
      const out: WindowOutputs = {};
      const ordered: Float32Array[] = [];
      for (const stat of spec.stats) {
        if (out[stat] !== undefined) continue;
        const col = new Float32Array(n);
        out[stat] = col;
        ordered.push(col);
      }
      rollingWindow(x, t, spans, w, out, scratch);
      columns.push(...ordered);
    }
    if (spec.include.ewma) {
      const col = new Float32Array(n);
      ewmaPerUnit(x, spans, alpha, col);
      columns.push(col);
    }
    if (spec.include.diff) {
      const col = new Float32Array(n);
      diffPerUnit(x, spans, col);
      columns.push(col);
    }
    if (spec.include.baseline) {
      const col = new Float32Array(n);
      vsStartPerUnit(x, spans, alpha, spec.baselineCycles, col);
      columns.push(col);
    }
    if (spec.include.trend) {
      const col = new Float32Array(n);
      trendPerUnit(x, t, spans, col);
      columns.push(col);
    }
    opts.onProgress?.((s + 1) / state.sensors.length);
  });
  if (spec.include.age) {
    const col = new Float32Array(n);
    ageColumn(table, col);
    columns.push(col);
  }
  if (defs.some((d) => d.kind === 'regimeCycles')) {
    const k = state.regime!.centroids.length;
    columns.push(...regimeTimeColumns(assignRegimes(table, state.regime!), spans, k));
  }

  return { names: defs.map((d) => d.name), columns, defs, droppedSensors: state.droppedSensors, state };
}

/**
 * Resolves the spec's regime choice on the fitting rows: 'auto' runs the import's detection
 * (`detectRegimes`, same function and seed) on the fitting rows — the training units in a run — and
 * normalises per regime when it finds more than one. A given number of clusters fits k-means with
 * that k, as before 'auto' existed.
 */
function resolveRegimes(
  table: FleetTable,
  spec: FeatureSpec,
  requested: readonly string[],
  fitRows?: Uint8Array,
): { regime: RegimeModel | undefined; choice: RegimeChoice } {
  const rn = spec.regimeNormalisation;
  const detection = rn.enabled === 'auto' || (rn.enabled === true && rn.clusters === 'auto') ? detectRegimes(table, fitRows === undefined ? {} : { fitRows }) : null;
  const detected =
    detection === null
      ? null
      : {
          k: detection.k,
          settings: detection.settings,
          scores: detection.scores,
          method: detection.method,
          ...(detection.note === undefined ? {} : { note: detection.note }),
        };
  const enabled = rn.enabled === 'auto' ? detection!.k > 1 : rn.enabled;
  const requestedChoice = { enabled: rn.enabled, clusters: rn.clusters };
  if (!enabled) return { regime: undefined, choice: { requested: requestedChoice, enabled: false, clusters: null, detected } };
  let regime: RegimeModel;
  if (rn.clusters === 'auto' && detection !== null && detection.settings.length > 0) {
    regime = regimeModelFromDetected(table, requested, detection, fitRows);
  } else {
    const k = rn.clusters === 'auto' ? 1 : rn.clusters;
    regime = fitRegimes(table, requested, k, rn.seed, fitRows);
  }
  return { regime, choice: { requested: requestedChoice, enabled: true, clusters: regime.centroids.length, detected } };
}

function rawSources(table: FleetTable, sensors: readonly string[]): Map<string, Float64Array> {
  return new Map(sensors.map((name) => [name, table.values[columnIndex(table, name)]!]));
}
