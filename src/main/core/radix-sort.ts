/**
 * LSD radix sort of 32-bit keys carrying an index (three passes of 11 bits, stable, O(n)), and the
 * order-preserving key of a float32's bits. Shared by the feature ranking's mid-ranks and the GBDT's
 * binning, which both sort float32 columns.
 */

/** Order-preserving unsigned key of a float32's bits (−0 sorts just below +0, as Float32Array#sort puts them). */
export function float32SortKey(bits: number): number {
  return bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
}

/** Key and index buffers of one capacity, reusable from one sort to the next. */
export interface KeyIndexBuffers {
  keys: Uint32Array;
  idx: Uint32Array;
  keys2: Uint32Array;
  idx2: Uint32Array;
  readonly count: Uint32Array;
}

export function keyIndexBuffers(capacity: number): KeyIndexBuffers {
  return {
    keys: new Uint32Array(capacity),
    idx: new Uint32Array(capacity),
    keys2: new Uint32Array(capacity),
    idx2: new Uint32Array(capacity),
    count: new Uint32Array(2048),
  };
}

/** Sorts the first `n` (key, index) pairs of `b.keys`/`b.idx` by key; the result is in `b.keys`/`b.idx` after the call. */
export function radixSortKeyIndex(b: KeyIndexBuffers, n: number): void {
  const count = b.count;
  for (let shift = 0; shift < 32; shift += 11) {
    const keys = b.keys;
    const idx = b.idx;
    const keys2 = b.keys2;
    const idx2 = b.idx2;
    count.fill(0);
    for (let i = 0; i < n; i++) count[(keys[i]! >>> shift) & 2047]!++;
    let sum = 0;
    for (let d = 0; d < 2048; d++) {
      const c = count[d]!;
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      const pos = count[(k >>> shift) & 2047]!++;
      keys2[pos] = k;
      idx2[pos] = idx[i]!;
    }
    b.keys = keys2;
    b.keys2 = keys;
    b.idx = idx2;
    b.idx2 = idx;
  }
}
