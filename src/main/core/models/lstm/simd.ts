/**
 * A small WebAssembly SIMD module with the element-wise passes of the fused LSTM kernels (gate
 * arithmetic, hidden state, BPTT step) and a transpose, assembled here from instructions. It
 * imports the wasm backend's own memory, so it works in place on tensor data (pointers are byte
 * offsets into that memory); four lanes per instruction and no bounds checks make these passes
 * several times faster than JavaScript loops.
 *
 * Exported functions (all arguments i32; pointers and row lengths in bytes, rows a count; the
 * vectorised ones need u % 4 == 0, i.e. row lengths that are multiples of 16 bytes):
 * - gateCached(g, cc, cs, tw, rows, ub): per row, g = [i | f | σ(2z_c) | o] (4 blocks of ub bytes):
 *     the c block becomes 2σ − 1 (= tanh z_c) in place; c = f·cs + i·g is stored to cs and cc;
 *     tw = 2c.
 * - gate(a, cs, tw, rows, ub): the same without caches (a is left unchanged).
 * - hCached(s, a, h, A, tc, rows, ub, kb, nb): t = 2s − 1 (= tanh c), h = o·t with o the 4th block
 *     of a's rows; h is stored to h, to row r of A (row length kb) at byte nb, and t to tc.
 * - h(s, a, h, A, rows, ub, kb, nb): the same without tc.
 * - bwdStep(dH, dhr, dcn, g, tc, cp, d, rows, ub): one BPTT step (see the runtime's JS version).
 * - transpose(src, rows, cols, dst, dstStride): dst[c·dstStride + r] = src[r·cols + c] (floats;
 *     strides in floats, dst already offset).
 * - matmul(a, b, c, M, N, K, lda, acc): c (+)= a · b for the LSTM's small shapes, and matmulT, the
 *     same with aᵀ (see matmulFn);
 *     it replaces XNNPACK's GEMM in the fused kernels (no per-call packing of b, no engine
 *     dispatch): in bench/lstm/matmul.ts 1.4–1.9× less CPU time than XNNPACK on the per-step
 *     shapes and 1.3–1.4× on the weight gradients, about as fast without FMA as with it (the
 *     4 × 8 block already runs near the multiply-add throughput of 128-bit SIMD).
 *
 * The matmul comes in two builds. With `fma` it multiplies and adds with f32x4.relaxed_madd, which
 * V8 compiles to a hardware FMA on x86-64 with FMA3 (one instruction and one rounding per
 * multiply-add; measured only a few per cent faster here); relaxed SIMD is shipped in Electron's
 * V8 and sits behind --experimental-wasm-relaxed-simd in Node 20, which relaxedSimdAvailable()
 * sets at run time (V8 flags are per process, so the helper threads see it too). Without it the
 * module multiplies, then adds: the same k-ordered sums as XNNPACK's SIMD128 kernel, bit for bit.
 * Either way a given machine computes the same bits every run and in every thread (the pool
 * checks this at start).
 */
import { setFlagsFromString } from 'node:v8';

/** A module whose one function is f32x4.relaxed_madd: it validates only where relaxed SIMD is on. */
const RELAXED_PROBE = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, 0x03,
  0x02, 0x01, 0x00, 0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b,
]);

let relaxed: boolean | undefined;
/**
 * Whether this process can compile relaxed SIMD, turning on V8's flag for it first when needed
 * (Node 20); false when WebAssembly or the flag is missing.
 */
export function relaxedSimdAvailable(): boolean {
  if (relaxed !== undefined) return relaxed;
  const WA = (globalThis as unknown as { WebAssembly?: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
  if (WA === undefined) return (relaxed = false);
  if (!WA.validate(RELAXED_PROBE)) {
    try {
      setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
      return (relaxed = false);
    }
  }
  return (relaxed = WA.validate(RELAXED_PROBE));
}

let fuses: boolean | undefined;
/**
 * Whether the `fma` build's multiply-adds round once (a hardware FMA, as on x86-64 with FMA3 or
 * arm64) rather than after the multiply and after the add: relaxed_madd may do either. Probed on
 * (1 + 2⁻¹²)² − (1 + 2⁻¹¹), which is 2⁻²⁴ fused and 0 when the product is rounded first.
 */
export function relaxedMaddFuses(): boolean {
  if (fuses !== undefined) return fuses;
  if (!relaxedSimdAvailable()) return (fuses = false);
  const f32 = (x: number): number[] => [0x43, ...new Uint8Array(new Float32Array([x]).buffer)];
  const splat = (x: number): number[] => [...f32(x), 0xfd, 0x13];
  const a = 1 + 2 ** -12;
  // (func (result f32) (f32x4.extract_lane 0 (f32x4.relaxed_madd (splat a) (splat a) (splat −(1 + 2⁻¹¹)))))
  const body = [0x00, ...splat(a), ...splat(a), ...splat(-(1 + 2 ** -11)), 0xfd, 0x85, 0x02, 0xfd, 0x1f, 0x00, 0x0b];
  const bytes = Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...[0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7d],
    ...[0x03, 0x02, 0x01, 0x00],
    ...[0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00],
    ...[0x0a, body.length + 2, 0x01, body.length, ...body],
  ]);
  const WA = (
    globalThis as unknown as {
      WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object) => { exports: { f(): number } } };
    }
  ).WebAssembly;
  return (fuses = new WA.Instance(new WA.Module(bytes)).exports.f() !== 0);
}

export function lstmSimdModuleBytes(fma: boolean = relaxedSimdAvailable()): Uint8Array {
  const I32 = 0x7f;
  const V128 = 0x7b;

  function uleb(n: number): number[] {
    const out: number[] = [];
    do {
      let b = n & 0x7f;
      n >>>= 7;
      if (n !== 0) b |= 0x80;
      out.push(b);
    } while (n !== 0);
    return out;
  }
  function sleb(n: number): number[] {
    const out: number[] = [];
    for (;;) {
      const b = n & 0x7f;
      n >>= 7;
      if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
        out.push(b);
        return out;
      }
      out.push(b | 0x80);
    }
  }
  function vec(items: number[][]): number[] {
    return [...uleb(items.length), ...items.flat()];
  }
  function str(s: string): number[] {
    return vec([...s].map((c) => [c.charCodeAt(0)]));
  }
  function section(id: number, body: number[]): number[] {
    return [id, ...uleb(body.length), ...body];
  }

  /** Instruction emitter for one function body; locals are numbered after the parameters. */
  class Fn {
    readonly code: number[];
    readonly locals: number[];
    readonly params: number;
    constructor(params: number) {
      this.params = params;
      this.code = [];
      this.locals = [];
    }
    local(type: number): number {
      this.locals.push(type);
      return this.params + this.locals.length - 1;
    }
    get(i: number): this {
      this.code.push(0x20, ...uleb(i));
      return this;
    }
    set(i: number): this {
      this.code.push(0x21, ...uleb(i));
      return this;
    }
    tee(i: number): this {
      this.code.push(0x22, ...uleb(i));
      return this;
    }
    i32(n: number): this {
      this.code.push(0x41, ...sleb(n));
      return this;
    }
    op(...bytes: number[]): this {
      this.code.push(...bytes);
      return this;
    }
    add(): this {
      return this.op(0x6a);
    }
    mul(): this {
      return this.op(0x6c);
    }
    /** v128 splat of a float constant */
    splat(x: number): this {
      const b = new Uint8Array(new Float32Array([x]).buffer);
      return this.op(0x43, b[0]!, b[1]!, b[2]!, b[3]!, 0xfd, 0x13);
    }
    /** v128.load from the address on the stack */
    load(): this {
      return this.op(0xfd, 0x00, 0x02, 0x00);
    }
    /** v128.store (address, value on the stack) */
    store(): this {
      return this.op(0xfd, 0x0b, 0x02, 0x00);
    }
    fadd(): this {
      return this.op(0xfd, 0xe4, 0x01);
    }
    fsub(): this {
      return this.op(0xfd, 0xe5, 0x01);
    }
    fmul(): this {
      return this.op(0xfd, 0xe6, 0x01);
    }
    /** address = local base + local offset (+ local extra) */
    addr(base: number, offset: number, extra?: number): this {
      this.get(base).get(offset).add();
      if (extra !== undefined) this.get(extra).add();
      return this;
    }
    /** for (i = 0; i < limit; i += step) body — limit and step are locals/params; skips when limit is 0 */
    loop(i: number, limit: number, step: number | { constant: number }, body: () => void): this {
      this.i32(0).set(i);
      this.op(0x02, 0x40); // block
      this.get(limit).op(0x45).op(0x0d, 0x00); // br_if 0 when limit == 0
      this.op(0x03, 0x40); // loop
      body();
      this.get(i);
      if (typeof step === 'number') this.get(step);
      else this.i32(step.constant);
      this.add().tee(i).get(limit).op(0x49).op(0x0d, 0x00); // i < limit: continue
      this.op(0x0b, 0x0b); // end loop, end block
      return this;
    }
    body(): number[] {
      const groups: number[][] = [];
      for (const t of this.locals) {
        const last = groups[groups.length - 1];
        if (last !== undefined && last[1] === t) last[0]!++;
        else groups.push([1, t]);
      }
      const b = [...uleb(groups.length), ...groups.flatMap(([n, t]) => [...uleb(n!), t!]), ...this.code, 0x0b];
      return [...uleb(b.length), ...b];
    }
  }

  /**
   * Shared row loop: for each row r, locals rowG = r·4·ub (gate rows) and rowU = r·ub, an optional
   * per-row step, then j over [0, ub) by 16 bytes.
   */
  function rows(
    f: Fn,
    nRows: number,
    ub: number,
    inner: (rowG: number, rowU: number, j: number) => void,
    perRow?: (r: number) => void,
  ): void {
    const r = f.local(I32);
    const rowG = f.local(I32);
    const rowU = f.local(I32);
    const j = f.local(I32);
    const rowBytes = f.local(I32);
    f.get(ub).i32(4).mul().set(rowBytes);
    f.loop(r, nRows, { constant: 1 }, () => {
      f.get(r).get(rowBytes).mul().set(rowG);
      f.get(r).get(ub).mul().set(rowU);
      perRow?.(r);
      f.loop(j, ub, { constant: 16 }, () => inner(rowG, rowU, j));
    });
  }

  // gateCached(g, cc, cs, tw, rows, ub) and gate(a, cs, tw, rows, ub)
  function gateFn(cached: boolean): Fn {
    const f = new Fn(cached ? 6 : 5);
    const [g, cc, cs, tw, n, ub] = cached ? [0, 1, 2, 3, 4, 5] : [0, -1, 1, 2, 3, 4];
    const ub2 = f.local(I32);
    const gg = f.local(V128);
    const c = f.local(V128);
    const pg = f.local(I32);
    f.get(ub).get(ub).add().set(ub2);
    rows(f, n, ub, (rowG, rowU, j) => {
      f.get(g).get(rowG).add().get(j).add().set(pg);
      // gg = 2·σ − 1 from the c block
      f.get(pg).get(ub2).add().load().splat(2).fmul().splat(1).fsub().set(gg);
      if (cached) f.get(pg).get(ub2).add().get(gg).store();
      // c = f·cs + i·gg
      f.get(pg).get(ub).add().load().addr(cs, rowU, j).load().fmul();
      f.get(pg).load().get(gg).fmul().fadd().set(c);
      f.addr(cs, rowU, j).get(c).store();
      if (cached) f.addr(cc, rowU, j).get(c).store();
      f.addr(tw, rowU, j).get(c).get(c).fadd().store();
    });
    return f;
  }

  // hCached(s, a, h, A, tc, rows, ub, kb, nb) and h(s, a, h, A, rows, ub, kb, nb)
  function hFn(cached: boolean): Fn {
    const f = new Fn(cached ? 9 : 8);
    const [s, a, h, A, tc, n, ub, kb, nb] = cached ? [0, 1, 2, 3, 4, 5, 6, 7, 8] : [0, 1, 2, 3, -1, 4, 5, 6, 7];
    const ub3 = f.local(I32);
    const t = f.local(V128);
    const hv = f.local(V128);
    const rowA = f.local(I32);
    f.get(ub).i32(3).mul().set(ub3);
    rows(
      f,
      n,
      ub,
      (rowG, rowU, j) => {
        f.addr(s, rowU, j).load().splat(2).fmul().splat(1).fsub().set(t);
        f.addr(a, rowG, j).get(ub3).add().load().get(t).fmul().set(hv);
        f.addr(h, rowU, j).get(hv).store();
        f.get(rowA).get(j).add().get(hv).store();
        if (cached) f.addr(tc, rowU, j).get(t).store();
      },
      // row r of A starts at A + r·kb + nb
      (r) => void f.get(r).get(kb).mul().get(A).add().get(nb).add().set(rowA),
    );
    return f;
  }

  // bwdStep(dH, dhr, dcn, g, tc, cp, d, rows, ub)
  function bwdFn(): Fn {
    const f = new Fn(9);
    const [dH, dhr, dcn, g, tc, cp, d, n, ub] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
    const dh = f.local(V128);
    const gi = f.local(V128);
    const gf = f.local(V128);
    const gc = f.local(V128);
    const go = f.local(V128);
    const t = f.local(V128);
    const dc = f.local(V128);
    const one = f.local(V128);
    const pg = f.local(I32);
    const pd = f.local(I32);
    const ub2 = f.local(I32);
    const ub3 = f.local(I32);
    f.get(ub).get(ub).add().set(ub2);
    f.get(ub).i32(3).mul().set(ub3);
    f.splat(1).set(one);
    rows(f, n, ub, (rowG, rowU, j) => {
      f.get(g).get(rowG).add().get(j).add().set(pg);
      f.get(d).get(rowG).add().get(j).add().set(pd);
      f.addr(dH, rowU, j).load().addr(dhr, rowU, j).load().fadd().set(dh);
      f.get(pg).load().set(gi);
      f.get(pg).get(ub).add().load().set(gf);
      f.get(pg).get(ub2).add().load().set(gc);
      f.get(pg).get(ub3).add().load().set(go);
      f.addr(tc, rowU, j).load().set(t);
      // dc = dh·o·(1 − t²) + dcn
      f.get(dh).get(go).fmul().get(one).get(t).get(t).fmul().fsub().fmul();
      f.addr(dcn, rowU, j).load().fadd().set(dc);
      // dcn = dc·f
      f.addr(dcn, rowU, j).get(dc).get(gf).fmul().store();
      // d_i = dc·g·i·(1 − i)
      f.get(pd).get(dc).get(gc).fmul().get(gi).fmul().get(one).get(gi).fsub().fmul().store();
      // d_f = dc·c_prev·f·(1 − f)
      f.get(pd)
        .get(ub)
        .add()
        .get(dc)
        .addr(cp, rowU, j)
        .load()
        .fmul()
        .get(gf)
        .fmul()
        .get(one)
        .get(gf)
        .fsub()
        .fmul()
        .store();
      // d_c = dc·i·(1 − g²)
      f.get(pd).get(ub2).add().get(dc).get(gi).fmul().get(one).get(gc).get(gc).fmul().fsub().fmul().store();
      // d_o = dh·t·o·(1 − o)
      f.get(pd).get(ub3).add().get(dh).get(t).fmul().get(go).fmul().get(one).get(go).fsub().fmul().store();
    });
    return f;
  }

  // transpose(src, rows, cols, dst, dstStride): scalar f32 copies, contiguous writes
  function transposeFn(): Fn {
    const f = new Fn(5);
    const [src, nr, nc, dst, stride] = [0, 1, 2, 3, 4];
    const c = f.local(I32);
    const r = f.local(I32);
    const ps = f.local(I32);
    const pd = f.local(I32);
    const colBytes = f.local(I32);
    f.get(nc).i32(4).mul().set(colBytes);
    f.loop(c, nc, { constant: 1 }, () => {
      f.get(src).get(c).i32(4).mul().add().set(ps);
      f.get(dst).get(c).get(stride).mul().i32(4).mul().add().set(pd);
      f.loop(r, nr, { constant: 1 }, () => {
        f.get(pd).get(ps).op(0x2a, 0x02, 0x00).op(0x38, 0x02, 0x00); // f32.store(pd, f32.load(ps))
        f.get(ps).get(colBytes).add().set(ps);
        f.get(pd).i32(4).add().set(pd);
      });
    });
    return f;
  }

  /**
   * matmul(a, b, c, M, N, K, lda, acc): c[M, N] (+)= a[M, K] · b[K, N], row-major, rows of a lda
   * floats apart, b and c contiguous with N % 8 == 0; acc != 0 adds to c instead of overwriting.
   * matmulT (transA): the same with a stored transposed, c (+)= aᵀ · b for a [K, ≥ M] with rows lda
   * floats apart (columns 0..M used): the weight gradients read the layer's inputs in place.
   * Register-blocked: each 4-row × 8-column block of c lives in eight accumulators over the whole
   * k loop (one splat of a[m, k] per row, two loads of b's row k per k) and is stored once;
   * leftover rows (M % 4) take the same loop with one row. Each element of c is one sequential,
   * k-ordered sum whatever its block, so splitting k into consecutive calls with acc (the caller's
   * cache blocking) or changing M gives the same bits.
   */
  function matmulFn(transA: boolean): Fn {
    const f = new Fn(8);
    const [pa, pb, pc, M, N, K, lda, accumulate] = [0, 1, 2, 3, 4, 5, 6, 7];
    const ab = f.local(I32);
    const nb = f.local(I32);
    const m = f.local(I32);
    const mEnd = f.local(I32);
    const n = f.local(I32);
    const k = f.local(I32);
    const pA = f.local(I32);
    const pB = f.local(I32);
    const pC = f.local(I32);
    const bv0 = f.local(V128);
    const bv1 = f.local(V128);
    const av = f.local(V128);
    const acc = Array.from({ length: 8 }, () => f.local(V128));
    f.get(lda).i32(4).mul().set(ab);
    f.get(N).i32(4).mul().set(nb);
    const block = (mr: number): void => {
      // for n over [0, nb) by 32 bytes: accumulators for rows m..m+mr, columns n..n+8
      f.loop(n, nb, { constant: 32 }, () => {
        f.get(accumulate).op(0x04, 0x40); // if acc: start from c
        for (let r = 0; r < mr; r++) {
          f.get(m).i32(r).add().get(nb).mul().get(pc).add().get(n).add().set(pC);
          f.get(pC)
            .load()
            .set(acc[2 * r]!);
          f.get(pC)
            .op(0xfd, 0x00, 0x04, 0x10)
            .set(acc[2 * r + 1]!); // v128.load offset 16
        }
        f.op(0x05); // else: from zero
        for (let r = 0; r < 2 * mr; r++) f.op(0xfd, 0x0c, ...new Array<number>(16).fill(0)).set(acc[r]!);
        f.op(0x0b);
        if (transA) f.get(m).i32(4).mul().get(pa).add().set(pA);
        else f.get(m).get(ab).mul().get(pa).add().set(pA);
        f.get(pb).get(n).add().set(pB);
        f.loop(k, K, { constant: 1 }, () => {
          f.get(pB).load().set(bv0);
          f.get(pB).op(0xfd, 0x00, 0x04, 0x10).set(bv1);
          for (let r = 0; r < mr; r++) {
            // v128.load32_splat of a[m + r, k]: the next float of row k of aᵀ, or row m + r of a
            f.get(pA);
            if (transA) f.op(0xfd, 0x09, 0x02, ...uleb(4 * r)).set(av);
            else {
              if (r > 0) f.get(ab).i32(r).mul().add();
              f.op(0xfd, 0x09, 0x02, 0x00).set(av);
            }
            for (let h = 0; h < 2; h++) {
              const a = acc[2 * r + h]!;
              // c + a·b: fused (f32x4.relaxed_madd) or multiply, then add
              if (fma)
                f.get(av)
                  .get(h === 0 ? bv0 : bv1)
                  .get(a)
                  .op(0xfd, 0x85, 0x02)
                  .set(a);
              else
                f.get(av)
                  .get(h === 0 ? bv0 : bv1)
                  .fmul()
                  .get(a)
                  .fadd()
                  .set(a);
            }
          }
          if (transA) f.get(pA).get(ab).add().set(pA);
          else f.get(pA).i32(4).add().set(pA);
          f.get(pB).get(nb).add().set(pB);
        });
        for (let r = 0; r < mr; r++) {
          f.get(m).i32(r).add().get(nb).mul().get(pc).add().get(n).add().set(pC);
          f.get(pC)
            .get(acc[2 * r]!)
            .store();
          f.get(pC)
            .get(acc[2 * r + 1]!)
            .op(0xfd, 0x0b, 0x04, 0x10); // v128.store offset 16
        }
      });
    };
    // rows in blocks of 4: m over [0, M − M % 4), then the leftover rows one by one
    f.get(M).get(M).i32(3).op(0x71).op(0x6b).set(mEnd);
    f.loop(m, mEnd, { constant: 4 }, () => block(4));
    f.get(mEnd).set(m);
    f.op(0x02, 0x40, 0x03, 0x40); // block, loop
    f.get(m).get(M).op(0x4f).op(0x0d, 0x01); // m >= M: break
    block(1);
    f.get(m).i32(1).add().set(m);
    f.op(0x0c, 0x00, 0x0b, 0x0b); // br loop; end loop, end block
    return f;
  }

  const fns: [string, Fn][] = [
    ['matmul', matmulFn(false)],
    ['matmulT', matmulFn(true)],
    ['gateCached', gateFn(true)],
    ['gate', gateFn(false)],
    ['hCached', hFn(true)],
    ['h', hFn(false)],
    ['bwdStep', bwdFn()],
    ['transpose', transposeFn()],
  ];
  const typeOf = (f: Fn): number[] => [0x60, ...vec(Array.from({ length: f.params }, () => [I32])), 0x00];
  const types = fns.map(([, f]) => typeOf(f));
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(types)),
    ...section(2, vec([[...str('env'), ...str('memory'), 0x02, 0x00, 0x01]])),
    ...section(3, vec(fns.map((_, i) => uleb(i)))),
    ...section(7, vec(fns.map(([name], i) => [...str(name), 0x00, ...uleb(i)]))),
    ...section(10, vec(fns.map(([, f]) => f.body()))),
  ];
  return Uint8Array.from(bytes);
}
