/**
 * Profiling run of LSTM training on FD001:
 * `node --cpu-prof node_modules/vite-node/vite-node.mjs bench/lstm/profile.ts [--epochs N] [--threads N]`.
 * Prints each epoch's seconds, losses and process CPU seconds; the CPU profile shows where the time goes.
 *
 * Where an epoch's time went (one thread, default model, 14.5 k training windows, batch 256; share of
 * the samples inside trainLstm):
 * - XNNPACK f32 GEMM micro-kernel 57 % (backward 60 % of it: the weight gradients over all T·B rows,
 *   dz·Uᵀ per step, dX of layer 2; forward 40 %: one [x | h | 1]·[W; U; b] per step), plus 6 % in
 *   its driver and packing; about 47 G multiply-adds per epoch, ~30 GFLOP/s on one core;
 * - XNNPACK sigmoid 5 % (gates and tanh c), the SIMD gate / hidden-state / BPTT passes 7 %;
 * - the attention head's JavaScript loops 6.5 % (forward 3.4 %, backward 3.0 %);
 * - batch gathering into time-major order 2 % plus its 600 kB arrays (garbage collection was 6 %
 *   of the whole profile), tfjs identity copies in customGrad 2 %, engine dispatch ~3 %;
 * - Adam, the weight writes and the worker messages: under 1 % each.
 * With the SIMD module's matmul in place of XNNPACK's (simd.ts; profile of the first version, with
 * FMA, on a machine under load, so the shares are of samples, not CPU time): the matmul 55 % (at
 * about 23 G multiply-adds/s on the step and weight-gradient shapes, near the two-FMA-per-cycle
 * peak of 128-bit SIMD, bench/lstm/matmul.ts), XNNPACK sigmoid 6 %, the attention head's JavaScript
 * loops 9 %, the scalar transposes 4 % (since then no longer used for the weight gradients), the
 * LSTM forward kernel's JavaScript 4 %, the BPTT step pass 3 %, customGrad identity copies 3 %.
 */
import { selectBackend, trainLstm } from '../../src/main/core/models/lstm';
import { loadFd001 } from './fd001';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = (flag: string, d: number): number => {
    const i = args.indexOf(flag);
    return i >= 0 ? Number(args[i + 1]) : d;
  };
  await selectBackend({ prefer: 'wasm' });
  const fd = await loadFd001({ rank: false });
  let cpu = process.cpuUsage();
  const cpuSeconds: number[] = [];
  const r = await trainLstm(
    fd.train,
    fd.valid,
    { epochs: at('--epochs', 2), patience: 0 },
    {
      backend: 'wasm',
      threads: at('--threads', 1),
      onEpoch: () => {
        const d = process.cpuUsage(cpu);
        cpu = process.cpuUsage();
        cpuSeconds.push((d.user + d.system) / 1e6);
      },
    },
  );
  process.stderr.write(`threads ${r.threads} kernels ${r.kernels}: epochs ${r.history.map((h) => `${h.seconds.toFixed(2)} s (loss ${h.loss.toFixed(4)}, val ${h.valLoss.toFixed(4)})`).join(', ')}; process CPU ${cpuSeconds.map((c) => c.toFixed(2)).join(', ')} s\n`);
  r.model.dispose();
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
