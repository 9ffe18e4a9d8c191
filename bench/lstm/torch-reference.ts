/**
 * The PyTorch reference of the LSTM benchmarks: the same architecture (LSTM 64 → LSTM 32 → additive
 * attention → dropout → dense + sigmoid), the same windows, batch size, Adam, class-weighted BCE,
 * float32, two threads. Data goes through temporary little-endian float32 files.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabelledWindows } from '../../src/main/core/models/lstm';
import { PYTHON } from '../python';
import { spawnSync } from 'node:child_process';

export interface TorchResult {
  version: string;
  /** seconds per epoch (training pass + validation forward pass), in order */
  epochs: number[];
  /** CPU seconds (user + system, all threads of the process) per epoch, in order */
  cpu: number[];
  /** seconds for a forward pass over the inference windows */
  infer: number;
  inferWindows: number;
}

const SCRIPT = String.raw`
import json, sys, time
import numpy as np
import torch, torch.nn as nn

cfg = json.loads(sys.argv[1])
torch.set_num_threads(cfg['threads'])
torch.manual_seed(0)
T, F = cfg['length'], cfg['features']

def load(name):
    n = cfg[name + 'N']
    x = torch.from_numpy(np.fromfile(cfg[name + 'X'], dtype='<f4').reshape(n, T, F).copy())
    y = torch.from_numpy(np.fromfile(cfg[name + 'Y'], dtype=np.uint8).astype(np.float32)) if cfg.get(name + 'Y') else None
    return x, y

xt, yt = load('train')
xv, yv = load('valid')
xi, _ = load('infer')

class Net(nn.Module):
    def __init__(s, u1, u2, a, p):
        super().__init__()
        s.l1 = nn.LSTM(F, u1, batch_first=True)
        s.l2 = nn.LSTM(u1, u2, batch_first=True)
        s.W = nn.Linear(u2, a)
        s.v = nn.Linear(a, 1, bias=False)
        s.drop = nn.Dropout(p)
        s.out = nn.Linear(u2, 1)
    def forward(s, x):
        h, _ = s.l1(x)
        h, _ = s.l2(h)
        alpha = torch.softmax(s.v(torch.tanh(s.W(h))).squeeze(-1), dim=1)
        ctx = (alpha.unsqueeze(-1) * h).sum(1)
        return s.out(s.drop(ctx)).squeeze(-1)

m = Net(cfg['units1'], cfg['units2'], cfg['attention'], cfg['dropout'])
opt = torch.optim.Adam(m.parameters(), lr=cfg['lr'], eps=1e-7)
pos = float(yt.sum()); posw = (len(yt) - pos) / pos
B = cfg['batch']
times = []
cpu = []
for ep in range(cfg['epochs']):
    t0 = time.perf_counter()
    c0 = time.process_time()
    m.train()
    perm = torch.randperm(len(xt))
    for i in range(0, len(xt), B):
        idx = perm[i:i + B]
        logit = m(xt[idx])
        y = yt[idx]
        w = torch.where(y > 0, torch.tensor(posw), torch.tensor(1.0))
        loss = nn.functional.binary_cross_entropy_with_logits(logit, y, weight=w)
        opt.zero_grad()
        loss.backward()
        opt.step()
    m.eval()
    with torch.no_grad():
        for i in range(0, len(xv), 1024):
            torch.sigmoid(m(xv[i:i + 1024]))
    times.append(time.perf_counter() - t0)
    cpu.append(time.process_time() - c0)
m.eval()
t0 = time.perf_counter()
with torch.no_grad():
    for i in range(0, len(xi), cfg['inferBatch']):
        torch.sigmoid(m(xi[i:i + cfg['inferBatch']]))
infer = time.perf_counter() - t0
print(json.dumps({'version': torch.__version__, 'epochs': times, 'cpu': cpu, 'infer': infer, 'inferWindows': len(xi)}))
`;

export function torchAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
}

export interface TorchRunOptions {
  dir: string;
  train: LabelledWindows;
  valid: LabelledWindows;
  infer: LabelledWindows;
  epochs: number;
  batchSize: number;
  inferBatch: number;
  units1: number;
  units2: number;
  attentionUnits: number;
  dropout: number;
  learningRate: number;
  threads: number;
}

function write(dir: string, name: string, w: LabelledWindows, cfg: Record<string, unknown>, labels: boolean): void {
  const x = join(dir, `${name}.x.f32`);
  writeFileSync(x, Buffer.from(w.data.buffer, w.data.byteOffset, w.n * w.length * w.features * 4));
  cfg[`${name}X`] = x;
  cfg[`${name}N`] = w.n;
  if (labels) {
    const y = join(dir, `${name}.y.u8`);
    writeFileSync(
      y,
      Uint8Array.from({ length: w.n }, (_, i) => w.labels[i]!),
    );
    cfg[`${name}Y`] = y;
  }
}

export function runTorchReference(o: TorchRunOptions): TorchResult {
  if (new Uint8Array(new Float32Array([1]).buffer)[3] !== 0x3f)
    throw new Error('the reference data files assume a little-endian host');
  const cfg: Record<string, unknown> = {
    threads: o.threads,
    length: o.train.length,
    features: o.train.features,
    units1: o.units1,
    units2: o.units2,
    attention: o.attentionUnits,
    dropout: o.dropout,
    lr: o.learningRate,
    batch: o.batchSize,
    epochs: o.epochs,
    inferBatch: o.inferBatch,
  };
  write(o.dir, 'train', o.train, cfg, true);
  write(o.dir, 'valid', o.valid, cfg, true);
  write(o.dir, 'infer', o.infer, cfg, false);
  const r = spawnSync(PYTHON, ['-c', SCRIPT, JSON.stringify(cfg)], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, OMP_NUM_THREADS: String(o.threads), MKL_NUM_THREADS: String(o.threads) },
  });
  if (r.status !== 0) throw new Error(`PyTorch reference failed: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as TorchResult;
}
