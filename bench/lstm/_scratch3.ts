import * as tf from '@tensorflow/tfjs';
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
  for (let it = 0; it < 12; it++) {
    const t0 = performance.now();
    const g = localGradients(rt, { length: 30, dims: arch }, model.variables(), fd.train, { rows, y, w, mask: null });
    const t1 = performance.now();
    const x = tf.tensor3d(rt.gather(fd.train.data, 30, 40, rows, 0, B), [30, B, 40]);
    const t2 = performance.now();
    const ws = model.variables();
    const h1 = rt.lstmInfer(x, ws[0]!, ws[1]!, ws[2]!);
    const t3 = performance.now();
    const h2 = rt.lstmInfer(h1, ws[3]!, ws[4]!, ws[5]!);
    const t4 = performance.now();
    const hd = rt.headInfer(h2, ws[6]!, ws[7]!, ws[8]!, ws[9]!, ws[10]!);
    const t5 = performance.now();
    tf.dispose([x, h1, h2, hd.logit, hd.alpha]);
    if (it >= 9) console.log(`grad ${(t1 - t0).toFixed(1)}ms  fwd: gather ${(t2 - t1).toFixed(1)} l1 ${(t3 - t2).toFixed(1)} l2 ${(t4 - t3).toFixed(1)} head ${(t5 - t4).toFixed(1)}  loss ${g.loss.toFixed(4)} tensors ${tf.memory().numTensors}`);
  }
}
void main();
