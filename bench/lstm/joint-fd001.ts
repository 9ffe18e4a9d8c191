/**
 * Joint classification + RUL network against the two separate networks, on FD001's validation units:
 * `nice -n 10 npx vite-node bench/lstm/joint-fd001.ts [--seed S] [--only class|fraction|joint] [--json FILE]`.
 *
 * The pipeline's data steps (split 70/15/15 by unit, features fitted on the training units, the
 * pipeline's top-40 ranking, scaler on the training rows, training windows at every row of the
 * training units, validation windows at every full-window row of the validation units) and the
 * default LSTM parameters with early stopping on the validation units. Three trainings:
 * - class: the classifier alone (target 'class'), as the pipeline's LSTM stage trains it;
 * - fraction: the RUL network alone (target 'fraction' on min(RUL, cap) / cap), as the RUL stage does;
 * - joint: one network with both outputs (target 'joint').
 * Printed per network: validation F2 (threshold tuned on the validation windows, as the pipeline
 * tunes it), ROC-AUC and PR-AUC; validation RUL RMSE over every validation window and at one seeded
 * cut cycle per unit (the pipeline's "as if cut" rows), against the true (uncapped) RUL; and the
 * epochs trained and CPU seconds. The official test files are never read.
 */
import { writeFileSync } from 'node:fs';
import { computeMetrics, tuneThreshold } from '../../src/main/core/eval/metrics';
import { rulPerRow } from '../../src/main/core/labels';
import { trainLstm, type LstmTarget } from '../../src/main/core/models/lstm';
import { lstmTrainParams, parseTrainConfig } from '../../src/main/core/pipeline/config';
import { cutRows } from '../../src/main/core/rul/train-rul';
import { loadFd001 } from './fd001';

interface Outcome {
  target: LstmTarget;
  bestEpoch: number;
  epochs: number;
  cpuSeconds: number;
  f2?: number;
  threshold?: number;
  rocAuc?: number | null;
  prAuc?: number | null;
  rmseAll?: number;
  rmseCut?: number;
}

function rmse(pred: ArrayLike<number>, truth: ArrayLike<number>, idx?: Int32Array): number {
  let s = 0;
  const n = idx === undefined ? pred.length : idx.length;
  for (let k = 0; k < n; k++) {
    const i = idx === undefined ? k : idx[k]!;
    const d = pred[i]! - truth[i]!;
    s += d * d;
  }
  return Math.sqrt(s / n);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const seed = Number(at('--seed') ?? 42);
  const config = parseTrainConfig({ seed });
  const cap = config.rul.cap;
  const fd = await loadFd001({ seed, rank: true });
  const rul = rulPerRow(fd.table);
  const fraction = (rows: Int32Array): Float32Array => Float32Array.from(rows, (r) => Math.min(rul[r]!, cap) / cap);
  const truth = Float64Array.from(fd.valid.rows, (r) => rul[r]!);
  // the pipeline's cut rows of the validation units, as positions among the validation windows
  const cuts = cutRows(fd.table, fd.valid.rows, seed);
  const position = new Map<number, number>();
  fd.valid.rows.forEach((r, k) => position.set(r, k));
  const cutAt = Int32Array.from(cuts, (r) => position.get(r)!);
  console.log(
    `FD001 seed ${seed}: ${fd.split.train.length}/${fd.split.validation.length}/${fd.split.test.length} units; windows train ${fd.train.n}, validation ${fd.valid.n} (${cutAt.length} cut rows)`,
  );

  const only = at('--only');
  const targets = (['class', 'fraction', 'joint'] as const).filter((t) => only === undefined || t === only);
  const outcomes: Outcome[] = [];
  for (const target of targets) {
    const train =
      target === 'fraction'
        ? { ...fd.train, labels: fraction(fd.train.rows) }
        : target === 'joint'
          ? { ...fd.train, fractions: fraction(fd.train.rows) }
          : fd.train;
    const valid =
      target === 'fraction'
        ? { ...fd.valid, labels: fraction(fd.valid.rows) }
        : target === 'joint'
          ? { ...fd.valid, fractions: fraction(fd.valid.rows) }
          : fd.valid;
    const cpu0 = process.cpuUsage();
    const r = await trainLstm(train, valid, { ...lstmTrainParams(config), seed }, { target });
    const cpu = process.cpuUsage(cpu0);
    const o: Outcome = {
      target,
      bestEpoch: r.bestEpoch,
      epochs: r.history.length,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
    const p = r.model.predict(fd.valid);
    const outputs = target === 'joint' ? 2 : 1;
    if (target !== 'fraction') {
      const prob = Float32Array.from({ length: fd.valid.n }, (_, i) => p[i * outputs]!);
      o.threshold = tuneThreshold(prob, fd.valid.labels, 2);
      const m = computeMetrics(prob, fd.valid.labels, o.threshold);
      o.f2 = m.f2 ?? Number.NaN;
      o.rocAuc = m.rocAuc;
      o.prAuc = m.prAuc;
    }
    if (target !== 'class') {
      const k = outputs - 1;
      const pred = Float64Array.from({ length: fd.valid.n }, (_, i) => p[i * outputs + k]! * cap);
      o.rmseAll = rmse(pred, truth);
      o.rmseCut = rmse(pred, truth, cutAt);
    }
    r.model.dispose();
    outcomes.push(o);
    const f = (v: number | null | undefined): string => (v === undefined || v === null ? '—' : v.toFixed(4));
    console.log(
      `${target.padEnd(8)} best epoch ${o.bestEpoch} of ${o.epochs}, CPU ${o.cpuSeconds.toFixed(0)} s; F2 ${f(o.f2)} (threshold ${f(o.threshold)}), ROC-AUC ${f(o.rocAuc)}, PR-AUC ${f(o.prAuc)}; RUL RMSE all ${f(o.rmseAll)}, cut ${f(o.rmseCut)}`,
    );
  }
  const json = at('--json');
  if (json !== undefined) writeFileSync(json, JSON.stringify({ seed, cap, outcomes }, null, 2));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
