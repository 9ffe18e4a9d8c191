/**
 * Life-stage matching: a fleet's features move as its engines wear, so comparing young engines with a
 * run-to-failure reference reports wear as drift. Matching re-weights the reference rows so their
 * life-stage distribution is the current rows' own: each life-stage bin of the reference gets the
 * share of current rows in that bin, split evenly over its reference rows. A sensor offset or a new
 * operating regime still shows, because within a bin the current values differ from the reference's.
 *
 * The life stage is the fraction of its life a unit has used (cycle / life, 20 bins of 0.05) when
 * every current unit's life is known (run-to-failure data, or a RUL file), else the cycle (10-cycle
 * bins): engines still in service have no known life, and their cycle is the stage they are at.
 *
 * Bins the reference lacks: a bin with fewer than `minReferenceRows` reference rows (or none, as for
 * current engines older than any reference engine) cannot stand for its current rows on its own, so
 * those rows count toward the nearest bin that has enough reference rows (ties to the younger bin).
 * The share of current rows moved that way is reported, and the report says so.
 */

/** Width of the cycle bins, in cycles. */
export const MATCH_BIN_CYCLES = 10;
/** Width of the life-fraction bins. */
export const MATCH_BIN_FRACTION = 0.05;
/** Fewest reference rows a bin needs to stand for current rows. */
export const MATCH_MIN_REFERENCE_ROWS = 20;

export interface LifeStageMatch {
  /** per reference row; they sum to the number of reference rows (0 for rows of bins no current row is in) */
  readonly weights: Float64Array;
  /** share of current rows whose own bin had too few reference rows (counted toward the nearest that had enough) */
  readonly movedShare: number;
  /** Kish's effective size of the weighted reference */
  readonly effectiveN: number;
  /** false when no bin had enough reference rows (the weights are then all 1) */
  readonly matched: boolean;
}

export interface MatchOptions {
  /** bin width in the stage's unit (default: 10, for cycles counted from 0) */
  binWidth?: number;
  minReferenceRows?: number;
}

/** The life stage of each row: cycles already run (cycle − 1), or the fraction of its life used (cycle / life). */
export function lifeStages(cycle: Int32Array, life?: Int32Array): Float64Array {
  return Float64Array.from(cycle, (c, i) => (life === undefined ? c - 1 : c / Math.max(1, life[i]!)));
}

const binOf = (stage: number, width: number): number => Math.max(0, Math.floor(stage / width + 1e-9));

/**
 * For engines still in service: a current row at cycle c of an engine last seen at cycle L is known to
 * run at least L − c more cycles, so it is compared only with reference rows of engines that also ran
 * at least that long past c (remaining life ≥ L − c). Without it, the reference's rows just before
 * failure would stand beside current engines that are known not to be failing yet (survivorship).
 */
export interface SurvivalCondition {
  /** per reference row: cycles left until its unit failed */
  readonly referenceRemaining: ArrayLike<number>;
  /** per current row: cycles its unit is known to run on (last seen cycle − cycle) */
  readonly currentSurvives: ArrayLike<number>;
}

/**
 * Weights for the reference rows so their life-stage distribution matches the current rows'
 * (`currentRows`: the current rows to match, every row by default). Stages as `lifeStages` gives them.
 * Each current row spreads a weight of 1 evenly over the reference rows of its bin (with `condition`:
 * over those of its bin that ran on at least as long, or the `minReferenceRows` that ran longest
 * when fewer did).
 */
export function lifeStageWeights(
  referenceStage: ArrayLike<number>,
  currentStage: ArrayLike<number>,
  currentRows?: Int32Array,
  options: MatchOptions = {},
  condition?: SurvivalCondition,
): LifeStageMatch {
  const width = options.binWidth ?? MATCH_BIN_CYCLES;
  const minRows = options.minReferenceRows ?? MATCH_MIN_REFERENCE_ROWS;
  const nRef = referenceStage.length;
  let maxBin = 0;
  for (let i = 0; i < nRef; i++) maxBin = Math.max(maxBin, binOf(referenceStage[i]!, width));
  const refCount = new Int32Array(maxBin + 2);
  for (let i = 0; i < nRef; i++) refCount[binOf(referenceStage[i]!, width)]! += 1;
  const eligible: number[] = [];
  for (let b = 0; b <= maxBin; b++) if (refCount[b]! >= minRows) eligible.push(b);
  const nCur = currentRows === undefined ? currentStage.length : currentRows.length;
  if (eligible.length === 0 || nCur === 0) return { weights: new Float64Array(nRef).fill(1), movedShare: 0, effectiveN: nRef, matched: false };

  // nearest eligible bin of every bin up to maxBin (bins beyond it go to the last eligible bin)
  const nearest = new Int32Array(maxBin + 1);
  for (let b = 0, e = 0; b <= maxBin; b++) {
    while (e + 1 < eligible.length && Math.abs(eligible[e + 1]! - b) < Math.abs(eligible[e]! - b)) e++;
    nearest[b] = eligible[e]!;
  }
  const last = eligible[eligible.length - 1]!;

  // the reference rows of each bin, those that ran on longest first (with a condition)
  const start = new Int32Array(maxBin + 2);
  for (let b = 0; b <= maxBin; b++) start[b + 1] = start[b]! + refCount[b]!;
  const order = new Int32Array(nRef);
  const fill = start.slice();
  for (let i = 0; i < nRef; i++) order[fill[binOf(referenceStage[i]!, width)]!++] = i;
  const remaining = condition === undefined ? undefined : Float64Array.from(condition.referenceRemaining);
  if (remaining !== undefined) {
    for (const b of eligible) order.subarray(start[b], start[b + 1]).sort((x, y) => remaining[y]! - remaining[x]! || x - y);
  }

  // each current row adds 1/k to the first k rows of its bin's order (a difference array per bin)
  const diff = new Float64Array(nRef + 1);
  let moved = 0;
  for (let k = 0; k < nCur; k++) {
    const i = currentRows === undefined ? k : currentRows[k]!;
    const b = binOf(currentStage[i]!, width);
    const to = b > maxBin ? last : nearest[b]!;
    if (to !== b) moved++;
    const lo = start[to]!;
    const hi = start[to + 1]!;
    let n = hi - lo;
    if (remaining !== undefined) {
      // rows of the bin that ran on at least as long as this engine is known to (a prefix of the order)
      const need = condition!.currentSurvives[i]!;
      let a = lo;
      let z = hi;
      while (a < z) {
        const mid = (a + z) >> 1;
        if (remaining[order[mid]!]! >= need) a = mid + 1;
        else z = mid;
      }
      n = Math.max(a - lo, Math.min(minRows, hi - lo));
    }
    diff[lo]! += 1 / n;
    diff[lo + n]! -= 1 / n;
  }
  const weights = new Float64Array(nRef);
  let acc = 0;
  for (let j = 0; j < nRef; j++) {
    acc += diff[j]!;
    weights[order[j]!] = Math.max(0, acc) * (nRef / nCur);
  }
  let sw = 0;
  let sw2 = 0;
  for (let i = 0; i < nRef; i++) {
    sw += weights[i]!;
    sw2 += weights[i]! * weights[i]!;
  }
  return { weights, movedShare: moved / nCur, effectiveN: sw2 > 0 ? (sw * sw) / sw2 : 0, matched: true };
}
