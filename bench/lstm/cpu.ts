/**
 * CPU time of an LSTM epoch on FD001, ours on one thread beside PyTorch on one and two threads,
 * run back to back and repeated: `npx vite-node bench/lstm/cpu.ts [--repeats R] [--epochs N]
 * [--skip-torch-2] [--joint]`.
 *
 * The same windows, architecture, batch size and optimiser as `lstm-epoch` (bench/lstm/lstm.ts).
 * Each trainer's figure per repeat is the median CPU seconds (user + system of the whole process)
 * of its epochs 2..N (epoch 1 carries start-up work); the summary prints the median over repeats.
 * CPU time, unlike wall time, is only mildly inflated by other load on the machine (shared caches
 * and memory bandwidth), so the ratios stay meaningful on a busy machine. With `--joint`, each
 * repeat also trains the joint classification + RUL network on one thread.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LSTM_PARAMS, selectBackend, trainLstm, type LstmTarget } from '../../src/main/core/models/lstm';
import { parseTrainConfig } from '../../src/main/core/pipeline/config';
import { rulPerRow } from '../../src/main/core/labels';
import { loadFd001 } from './fd001';
import { runTorchReference, torchAvailable } from './torch-reference';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = (flag: string, d: number): number => {
    const i = args.indexOf(flag);
    return i >= 0 ? Number(args[i + 1]) : d;
  };
  const repeats = at('--repeats', 3);
  const epochs = Math.max(2, at('--epochs', 3));
  const joint = args.includes('--joint');
  await selectBackend({ prefer: 'wasm' });
  const fd = await loadFd001({ rank: false });
  const cap = parseTrainConfig({}).rul.cap;
  const rul = rulPerRow(fd.table);
  const withFractions = <S extends { rows: Int32Array }>(s: S): S & { fractions: Float32Array } => ({
    ...s,
    fractions: Float32Array.from(s.rows, (r) => Math.min(rul[r]!, cap) / cap),
  });
  const p = DEFAULT_LSTM_PARAMS;
  const results: Record<string, number[]> = {};
  const add = (name: string, v: number): void => {
    (results[name] ??= []).push(v);
    console.error(`  ${name}: ${v.toFixed(3)}`);
  };

  const ours = async (target: LstmTarget): Promise<number> => {
    const cpu: number[] = [];
    let c0 = process.cpuUsage();
    const r = await trainLstm(
      target === 'joint' ? withFractions(fd.train) : fd.train,
      target === 'joint' ? withFractions(fd.valid) : fd.valid,
      { epochs, patience: 0 },
      {
        backend: 'wasm',
        threads: 1,
        target,
        onEpoch: () => {
          const d = process.cpuUsage(c0);
          c0 = process.cpuUsage();
          cpu.push((d.user + d.system) / 1e6);
        },
      },
    );
    r.model.dispose();
    if (r.kernels !== 'fused-simd') throw new Error(`expected the fused SIMD kernels, ran ${r.kernels}`);
    return median(cpu.slice(1));
  };

  const dir = mkdtempSync(join(tmpdir(), 'prognos-bench-lstm-cpu-'));
  const torch = (threads: number): number => {
    const r = runTorchReference({
      dir,
      train: fd.train,
      valid: fd.valid,
      infer: { ...fd.valid, n: Math.min(fd.valid.n, 256) },
      epochs,
      batchSize: p.batchSize,
      inferBatch: 256,
      units1: p.units1,
      units2: p.units2,
      attentionUnits: p.attentionUnits,
      dropout: p.dropout,
      learningRate: p.learningRate,
      threads,
    });
    return median(r.cpu.slice(1));
  };
  const haveTorch = torchAvailable();
  try {
    for (let k = 0; k < repeats; k++) {
      const line: string[] = [];
      const o = await ours('class');
      add('ours 1 thread', o);
      line.push(`ours ${o.toFixed(2)}`);
      if (joint) {
        const j = await ours('joint');
        add('ours joint 1 thread', j);
        add('joint / classification', j / o);
        line.push(`joint ${j.toFixed(2)} (${(j / o).toFixed(3)}×)`);
      }
      if (haveTorch) {
        const t1 = torch(1);
        add('PyTorch 1 thread', t1);
        add('ours / PyTorch 1 thread', o / t1);
        line.push(`PyTorch 1 thread ${t1.toFixed(2)} (${(o / t1).toFixed(3)}×)`);
        if (!args.includes('--skip-torch-2')) {
          const t2 = torch(2);
          add('PyTorch 2 threads', t2);
          add('ours / PyTorch 2 threads', o / t2);
          line.push(`PyTorch 2 threads ${t2.toFixed(2)} (${(o / t2).toFixed(3)}×)`);
        }
      }
      console.log(`repeat ${k + 1}: CPU s per epoch (median of epochs 2..${epochs}): ${line.join(', ')}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (!haveTorch) console.log('PyTorch reference not run: /usr/bin/python3 cannot import torch (apt-get install python3-torch)');
  console.log(`medians over ${repeats} repeats (CPU seconds per epoch; ratios are per-repeat ratios' medians):`);
  for (const [name, xs] of Object.entries(results)) {
    console.log(`  ${name.padEnd(26)} ${median(xs).toFixed(3)}  [${xs.map((x) => x.toFixed(3)).join(', ')}]`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
