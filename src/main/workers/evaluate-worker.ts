/** Worker thread: the official scoring of a run on a test file with its RUL file (`prognos evaluate`, `prognos demo`). */
import { PrognosError } from '../../shared/errors';
import { parseFleetFile } from '../core/data/import-file';
import { lastCycleRows, officialLabels, pickRows, scoreOfficial } from '../core/eval/official';
import { applyInterval, rulMetrics } from '../core/rul/metrics';
import type { RulMetrics } from '../core/rul/types';
import { scoreRows } from '../core/pipeline/train';
import type { EvaluateRequest, EvaluateValue } from './evaluate-protocol';
import { serveJob } from './serve-job';
import { buildTrained, releaseTrained, tensorCount } from './trained-run';

serveJob<EvaluateRequest, EvaluateValue>(
  'evaluate-worker',
  async ({ artifacts, dataPath, rulPath }, task) => {
    task.progress(0.05, 'Reading the test data…');
    const { table } = await parseFleetFile(dataPath, { rulPath, signal: task.signal });
    const trained = await buildTrained(artifacts);
    try {
      if (task.signal.aborted) throw new PrognosError('CANCELLED', 'Evaluation cancelled.');
      task.progress(0.3, 'Scoring every cycle…');
      const r = scoreRows(table, trained);
      const opts = { labelWindow: trained.config.labelWindow, historyWindow: trained.config.historyWindow };
      const thresholds = (trained.record.result as { thresholds?: Record<string, number> }).thresholds;
      const parts: [EvaluateValue['models'][number]['model'], Float64Array, number][] = [['gbdt', r.gbdt, thresholds?.gbdt ?? trained.threshold]];
      if (r.lstm !== undefined) {
        parts.push(['lstm', r.lstm, thresholds?.lstm ?? trained.threshold]);
        parts.push(['ensemble', r.probability, trained.threshold]);
      }
      // RUL at each unit's last cycle against the RUL file's true value (uncapped), each model with its own interval
      let rul: EvaluateValue['rul'];
      if (r.rul !== undefined && trained.rul !== undefined) {
        const last = lastCycleRows(table);
        const truth = pickRows(officialLabels(table, trained.config.labelWindow).rul, last);
        const at = (model: 'gbdt' | 'lstm' | 'ensemble', all: Float64Array): RulMetrics => {
          const v = pickRows(all, last);
          const interval = trained.rul!.intervals[model];
          return rulMetrics(v, truth, interval === undefined ? undefined : applyInterval(interval, v));
        };
        rul = { gbdt: at('gbdt', r.rul.gbdt) };
        if (r.rul.lstm !== undefined) {
          rul.lstm = at('lstm', r.rul.lstm);
          rul.ensemble = at('ensemble', r.rul.value);
        }
      }
      return {
        value: {
          models: parts.map(([model, p, threshold]) => ({ model, threshold, scores: scoreOfficial(table, p, threshold, opts) })),
          headline: scoreOfficial(table, r.probability, trained.threshold, opts),
          ...(rul === undefined ? {} : { rul }),
        },
      };
    } finally {
      releaseTrained(trained);
    }
  },
  tensorCount,
);
