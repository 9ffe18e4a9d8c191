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
 * Weights for the reference rows so their life-stage distribution matches the current rows'
 * (`currentRows`: the current rows to match, every row by default). Stages as `lifeStages` gives them.
 */
export function lifeStageWeights(referenceStage: ArrayLike<number>, currentStage: ArrayLike<number>, currentRows?: Int32Array, options: MatchOptions = {}): LifeStageMatch {
  const width = options.binWidth ?? MATCH_BIN_CYCLES;
  const minRows = options.minReferenceRows ?? MATCH_MIN_REFERENCE_ROWS;
  const nRef = referenceStage.length;
  let maxBin = 0;
  for (let i = 0; i < nRef; i++) maxBin = Math.max(maxBin, binOf(referenceStage[i]!, width));
  const refCount = new Float64Array(maxBin + 1);
  for (let i = 0; i < nRef; i++) refCount[binOf(referenceStage[i]!, width)]! += 1;
  const eligible: number[] = [];
  for (let b = 0; b <= maxBin; b++) if (refCount[b]! >= minRows) eligible.push(b);
  if (eligible.length === 0) return { weights: new Float64Array(nRef).fill(1), movedShare: 0, effectiveN: nRef, matched: false };

  // nearest eligible bin of every bin up to maxBin (bins beyond it go to the last eligible bin)
  const nearest = new Int32Array(maxBin + 1);
  for (let b = 0, e = 0; b <= maxBin; b++) {
    while (e + 1 < eligible.length && Math.abs(eligible[e + 1]! - b) < Math.abs(eligible[e]! - b)) e++;
    nearest[b] = eligible[e]!;
  }
  const last = eligible[eligible.length - 1]!;
  const target = new Float64Array(maxBin + 1);
  let moved = 0;
  const nCur = currentRows === undefined ? currentStage.length : currentRows.length;
  for (let k = 0; k < nCur; k++) {
    const b = binOf(currentStage[currentRows === undefined ? k : currentRows[k]!]!, width);
    const to = b > maxBin ? last : nearest[b]!;
    if (to !== b) moved++;
    target[to]! += 1;
  }
  const weights = new Float64Array(nRef);
  if (nCur === 0) return { weights: weights.fill(1), movedShare: 0, effectiveN: nRef, matched: false };
  let sw = 0;
  let sw2 = 0;
  for (let i = 0; i < nRef; i++) {
    const b = binOf(referenceStage[i]!, width);
    const w = refCount[b]! >= minRows ? (target[b]! / nCur / refCount[b]!) * nRef : 0;
    weights[i] = w;
    sw += w;
    sw2 += w * w;
  }
  return { weights, movedShare: moved / nCur, effectiveN: sw2 > 0 ? (sw * sw) / sw2 : 0, matched: true };
}
