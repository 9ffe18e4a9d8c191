// Measures the calibration of FD001 default training (GBDT + LSTM, no config file): trains on
// train_FD001.txt in a fresh store, then scores the official test file. Prints the calibration the
// run chose on its validation units, the ECE on its held-out test units, and the ECE per model on the
// official test set (evaluate --json). Nothing here is tuned: the test figures are only read.
//
//   node scripts/calibration-fd001.mjs [--keep]     (build first: npx electron-vite build)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const data = resolve(root, '../shared/data/cmapss');
const store = mkdtempSync(join(tmpdir(), 'prognos-calib-'));

function prognos(...args) {
  const r = spawnSync(process.execPath, [join(root, 'bin/prognos.js'), ...args, '--store', store, '--json'], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`prognos ${args[0]} exited with ${r.status}`);
  return JSON.parse(r.stdout);
}

const f = (v) => (v === null || v === undefined ? '—' : v.toFixed(4));
try {
  const t0 = Date.now();
  const trained = prognos('train', '--dataset', join(data, 'train_FD001.txt'));
  const c = trained.calibration;
  process.stdout.write(`run ${trained.runId} (${((Date.now() - t0) / 1000).toFixed(0)} s), ensemble weight ${trained.weight}, threshold ${trained.threshold}\n`);
  process.stdout.write(`calibration: ${c.method} (${c.chosenBy}; held-out log-loss ${c.cv.map((m) => `${m.method} ${f(m.logLoss)}`).join(', ')})\n`);
  process.stdout.write(`ECE validation ${f(c.ece.validation)} (uncalibrated ${f(c.uncalibrated.ece.validation)}), test split ${f(c.ece.test)} (uncalibrated ${f(c.uncalibrated.ece.test)})\n`);
  const ev = prognos('evaluate', '--run', trained.runId, '--data', join(data, 'test_FD001.txt'), '--rul', join(data, 'RUL_FD001.txt'));
  for (const model of Object.keys(ev.allCycles)) {
    process.stdout.write(`official test ${model}: all cycles ECE ${f(ev.allCycles[model].ece)} F2 ${f(ev.allCycles[model].f2)} ROC-AUC ${f(ev.allCycles[model].rocAuc)}; last cycle ECE ${f(ev.lastCycle[model].ece)} F2 ${f(ev.lastCycle[model].f2)}\n`);
  }
} finally {
  if (process.argv.includes('--keep')) process.stdout.write(`store kept at ${store}\n`);
  else rmSync(store, { recursive: true, force: true });
}
