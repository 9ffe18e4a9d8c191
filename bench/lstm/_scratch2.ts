import { loadFd001 } from './fd001';
import { trainLstm } from '../../src/main/core/models/lstm';

async function main(): Promise<void> {
  let t = performance.now();
  const fd = await loadFd001({ rank: false });
  console.log('data', ((performance.now() - t) / 1000).toFixed(1), 's', fd.train.n, fd.valid.n, fd.test.n, 'padded', fd.train.padded);
  t = performance.now();
  const threads = Number(process.argv[2] ?? 2);
  const r = await trainLstm(fd.train, fd.valid, { epochs: 2, patience: 0 }, {
    threads,
    onBatch: (b) => { if (b.batch % 20 === 0) console.log('batch', b.epoch, b.batch, b.batches, b.loss.toFixed(4)); },
    onEpoch: (e) => console.log('epoch', e.epoch, e.loss.toFixed(4), e.valLoss.toFixed(4), e.seconds.toFixed(2), 's'),
  });
  console.log('threads', r.threads, r.threadNote, 'total', r.seconds.toFixed(1));
}
void main();
