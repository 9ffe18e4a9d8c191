/**
 * Quantile binning for the histogram method. Cut points are float32 values taken from the data:
 * bin b of feature f holds the values x with cuts[b - 1] ≤ x < cuts[b], so a split after bin b
 * has the threshold cuts[b] and `x < threshold` goes left, exactly as XGBoost evaluates it.
 * NaN (missing) gets the code nBins[f], one past the last bin.
 */
import { float32SortKey, keyIndexBuffers, radixSortKeyIndex } from '../../radix-sort';

export interface BinLayout {
  /** Per feature: ascending float32 cut points; the feature has cuts.length + 1 bins. */
  cuts: Float32Array[];
  /** Per feature: number of bins (missing code = nBins[f]). */
  nBins: Int32Array;
  /** Per feature: 1 when the training column holds NaN. */
  hasMissing: Uint8Array;
}

/** Cut points of one column: every distinct value when few, else ≈ equal-count quantiles. */
export function computeCuts(column: Float32Array, maxBin: number): { cuts: Float32Array; hasMissing: boolean } {
  let nValid = 0;
  for (let i = 0; i < column.length; i++) if (column[i] === column[i]) nValid++;
  const hasMissing = nValid < column.length;
  const sorted = new Float32Array(nValid);
  let k = 0;
  for (let i = 0; i < column.length; i++) {
    const v = column[i]!;
    if (v === v) sorted[k++] = v;
  }
  sorted.sort();
  if (nValid === 0) return { cuts: new Float32Array(0), hasMissing };
  let distinct = 1;
  for (let i = 1; i < nValid; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  const cuts: number[] = [];
  if (distinct <= maxBin) {
    for (let i = 1; i < nValid; i++) if (sorted[i] !== sorted[i - 1]) cuts.push(sorted[i]!);
  } else {
    // Lower edges of maxBin equal-count slices; ties collapse into one bin.
    let last = sorted[0]!;
    for (let b = 1; b < maxBin; b++) {
      const v = sorted[Math.floor((b * nValid) / maxBin)]!;
      if (v > last) {
        cuts.push(v);
        last = v;
      }
    }
  }
  return { cuts: Float32Array.from(cuts), hasMissing };
}

/** Number of cuts ≤ x (the bin of x); NaN maps to cuts.length + 1 is handled by the caller. */
export function binOf(cuts: Float32Array, x: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cuts[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function computeBinLayout(columns: readonly Float32Array[], maxBin: number): BinLayout {
  const cuts: Float32Array[] = [];
  const nBins = new Int32Array(columns.length);
  const hasMissing = new Uint8Array(columns.length);
  columns.forEach((col, f) => {
    const c = computeCuts(col, maxBin);
    cuts.push(c.cuts);
    nBins[f] = c.cuts.length + 1;
    hasMissing[f] = c.hasMissing ? 1 : 0;
  });
  return { cuts, nBins, hasMissing };
}

/** Bits per bin code: 8 when every code (including a used missing code) fits a byte. */
export function binCodeBits(layout: BinLayout): 8 | 16 {
  let maxCode = 0;
  for (let f = 0; f < layout.nBins.length; f++) {
    const code = layout.hasMissing[f] === 1 ? layout.nBins[f]! : layout.nBins[f]! - 1;
    if (code > maxCode) maxCode = code;
  }
  return maxCode <= 255 ? 8 : 16;
}

/** Writes the bin codes column-major (code of row r, feature f at f * rows + r) into `out`. */
export function fillBins(
  columns: readonly Float32Array[],
  layout: BinLayout,
  rows: number,
  out: Uint8Array | Uint16Array,
): void {
  for (let f = 0; f < columns.length; f++) {
    const col = columns[f]!;
    const cuts = layout.cuts[f]!;
    const missing = layout.nBins[f]!;
    const off = f * rows;
    for (let r = 0; r < rows; r++) {
      const x = col[r]!;
      out[off + r] = x === x ? binOf(cuts, x) : missing;
    }
  }
}

/** The float32 value of a sort key. */
function keyValue(key: number, scratch: Uint32Array, view: Float32Array): number {
  scratch[0] = key & 0x80000000 ? (key & 0x7fffffff) >>> 0 : ~key >>> 0;
  return view[0]!;
}

export interface BinnedColumns {
  layout: BinLayout;
  bits: 8 | 16;
  /** Bin codes, column-major (code of row r, feature f at f × rows + r), in a buffer from `alloc`. */
  codes: Uint8Array | Uint16Array;
}

/**
 * computeBinLayout + binCodeBits + fillBins in one pass per column: the column's non-missing values are
 * sorted once (LSD radix sort of order-preserving 32-bit keys, three passes of 11 bits, carrying the
 * row index), the cuts are read off the sorted values exactly as computeCuts reads them, and each row's
 * code (the number of cuts ≤ x, as binOf counts them) is assigned by walking the sorted values, so no
 * binary search is needed. Codes start as bytes and widen to 16 bits when a column needs it.
 */
export function binColumns(
  columns: readonly Float32Array[],
  maxBin: number,
  rows: number,
  alloc: (bytes: number) => ArrayBufferLike,
): BinnedColumns {
  const F = columns.length;
  const cutsOf: Float32Array[] = [];
  const nBins = new Int32Array(F);
  const hasMissing = new Uint8Array(F);
  let bits: 8 | 16 = 8;
  let codes: Uint8Array | Uint16Array = new Uint8Array(alloc(rows * F));
  const buf = keyIndexBuffers(rows);
  const one = new Float32Array(1);
  const oneBits = new Uint32Array(one.buffer);
  const cutBuf = new Float32Array(Math.max(1, maxBin));
  for (let f = 0; f < F; f++) {
    const col = columns[f]!;
    const colBits = new Uint32Array(col.buffer, col.byteOffset, rows);
    let nValid = 0;
    for (let r = 0; r < rows; r++) {
      const v = col[r]!;
      if (v === v) {
        buf.keys[nValid] = float32SortKey(colBits[r]!);
        buf.idx[nValid] = r;
        nValid++;
      }
    }
    radixSortKeyIndex(buf, nValid);
    const { keys, idx } = buf;
    const missing = nValid < rows;
    // the cuts, as computeCuts takes them from the sorted values (compared as numbers: −0 equals +0)
    let nCuts = 0;
    if (nValid > 0) {
      let distinct = 1;
      let prev = keyValue(keys[0]!, oneBits, one);
      for (let i = 1; i < nValid && distinct <= maxBin; i++) {
        const v = keyValue(keys[i]!, oneBits, one);
        if (v !== prev) distinct++;
        prev = v;
      }
      if (distinct <= maxBin) {
        prev = keyValue(keys[0]!, oneBits, one);
        for (let i = 1; i < nValid; i++) {
          const v = keyValue(keys[i]!, oneBits, one);
          if (v !== prev) cutBuf[nCuts++] = v;
          prev = v;
        }
      } else {
        let last = keyValue(keys[0]!, oneBits, one);
        for (let b = 1; b < maxBin; b++) {
          const v = keyValue(keys[Math.floor((b * nValid) / maxBin)]!, oneBits, one);
          if (v > last) {
            cutBuf[nCuts++] = v;
            last = v;
          }
        }
      }
    }
    const cuts = cutBuf.slice(0, nCuts);
    cutsOf.push(cuts);
    nBins[f] = nCuts + 1;
    hasMissing[f] = missing ? 1 : 0;
    const maxCode = missing ? nCuts + 1 : nCuts;
    if (maxCode > 255 && bits === 8) {
      const wide = new Uint16Array(alloc(2 * rows * F));
      wide.set(codes.subarray(0, f * rows));
      codes = wide;
      bits = 16;
    }
    const off = f * rows;
    if (missing) for (let r = 0; r < rows; r++) if (col[r]! !== col[r]!) codes[off + r] = nCuts + 1;
    let c = 0;
    for (let i = 0; i < nValid; i++) {
      const v = keyValue(keys[i]!, oneBits, one);
      while (c < nCuts && cuts[c]! <= v) c++;
      codes[off + idx[i]!] = c;
    }
  }
  return { layout: { cuts: cutsOf, nBins, hasMissing }, bits, codes };
}
