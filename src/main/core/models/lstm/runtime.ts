/**
 * The numerical core of the LSTM + attention model, as tfjs ops.
 *
 * `createLstmRuntime(tf)` is used by the calling thread and by the helper thread of the gradient
 * pool (src/main/workers/lstm-pool-worker.ts), each with its own tfjs instance.
 *
 * Layout: sequences are time-major inside the network ([T, B, features]); weights use the
 * Keras layout (kernel [in, 4u], recurrent kernel [u, 4u], bias [4u], gate order i, f, c, o,
 * sigmoid recurrent activation, tanh activation).
 *
 * Two implementations of the same ops:
 * - fused (the wasm backend): custom kernels registered for the wasm backend that work in place on
 *   its heap and call its sigmoid kernel and a matmul directly (no per-op engine overhead, no
 *   per-step tensors). The matmul is the SIMD module's register-blocked kernel (simd.ts: FMA where
 *   relaxed SIMD is on, else XNNPACK's exact sums, no packing of b per call) for every product
 *   with a multiple of 8 columns, XNNPACK's GEMM otherwise. Per LSTM step: one matmul
 *   [x_t | h_{t−1} | 1] · [W; U; b] (input projection, recurrence and bias in one call), one
 *   sigmoid over all four gates (the candidate
 *   columns are pre-doubled so that tanh z = 2σ(2z) − 1 comes out of the same call), one sigmoid
 *   for tanh(c), and the gate arithmetic in two fused JS passes. The backward pass is a
 *   hand-written BPTT with one matmul per step (dz_t · Uᵀ); the weight gradients of all steps are
 *   xᵀ·dZ, h_{t−1}ᵀ·dZ and 1ᵀ·dZ with the SIMD module's transposed-a matmul reading x and H in
 *   place (with XNNPACK: one matmul over the stacked [x, h_{t−1}, 1] rows), and the input
 *   gradient another matmul (dZ · Wᵀ). XNNPACK is only called on its non-transposed path with
 *   materialised transposes: the backend's transposed matmul is a scalar loop, and its slice
 *   kernel copies the whole input.
 *   The attention head and the weighted BCE are fused kernels too. Everything they need from the
 *   wasm backend beyond public ops goes through one adapter, wasm-heap.ts, pinned to the tfjs
 *   version; their shared state lives in this module, not on tfjs objects.
 * - composite (any other backend: tfjs-node, cpu): the same maths with standard tfjs ops, so
 *   native kernels do the work when they are present.
 * Either way the LSTM layer, the head (fused) and the loss are `tf.customGrad` ops, and a
 * training step is `tf.valueAndGrads` over the eleven weights. `{ fused: false }` forces the
 * composite ops on any backend (the parity tests compare both).
 */
import type * as TF from '@tensorflow/tfjs';
import { checkTfjsVersions, WasmHeap } from './wasm-heap';

type Tf = typeof TF;
type Tensor = TF.Tensor;
type TensorInfo = TF.TensorInfo;

/** The eleven weight tensors in their fixed order. */
export const WEIGHT_ORDER = [
  'lstm1.kernel',
  'lstm1.recurrentKernel',
  'lstm1.bias',
  'lstm2.kernel',
  'lstm2.recurrentKernel',
  'lstm2.bias',
  'attention.W',
  'attention.b',
  'attention.v',
  'dense.kernel',
  'dense.bias',
] as const;
export type WeightName = (typeof WEIGHT_ORDER)[number];

/** Shapes of the network's weights, in WEIGHT_ORDER. */
export interface NetDims {
  features: number;
  units1: number;
  units2: number;
  attentionUnits: number;
  /**
   * dense outputs on the attention context (default 1, the classifier); 2 trains the classifier and
   * the RUL fraction together on one shared network (output 0 the class, output 1 the fraction)
   */
  outputs?: number;
}

export interface ShardBatch {
  /** time-major inputs [T, B, F] */
  x: Tensor;
  /** labels 0/1 [B] */
  y: Tensor;
  /** per-sample loss weight [B], already divided by the full batch size */
  w: Tensor;
  /** dropout multipliers [B, units2] (0 or 1/(1−p)); null without dropout */
  mask: Tensor | null;
}

export interface LstmRuntime {
  /** whether the ops run the fused kernels (the wasm backend) */
  fused(): boolean;
  /** whether the fused kernels run the SIMD module's passes (known once a fused op has run) */
  simdActive(): boolean;
  /** differentiable LSTM layer: x [T,B,in] time-major → H [T,B,u] */
  lstm(x: Tensor, kernel: Tensor, recurrentKernel: Tensor, bias: Tensor): Tensor;
  /** the same, with x treated as a constant (no input gradient is computed) */
  lstmConstInput(x: Tensor, kernel: Tensor, recurrentKernel: Tensor, bias: Tensor): Tensor;
  /** differentiable attention head: H2 [T,B,u2] → logits [B] */
  head(
    h2: Tensor,
    W: Tensor,
    b: Tensor,
    v: Tensor,
    denseKernel: Tensor,
    denseBias: Tensor,
    mask: Tensor | null,
  ): Tensor;
  /** inference head: logits [B] and attention weights [B, T] */
  headInfer(
    h2: Tensor,
    W: Tensor,
    b: Tensor,
    v: Tensor,
    denseKernel: Tensor,
    denseBias: Tensor,
  ): { logit: Tensor; alpha: Tensor };
  /** inference LSTM layer (no caches for a backward pass) */
  lstmInfer(x: Tensor, kernel: Tensor, recurrentKernel: Tensor, bias: Tensor): Tensor;
  /** Σ_b w_b · BCE(σ(logit_b), y_b), differentiable in the logits with the exact gradient w(σ(l) − y) */
  weightedBce(logit: Tensor, y: Tensor, w: Tensor): Tensor;
  /** loss and gradients of one shard; weights in WEIGHT_ORDER */
  lossAndGrads(weights: readonly Tensor[], batch: ShardBatch): { loss: number; grads: Float32Array[] };
  /** probabilities [B] and, when asked, attention weights [B, T] */
  forward(
    weights: readonly Tensor[],
    x: Tensor,
    withAttention: boolean,
  ): { prob: Float32Array; alpha: Float32Array | null };
  /** the same copy as a tensor, written straight into the backend's memory on the fused path */
  gatherTensor(
    data: Float32Array,
    length: number,
    features: number,
    rows: ArrayLike<number> | null,
    from: number,
    to: number,
  ): Tensor;
  /** time-major copy [T, B, F] of windows `rows[from..to)` (windows from..to when rows is null) of batch-major windows [n, T, F] */
  gather(
    data: Float32Array,
    length: number,
    features: number,
    rows: ArrayLike<number> | null,
    from: number,
    to: number,
  ): Float32Array;
}

export interface LstmRuntimeOptions {
  /** false: composite ops even on the wasm backend (default: fused kernels on wasm) */
  fused?: boolean;
  /** the element-wise SIMD module (lstmSimdModuleBytes()); without it the fused kernels use JS loops */
  simd?: Uint8Array | null;
}

/** Rows of b per call of the SIMD matmul (cache blocking of long sums such as the weight gradients). */
const MM_KC = 256;

/** State shared by the fused kernels of one registration, per tfjs engine and kernel name. */
interface FusedState {
  simd: boolean;
}
const fusedStates = new WeakMap<object, Map<string, FusedState>>();

export function createLstmRuntime(tf: Tf, options: LstmRuntimeOptions = {}): LstmRuntime {
  // kernels are registered per tfjs instance; the variant without the SIMD module has its own names
  const variant = options.simd === undefined || options.simd === null ? 'Js' : '';
  const FWD = `PrognosLstmForward${variant}`;
  const BWD = `PrognosLstmBackward${variant}`;
  const HFWD = `PrognosAttentionForward${variant}`;
  const HBWD = `PrognosAttentionBackward${variant}`;
  const LFWD = `PrognosWeightedBce${variant}`;
  const LBWD = `PrognosWeightedBceGrad${variant}`;

  type WasmHeapBackend = WasmHeap;
  type KernelArgs = { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: Record<string, unknown> };
  type KernelFn = (args: KernelArgs) => TensorInfo | TensorInfo[];

  function kernelFn(name: string): KernelFn | null {
    const k = tf.getKernel(name, 'wasm');
    return k === undefined ? null : (k.kernelFunc as unknown as KernelFn);
  }

  // ---------------------------------------------------------------- fused kernels (wasm heap)
  function statesOfEngine(): Map<string, FusedState> {
    const engine = tf.engine();
    let states = fusedStates.get(engine);
    if (states === undefined) {
      states = new Map();
      fusedStates.set(engine, states);
    }
    return states;
  }
  function fusedState(): FusedState | undefined {
    return statesOfEngine().get(FWD);
  }
  function registerFused(): boolean {
    if (tf.getKernel(FWD, 'wasm') !== undefined) return true;
    checkTfjsVersions(tf.version_core);
    const matMulKernel = kernelFn('BatchMatMul');
    const sigmoidKernel = kernelFn('Sigmoid');
    if (matMulKernel === null || sigmoidKernel === null) return false;
    const state: FusedState = { simd: false };
    statesOfEngine().set(FWD, state);

    function heap(backend: unknown): WasmHeapBackend {
      return WasmHeap.of(backend);
    }
    function alloc(be: WasmHeapBackend, shape: number[]): TensorInfo {
      return be.alloc(shape);
    }
    /** A fresh view: the heap may grow (and detach old views) on every allocation. */
    function f32(be: WasmHeapBackend, info: TensorInfo): Float32Array {
      return be.view(info);
    }
    function free(be: WasmHeapBackend, info: TensorInfo): void {
      be.free(info);
    }
    function as2d(info: TensorInfo, rows: number, cols: number): TensorInfo {
      return { dataId: info.dataId, shape: [rows, cols], dtype: info.dtype };
    }
    /**
     * a [M, K] · b [K, N] into a new [M, N] tensor: the SIMD module's matmul when it is there and
     * N % 8 == 0, else XNNPACK. Long sums go through it in blocks of MM_KC rows of b (each output
     * stays one sequential sum), so a block of a and b stays in cache.
     */
    function mm(be: WasmHeapBackend, a: TensorInfo, b: TensorInfo): TensorInfo {
      const [M, K] = a.shape as [number, number];
      const N = b.shape[1]!;
      const sm = N % 8 === 0 ? simdOf(be) : null;
      if (sm === null) {
        return matMulKernel!({
          inputs: { a, b },
          backend: be.backend,
          attrs: { transposeA: false, transposeB: false },
        }) as TensorInfo;
      }
      const c = alloc(be, [M, N]);
      const [pa, pb, pc] = [ptr(be, a), ptr(be, b), ptr(be, c)];
      for (let k0 = 0; k0 < K; k0 += MM_KC)
        sm.matmul(pa + 4 * k0, pb + 4 * k0 * N, pc, M, N, Math.min(MM_KC, K - k0), K, k0);
      return c;
    }
    /** whether mm runs the SIMD module's matmul for an N-column result */
    function ownMatmul(be: WasmHeapBackend, N: number): boolean {
      return N % 8 === 0 && simdOf(be) !== null;
    }
    function sig(be: WasmHeapBackend, x: TensorInfo): TensorInfo {
      return sigmoidKernel!({ inputs: { x }, backend: be.backend, attrs: {} }) as TensorInfo;
    }
    /** Byte offset of a tensor's data in the backend's memory (stable while the tensor lives). */
    function ptr(be: WasmHeapBackend, info: TensorInfo): number {
      return be.offset(info);
    }
    function zeroed(be: WasmHeapBackend, shape: number[]): TensorInfo {
      const t = alloc(be, shape);
      f32(be, t).fill(0);
      return t;
    }

    // ---- the SIMD module, instantiated on the backend's own memory (null: JS loops)
    interface Simd {
      gateCached(g: number, cc: number, cs: number, tw: number, rows: number, ub: number): void;
      gate(a: number, cs: number, tw: number, rows: number, ub: number): void;
      hCached(
        s: number,
        a: number,
        h: number,
        A: number,
        tc: number,
        rows: number,
        ub: number,
        kb: number,
        nb: number,
      ): void;
      h(s: number, a: number, h: number, A: number, rows: number, ub: number, kb: number, nb: number): void;
      bwdStep(
        dH: number,
        dhr: number,
        dcn: number,
        g: number,
        tc: number,
        cp: number,
        d: number,
        rows: number,
        ub: number,
      ): void;
      transpose(src: number, rows: number, cols: number, dst: number, dstStride: number): void;
      matmul(a: number, b: number, c: number, M: number, N: number, K: number, lda: number, acc: number): void;
      matmulT(a: number, b: number, c: number, M: number, N: number, K: number, lda: number, acc: number): void;
    }
    /** The parts of the WebAssembly API used here (the node typings do not declare its values). */
    interface WasmApi {
      Module: new (bytes: Uint8Array) => object;
      Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
    }
    const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    let simd: { memory: object; exports: Simd } | null = null;
    let simdFailed = options.simd === undefined || options.simd === null || WA === undefined;
    function simdOf(be: WasmHeapBackend): Simd | null {
      if (simdFailed || WA === undefined) return null;
      const memory = be.memory();
      if (memory === null) {
        simdFailed = true;
        return null;
      }
      if (simd === null || simd.memory !== memory) {
        try {
          const instance = new WA.Instance(new WA.Module(options.simd!), { env: { memory } });
          simd = { memory, exports: instance.exports as Simd };
          state.simd = true;
        } catch {
          simdFailed = true;
          return null;
        }
      }
      return simd.exports;
    }
    /** The vectorised passes need rows of whole 4-float lanes. */
    function simdFor(be: WasmHeapBackend, u: number): Simd | null {
      return u % 4 === 0 ? simdOf(be) : null;
    }
    /** Transpose [rows, cols] at src (+ srcOffset floats) into dst rows of dstStride floats at dstOffset. */
    function transposeTensor(
      be: WasmHeapBackend,
      src: TensorInfo,
      srcOffset: number,
      rows: number,
      cols: number,
      dst: TensorInfo,
      dstStride: number,
      dstOffset: number,
    ): void {
      const sm = simdOf(be);
      if (sm !== null) sm.transpose(ptr(be, src) + 4 * srcOffset, rows, cols, ptr(be, dst) + 4 * dstOffset, dstStride);
      else
        transposeInto(
          f32(be, src).subarray(srcOffset, srcOffset + rows * cols),
          rows,
          cols,
          f32(be, dst),
          dstStride,
          dstOffset,
        );
    }
    /** dst[c * dstStride + dstOffset + r] = src[r * cols + c] for r < rows, c < cols (blocked, contiguous writes). */
    function transposeInto(
      src: Float32Array,
      rows: number,
      cols: number,
      dst: Float32Array,
      dstStride: number,
      dstOffset: number,
    ): void {
      const BS = 32;
      for (let c0 = 0; c0 < cols; c0 += BS) {
        const c1 = Math.min(cols, c0 + BS);
        for (let r0 = 0; r0 < rows; r0 += BS) {
          const r1 = Math.min(rows, r0 + BS);
          for (let c = c0; c < c1; c++) {
            const d = c * dstStride + dstOffset;
            for (let r = r0; r < r1; r++) dst[d + r] = src[r * cols + c]!;
          }
        }
      }
    }

    // ---- fused element-wise passes of one LSTM step (small functions: the JIT optimises them well)
    /** g ← 2σ(2z) − 1 in place, c ← f·c + i·g (state and cache), two ← 2c; gates [B, 4u] at go. */
    function gatePassCached(
      gv: Float32Array,
      go: number,
      cv: Float32Array,
      co: number,
      cs: Float32Array,
      tw: Float32Array,
      B: number,
      u: number,
    ): void {
      const G = 4 * u;
      const u2 = 2 * u;
      for (let r = 0; r < B; r++) {
        const ao = go + r * G;
        const so = r * u;
        for (let j = 0; j < u; j++) {
          const gg = 2 * gv[ao + u2 + j]! - 1;
          gv[ao + u2 + j] = gg;
          const c = gv[ao + u + j]! * cs[so + j]! + gv[ao + j]! * gg;
          cs[so + j] = c;
          cv[co + so + j] = c;
          tw[so + j] = 2 * c;
        }
      }
    }
    function gatePass(a: Float32Array, cs: Float32Array, tw: Float32Array, B: number, u: number): void {
      const G = 4 * u;
      const u2 = 2 * u;
      for (let r = 0; r < B; r++) {
        const ao = r * G;
        const so = r * u;
        for (let j = 0; j < u; j++) {
          const c = a[ao + u + j]! * cs[so + j]! + a[ao + j]! * (2 * a[ao + u2 + j]! - 1);
          cs[so + j] = c;
          tw[so + j] = 2 * c;
        }
      }
    }
    /** tanh c = 2σ(2c) − 1, h = o · tanh c into H (at ho), the next step's input row and the cache. */
    function hPassCached(
      s: Float32Array,
      a: Float32Array,
      hv: Float32Array,
      av: Float32Array,
      tcv: Float32Array,
      ho: number,
      B: number,
      u: number,
      K: number,
      nin: number,
    ): void {
      const G = 4 * u;
      const u3 = 3 * u;
      for (let r = 0; r < B; r++) {
        const ao = r * G + u3;
        const so = r * u;
        const ro = r * K + nin;
        for (let j = 0; j < u; j++) {
          const tc = 2 * s[so + j]! - 1;
          const h = a[ao + j]! * tc;
          hv[ho + so + j] = h;
          av[ro + j] = h;
          tcv[ho + so + j] = tc;
        }
      }
    }
    function hPass(
      s: Float32Array,
      a: Float32Array,
      hv: Float32Array,
      av: Float32Array,
      ho: number,
      B: number,
      u: number,
      K: number,
      nin: number,
    ): void {
      const G = 4 * u;
      const u3 = 3 * u;
      for (let r = 0; r < B; r++) {
        const ao = r * G + u3;
        const so = r * u;
        const ro = r * K + nin;
        for (let j = 0; j < u; j++) {
          const h = a[ao + j]! * (2 * s[so + j]! - 1);
          hv[ho + so + j] = h;
          av[ro + j] = h;
        }
      }
    }

    // ---- LSTM forward: inputs x [T,B,in], kernel [in,4u], recurrentKernel [u,4u], bias [4u]
    const lstmForward: KernelFn = ({ inputs, backend, attrs }) => {
      const be = heap(backend);
      const x = inputs.x!;
      const W = inputs.kernel!;
      const U = inputs.recurrentKernel!;
      const bias = inputs.bias!;
      const caches = attrs?.caches === true;
      const [T, B, nin] = x.shape as [number, number, number];
      const u = U.shape[0]!;
      const G = 4 * u;
      const K = nin + u + 1;
      const u2 = 2 * u;
      const u3 = 3 * u;
      const wcat = alloc(be, [K, G]);
      const A = alloc(be, [B, K]);
      const H = alloc(be, [T, B, u]);
      const two = alloc(be, [B, u]);
      const gates = caches ? alloc(be, [T, B, G]) : null;
      const C = caches ? alloc(be, [T, B, u]) : null;
      const TC = caches ? alloc(be, [T, B, u]) : null;
      const sm = simdFor(be, u);
      const cs = new Float32Array(sm === null ? B * u : 0);
      const csT = sm === null ? null : zeroed(be, [B, u]);
      {
        // [W; U; b] with the candidate (c) columns doubled: σ(2z) gives tanh z = 2σ(2z) − 1
        const wc = f32(be, wcat);
        const wv = f32(be, W);
        const uv = f32(be, U);
        const bv = f32(be, bias);
        for (let r = 0; r < nin; r++) for (let g = 0; g < G; g++) wc[r * G + g] = wv[r * G + g]!;
        for (let r = 0; r < u; r++) for (let g = 0; g < G; g++) wc[(nin + r) * G + g] = uv[r * G + g]!;
        for (let g = 0; g < G; g++) wc[(K - 1) * G + g] = bv[g]!;
        for (let r = 0; r < K; r++) for (let g = u2; g < u3; g++) wc[r * G + g] = 2 * wc[r * G + g]!;
        const av = f32(be, A);
        av.fill(0);
        for (let r = 0; r < B; r++) av[r * K + K - 1] = 1;
      }
      for (let t = 0; t < T; t++) {
        {
          const av = f32(be, A);
          const xv = f32(be, x);
          const xo = t * B * nin;
          for (let r = 0; r < B; r++) av.set(xv.subarray(xo + r * nin, xo + (r + 1) * nin), r * K);
        }
        const z = mm(be, A, wcat);
        const act = sig(be, z);
        free(be, z);
        const go = t * B * G;
        const ho = t * B * u;
        if (gates !== null && C !== null) {
          const gv = f32(be, gates);
          gv.set(f32(be, act), go);
          if (sm !== null && csT !== null)
            sm.gateCached(ptr(be, gates) + 4 * go, ptr(be, C) + 4 * ho, ptr(be, csT), ptr(be, two), B, 4 * u);
          else gatePassCached(gv, go, f32(be, C), ho, cs, f32(be, two), B, u);
        } else if (sm !== null && csT !== null) {
          sm.gate(ptr(be, act), ptr(be, csT), ptr(be, two), B, 4 * u);
        } else {
          gatePass(f32(be, act), cs, f32(be, two), B, u);
        }
        const st = sig(be, two);
        if (sm !== null) {
          const [ps, pa, ph, pA] = [ptr(be, st), ptr(be, act), ptr(be, H) + 4 * ho, ptr(be, A)];
          if (TC !== null) sm.hCached(ps, pa, ph, pA, ptr(be, TC) + 4 * ho, B, 4 * u, 4 * K, 4 * nin);
          else sm.h(ps, pa, ph, pA, B, 4 * u, 4 * K, 4 * nin);
        } else if (TC !== null) {
          hPassCached(f32(be, st), f32(be, act), f32(be, H), f32(be, A), f32(be, TC), ho, B, u, K, nin);
        } else {
          hPass(f32(be, st), f32(be, act), f32(be, H), f32(be, A), ho, B, u, K, nin);
        }
        free(be, st);
        free(be, act);
      }
      free(be, wcat);
      free(be, A);
      free(be, two);
      if (csT !== null) free(be, csT);
      return gates !== null && C !== null && TC !== null ? [H, gates, C, TC] : [H];
    };

    // ---- LSTM backward: hand-written BPTT
    const lstmBackward: KernelFn = ({ inputs, backend, attrs }) => {
      const be = heap(backend);
      const dH = inputs.dH!;
      const x = inputs.x!;
      const W = inputs.kernel!;
      const U = inputs.recurrentKernel!;
      const H = inputs.h!;
      const gates = inputs.gates!;
      const C = inputs.c!;
      const TC = inputs.tc!;
      const inputGrad = attrs?.inputGrad === true;
      const [T, B, nin] = x.shape as [number, number, number];
      const u = U.shape[0]!;
      const G = 4 * u;
      const K = nin + u + 1;
      const TB = T * B;
      const u2 = 2 * u;
      const u3 = 3 * u;
      const UT = alloc(be, [G, u]);
      // With an input gradient or the SIMD module's matmul (which packs nothing), dZ is kept
      // row-major ([TB, G], needed for dX = dZ·Wᵀ) and the weight gradient is [xᵀ; hᵀ; 1]·dZ.
      // Otherwise dZ is kept transposed and the weight gradient is computed as dZᵀ·[x, h, 1]:
      // XNNPACK then repacks the smaller [TB, K] operand instead of dZ.
      const rowMajor = inputGrad || ownMatmul(be, G);
      const dZ = alloc(be, rowMajor ? [TB, G] : [G, TB]);
      const dz = alloc(be, [B, G]);
      const dW = alloc(be, [nin, G]);
      const dU = alloc(be, [u, G]);
      const db = alloc(be, [G]);
      const WT = inputGrad ? alloc(be, [G, nin]) : null;
      transposeTensor(be, U, 0, u, G, UT, u, 0);
      if (WT !== null) transposeTensor(be, W, 0, nin, G, WT, nin, 0);
      const sm = simdFor(be, u);
      if (sm !== null) {
        // vectorised BPTT: the state lives in the backend's memory, the recurrent gradient is read
        // straight from the previous step's matmul output
        const zeroT = zeroed(be, [B, u]);
        const dcnT = zeroed(be, [B, u]);
        let rec: TensorInfo | null = null;
        for (let t = T - 1; t >= 0; t--) {
          const o = t * B * u;
          sm.bwdStep(
            ptr(be, dH) + 4 * o,
            ptr(be, rec ?? zeroT),
            ptr(be, dcnT),
            ptr(be, gates) + 4 * t * B * G,
            ptr(be, TC) + 4 * o,
            t > 0 ? ptr(be, C) + 4 * (o - B * u) : ptr(be, zeroT),
            ptr(be, dz),
            B,
            4 * u,
          );
          if (rec !== null) free(be, rec);
          rec = null;
          if (rowMajor) f32(be, dZ).set(f32(be, dz), t * B * G);
          else sm.transpose(ptr(be, dz), B, G, ptr(be, dZ) + 4 * t * B, TB);
          if (t > 0) rec = mm(be, dz, UT);
        }
        free(be, zeroT);
        free(be, dcnT);
      }
      const dhRec = new Float32Array(sm === null ? B * u : 0);
      const dcNext = new Float32Array(sm === null ? B * u : 0);
      const zeros = new Float32Array(sm === null ? B * u : 0);
      for (let t = sm === null ? T - 1 : -1; t >= 0; t--) {
        {
          const dh = f32(be, dH);
          const gv = f32(be, gates);
          const cv = f32(be, C);
          const tcv = f32(be, TC);
          const d = f32(be, dz);
          const o = t * B * u;
          const go = t * B * G;
          const prev = t > 0 ? cv : zeros;
          const po = t > 0 ? o - B * u : 0;
          for (let r = 0; r < B; r++) {
            const so = r * u;
            const ao = r * G;
            for (let j = 0; j < u; j++) {
              const q = so + j;
              const dhv = dh[o + q]! + dhRec[q]!;
              const ig = gv[go + ao + j]!;
              const fg = gv[go + ao + u + j]!;
              const gg = gv[go + ao + u2 + j]!;
              const og = gv[go + ao + u3 + j]!;
              const tc = tcv[o + q]!;
              const dc = dhv * og * (1 - tc * tc) + dcNext[q]!;
              dcNext[q] = dc * fg;
              d[ao + j] = dc * gg * ig * (1 - ig);
              d[ao + u + j] = dc * prev[po + q]! * fg * (1 - fg);
              d[ao + u2 + j] = dc * ig * (1 - gg * gg);
              d[ao + u3 + j] = dhv * tc * og * (1 - og);
            }
          }
          if (rowMajor) f32(be, dZ).set(d, t * B * G);
          else transposeInto(d, B, G, f32(be, dZ), TB, t * B);
        }
        if (t > 0) {
          const r = mm(be, dz, UT);
          dhRec.set(f32(be, r));
          free(be, r);
        }
      }
      const smT = ownMatmul(be, G) ? simdOf(be) : null;
      if (smT !== null) {
        // straight from the inputs, no copies: dW = xᵀ·dZ, dU = h_{t−1}ᵀ·dZ over t ≥ 1 (h_{−1} = 0),
        // db = 1ᵀ·dZ — the same sequential sums as the [xᵀ; h_{t−1}ᵀ; 1]·dZ product below
        const ones = alloc(be, [TB]);
        f32(be, ones).fill(1);
        const mmT = (a: TensorInfo, ao: number, M: number, lda: number, bo: number, K: number, c: TensorInfo): void => {
          const [pa, pb, pc] = [ptr(be, a) + 4 * ao, ptr(be, dZ) + 4 * bo, ptr(be, c)];
          for (let k0 = 0; k0 < K; k0 += MM_KC)
            smT.matmulT(pa + 4 * k0 * lda, pb + 4 * k0 * G, pc, M, G, Math.min(MM_KC, K - k0), lda, k0);
        };
        mmT(x, 0, nin, nin, 0, TB, dW);
        if (T > 1) mmT(H, 0, u, u, B * G, TB - B, dU);
        else f32(be, dU).fill(0);
        mmT(ones, 0, 1, 1, 0, TB, db);
        free(be, ones);
      } else if (rowMajor) {
        // AT = [xᵀ; h_{t−1}ᵀ; 1] over all (t, b) columns
        const AT = alloc(be, [K, TB]);
        {
          transposeTensor(be, x, 0, TB, nin, AT, TB, 0);
          transposeTensor(be, H, 0, TB - B, u, AT, TB, nin * TB + B);
          const at = f32(be, AT);
          for (let j = 0; j < u; j++) at.fill(0, (nin + j) * TB, (nin + j) * TB + B);
          at.fill(1, (K - 1) * TB, K * TB);
        }
        const dcat = mm(be, AT, dZ);
        free(be, AT);
        const dc = f32(be, dcat);
        f32(be, dW).set(dc.subarray(0, nin * G));
        f32(be, dU).set(dc.subarray(nin * G, (nin + u) * G));
        f32(be, db).set(dc.subarray((nin + u) * G, K * G));
        free(be, dcat);
      } else {
        // Acat = [x, h_{t−1}, 1] row per (t, b)
        const Acat = alloc(be, [TB, K]);
        {
          const ac = f32(be, Acat);
          const xv = f32(be, x);
          const hv = f32(be, H);
          for (let q = 0; q < TB; q++) {
            const o = q * K;
            ac.set(xv.subarray(q * nin, (q + 1) * nin), o);
            if (q < B) ac.fill(0, o + nin, o + nin + u);
            else ac.set(hv.subarray((q - B) * u, (q - B + 1) * u), o + nin);
            ac[o + K - 1] = 1;
          }
        }
        const dcatT = mm(be, dZ, Acat);
        free(be, Acat);
        const dc = f32(be, dcatT);
        const dwv = f32(be, dW);
        const duv = f32(be, dU);
        const dbv = f32(be, db);
        for (let g = 0; g < G; g++) {
          const o = g * K;
          for (let k = 0; k < nin; k++) dwv[k * G + g] = dc[o + k]!;
          for (let j = 0; j < u; j++) duv[j * G + g] = dc[o + nin + j]!;
          dbv[g] = dc[o + K - 1]!;
        }
        free(be, dcatT);
      }
      let dX: TensorInfo | null = null;
      if (WT !== null) {
        const r = mm(be, dZ, WT);
        dX = { dataId: r.dataId, shape: [T, B, nin], dtype: r.dtype };
        free(be, WT);
      }
      free(be, UT);
      free(be, dZ);
      free(be, dz);
      return dX === null ? [dW, dU, db] : [dX, dW, dU, db];
    };

    // ---- attention head forward: h [T,B,u2], W [u2,A], b [A], v [A], dk [u2,1], db [1], mask? [B,u2]
    const headForward: KernelFn = ({ inputs, backend, attrs }) => {
      const be = heap(backend);
      const h = inputs.h!;
      const W = inputs.W!;
      const mask = inputs.mask;
      const caches = attrs?.caches === true;
      const [T, B, u] = h.shape as [number, number, number];
      const A = W.shape[1]!;
      const O = inputs.denseKernel!.shape[1] ?? 1;
      const TB = T * B;
      const pre = mm(be, as2d(h, TB, u), W);
      {
        const p = f32(be, pre);
        const bv = f32(be, inputs.b!);
        for (let q = 0; q < TB; q++) {
          const o = q * A;
          for (let a = 0; a < A; a++) p[o + a] = 2 * (p[o + a]! + bv[a]!);
        }
      }
      const E = sig(be, pre);
      free(be, pre);
      const logit = alloc(be, [B * O]);
      const alpha = alloc(be, [B, T]);
      const ctxOut = caches ? alloc(be, [B, u]) : null;
      {
        const e = f32(be, E);
        for (let q = 0; q < e.length; q++) e[q] = 2 * e[q]! - 1;
        const vv = f32(be, inputs.v!);
        const hv = f32(be, h);
        const al = f32(be, alpha);
        const lg = f32(be, logit);
        const dk = f32(be, inputs.denseKernel!);
        const dbias = f32(be, inputs.denseBias!);
        const mv = mask === undefined ? null : f32(be, mask);
        const cx = ctxOut === null ? new Float32Array(B * u) : f32(be, ctxOut);
        // scores s[t, b] = e[t, b, :] · v, softmax over t per b
        for (let b = 0; b < B; b++) {
          let max = -Infinity;
          for (let t = 0; t < T; t++) {
            const o = (t * B + b) * A;
            let s = 0;
            for (let a = 0; a < A; a++) s += e[o + a]! * vv[a]!;
            al[b * T + t] = s;
            if (s > max) max = s;
          }
          let sum = 0;
          for (let t = 0; t < T; t++) {
            const ex = Math.exp(al[b * T + t]! - max);
            al[b * T + t] = ex;
            sum += ex;
          }
          for (let t = 0; t < T; t++) al[b * T + t] = al[b * T + t]! / sum;
          // context = Σ_t α_t h_t, then dropout, then the dense logit
          const co = b * u;
          for (let k = 0; k < u; k++) cx[co + k] = 0;
          for (let t = 0; t < T; t++) {
            const at = al[b * T + t]!;
            const ho = (t * B + b) * u;
            for (let k = 0; k < u; k++) cx[co + k] = cx[co + k]! + at * hv[ho + k]!;
          }
          for (let o = 0; o < O; o++) {
            let l = dbias[o]!;
            for (let k = 0; k < u; k++) l += (mv === null ? cx[co + k]! : cx[co + k]! * mv[co + k]!) * dk[k * O + o]!;
            lg[b * O + o] = l;
          }
        }
      }
      if (!caches || ctxOut === null) {
        free(be, E);
        return [logit, alpha];
      }
      return [logit, alpha, { dataId: E.dataId, shape: [T, B, A], dtype: E.dtype }, ctxOut];
    };

    // ---- attention head backward
    const headBackward: KernelFn = ({ inputs, backend }) => {
      const be = heap(backend);
      const dl = inputs.dLogit!;
      const h = inputs.h!;
      const W = inputs.W!;
      const mask = inputs.mask;
      const [T, B, u] = h.shape as [number, number, number];
      const A = W.shape[1]!;
      const O = inputs.denseKernel!.shape[1] ?? 1;
      const TB = T * B;
      const dh = alloc(be, [T, B, u]);
      const dpre = alloc(be, [TB, A]);
      const hT = alloc(be, [u, TB]);
      const WT = alloc(be, [A, u]);
      const dbA = alloc(be, [A]);
      const dv = alloc(be, [A]);
      const ddk = alloc(be, [u, O]);
      const ddb = alloc(be, [O]);
      {
        const dlv = f32(be, dl);
        const hv = f32(be, h);
        const al = f32(be, inputs.alpha!);
        const e = f32(be, inputs.E!);
        const cx = f32(be, inputs.ctx!);
        const vv = f32(be, inputs.v!);
        const dk = f32(be, inputs.denseKernel!);
        const mv = mask === undefined ? null : f32(be, mask);
        const dhv = f32(be, dh);
        const dp = f32(be, dpre);
        const dkv = f32(be, ddk);
        const dvv = f32(be, dv);
        const dbv = f32(be, dbA);
        dkv.fill(0);
        dvv.fill(0);
        dbv.fill(0);
        const sumDl = new Float64Array(O);
        const dctx = new Float32Array(u);
        const dalpha = new Float32Array(T);
        for (let b = 0; b < B; b++) {
          const co = b * u;
          if (O === 1) {
            const g = dlv[b]!;
            sumDl[0] = sumDl[0]! + g;
            for (let k = 0; k < u; k++) {
              const m = mv === null ? 1 : mv[co + k]!;
              dkv[k] = dkv[k]! + g * cx[co + k]! * m;
              dctx[k] = g * dk[k]! * m;
            }
          } else {
            // several dense outputs on one context (e.g. the classifier and the RUL fraction)
            for (let o = 0; o < O; o++) sumDl[o] = sumDl[o]! + dlv[b * O + o]!;
            for (let k = 0; k < u; k++) {
              const m = mv === null ? 1 : mv[co + k]!;
              let s = 0;
              for (let o = 0; o < O; o++) {
                const g = dlv[b * O + o]!;
                dkv[k * O + o] = dkv[k * O + o]! + g * cx[co + k]! * m;
                s += g * dk[k * O + o]!;
              }
              dctx[k] = s * m;
            }
          }
          let dot = 0;
          for (let t = 0; t < T; t++) {
            const ho = (t * B + b) * u;
            const at = al[b * T + t]!;
            let s = 0;
            for (let k = 0; k < u; k++) {
              s += dctx[k]! * hv[ho + k]!;
              dhv[ho + k] = at * dctx[k]!;
            }
            dalpha[t] = s;
            dot += at * s;
          }
          for (let t = 0; t < T; t++) {
            const ds = al[b * T + t]! * (dalpha[t]! - dot);
            const o = (t * B + b) * A;
            for (let a = 0; a < A; a++) {
              const ev = e[o + a]!;
              dvv[a] = dvv[a]! + ds * ev;
              const d = ds * vv[a]! * (1 - ev * ev);
              dp[o + a] = d;
              dbv[a] = dbv[a]! + d;
            }
          }
        }
        f32(be, ddb).set(sumDl);
      }
      transposeTensor(be, h, 0, TB, u, hT, TB, 0);
      transposeTensor(be, W, 0, u, A, WT, u, 0);
      const dW = mm(be, hT, dpre);
      const dhAtt = mm(be, dpre, WT);
      {
        const add = f32(be, dhAtt);
        const dhv = f32(be, dh);
        for (let q = 0; q < dhv.length; q++) dhv[q] = dhv[q]! + add[q]!;
      }
      free(be, dhAtt);
      free(be, dpre);
      free(be, hT);
      free(be, WT);
      return [dh, dW, dbA, dv, ddk, ddb];
    };

    // ---- Σ w·BCE(σ(l), y) = Σ w·(max(l, 0) − y·l + log(1 + e^(−|l|))), and its gradient dy·w·(σ(l) − y)
    const bceForward: KernelFn = ({ inputs, backend }) => {
      const be = heap(backend);
      const out = alloc(be, []);
      const l = f32(be, inputs.logit!);
      const y = f32(be, inputs.y!);
      const w = f32(be, inputs.w!);
      let s = 0;
      for (let i = 0; i < l.length; i++) {
        const v = l[i]!;
        s += w[i]! * (Math.max(v, 0) - y[i]! * v + Math.log1p(Math.exp(-Math.abs(v))));
      }
      f32(be, out)[0] = s;
      return out;
    };
    const bceBackward: KernelFn = ({ inputs, backend }) => {
      const be = heap(backend);
      const l0 = inputs.logit!;
      const out = alloc(be, [...l0.shape]);
      const l = f32(be, l0);
      const y = f32(be, inputs.y!);
      const w = f32(be, inputs.w!);
      const dy = f32(be, inputs.dy!)[0]!;
      const o = f32(be, out);
      for (let i = 0; i < l.length; i++) o[i] = dy * w[i]! * (1 / (1 + Math.exp(-l[i]!)) - y[i]!);
      return out;
    };

    tf.registerKernel({ kernelName: LFWD, backendName: 'wasm', kernelFunc: bceForward as unknown as TF.KernelFunc });
    tf.registerKernel({ kernelName: LBWD, backendName: 'wasm', kernelFunc: bceBackward as unknown as TF.KernelFunc });
    tf.registerKernel({ kernelName: FWD, backendName: 'wasm', kernelFunc: lstmForward as unknown as TF.KernelFunc });
    tf.registerKernel({ kernelName: BWD, backendName: 'wasm', kernelFunc: lstmBackward as unknown as TF.KernelFunc });
    tf.registerKernel({ kernelName: HFWD, backendName: 'wasm', kernelFunc: headForward as unknown as TF.KernelFunc });
    tf.registerKernel({ kernelName: HBWD, backendName: 'wasm', kernelFunc: headBackward as unknown as TF.KernelFunc });
    return true;
  }

  let fusedAvailable = false;
  function fused(): boolean {
    if (options.fused === false || tf.getBackend() !== 'wasm') return false;
    if (!fusedAvailable) fusedAvailable = registerFused();
    return fusedAvailable;
  }
  function run(name: string, inputs: Record<string, Tensor>, attrs: Record<string, boolean> = {}): Tensor[] {
    const out = tf.engine().runKernel(name, inputs, attrs);
    return Array.isArray(out) ? out : [out];
  }

  // ---------------------------------------------------------------- composite LSTM (any backend)
  function compositeForward(x: Tensor, W: Tensor, U: Tensor, b: Tensor, caches: boolean): Tensor[] {
    const [T, B, nin] = x.shape as [number, number, number];
    const u = U.shape[0];
    const xw = tf.reshape(tf.add(tf.matMul(tf.reshape(x, [T * B, nin]), W), b), [T, B, 4 * u]);
    const steps = tf.unstack(xw);
    let h: Tensor = tf.zeros([B, u]);
    let c: Tensor = tf.zeros([B, u]);
    const hs: Tensor[] = [];
    const gs: Tensor[] = [];
    const cs: Tensor[] = [];
    const tcs: Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const z = tf.add(steps[t]!, tf.matMul(h, U));
      const [zi, zf, zg, zo] = tf.split(z, 4, 1) as [Tensor, Tensor, Tensor, Tensor];
      const i = tf.sigmoid(zi);
      const f = tf.sigmoid(zf);
      const g = tf.tanh(zg);
      const o = tf.sigmoid(zo);
      c = tf.add(tf.mul(f, c), tf.mul(i, g));
      const tc = tf.tanh(c);
      h = tf.mul(o, tc);
      hs.push(h);
      if (caches) {
        gs.push(tf.concat([i, f, g, o], 1));
        cs.push(c);
        tcs.push(tc);
      }
    }
    const H = tf.stack(hs);
    return caches ? [H, tf.stack(gs), tf.stack(cs), tf.stack(tcs)] : [H];
  }
  function compositeBackward(
    dH: Tensor,
    x: Tensor,
    W: Tensor,
    U: Tensor,
    H: Tensor,
    gates: Tensor,
    C: Tensor,
    TC: Tensor,
    inputGrad: boolean,
  ): Tensor[] {
    const [T, B, nin] = x.shape as [number, number, number];
    const u = U.shape[0];
    const G = 4 * u;
    const dHs = tf.unstack(dH);
    const gs = tf.unstack(gates);
    const cs = tf.unstack(C);
    const tcs = tf.unstack(TC);
    let dhNext: Tensor = tf.zeros([B, u]);
    let dcNext: Tensor = tf.zeros([B, u]);
    const dzs: Tensor[] = new Array<Tensor>(T);
    const one = tf.scalar(1);
    for (let t = T - 1; t >= 0; t--) {
      const dh = tf.add(dHs[t]!, dhNext);
      const [i, f, g, o] = tf.split(gs[t]!, 4, 1) as [Tensor, Tensor, Tensor, Tensor];
      const tc = tcs[t]!;
      const dc = tf.add(tf.mul(tf.mul(dh, o), tf.sub(one, tf.square(tc))), dcNext);
      const cPrev = t > 0 ? cs[t - 1]! : tf.zerosLike(tc);
      dcNext = tf.mul(dc, f);
      const dzi = tf.mul(tf.mul(dc, g), tf.mul(i, tf.sub(one, i)));
      const dzf = tf.mul(tf.mul(dc, cPrev), tf.mul(f, tf.sub(one, f)));
      const dzg = tf.mul(tf.mul(dc, i), tf.sub(one, tf.square(g)));
      const dzo = tf.mul(tf.mul(dh, tc), tf.mul(o, tf.sub(one, o)));
      const dz = tf.concat([dzi, dzf, dzg, dzo], 1);
      dzs[t] = dz;
      dhNext = tf.matMul(dz, U, false, true);
    }
    const dZ = tf.reshape(tf.stack(dzs), [T * B, G]);
    const hPrev = tf.reshape(tf.concat([tf.zeros([1, B, u]), tf.slice(H, [0, 0, 0], [T - 1, B, u])], 0), [T * B, u]);
    const xr = tf.reshape(x, [T * B, nin]);
    const dW = tf.matMul(xr, dZ, true, false);
    const dU = tf.matMul(hPrev, dZ, true, false);
    const db = tf.sum(dZ, 0);
    if (!inputGrad) return [dW, dU, db];
    const dX = tf.reshape(tf.matMul(dZ, W, false, true), [T, B, nin]);
    return [dX, dW, dU, db];
  }

  function lstmCaches(x: Tensor, W: Tensor, U: Tensor, b: Tensor): Tensor[] {
    return fused()
      ? run(FWD, { x, kernel: W, recurrentKernel: U, bias: b }, { caches: true })
      : compositeForward(x, W, U, b, true);
  }
  function lstmGrads(dH: Tensor, saved: Tensor[], inputGrad: boolean): Tensor[] {
    const [x, W, U, H, gates, C, TC] = saved as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
    if (fused()) return run(BWD, { dH, x, kernel: W, recurrentKernel: U, h: H, gates, c: C, tc: TC }, { inputGrad });
    return compositeBackward(dH, x, W, U, H, gates, C, TC, inputGrad);
  }

  const lstmOp = tf.customGrad((...args: (Tensor | TF.GradSaveFunc)[]) => {
    const [x, W, U, b, save] = args as [Tensor, Tensor, Tensor, Tensor, TF.GradSaveFunc];
    const [H, gates, C, TC] = lstmCaches(x, W, U, b) as [Tensor, Tensor, Tensor, Tensor];
    save([x, W, U, H, gates, C, TC]);
    return { value: H, gradFunc: (dy: Tensor, saved: Tensor[]) => lstmGrads(dy, saved, true) };
  });

  function lstmConstInput(x: Tensor, W: Tensor, U: Tensor, b: Tensor): Tensor {
    const op = tf.customGrad((...args: (Tensor | TF.GradSaveFunc)[]) => {
      const [Wi, Ui, bi, save] = args as [Tensor, Tensor, Tensor, TF.GradSaveFunc];
      const [H, gates, C, TC] = lstmCaches(x, Wi, Ui, bi) as [Tensor, Tensor, Tensor, Tensor];
      save([x, Wi, Ui, H, gates, C, TC]);
      return { value: H, gradFunc: (dy: Tensor, saved: Tensor[]) => lstmGrads(dy, saved, false) };
    });
    return op(W, U, b);
  }

  function lstmInfer(x: Tensor, W: Tensor, U: Tensor, b: Tensor): Tensor {
    return fused()
      ? run(FWD, { x, kernel: W, recurrentKernel: U, bias: b })[0]!
      : compositeForward(x, W, U, b, false)[0]!;
  }

  // ---------------------------------------------------------------- attention head
  function compositeHead(
    h2: Tensor,
    W: Tensor,
    b: Tensor,
    v: Tensor,
    dk: Tensor,
    db: Tensor,
    mask: Tensor | null,
  ): { logit: Tensor; alpha: Tensor } {
    const [T, B, u] = h2.shape as [number, number, number];
    const A = W.shape[1]!;
    const e = tf.tanh(tf.add(tf.matMul(tf.reshape(h2, [T * B, u]), W), b));
    const s = tf.reshape(tf.matMul(e, tf.reshape(v, [A, 1])), [T, B]);
    const alpha = tf.softmax(tf.transpose(s), -1);
    const ctx = tf.sum(tf.mul(tf.expandDims(tf.transpose(alpha), 2), h2), 0);
    const dropped = mask === null ? ctx : tf.mul(ctx, mask);
    const logit = tf.reshape(tf.add(tf.matMul(dropped, dk), db), [B * (dk.shape[1] ?? 1)]);
    return { logit, alpha };
  }

  function head(h2: Tensor, W: Tensor, b: Tensor, v: Tensor, dk: Tensor, db: Tensor, mask: Tensor | null): Tensor {
    if (!fused()) return compositeHead(h2, W, b, v, dk, db, mask).logit;
    const op = tf.customGrad((...args: (Tensor | TF.GradSaveFunc)[]) => {
      const [hi, Wi, bi, vi, dki, dbi, save] = args as [
        Tensor,
        Tensor,
        Tensor,
        Tensor,
        Tensor,
        Tensor,
        TF.GradSaveFunc,
      ];
      const inputs: Record<string, Tensor> = { h: hi, W: Wi, b: bi, v: vi, denseKernel: dki, denseBias: dbi };
      if (mask !== null) inputs.mask = mask;
      const [logit, alpha, E, ctx] = run(HFWD, inputs, { caches: true }) as [Tensor, Tensor, Tensor, Tensor];
      save([hi, Wi, vi, dki, alpha, E, ctx]);
      return {
        value: logit,
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const [hs, Ws, vs, dks, as, Es, cs] = saved as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
          const bin: Record<string, Tensor> = {
            dLogit: dy,
            h: hs,
            W: Ws,
            v: vs,
            denseKernel: dks,
            alpha: as,
            E: Es,
            ctx: cs,
          };
          if (mask !== null) bin.mask = mask;
          return run(HBWD, bin);
        },
      };
    });
    return op(h2, W, b, v, dk, db);
  }

  function headInfer(
    h2: Tensor,
    W: Tensor,
    b: Tensor,
    v: Tensor,
    dk: Tensor,
    db: Tensor,
  ): { logit: Tensor; alpha: Tensor } {
    if (!fused()) return compositeHead(h2, W, b, v, dk, db, null);
    const [logit, alpha] = run(HFWD, { h: h2, W, b, v, denseKernel: dk, denseBias: db }) as [Tensor, Tensor];
    return { logit, alpha };
  }

  // ---------------------------------------------------------------- loss
  const weightedBce = (logit: Tensor, y: Tensor, w: Tensor): Tensor => {
    if (fused()) {
      const fop = tf.customGrad((...args: (Tensor | TF.GradSaveFunc)[]) => {
        const [l, save] = args as [Tensor, TF.GradSaveFunc];
        save([l]);
        return {
          value: run(LFWD, { logit: l, y, w })[0]!,
          gradFunc: (dy: Tensor, saved: Tensor[]) => run(LBWD, { dy, logit: saved[0]!, y, w })[0]!,
        };
      });
      return fop(logit);
    }
    const op = tf.customGrad((...args: (Tensor | TF.GradSaveFunc)[]) => {
      const [l, save] = args as [Tensor, TF.GradSaveFunc];
      // softplus(l) − y·l, computed stably as max(l, 0) − y·l + log(1 + e^(−|l|))
      const value = tf.sum(tf.mul(w, tf.add(tf.sub(tf.relu(l), tf.mul(y, l)), tf.log1p(tf.exp(tf.neg(tf.abs(l)))))));
      save([l]);
      return {
        value,
        gradFunc: (dy: Tensor, saved: Tensor[]) => tf.mul(dy, tf.mul(w, tf.sub(tf.sigmoid(saved[0]!), y))),
      };
    });
    return op(logit);
  };

  function network(weights: readonly Tensor[], batch: ShardBatch): Tensor {
    const [k1, r1, b1, k2, r2, b2, aW, ab, av, dk, db] = weights as [
      Tensor,
      Tensor,
      Tensor,
      Tensor,
      Tensor,
      Tensor,
      Tensor,
      Tensor,
      Tensor,
      Tensor,
      Tensor,
    ];
    const h1 = lstmConstInput(batch.x, k1, r1, b1);
    const h2 = lstmOp(h1, k2, r2, b2);
    const logit = head(h2, aW, ab, av, dk, db, batch.mask);
    return weightedBce(logit, batch.y, batch.w);
  }

  function lossAndGrads(weights: readonly Tensor[], batch: ShardBatch): { loss: number; grads: Float32Array[] } {
    // tensors out of the tidy scope, arrays after it (tidy would walk every element of an array result)
    const { value, grads } = tf.tidy(() => tf.valueAndGrads((...ws: Tensor[]) => network(ws, batch))([...weights]));
    try {
      // the wasm backend's dataSync already returns a copy; other backends may hand out their own buffer
      const copy = !fused();
      return {
        loss: value.dataSync()[0]!,
        grads: grads.map((g) => (copy ? (g.dataSync() as Float32Array).slice() : (g.dataSync() as Float32Array))),
      };
    } finally {
      tf.dispose([value, ...grads]);
    }
  }

  function forward(
    weights: readonly Tensor[],
    x: Tensor,
    withAttention: boolean,
  ): { prob: Float32Array; alpha: Float32Array | null } {
    const [p, a] = tf.tidy(() => {
      const [k1, r1, b1, k2, r2, b2, aW, ab, av, dk, db] = weights as [
        Tensor,
        Tensor,
        Tensor,
        Tensor,
        Tensor,
        Tensor,
        Tensor,
        Tensor,
        Tensor,
        Tensor,
        Tensor,
      ];
      const h1 = lstmInfer(x, k1, r1, b1);
      const h2 = lstmInfer(h1, k2, r2, b2);
      const { logit, alpha } = headInfer(h2, aW, ab, av, dk, db);
      return [tf.sigmoid(logit), alpha];
    });
    try {
      const prob = (p.dataSync() as Float32Array).slice();
      return { prob, alpha: withAttention ? (a.dataSync() as Float32Array).slice() : null };
    } finally {
      tf.dispose([p, a]);
    }
  }

  function gather(
    data: Float32Array,
    length: number,
    features: number,
    rows: ArrayLike<number> | null,
    from: number,
    to: number,
  ): Float32Array {
    const out = new Float32Array(length * (to - from) * features);
    gatherInto(out, data, length, features, rows, from, to);
    return out;
  }

  function gatherInto(
    out: Float32Array,
    data: Float32Array,
    length: number,
    features: number,
    rows: ArrayLike<number> | null,
    from: number,
    to: number,
  ): void {
    const B = to - from;
    const win = length * features;
    const step = B * features;
    for (let b = 0; b < B; b++) {
      const src = (rows === null ? from + b : rows[from + b]!) * win;
      let o = b * features;
      for (let so = src; so < src + win; so += features) {
        for (let f = 0; f < features; f++) out[o + f] = data[so + f]!;
        o += step;
      }
    }
  }

  function gatherTensor(
    data: Float32Array,
    length: number,
    features: number,
    rows: ArrayLike<number> | null,
    from: number,
    to: number,
  ): Tensor {
    const shape: [number, number, number] = [length, to - from, features];
    if (!fused()) return tf.tensor3d(gather(data, length, features, rows, from, to), shape);
    // no JS-side copy of the batch: the windows are gathered into the tensor's own memory
    const be = WasmHeap.of(tf.backend());
    const info = be.alloc(shape);
    gatherInto(be.view(info), data, length, features, rows, from, to);
    return tf.engine().makeTensorFromTensorInfo(info);
  }

  return {
    fused,
    simdActive: () => fusedState()?.simd === true,
    gather,
    gatherTensor,
    lstm: (x, W, U, b) => lstmOp(x, W, U, b),
    lstmConstInput,
    head,
    headInfer,
    lstmInfer,
    weightedBce,
    lossAndGrads,
    forward,
  };
}
