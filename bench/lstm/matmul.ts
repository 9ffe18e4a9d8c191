/**
 * The SIMD module's matmul (simd.ts) beside XNNPACK's GEMM (the wasm backend's BatchMatMul kernel,
 * which the fused LSTM kernels called before) on the shapes of one FD001 training batch shard:
 * `npx vite-node bench/lstm/matmul.ts`.
 *
 * Shapes (M × K × N, default model: 40 features, 64 + 32 units, shards of 128 windows, T = 30):
 * the per-step forward matmuls [x | h | 1]·[W; U; b] of both layers, the per-step BPTT products
 * dz·Uᵀ, the weight gradients over all T·B rows and layer 2's input gradient. Each line gives the
 * process CPU microseconds per call (user + system, so other load on the machine inflates it
 * little) of XNNPACK, the multiply-then-add build and the FMA build (relaxed SIMD, when this
 * process has it), their ratios to XNNPACK, and the largest difference from XNNPACK's result
 * (0 for the multiply-then-add build: the same sums). Calls are interleaved in rounds so that a
 * burst of load hits all three alike; the figure is the median round.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/main/core/models/lstm/backend';
import { lstmSimdModuleBytes, relaxedMaddFuses, relaxedSimdAvailable } from '../../src/main/core/models/lstm/simd';
import { WasmHeap } from '../../src/main/core/models/lstm/wasm-heap';

type MatMul = (a: number, b: number, c: number, M: number, N: number, K: number, lda: number, acc: number) => void;
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: { matmul: MatMul } };
}

/** Rows of b per call, as in runtime.ts (MM_KC). */
const KC = 256;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

async function main(): Promise<void> {
  await selectBackend({ prefer: 'wasm' });
  const be = WasmHeap.of(tf.backend());
  const memory = be.memory();
  if (memory === null) throw new Error('the wasm backend does not expose its memory');
  const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const builds: [string, MatMul][] = [
    ['mul-add', new WA.Instance(new WA.Module(lstmSimdModuleBytes(false)), { env: { memory } }).exports.matmul],
  ];
  if (relaxedSimdAvailable()) {
    builds.push(['fma', new WA.Instance(new WA.Module(lstmSimdModuleBytes(true)), { env: { memory } }).exports.matmul]);
  }
  console.log(
    `relaxed SIMD ${relaxedSimdAvailable() ? 'on' : 'off'}, multiply-add ${relaxedMaddFuses() ? 'fused' : 'not fused'}`,
  );
  const xnn = tf.getKernel('BatchMatMul', 'wasm').kernelFunc as unknown as (args: {
    inputs: { a: tf.TensorInfo; b: tf.TensorInfo };
    backend: unknown;
    attrs: Record<string, boolean>;
  }) => tf.TensorInfo;
  const shapes: [string, number, number, number][] = [
    ['layer 1 step', 128, 105, 256],
    ['layer 2 step', 128, 97, 128],
    ['layer 1 dz·Uᵀ', 128, 256, 64],
    ['layer 2 dz·Uᵀ', 128, 128, 32],
    ['layer 1 weight gradient', 105, 3840, 256],
    ['layer 2 weight gradient', 97, 3840, 128],
    ['layer 2 input gradient', 3840, 128, 64],
  ];
  for (const [what, M, K, N] of shapes) {
    const a = be.alloc([M, K]);
    const b = be.alloc([K, N]);
    const c = be.alloc([M, N]);
    const av = be.view(a);
    for (let i = 0; i < av.length; i++) av[i] = Math.sin(i);
    const bv = be.view(b);
    for (let i = 0; i < bv.length; i++) bv[i] = Math.cos(0.7 * i);
    const reps = Math.max(3, Math.round(1e8 / (M * N * K)));
    let ref: Float32Array | null = null;
    const runs: [string, () => void][] = [
      [
        'xnnpack',
        (): void => {
          const r = xnn({ inputs: { a, b }, backend: be.backend, attrs: { transposeA: false, transposeB: false } });
          ref ??= be.view(r).slice();
          be.free(r);
        },
      ],
      ...builds.map(([name, mm]): [string, () => void] => [
        name,
        (): void => {
          for (let k0 = 0; k0 < K; k0 += KC) {
            mm(be.offset(a) + 4 * k0, be.offset(b) + 4 * k0 * N, be.offset(c), M, N, Math.min(KC, K - k0), K, k0);
          }
        },
      ]),
    ];
    const times = runs.map(() => [] as number[]);
    const diffs = runs.map(() => 0);
    for (let round = 0; round < 7; round++) {
      runs.forEach(([, fn], i) => {
        fn();
        const t0 = process.cpuUsage();
        for (let r = 0; r < reps; r++) fn();
        const d = process.cpuUsage(t0);
        times[i]!.push((d.user + d.system) / reps);
        if (i > 0) {
          const cv = be.view(c);
          for (let q = 0; q < cv.length; q++) diffs[i] = Math.max(diffs[i]!, Math.abs(cv[q]! - ref![q]!));
        }
      });
    }
    const base = median(times[0]!);
    const cells = runs.map(([name], i) => {
      const t = median(times[i]!);
      return i === 0
        ? `${name} ${t.toFixed(0)} µs`
        : `${name} ${t.toFixed(0)} µs (${(base / t).toFixed(2)}× faster, max |Δ| ${diffs[i]!.toExponential(1)})`;
    });
    console.log(`${what} ${M}×${K}×${N}: ${cells.join('; ')}`);
    be.free(a);
    be.free(b);
    be.free(c);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
