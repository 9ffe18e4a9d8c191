/**
 * Model health for the report: the validation (and test) metrics per model, RUL accuracy and the
 * calibration, read from a run's stored result or a bundle's manifest. Pure; unreadable parts are
 * left out rather than guessed.
 */
import { calibrationReportSchema } from '../../../shared/calibration';
import type { ReportHealth } from '../../../shared/report';
import { metricsSchema } from '../../../shared/schemas';

type ModelHealth = Pick<ReportHealth, 'metrics' | 'rul' | 'calibration'>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** the order models are listed in */
const MODEL_ORDER = ['ensemble', 'gbdt', 'lstm'];
const byModel = (a: string, b: string): number => {
  const i = MODEL_ORDER.indexOf(a);
  const j = MODEL_ORDER.indexOf(b);
  return (i < 0 ? MODEL_ORDER.length : i) - (j < 0 ? MODEL_ORDER.length : j) || a.localeCompare(b);
};

/** `{ model: { validation: METRICS, test: METRICS | null } }` → rows, validation before test. */
export function metricsRows(metrics: unknown): ReportHealth['metrics'] {
  if (!isRecord(metrics)) return [];
  const rows: ReportHealth['metrics'] = [];
  for (const model of Object.keys(metrics).sort(byModel)) {
    const m = metrics[model];
    if (!isRecord(m)) continue;
    for (const split of ['validation', 'test'] as const) {
      const parsed = metricsSchema.safeParse(m[split]);
      if (parsed.success) rows.push({ model, split, values: parsed.data });
    }
  }
  return rows;
}

/** `{ model: { validation: RulMetrics, … } }` (a run's `result.rul.metrics`) → the validation rows. */
export function rulRows(metrics: unknown): NonNullable<ReportHealth['rul']> {
  if (!isRecord(metrics)) return [];
  const rows: NonNullable<ReportHealth['rul']> = [];
  for (const model of Object.keys(metrics).sort(byModel)) {
    const m = metrics[model];
    const v = isRecord(m) ? m.validation : undefined;
    if (!isRecord(v)) continue;
    const { rmse, mae, phm08, coverage, n } = v;
    if (typeof rmse !== 'number' || typeof mae !== 'number' || typeof phm08 !== 'number' || typeof n !== 'number') continue;
    rows.push({ model, rmse, mae, phm08, coverage: typeof coverage === 'number' ? coverage : null, n });
  }
  return rows;
}

/** A run's stored result: metrics, `rul.metrics`, `calibration` (the calibration report). */
export function healthFromRunResult(result: unknown): ModelHealth {
  const r = isRecord(result) ? result : {};
  const rul = isRecord(r.rul) ? rulRows(r.rul.metrics) : [];
  const cal = calibrationReportSchema.safeParse(r.calibration);
  return {
    metrics: metricsRows(r.metrics),
    ...(rul.length === 0 ? {} : { rul }),
    ...(cal.success
      ? {
          calibration: {
            method: cal.data.method,
            ece: cal.data.ece.validation,
            bins: cal.data.reliability.validation.flatMap((b) => (b.meanPredicted === null || b.observed === null || b.count === 0 ? [] : [{ predicted: b.meanPredicted, observed: b.observed, count: b.count }])),
          },
        }
      : {}),
  };
}

/** A bundle's manifest: its metrics and the calibration method (a bundle carries no reliability bins). */
export function healthFromManifest(manifest: { readonly metrics: Record<string, unknown>; readonly calibration?: { readonly method: string } }): ModelHealth {
  return {
    metrics: metricsRows(manifest.metrics),
    calibration: { method: manifest.calibration?.method ?? 'none', ece: null, bins: [] },
  };
}
