/**
 * The role a fleet most likely has, guessed at import from the data alone (the analyst can change it):
 *
 * - a RUL file came with it → `test` (a fleet cut before failure, remaining lives known);
 * - every unit ends worn → `training` (run to failure: each unit's last row is its failure);
 * - otherwise → `unlabeled` (in service: some units end healthy, lives unknown).
 *
 * "Ends worn" is read from the sensors, without a model (the drift module decides the same question
 * with a model's alerts, src/main/core/drift/lives.ts; at import there is no model yet). Each sensor
 * is standardised on the fleet's early life (the first fifth of every unit, at most 20 rows; per
 * operating regime when there are several), and each unit's drift is the mean of its last rows minus
 * the mean of its first rows. Sensors whose median unit drifts by at least one early-life standard
 * deviation are the wear sensors, signed by their direction; a unit's wear is its mean drift along
 * them. Run-to-failure fleets end with nearly every unit far along (C-MAPSS FD001 training: every
 * unit); fleets in service hold many units still close to their early life (FD001 test: about half).
 *
 * Only the first and last rows of each unit are read (and, with several regimes, the settings of
 * those rows), so the guess costs little next to the import itself.
 */
import type { DatasetRole } from '../../../shared/housekeeping';
import type { DatasetRegimes } from '../../../shared/schemas';
import { assignRegimeRows } from './regimes';
import { unitSpans, type FleetTable } from './table';

/** Drift (in early-life standard deviations) of the median unit above which a sensor counts as a wear sensor. */
export const WEAR_SENSOR_DRIFT = 1;
/**
 * A unit ends worn when its wear (mean drift along the wear sensors) reaches this many early-life
 * standard deviations. Measured: FD001 training units 1.9–5.0 (median 3.2), synthetic run-to-failure
 * fleets 4.0–5.8; synthetic test fleets (cut at 30–95 % of life) have a median unit at about 1.1.
 */
export const WORN_DRIFT = 1.5;
/** Share of units that must end worn for the fleet to be taken as run to failure. */
export const RUN_TO_FAILURE_UNITS = 0.9;

export interface RoleGuess {
  readonly role: DatasetRole;
  /** why, in words (shown after an import) */
  readonly reason: string;
  /** share of units that end worn (absent when not measured) */
  readonly wornShare?: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? 0 : s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Rows per end of a unit of `len` cycles. */
function endRows(len: number): number {
  return Math.max(3, Math.min(20, Math.floor(len / 5)));
}

export function guessDatasetRole(table: FleetTable, regimes: DatasetRegimes | null): RoleGuess {
  if (table.rulAtEnd !== undefined) return { role: 'test', reason: 'a RUL file came with the data: a test fleet' };
  const spans = unitSpans(table).filter((s) => s.end - s.start >= 6);
  if (spans.length < 2) return { role: 'unlabeled', reason: 'too few units of 6 or more cycles to tell whether they ran to failure' };

  // the rows read: each unit's first and last rows
  const mask = new Uint8Array(table.rowCount);
  for (const s of spans) {
    const h = endRows(s.end - s.start);
    mask.fill(1, s.start, s.start + h);
    mask.fill(1, s.end - h, s.end);
  }
  const k = regimes === null ? 1 : Math.max(1, regimes.k);
  let regime: Int32Array;
  try {
    regime = regimes === null || k === 1 ? new Int32Array(table.rowCount) : assignRegimeRows(table, regimes, mask);
  } catch {
    regime = new Int32Array(table.rowCount);
  }

  const drifts: number[][] = []; // [sensor][unit]
  table.columns.forEach((c, j) => {
    if (c.role !== 'sensor') return;
    const v = table.values[j]!;
    // early-life mean and standard deviation per regime
    const sum = new Float64Array(k);
    const sq = new Float64Array(k);
    const n = new Float64Array(k);
    for (const s of spans) {
      const h = endRows(s.end - s.start);
      for (let i = s.start; i < s.start + h; i++) {
        const r = regime[i]!;
        const x = v[i]!;
        if (r < 0 || r >= k || !Number.isFinite(x)) continue;
        sum[r]! += x;
        sq[r]! += x * x;
        n[r]! += 1;
      }
    }
    const mean = Float64Array.from(sum, (t, r) => (n[r]! > 0 ? t / n[r]! : 0));
    const sd = Float64Array.from(sq, (t, r) => (n[r]! > 1 ? Math.sqrt(Math.max(0, t / n[r]! - mean[r]! ** 2) * (n[r]! / (n[r]! - 1))) : 0));
    const z = (i: number): number | null => {
      const r = regime[i]!;
      const x = v[i]!;
      if (r < 0 || r >= k || !Number.isFinite(x) || !(sd[r]! > 1e-12 * Math.max(1, Math.abs(mean[r]!)))) return null;
      return (x - mean[r]!) / sd[r]!;
    };
    const perUnit: number[] = [];
    for (const s of spans) {
      const h = endRows(s.end - s.start);
      let head = 0;
      let nh = 0;
      let tail = 0;
      let nt = 0;
      for (let i = s.start; i < s.start + h; i++) {
        const t = z(i);
        if (t === null) continue;
        head += t;
        nh++;
      }
      for (let i = s.end - h; i < s.end; i++) {
        const t = z(i);
        if (t === null) continue;
        tail += t;
        nt++;
      }
      if (nh === 0 || nt === 0) return; // a constant or unreadable sensor says nothing
      perUnit.push(tail / nt - head / nh);
    }
    drifts.push(perUnit);
  });

  const wear = drifts
    .map((d) => ({ d, m: median(d) }))
    .filter((s) => Math.abs(s.m) >= WEAR_SENSOR_DRIFT)
    .map((s) => s.d.map((x) => Math.sign(s.m) * x));
  if (wear.length === 0) {
    return { role: 'unlabeled', reason: 'no sensor moves away from its early-life level in most units: the units look in service', wornShare: 0 };
  }
  const perUnit = spans.map((_, u) => wear.reduce((a, w) => a + w[u]!, 0) / wear.length);
  const worn = perUnit.filter((x) => x >= WORN_DRIFT).length / perUnit.length;
  const pct = `${Math.round(100 * worn)} %`;
  return worn >= RUN_TO_FAILURE_UNITS
    ? { role: 'training', reason: `${pct} of the units end worn (${wear.length} wear sensors): a run-to-failure training fleet`, wornShare: worn }
    : { role: 'unlabeled', reason: `only ${pct} of the units end worn (run-to-failure fleets end with nearly all of them worn): a fleet in service`, wornShare: worn };
}
