/**
 * Full FD001 quality run of the LSTM with the default parameters:
 * `npx vite-node bench/lstm/fd001-quality.ts [--seed S] [--json FILE]`.
 *
 * The pipeline's data steps (split 70/15/15 by unit, features fitted on the training units, the
 * pipeline's top-40 ranking, scaler on the training rows), training windows at every row of the
 * training units, early stopping on the validation units, the F2 threshold tuned on the validation
 * windows; then metrics on validation, on the held-out test units, and on the official test set
 * (test_FD001 + RUL_FD001: last cycle per unit, and all cycles with a full window).
 */
import { writeFileSync } from 'node:fs';
import { computeMetrics, tuneThreshold, type Metrics } from '../../src/main/core/eval/metrics';
import { scoreOfficial } from '../../src/main/core/eval/official';
import { trainLstm } from '../../src/main/core/models/lstm';
import { loadFd001, loadFd001Test } from './fd001';

function line(name: string, m: Metrics): string {
  const f = (v: number | null): string => (v === null ? '—' : v.toFixed(4));
  const c = m.confusion;
  return `${name.padEnd(22)} F2 ${f(m.f2)}  F1 ${f(m.f1)}  P ${f(m.precision)}  R ${f(m.recall)}  ROC-AUC ${f(m.rocAuc)}  PR-AUC ${f(m.prAuc)}  Brier ${f(m.brier)}  n ${m.n} (+${m.positives})  tp ${c.tp} fp ${c.fp} fn ${c.fn}`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const seed = Number(at('--seed') ?? 42);
  const fd = await loadFd001({ seed, rank: true });
  console.log(
    `FD001: ${fd.split.train.length}/${fd.split.validation.length}/${fd.split.test.length} units; windows train ${fd.train.n} (${fd.train.padded} padded), validation ${fd.valid.n}, test ${fd.test.n}`,
  );
  const r = await trainLstm(
    fd.train,
    fd.valid,
    { seed },
    {
      onEpoch: (e) =>
        console.log(
          `epoch ${String(e.epoch).padStart(2)}  loss ${e.loss.toFixed(4)}  val ${e.valLoss.toFixed(4)}  ${e.seconds.toFixed(1)} s  best ${e.bestEpoch}`,
        ),
    },
  );
  console.log(
    `backend ${r.backend}, ${r.threads} thread(s), best epoch ${r.bestEpoch} of ${r.history.length}${r.stoppedEarly ? ' (early stop)' : ''}, ${r.seconds.toFixed(1)} s, positive weight ${r.positiveWeight.toFixed(3)}`,
  );
  const pValid = r.model.predict(fd.valid);
  const threshold = tuneThreshold(pValid, fd.valid.labels, 2);
  const validation = computeMetrics(pValid, fd.valid.labels, threshold);
  const test = computeMetrics(r.model.predict(fd.test), fd.test.labels, threshold);
  const official = await loadFd001Test(fd);
  const scores = scoreOfficial(official.table, r.model.predict(official.windows), threshold);
  console.log(`threshold (F2 on validation) ${threshold.toFixed(4)}`);
  console.log(line('validation', validation));
  console.log(line('test units', test));
  console.log(line('official last cycle', scores.lastCycle));
  console.log(line('official all cycles', scores.allCycles));
  const json = at('--json');
  if (json !== undefined) {
    writeFileSync(
      json,
      JSON.stringify(
        {
          seed,
          threshold,
          history: r.history,
          bestEpoch: r.bestEpoch,
          backend: r.backend,
          validation,
          test,
          official: scores,
        },
        null,
        2,
      ),
    );
  }
  r.model.dispose();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
