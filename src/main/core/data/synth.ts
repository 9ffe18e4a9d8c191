/**
 * Synthetic run-to-failure fleet in the C-MAPSS layout (unit, cycle, 3 settings, 21 sensors).
 *
 * Each unit follows the health index of the design notes. Written literally there as
 * h(t) = 1 − d − exp(a·tᵇ), it would start at h(0) = −d (already failed); the intended form, used here,
 * is
 *
 *     h(t) = 1 − d − (exp(a·tᵇ) − 1)
 *
 * so that h(0) = 1 − d (initial wear d) and the unit fails at the first cycle where h(t) ≤ 0, i.e. at
 * t = (ln(2 − d) / a)^(1/b). Sensors are noisy monotone functions of the damage D = 1 − h plus small
 * operating-setting effects; six of them are constant, as in FD001. Values are rounded to the
 * precision printed in the NASA files, so a generated table equals the parse of its written file.
 *
 * Everything is deterministic for a seed (own PRNG, no Math.random).
 */
import { open, writeFile } from 'node:fs/promises';
import { PrognosError } from '../../../shared/errors';
import { Rng } from './prng';
import { CMAPSS_VALUE_COLUMNS, type FleetTable } from './table';

export interface SynthOptions {
  units: number;
  seed: number;
  /** 1: one operating regime with small noise (like FD001); 6: six regimes (like FD002) */
  regimes?: 1 | 6;
}

/** The hidden degradation parameters of one synthetic unit. */
export interface SynthUnitPlan {
  readonly unit: number;
  /** initial wear d */
  readonly wear: number;
  /** rate a in exp(a·tᵇ) */
  readonly a: number;
  /** exponent b */
  readonly b: number;
  /** number of cycles: the first integer cycle at which h ≤ 0 (the last row) */
  readonly life: number;
}

/** Health index h(t) = 1 − d − (exp(a·tᵇ) − 1); the unit has failed once h ≤ 0. */
export function healthIndex(plan: Pick<SynthUnitPlan, 'wear' | 'a' | 'b'>, t: number): number {
  return 1 - plan.wear - (Math.exp(plan.a * Math.pow(t, plan.b)) - 1);
}

const MIN_LIFE = 128;
const MAX_LIFE = 362;
const MEDIAN_LIFE = 200;
const LIFE_SIGMA = 0.24;

/** Per-unit parameters, from their own random stream (so the plans are cheap to recompute). */
export function synthUnitPlans(opts: SynthOptions): SynthUnitPlan[] {
  checkOptions(opts);
  const rng = new Rng(opts.seed, 1);
  const plans: SynthUnitPlan[] = [];
  for (let u = 1; u <= opts.units; u++) {
    let tf = 0;
    do tf = MEDIAN_LIFE * Math.exp(LIFE_SIGMA * rng.normal());
    while (tf <= MIN_LIFE - 1 || tf > MAX_LIFE);
    const wear = rng.uniform(0.005, 0.1);
    const b = rng.uniform(1.6, 2.6);
    const a = Math.log(2 - wear) / Math.pow(tf, b);
    const plan = { unit: u, wear, a, b, life: 0 };
    let life = Math.ceil(tf);
    while (healthIndex(plan, life) > 0) life++;
    while (life > 1 && healthIndex(plan, life - 1) <= 0) life--;
    plans.push({ ...plan, life });
  }
  return plans;
}

function checkOptions(opts: SynthOptions): void {
  if (!Number.isInteger(opts.units) || opts.units < 1 || opts.units > 1_000_000) {
    throw new PrognosError('INVALID_INPUT', `units must be an integer between 1 and 1000000, got ${opts.units}`);
  }
  if (!Number.isSafeInteger(opts.seed))
    throw new PrognosError('INVALID_INPUT', `seed must be an integer, got ${opts.seed}`);
  if (opts.regimes !== undefined && opts.regimes !== 1 && opts.regimes !== 6) {
    throw new PrognosError('INVALID_INPUT', `regimes must be 1 or 6, got ${String(opts.regimes)}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Sensor model

interface SensorSpec {
  /** value at D = 0 in the sea-level regime */
  readonly base: number;
  /** change at failure (D = 1); the sign gives the direction */
  readonly delta: number;
  /** shape: the sensor moves with D^power */
  readonly power: number;
  /** measurement noise (standard deviation) */
  readonly noise: number;
  /** how strongly the operating regime scales the base (0 = not at all) */
  readonly regimeWeight: number;
  /** effects of setting1/setting2 deviations, in units of the noise */
  readonly e1: number;
  readonly e2: number;
}

/** s1..s21, magnitudes as in FD001; s1, s5, s10, s16, s18, s19 are constant. */
const SENSORS: readonly SensorSpec[] = [
  { base: 518.67, delta: 0, power: 1, noise: 0, regimeWeight: 1, e1: 0, e2: 0 }, // s1 T2
  { base: 642.2, delta: 1.6, power: 2, noise: 0.35, regimeWeight: 1, e1: 0.3, e2: 0.2 }, // s2 T24
  { base: 1585.0, delta: 21, power: 1.8, noise: 5, regimeWeight: 1.1, e1: 0.25, e2: -0.2 }, // s3 T30
  { base: 1401.0, delta: 32, power: 2, noise: 6, regimeWeight: 1.2, e1: 0.2, e2: 0.25 }, // s4 T50
  { base: 14.62, delta: 0, power: 1, noise: 0, regimeWeight: 2, e1: 0, e2: 0 }, // s5 P2
  { base: 21.61, delta: 0, power: 1, noise: 0.003, regimeWeight: 2, e1: 0, e2: 0 }, // s6 P15
  { base: 554.3, delta: -4.2, power: 2, noise: 0.45, regimeWeight: 2.2, e1: -0.3, e2: 0.2 }, // s7 P30
  { base: 2388.04, delta: 0.38, power: 2.2, noise: 0.05, regimeWeight: 0.3, e1: 0.2, e2: 0 }, // s8 Nf
  { base: 9047.0, delta: 48, power: 1.6, noise: 8, regimeWeight: 0.4, e1: 0.3, e2: -0.3 }, // s9 Nc
  { base: 1.3, delta: 0, power: 1, noise: 0, regimeWeight: 0, e1: 0, e2: 0 }, // s10 epr
  { base: 47.28, delta: 1.5, power: 2, noise: 0.15, regimeWeight: 2, e1: 0.25, e2: 0.2 }, // s11 Ps30
  { base: 522.1, delta: -3.6, power: 2, noise: 0.4, regimeWeight: 2.2, e1: -0.2, e2: -0.25 }, // s12 phi
  { base: 2388.04, delta: 0.38, power: 2.2, noise: 0.05, regimeWeight: 0.3, e1: 0, e2: 0.3 }, // s13 NRf
  { base: 8131.0, delta: 40, power: 1.6, noise: 7, regimeWeight: 0.4, e1: 0.2, e2: 0.2 }, // s14 NRc
  { base: 8.41, delta: 0.13, power: 2, noise: 0.025, regimeWeight: 0.2, e1: -0.2, e2: 0.3 }, // s15 BPR
  { base: 0.03, delta: 0, power: 1, noise: 0, regimeWeight: 0, e1: 0, e2: 0 }, // s16 farB
  { base: 391.6, delta: 6.5, power: 2, noise: 1.2, regimeWeight: 1, e1: 0.2, e2: 0 }, // s17 htBleed
  { base: 2388, delta: 0, power: 1, noise: 0, regimeWeight: 0.3, e1: 0, e2: 0 }, // s18 Nf_dmd
  { base: 100, delta: 0, power: 1, noise: 0, regimeWeight: 0, e1: 0, e2: 0 }, // s19 PCNfR_dmd
  { base: 39.05, delta: -1.0, power: 2, noise: 0.13, regimeWeight: 1.5, e1: -0.25, e2: 0.2 }, // s20 W31
  { base: 23.42, delta: -0.6, power: 2, noise: 0.075, regimeWeight: 1.5, e1: 0.2, e2: -0.2 }, // s21 W32
];

/** Printed decimals per value column (setting1..3, s1..s21), as in the NASA files. */
export const CMAPSS_DECIMALS: readonly number[] = [
  4, 4, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 4, 2, 0, 0, 2, 2, 4,
];

/** Operating regimes (altitude kft, Mach, throttle) and a base scale per regime, FD002-like. */
const REGIMES: readonly { readonly s: readonly [number, number, number]; readonly scale: number }[] = [
  { s: [0, 0, 100], scale: 1 },
  { s: [10, 0.25, 100], scale: 0.947 },
  { s: [20, 0.7, 100], scale: 0.892 },
  { s: [25, 0.62, 60], scale: 0.943 },
  { s: [35, 0.84, 100], scale: 0.858 },
  { s: [42, 0.84, 100], scale: 0.867 },
];
const SETTING1_SD = 0.0022;
const SETTING2_SD = 0.0003;

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000];

function quantise(x: number, decimals: number): number {
  const p = POW10[decimals]!;
  return Math.round(x * p) / p + 0; // + 0 turns −0 into 0
}

interface RowSink {
  unit: Int32Array;
  cycle: Int32Array;
  values: Float64Array[];
  /** the generator's operating regime of each row (0..5), when wanted */
  regime?: Int32Array;
}

/** Per-regime sensor bases, precomputed. */
function regimeBases(regimes: 1 | 6): Float64Array[] {
  return REGIMES.slice(0, regimes).map(
    (r) =>
      new Float64Array(
        SENSORS.map((s, j) => quantise(s.base * Math.pow(r.scale, s.regimeWeight), CMAPSS_DECIMALS[3 + j]!)),
      ),
  );
}

// the sensor table as flat arrays for the row loop
const S_DELTA = Float64Array.from(SENSORS, (s) => s.delta);
const S_NOISE = Float64Array.from(SENSORS, (s) => s.noise);
const S_E1 = Float64Array.from(SENSORS, (s) => s.e1);
const S_E2 = Float64Array.from(SENSORS, (s) => s.e2);
const DISTINCT_POWERS = Float64Array.from(new Set(SENSORS.map((s) => s.power)));
const S_POWER_INDEX = Int32Array.from(SENSORS, (s) => DISTINCT_POWERS.indexOf(s.power));
const COLUMN_SCALE = Float64Array.from(CMAPSS_DECIMALS, (d) => POW10[d]!);

/** Writes the rows of one unit into `out` from row `offset`; draws its noise from `rng`. */
function generateUnit(
  plan: SynthUnitPlan,
  rng: Rng,
  regimes: 1 | 6,
  bases: readonly Float64Array[],
  out: RowSink,
  offset: number,
): void {
  const nS = SENSORS.length;
  const unitOffset = new Float64Array(nS);
  for (let j = 0; j < nS; j++) unitOffset[j] = S_NOISE[j]! * 0.25 * rng.normal();
  const powered = new Float64Array(DISTINCT_POWERS.length);
  const values = out.values;
  for (let t = 1; t <= plan.life; t++) {
    const r = offset + t - 1;
    out.unit[r] = plan.unit;
    out.cycle[r] = t;
    const reg = regimes === 1 ? 0 : rng.int(6);
    if (out.regime !== undefined) out.regime[r] = reg;
    const center = REGIMES[reg]!.s;
    const z1 = rng.normal();
    const z2 = rng.normal();
    values[0]![r] = Math.round((center[0] + SETTING1_SD * z1) * COLUMN_SCALE[0]!) / COLUMN_SCALE[0]! + 0;
    values[1]![r] = Math.round((center[1] + SETTING2_SD * z2) * COLUMN_SCALE[1]!) / COLUMN_SCALE[1]! + 0;
    values[2]![r] = center[2];
    const damage = Math.min(1, Math.max(0, 1 - healthIndex(plan, t)));
    for (let k = 0; k < powered.length; k++) powered[k] = Math.pow(damage, DISTINCT_POWERS[k]!);
    const base = bases[reg]!;
    for (let j = 0; j < nS; j++) {
      let v = base[j]!;
      const noise = S_NOISE[j]!;
      if (noise > 0) {
        v +=
          unitOffset[j]! +
          S_DELTA[j]! * powered[S_POWER_INDEX[j]!]! +
          noise * (S_E1[j]! * z1 + S_E2[j]! * z2 + rng.normal());
      }
      const scale = COLUMN_SCALE[3 + j]!;
      values[3 + j]![r] = Math.round(v * scale) / scale + 0;
    }
  }
}

/** A synthetic fleet as a table (values rounded to the printed precision). */
export function synthesizeFleet(opts: SynthOptions): FleetTable {
  return synthesizeFleetWithRegimes(opts).table;
}

/**
 * A synthetic fleet and the operating regime the generator flew each row in (an index into the
 * six FD002-like flight conditions; 0 everywhere with one regime), e.g. to check regime detection.
 */
export function synthesizeFleetWithRegimes(opts: SynthOptions): { table: FleetTable; regime: Int32Array } {
  const plans = synthUnitPlans(opts);
  const regimes = opts.regimes ?? 1;
  const rows = plans.reduce((n, p) => n + p.life, 0);
  const out: RowSink = {
    unit: new Int32Array(rows),
    cycle: new Int32Array(rows),
    values: CMAPSS_VALUE_COLUMNS.map(() => new Float64Array(rows)),
    regime: new Int32Array(rows),
  };
  const rng = new Rng(opts.seed, 2);
  const bases = regimeBases(regimes);
  let offset = 0;
  for (const plan of plans) {
    generateUnit(plan, rng, regimes, bases, out, offset);
    offset += plan.life;
  }
  return {
    table: { rowCount: rows, unit: out.unit, cycle: out.cycle, columns: CMAPSS_VALUE_COLUMNS, values: out.values },
    regime: out.regime!,
  };
}

// ---------------------------------------------------------------------------------------------------
// C-MAPSS text output

/** "00".."99" as byte pairs */
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 48 + (i % 2 === 0 ? Math.floor(i / 20) : (i >> 1) % 10));

function digitCount(n: number): number {
  if (n < 100000) return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : 5;
  let len = 6;
  for (let m = Math.floor(n / 1000000); m >= 1; m = Math.floor(m / 10)) len++;
  return len;
}

/** Writes the non-negative integer `n` as n / 10^decimals with exactly `decimals` digits after the point. */
function writeScaled(buf: Uint8Array, pos: number, n: number, decimals: number): number {
  let len = digitCount(n);
  if (len <= decimals) len = decimals + 1;
  const total = decimals > 0 ? len + 1 : len;
  let k = pos + total - 1;
  const point = decimals > 0 ? k - decimals : -1;
  if (n < 2147483648) {
    let m = n | 0;
    while (k >= pos) {
      if (k === point) {
        buf[k--] = 46;
        continue;
      }
      if (m >= 10 && k - 1 >= pos && k - 1 !== point) {
        const q = (m / 100) | 0;
        const i = (m - q * 100) << 1;
        buf[k--] = DIGIT_PAIRS[i + 1]!;
        buf[k--] = DIGIT_PAIRS[i]!;
        m = q;
      } else {
        const q = (m / 10) | 0;
        buf[k--] = 48 + (m - q * 10);
        m = q;
      }
    }
    return pos + total;
  }
  let m = n;
  while (k >= pos) {
    if (k === point) {
      buf[k--] = 46;
      continue;
    }
    const q = Math.floor(m / 10);
    buf[k--] = 48 + (m - q * 10);
    m = q;
  }
  return pos + total;
}

/** Writes `v` with `decimals` digits after the point (v is already rounded to that precision). */
function writeFixed(buf: Uint8Array, pos: number, v: number, decimals: number): number {
  const n = Math.round(Math.abs(v) * POW10[decimals]!);
  if (v < 0 && n > 0) buf[pos++] = 45;
  return writeScaled(buf, pos, n, decimals);
}

/** Room for one synthetic row: 26 numbers of at most 24 characters, separators and newline. */
const MAX_ROW_BYTES = 26 * 26 + 2;

/** Writes row `r` of the value columns as one C-MAPSS text line (with its newline). */
function writeRow(
  buf: Uint8Array,
  pos: number,
  unit: number,
  cycle: number,
  values: readonly Float64Array[],
  r: number,
  decimals: readonly number[],
): number {
  pos = writeScaled(buf, pos, unit, 0);
  buf[pos++] = 32;
  pos = writeScaled(buf, pos, cycle, 0);
  for (let c = 0; c < decimals.length; c++) {
    buf[pos++] = 32;
    pos = writeFixed(buf, pos, values[c]![r]!, decimals[c]!);
  }
  buf[pos++] = 10;
  return pos;
}

/**
 * One C-MAPSS text row (without the newline): unit and cycle as integers, then the values with the
 * NASA precision (settings 4, 4 and 1 decimals; sensors 2 or 4; s17 and s18 as integers).
 */
export function formatCmapssRow(
  unit: number,
  cycle: number,
  values: ArrayLike<number>,
  decimals: readonly number[] = CMAPSS_DECIMALS,
): string {
  if (values.length !== decimals.length) {
    throw new PrognosError('INVALID_INPUT', `expected ${decimals.length} values, got ${values.length}`);
  }
  if (!Number.isSafeInteger(unit) || unit < 0 || !Number.isSafeInteger(cycle) || cycle < 0) {
    throw new PrognosError('INVALID_INPUT', `unit and cycle must be non-negative integers, got ${unit} and ${cycle}`);
  }
  for (let c = 0; c < values.length; c++) {
    const v = values[c]!;
    const d = decimals[c]!;
    // at most 15 significant digits, so that the scaled integer and toFixed agree exactly
    if (!Number.isInteger(d) || d < 0 || d > 6 || !(Math.abs(v) * POW10[d]! < 1e15)) {
      throw new PrognosError('INVALID_INPUT', `cannot write ${v} with ${d} decimals as C-MAPSS text`);
    }
  }
  const columns = Array.from(values, (v, c) => Float64Array.of(quantise(v, decimals[c]!)));
  const buf = Buffer.allocUnsafe((values.length + 2) * 26 + 2);
  const end = writeRow(buf, 0, unit, cycle, columns, 0, decimals);
  return buf.toString('latin1', 0, end - 1);
}

/**
 * Streams a synthetic fleet to `out` as C-MAPSS text, one unit at a time (the same values as
 * `synthesizeFleet` for the same options).
 */
export async function writeSynthFleet(
  opts: SynthOptions & {
    out: string;
    /**
     * Write a test set instead: every unit is cut at a seeded random 30–95 % of its life, as in the
     * C-MAPSS test files, and the true remaining cycles go to this RUL file (one integer a line).
     */
    rulOut?: string;
  },
): Promise<{ rows: number; units: number; bytes: number }> {
  const plans = synthUnitPlans(opts);
  const regimes = opts.regimes ?? 1;
  const maxLife = plans.reduce((m, p) => Math.max(m, p.life), 0);
  const scratch: RowSink = {
    unit: new Int32Array(maxLife),
    cycle: new Int32Array(maxLife),
    values: CMAPSS_VALUE_COLUMNS.map(() => new Float64Array(maxLife)),
  };
  const rng = new Rng(opts.seed, 2);
  const cutRng = new Rng(opts.seed, 3);
  const ruls: number[] = [];
  const bases = regimeBases(regimes);
  // two chunks: one is written to the file while the next is filled
  let chunk = Buffer.allocUnsafe(4 * 1024 * 1024);
  let other = Buffer.allocUnsafe(chunk.length);
  const limit = chunk.length - MAX_ROW_BYTES;
  const fh = await open(opts.out, 'w');
  let writing: Promise<unknown> | undefined;
  let rows = 0;
  let bytes = 0;
  const flush = async (n: number): Promise<void> => {
    if (writing !== undefined) await writing;
    writing = fh.write(chunk, 0, n);
    bytes += n;
    const t = chunk;
    chunk = other;
    other = t;
  };
  try {
    let pos = 0;
    const vals = scratch.values;
    for (const plan of plans) {
      generateUnit(plan, rng, regimes, bases, scratch, 0);
      const keep = opts.rulOut === undefined ? plan.life : Math.max(1, Math.round(plan.life * cutRng.uniform(0.3, 0.95)));
      for (let r = 0; r < keep; r++) {
        if (pos > limit) {
          await flush(pos);
          pos = 0;
        }
        pos = writeRow(chunk, pos, plan.unit, r + 1, vals, r, CMAPSS_DECIMALS);
      }
      rows += keep;
      ruls.push(plan.life - keep);
    }
    if (pos > 0) await flush(pos);
    if (writing !== undefined) await writing;
    writing = undefined;
    if (opts.rulOut !== undefined) await writeFile(opts.rulOut, `${ruls.join('\n')}\n`);
  } finally {
    if (writing !== undefined) await writing.catch(() => undefined);
    await fh.close();
  }
  return { rows, units: plans.length, bytes };
}
