/** Chunkers (rows, cycle ranges, batches), the reference chunked the same way, and NannyML's band. */
import { describe, expect, it } from 'vitest';
import { alertsOf, band, chunkRows, referenceChunks } from '../../../src/main/core/drift/chunks';

describe('chunks', () => {
  it('by rows: N rows in order, the last chunk shorter', () => {
    const c = chunkRows(new Int32Array(25), { by: 'rows', size: 10 });
    expect(c.labels).toEqual(['rows 1–10', 'rows 11–20', 'rows 21–25']);
    expect(c.rows.map((r) => [...r])).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19], [20, 21, 22, 23, 24]]);
    // the reference drops a tail shorter than half a chunk
    const ref = referenceChunks(new Int32Array(24), { by: 'rows', size: 10 }, c);
    expect(ref.rows.map((r) => r.length)).toEqual([10, 10]);
  });

  it('by cycle ranges: every row in the range of its cycle, ranges in order, empty ranges left out', () => {
    const cycle = Int32Array.from([1, 2, 31, 32, 120, 3, 35, 121]);
    const c = chunkRows(cycle, { by: 'cycles', size: 30 });
    expect(c.labels).toEqual(['cycles 1–30', 'cycles 31–60', 'cycles 91–120', 'cycles 121–150']);
    expect(c.rows.map((r) => [...r])).toEqual([[0, 1, 5], [2, 3, 6], [4], [7]]);
  });

  it('by batches: one chunk per batch; the reference, which has none, in chunks of the median batch size', () => {
    const batch = Int32Array.from([0, 0, 0, 1, 1, 2, 2, 2, 2]);
    const c = chunkRows(new Int32Array(9), { by: 'batches', size: 1 }, batch);
    expect(c.labels).toEqual(['batch 1', 'batch 2', 'batch 3']);
    expect(c.rows.map((r) => r.length)).toEqual([3, 2, 4]);
    expect(referenceChunks(new Int32Array(10), { by: 'batches', size: 1 }, c).rows.map((r) => r.length)).toEqual([3, 3, 3]);
    expect(chunkRows(new Int32Array(4), { by: 'batches', size: 1 }).labels).toEqual(['all rows']);
  });

  it('band: mean ± 3 sample sds of the reference chunks; alerts outside it', () => {
    const b = band([1, 2, 3, null]);
    expect(b.lower).toBeCloseTo(2 - 3, 12);
    expect(b.upper).toBeCloseTo(2 + 3, 12);
    expect(alertsOf([0, -1.5, 5.5, null], b)).toEqual([false, true, true, false]);
    expect(band([1])).toEqual({ lower: null, upper: null });
    expect(alertsOf([100], { lower: null, upper: null })).toEqual([false]);
  });
});
