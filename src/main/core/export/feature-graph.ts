/**
 * The feature engine as ONNX operators (float64 throughout, float32 at the end, as the in-app engine
 * stores its columns), so that a raw sensor history goes in and the same engineered features come
 * out, including the "fewer rows at a unit's start" rule and the sequence model's left padding.
 *
 * Inputs (per batch row n, one unit): history [N, T, C], cycles [N, T], valid [N]. The last valid[n]
 * rows of the time axis are the unit's most recent rows in cycle order, the rows before them are
 * padding. p = T − valid is the unit's first row. Features are computed at the L target rows
 * i = T − L + k (k = 0..L−1), each clamped to e = max(i, p): a target left of p is the unit's first
 * row, which is exactly how the sequence model's windows are left-padded.
 *
 * For a target row e and a window w, the rows used are j with max(p, e − w + 1) ≤ j ≤ e and n =
 * min(w, e − p + 1) of them. Masked matrix products give the running sums of the in-app engine:
 * with x and t shifted by their values at row p, mean = x_p + Σx/n, std = √max(0, Σx²/n − m²),
 * slope = (n·Σtx − Σt·Σx)/(n·Σt² − (Σt)²) (0 when the denominator is 0); min and max are masked
 * reductions; raw and diff pick rows with one-hot rows (exact); the EWMA is the unrolled recursion
 * e = (1−α)^(e−p)·x_p + Σ_{p<j≤e} α(1−α)^(e−j)·x_j over the whole history. Window statistics only
 * look at the last `tailRows` rows, so long histories cost no more than short ones.
 *
 * With regime normalisation the history carries the operating settings first: each row is assigned
 * the nearest centroid (z-scored settings, squared Euclidean distance, first minimum on ties) and the
 * sensors are standardised with that regime's mean and std, as in the in-app engine. The regime
 * features count, over the whole history up to a target row, the rows of each regime (a masked
 * product with the one-hot regimes) and divide by the rows so far for the share.
 */
import { PrognosError } from '../../../shared/errors';
import { featureDefsOfState, type FeatureDef, type FeatureKind, type FeatureState } from '../features/engineer';
import { ewmaAlphaOf } from '../features/spec';
import { type GraphBuilder, attr, DataType } from './onnx';

export interface FeatureGraphInputs {
  /** double [N, T, C]: columns = historyColumns(state). */
  readonly history: string;
  /** double [N, T]: the cycle number of each row. */
  readonly cycles: string;
  /** int64 [N]: how many of the T rows are real (right-aligned). */
  readonly valid: string;
}

type WindowStat = 'mean' | 'std' | 'min' | 'max' | 'slope';

/** The columns of the history input: the operating settings first when regimes are used, then the kept sensors. */
export function historyColumns(state: FeatureState): string[] {
  return state.regime === undefined ? [...state.sensors] : [...state.regime.settings, ...state.sensors];
}

/** Definitions of the named features under a feature state, in the order asked. */
export function featureDefsFor(state: FeatureState, names: readonly string[]): FeatureDef[] {
  const defs = featureDefsOfState(state);
  const byName = new Map(defs.map((d) => [d.name, d]));
  return names.map((n) => {
    const d = byName.get(n);
    if (d === undefined) throw new PrognosError('INVALID_INPUT', `feature "${n}" is not produced by the run's feature spec`);
    return d;
  });
}

/**
 * Rows of history the window features at the last `targets` rows reach back to: targets − 1 plus
 * the longest window (2 rows for a difference, 1 for raw values).
 */
export function tailRowsFor(defs: readonly FeatureDef[], targets: number): number {
  let reach = 1;
  for (const d of defs) {
    if (d.kind === 'diff') reach = Math.max(reach, 2);
    else if (d.window !== undefined) reach = Math.max(reach, d.window);
  }
  return targets - 1 + reach;
}

/** The EWMA, its distance from the unit's start, the trend since the start and the regime features look at a unit's whole history (the age reads the cycle number of its own row). */
export function needsFullHistory(defs: readonly FeatureDef[]): boolean {
  return defs.some((d) => WHOLE_HISTORY.has(d.kind));
}

const WHOLE_HISTORY: ReadonlySet<FeatureKind> = new Set<FeatureKind>(['ewma', 'vsStart', 'trend', 'regimeCycles', 'regimeShare']);

const SAFE_END = Number.MAX_SAFE_INTEGER;

/**
 * Adds the feature engine; returns the name of a float [N, targets, F] tensor holding the features
 * `names` (in that order) at the last `targets` rows.
 */
export function addFeatureEngine(
  b: GraphBuilder,
  inputs: FeatureGraphInputs,
  state: FeatureState,
  names: readonly string[],
  targets: number,
): string {
  const defs = featureDefsFor(state, names);
  const sensors = state.sensors;
  const S = sensors.length;
  const L = targets;
  const tail = tailRowsFor(defs, L);

  const c64 = (hint: string, v: number): string => b.f64(hint, [], [v]);
  const i64s = (hint: string, v: number): string => b.i64(hint, [], [v]);
  const i64v = (hint: string, v: readonly number[]): string => b.i64(hint, [v.length], v);
  const unsq = (x: string, axes: readonly number[], hint = 'unsq'): string => b.node('Unsqueeze', [x, i64v('axes', axes)], [], { hint });
  const toF64 = (x: string, hint: string): string => b.node('Cast', [x], [attr.int('to', DataType.DOUBLE)], { hint });
  const zero = c64('zero', 0);

  // ---- row bookkeeping on the full history
  const T1 = b.node('Shape', [inputs.history], [attr.int('start', 1), attr.int('end', 2)], { hint: 'rows' });
  const validC = b.node('Min', [b.node('Max', [inputs.valid, i64v('one', [1])]), T1], [], { hint: 'valid_rows' });
  const pFull = b.node('Sub', [T1, validC], [], { hint: 'first_row' });
  const jFull = b.node('Range', [i64s('r0', 0), b.node('Squeeze', [T1, i64v('axes', [0])]), i64s('r1', 1)], [], { hint: 'row_index' });
  const rowOk = b.node('GreaterOrEqual', [unsq(jFull, [0]), unsq(pFull, [1])], [], { hint: 'real_row' });

  // ---- the source values per sensor, float64 [N, T, S]
  let X: string;
  let regimeOfRow: string | undefined;
  const reg = state.regime;
  if (reg === undefined) {
    X = inputs.history;
  } else {
    const ns = reg.settings.length;
    const k = reg.centroids.length;
    const settings = b.node('Gather', [inputs.history, i64v('setting_cols', reg.settings.map((_, i) => i))], [attr.int('axis', 2)]);
    const z = b.node('Div', [b.node('Sub', [settings, b.f64('setting_mean', [ns], reg.settingMean)]), b.f64('setting_std', [ns], reg.settingStd)]);
    const d = b.node('Sub', [unsq(z, [2]), b.f64('centroids', [k, ns], reg.centroids.flat())]);
    const dist = b.node('ReduceSum', [b.node('Mul', [d, d]), i64v('axes', [3])], [attr.int('keepdims', 0)], { hint: 'regime_distance' });
    const regime = b.node('ArgMin', [dist], [attr.int('axis', 2), attr.int('keepdims', 0), attr.int('select_last_index', 0)], {
      hint: 'regime',
    });
    regimeOfRow = regime;
    const sensorsRaw = b.node('Gather', [inputs.history, i64v('sensor_cols', sensors.map((_, i) => ns + i))], [attr.int('axis', 2)]);
    const mu = b.node('Gather', [b.f64('regime_mean', [k, S], reg.sensorMean.flat()), regime], [attr.int('axis', 0)]);
    const sd = b.node('Gather', [b.f64('regime_std', [k, S], reg.sensorStd.flat()), regime], [attr.int('axis', 0)]);
    X = b.node('Div', [b.node('Sub', [sensorsRaw, mu]), sd], [], { hint: 'normalised' });
  }
  // padding rows become 0 so that masked products never meet NaN or infinity
  const Xz = b.node('Where', [unsq(rowOk, [2]), X, zero], [], { hint: 'source' });

  const blocks: string[] = [];
  /** first column of each block in the concatenation; blocks are S wide, the regime blocks k wide */
  const blockOf = new Map<string, number>();
  let width = 0;
  const addBlock = (key: string, t: string, columns = S): void => {
    blockOf.set(key, width);
    blocks.push(t);
    width += columns;
  };
  const kvec = b.i64('target_offset', [L], Array.from({ length: L }, (_, i) => i));
  const want = (kind: FeatureKind, w?: number): boolean => defs.some((d) => d.kind === kind && (w === undefined || d.window === w));

  // ---- window statistics, raw values and differences on the last `tail` rows
  const needsTail = defs.some((d) => !WHOLE_HISTORY.has(d.kind) && d.kind !== 'age');
  if (needsTail) {
    const tailC = i64v('tail_rows', [tail]);
    const sliceRows = (x: string, hint: string): string =>
      b.node('Slice', [x, i64v('starts', [-tail]), i64v('ends', [SAFE_END]), i64v('axes', [1])], [], { hint });
    const Tt = b.node('Min', [T1, tailC], [], { hint: 'tail_len' });
    const Xt = sliceRows(Xz, 'tail_source');
    const pT = b.node('Max', [b.node('Sub', [Tt, validC]), i64v('zero_i', [0])], [], { hint: 'tail_first_row' });
    const jT = b.node('Range', [i64s('r0', 0), b.node('Squeeze', [Tt, i64v('axes', [0])]), i64s('r1', 1)], [], { hint: 'tail_index' });
    const pos = b.node('Add', [kvec, b.node('Sub', [Tt, i64v('targets', [L])])], [], { hint: 'target_row' });
    const eff = b.node('Max', [unsq(pos, [0]), unsq(pT, [1])], [], { hint: 'target_row_clamped' });
    const J3 = unsq(jT, [0, 1], 'j3');
    const E3 = unsq(eff, [2], 'e3');
    const P3 = unsq(pT, [1, 2], 'p3');
    const inRange = b.node('And', [b.node('GreaterOrEqual', [J3, P3]), b.node('LessOrEqual', [J3, E3])], [], { hint: 'in_range' });
    const onehotE = toF64(b.node('Equal', [J3, E3]), 'pick_target');
    const onehotP = toF64(b.node('Equal', [J3, P3]), 'pick_first');
    const xref = b.node('MatMul', [onehotP, Xt], [], { hint: 'x_first' });
    const Xc = b.node('Sub', [Xt, xref], [], { hint: 'x_shifted' });

    if (want('raw')) addBlock('raw', b.node('MatMul', [onehotE, Xt], [], { hint: 'raw' }));
    if (want('diff')) {
      // x_e − x_(e−1) where e > p; 0 at the unit's first row (and the padded targets clamped to it)
      const prev = toF64(b.node('Equal', [J3, b.node('Sub', [E3, i64v('one', [1])])]), 'pick_previous');
      const later = toF64(b.node('Greater', [E3, P3]), 'after_first_row');
      const D = b.node('Mul', [b.node('Sub', [onehotE, prev]), later]);
      addBlock('diff', b.node('MatMul', [D, Xt], [], { hint: 'diff' }));
    }

    let tc: string | undefined;
    const shiftedCycles = (): string => {
      if (tc === undefined) {
        const ct = unsq(sliceRows(b.node('Where', [rowOk, inputs.cycles, zero]), 'tail_cycles'), [2], 'cycles3');
        tc = b.node('Sub', [ct, b.node('MatMul', [onehotP, ct])], [], { hint: 't_shifted' });
      }
      return tc;
    };

    const windows = [...new Set(defs.filter((d) => d.window !== undefined).map((d) => d.window!))];
    for (const w of windows) {
      const stats = new Set(defs.filter((d) => d.window === w).map((d) => d.kind as WindowStat));
      const cond = b.node('And', [inRange, b.node('Greater', [J3, b.node('Sub', [E3, i64v('w', [w])])])], [], { hint: `window${w}` });
      if (stats.has('min') || stats.has('max')) {
        const cond4 = unsq(cond, [3]);
        const X4 = unsq(Xt, [1]);
        if (stats.has('min')) {
          const masked = b.node('Where', [cond4, X4, c64('inf', Infinity)]);
          addBlock(`min${w}`, b.node('ReduceMin', [masked], [attr.ints('axes', [2]), attr.int('keepdims', 0)], { hint: `min${w}` }));
        }
        if (stats.has('max')) {
          const masked = b.node('Where', [cond4, X4, c64('ninf', -Infinity)]);
          addBlock(`max${w}`, b.node('ReduceMax', [masked], [attr.ints('axes', [2]), attr.int('keepdims', 0)], { hint: `max${w}` }));
        }
      }
      if (stats.has('mean') || stats.has('std') || stats.has('slope')) {
        const M = toF64(cond, `mask${w}`);
        const n = toF64(
          b.node('Min', [b.node('Add', [b.node('Sub', [E3, P3]), i64v('one', [1])]), i64v('w', [w])]),
          `count${w}`,
        );
        const S1 = b.node('MatMul', [M, Xc], [], { hint: `sum_x${w}` });
        const m = b.node('Div', [S1, n], [], { hint: `m${w}` });
        if (stats.has('mean')) addBlock(`mean${w}`, b.node('Add', [xref, m], [], { hint: `mean${w}` }));
        if (stats.has('std')) {
          const S2 = b.node('MatMul', [M, b.node('Mul', [Xc, Xc])], [], { hint: `sum_xx${w}` });
          const v = b.node('Sub', [b.node('Div', [S2, n]), b.node('Mul', [m, m])], [], { hint: `var${w}` });
          addBlock(`std${w}`, b.node('Sqrt', [b.node('Max', [v, zero])], [], { hint: `std${w}` }));
        }
        if (stats.has('slope')) {
          const t = shiftedCycles();
          const St = b.node('MatMul', [M, t], [], { hint: `sum_t${w}` });
          const Stt = b.node('MatMul', [M, b.node('Mul', [t, t])], [], { hint: `sum_tt${w}` });
          const Stx = b.node('MatMul', [M, b.node('Mul', [t, Xc])], [], { hint: `sum_tx${w}` });
          const den = b.node('Sub', [b.node('Mul', [n, Stt]), b.node('Mul', [St, St])], [], { hint: `den${w}` });
          const num = b.node('Sub', [b.node('Mul', [n, Stx]), b.node('Mul', [St, S1])], [], { hint: `num${w}` });
          const slope = b.node('Where', [b.node('Greater', [den, zero]), b.node('Div', [num, den]), zero], [], { hint: `slope${w}` });
          addBlock(`slope${w}`, slope);
        }
      }
    }
  }

  // ---- EWMA, its distance from the unit's baseline, and the trend since the start, over the whole history
  if (want('ewma') || want('vsStart') || want('trend') || want('age')) {
    const pos = b.node('Add', [kvec, b.node('Sub', [T1, i64v('targets', [L])])]);
    const eff = b.node('Max', [unsq(pos, [0]), unsq(pFull, [1])], [], { hint: 'ewma_target_row' });
    const J3 = unsq(jFull, [0, 1], 'j3f');
    const E3 = unsq(eff, [2], 'e3f');
    const P3 = unsq(pFull, [1, 2], 'p3f');
    if (want('ewma') || want('vsStart')) {
      const alpha = ewmaAlphaOf(state.spec);
      const power = b.node('Pow', [c64('ewma_decay', 1 - alpha), toF64(b.node('Sub', [E3, J3]), 'ewma_age')], [], { hint: 'ewma_decay_pow' });
      const later = b.node('And', [b.node('Greater', [J3, P3]), b.node('LessOrEqual', [J3, E3])]);
      const weightsLater = b.node('Where', [later, b.node('Mul', [c64('ewma_alpha', alpha), power]), zero]);
      const K = b.node('Where', [b.node('Equal', [J3, P3]), power, weightsLater], [], { hint: 'ewma_weights' });
      const ewma = b.node('MatMul', [K, Xz], [], { hint: 'ewma' });
      if (want('ewma')) addBlock('ewma', ewma);
      if (want('vsStart')) {
        // the mean of the unit's first B rows, or of its rows so far while fewer
        const B = i64v('baseline_rows', [state.spec.baselineCycles]);
        const inBase = b.node('And', [
          b.node('And', [b.node('GreaterOrEqual', [J3, P3]), b.node('LessOrEqual', [J3, E3])]),
          b.node('Less', [J3, b.node('Add', [P3, B])]),
        ]);
        const count = toF64(b.node('Min', [b.node('Add', [b.node('Sub', [E3, P3]), i64v('one', [1])]), B]), 'baseline_count');
        const Wb = b.node('Div', [toF64(inBase, 'baseline_mask'), count], [], { hint: 'baseline_weights' });
        const base = b.node('MatMul', [Wb, Xz], [], { hint: 'baseline' });
        addBlock('vsStart', b.node('Sub', [ewma, base], [], { hint: 'vs_start' }));
      }
    }
    if (want('trend')) {
      // least-squares slope over rows p..e, with t and x shifted by the unit's first row (as the engine)
      const upTo = toF64(b.node('And', [b.node('GreaterOrEqual', [J3, P3]), b.node('LessOrEqual', [J3, E3])]), 'trend_mask');
      const first = toF64(b.node('Equal', [unsq(jFull, [0, 1]), P3]), 'trend_pick_first');
      const xs = b.node('Sub', [Xz, b.node('MatMul', [first, Xz], [], { hint: 'trend_x_first' })], [], { hint: 'trend_x_shifted' });
      const cyc = unsq(b.node('Where', [rowOk, inputs.cycles, zero]), [2], 'trend_cycles3');
      const ts = b.node('Sub', [cyc, b.node('MatMul', [first, cyc])], [], { hint: 'trend_t_shifted' });
      const n = toF64(b.node('Add', [b.node('Sub', [E3, P3]), i64v('one', [1])]), 'trend_count');
      const St = b.node('MatMul', [upTo, ts], [], { hint: 'trend_sum_t' });
      const Sx = b.node('MatMul', [upTo, xs], [], { hint: 'trend_sum_x' });
      const Stt = b.node('MatMul', [upTo, b.node('Mul', [ts, ts])], [], { hint: 'trend_sum_tt' });
      const Stx = b.node('MatMul', [upTo, b.node('Mul', [ts, xs])], [], { hint: 'trend_sum_tx' });
      const den = b.node('Sub', [b.node('Mul', [n, Stt]), b.node('Mul', [St, St])], [], { hint: 'trend_den' });
      const num = b.node('Sub', [b.node('Mul', [n, Stx]), b.node('Mul', [St, Sx])], [], { hint: 'trend_num' });
      addBlock('trend', b.node('Where', [b.node('Greater', [den, zero]), b.node('Div', [num, den]), zero], [], { hint: 'trend' }));
    }
    if (want('age')) {
      const pick = toF64(b.node('Equal', [J3, E3]), 'pick_target_full');
      const cyc = unsq(b.node('Where', [rowOk, inputs.cycles, zero]), [2], 'cycles_full3');
      addBlock('age', b.node('MatMul', [pick, cyc], [], { hint: 'age' }), 1);
    }
  }

  // ---- cycles and share of time in each regime, over the whole history
  if (want('regimeCycles') || want('regimeShare')) {
    if (reg === undefined || regimeOfRow === undefined) throw new PrognosError('INTERNAL', 'regime features without a regime model');
    const k = reg.centroids.length;
    const ids = b.i64('regime_ids', [k], Array.from({ length: k }, (_, i) => i));
    const oneHot = b.node('And', [b.node('Equal', [unsq(regimeOfRow, [2]), ids]), unsq(rowOk, [2])], [], { hint: 'regime_one_hot' });
    const pos = b.node('Add', [kvec, b.node('Sub', [T1, i64v('targets', [L])])]);
    const eff = b.node('Max', [unsq(pos, [0]), unsq(pFull, [1])], [], { hint: 'regime_target_row' });
    const J3 = unsq(jFull, [0, 1], 'j3r');
    const E3 = unsq(eff, [2], 'e3r');
    const P3 = unsq(pFull, [1, 2], 'p3r');
    const upTo = toF64(b.node('And', [b.node('GreaterOrEqual', [J3, P3]), b.node('LessOrEqual', [J3, E3])]), 'rows_so_far');
    const counts = b.node('MatMul', [upTo, toF64(oneHot, 'regime_one_hot64')], [], { hint: 'regime_cycles' });
    if (want('regimeCycles')) addBlock('regimeCycles', counts, k);
    if (want('regimeShare')) {
      const seen = toF64(b.node('Add', [b.node('Sub', [E3, P3]), i64v('one', [1])]), 'rows_seen');
      addBlock('regimeShare', b.node('Div', [counts, seen], [], { hint: 'regime_share' }), k);
    }
  }

  // ---- pick the features in the requested order and store them as float32
  const indices = defs.map((d) => {
    if (d.kind === 'regimeCycles' || d.kind === 'regimeShare') {
      const start = blockOf.get(d.kind);
      if (start === undefined || d.regime === undefined) throw new PrognosError('INTERNAL', `no graph block for feature ${d.name}`);
      return start + d.regime;
    }
    if (d.kind === 'age') {
      const start = blockOf.get('age');
      if (start === undefined) throw new PrognosError('INTERNAL', `no graph block for feature ${d.name}`);
      return start;
    }
    const key = d.kind === 'raw' || d.kind === 'ewma' || d.kind === 'diff' || d.kind === 'vsStart' || d.kind === 'trend' ? d.kind : `${d.kind}${d.window}`;
    const start = blockOf.get(key);
    const s = sensors.indexOf(d.sensor);
    if (start === undefined || s < 0) throw new PrognosError('INTERNAL', `no graph block for feature ${d.name}`);
    return start + s;
  });
  const all = blocks.length === 1 ? blocks[0]! : b.node('Concat', blocks, [attr.int('axis', 2)], { hint: 'all_features' });
  const picked = b.node('Gather', [all, i64v('feature_index', indices)], [attr.int('axis', 2)], { hint: 'features64' });
  return b.node('Cast', [picked], [attr.int('to', DataType.FLOAT)], { hint: 'features32' });
}
