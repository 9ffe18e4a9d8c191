import { describe, expect, it } from 'vitest';
import { binCodeBits, binColumns, computeBinLayout, fillBins } from '../../../src/main/core/models/gbdt/binning';

/** xorshift32: deterministic test data */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

/** The two-step binning (sort for cuts, binary search per value) that binColumns replaces. */
function reference(columns: Float32Array[], maxBin: number, rows: number): { layout: ReturnType<typeof computeBinLayout>; bits: 8 | 16; codes: Uint8Array | Uint16Array } {
  const layout = computeBinLayout(columns, maxBin);
  const bits = binCodeBits(layout);
  const codes = bits === 16 ? new Uint16Array(rows * columns.length) : new Uint8Array(rows * columns.length);
  fillBins(columns, layout, rows, codes);
  return { layout, bits, codes };
}

function columnsOf(kind: string, rows: number, r: () => number): Float32Array {
  const c = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    const u = r();
    switch (kind) {
      case 'continuous':
        c[i] = (u - 0.5) * 1e4;
        break;
      case 'few':
        c[i] = Math.floor(u * 7) - 3;
        break;
      case 'zeros':
        // −0, +0 and small values of both signs: −0 and +0 are one value to the cuts
        c[i] = u < 0.3 ? -0 : u < 0.6 ? 0 : u < 0.8 ? -1e-30 : 1e-30;
        break;
      case 'missing':
        c[i] = u < 0.2 ? NaN : Math.round(u * 1000) / 10;
        break;
      case 'all-missing':
        c[i] = NaN;
        break;
      case 'constant':
        c[i] = 4.25;
        break;
      case 'extremes':
        c[i] = u < 0.1 ? -Infinity : u > 0.9 ? Infinity : u < 0.2 ? -3.4e38 : (u - 0.5) * 100;
        break;
      case 'ties':
        c[i] = Math.floor(u * 400) / 4;
        break;
    }
  }
  return c;
}

describe('binColumns', () => {
  const kinds = ['continuous', 'few', 'zeros', 'missing', 'all-missing', 'constant', 'extremes', 'ties'];
  for (const maxBin of [2, 16, 256, 300, 1024]) {
    for (const rows of [1, 7, 1000, 5003]) {
      it(`gives the cuts, code width and codes of computeBinLayout + fillBins (maxBin ${maxBin}, ${rows} rows)`, () => {
        const r = rng(maxBin * 7919 + rows);
        const columns = kinds.map((k) => columnsOf(k, rows, r));
        const want = reference(columns, maxBin, rows);
        const got = binColumns(columns, maxBin, rows, (bytes) => new ArrayBuffer(bytes));
        expect(got.bits).toBe(want.bits);
        expect(Array.from(got.layout.nBins)).toEqual(Array.from(want.layout.nBins));
        expect(Array.from(got.layout.hasMissing)).toEqual(Array.from(want.layout.hasMissing));
        got.layout.cuts.forEach((c, f) => {
          // bit for bit (−0 and +0 told apart)
          expect(Array.from(new Uint32Array(c.buffer, c.byteOffset, c.length))).toEqual(Array.from(new Uint32Array(want.layout.cuts[f]!.buffer, want.layout.cuts[f]!.byteOffset, want.layout.cuts[f]!.length)));
        });
        expect(Array.from(got.codes.subarray(0, rows * columns.length))).toEqual(Array.from(want.codes));
      });
    }
  }

  it('widens the codes to 16 bits when a later column needs more than a byte', () => {
    const rows = 2000;
    const r = rng(3);
    const columns = [columnsOf('few', rows, r), columnsOf('continuous', rows, r)];
    const want = reference(columns, 1024, rows);
    const got = binColumns(columns, 1024, rows, (bytes) => new ArrayBuffer(bytes));
    expect(want.bits).toBe(16);
    expect(got.bits).toBe(16);
    expect(Array.from(got.codes.subarray(0, rows * 2))).toEqual(Array.from(want.codes));
  });
});
