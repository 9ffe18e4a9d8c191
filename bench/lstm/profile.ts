/**
 * Profiling run of LSTM training on FD001: `node --cpu-prof node_modules/.bin/vite-node bench/lstm/profile.ts [--epochs N] [--threads N]`.
 * Prints each epoch's seconds; the CPU profile shows where the time goes.
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
