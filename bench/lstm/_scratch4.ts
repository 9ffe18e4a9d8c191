import { loadFd001 } from './fd001';
import { selectBackend, lstmRuntime, LstmModel } from '../../src/main/core/models/lstm';
import { localGradients } from '../../src/main/core/models/lstm/pool';

async function main(): Promise<void> {
  const fd = await loadFd001({ rank: false });
  await selectBackend();
  const rt = lstmRuntime();
  const arch = { features: 40, length: 30, units1: 64, units2: 32, attentionUnits: 32, dropout: 0.2 };
  const model = LstmModel.create(arch, 1);
  const B = Number(process.argv[2] ?? 128);
  const rows = Int32Array.from({ length: B }, (_, i) => i * 7);
  const y = Float32Array.from({ length: B }, (_, i) => i % 2);
  const w = new Float32Array(B).fill(1 / B);
  const G = globalThis as unknown as { __p: Record<string, number> };
  let total = 0;
  for (let it = 0; it < 120; it++) {
    if (it === 10) { G.__p = {}; total = 0; }
    const t0 = (() => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; })();
    localGradients(rt, { length: 30, dims: arch }, model.variables(), fd.train, { rows, y, w, mask: null });
    total += (() => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; })() - t0;
  }
  const n = 110;
  console.log('grad per call', (total / n).toFixed(1), 'ms');
  for (const [k, v] of Object.entries(G.__p)) console.log(k.padEnd(10), (v / n).toFixed(2));
}
void main();
