/**
 * Runs side by side: their metrics per model and split with the best run per metric (direction-aware:
 * a higher F2, a lower Brier score or RUL RMSE), the config diff, and how their feature selections
 * differ. Pure: the caller reads the runs from the store.
 */
import type { ComparedRun, Comparison, MetricDirection, MetricRow } from '../../../shared/experiments';
import { configDiff } from './config-diff';

/** Direction of each classification metric (METRICS) and RUL score; unlisted numbers are not ranked. */
export const METRIC_DIRECTIONS: Readonly<Record<string, MetricDirection>> = {
  f2: 'higher',
  f1: 'higher',
  precision: 'higher',
  recall: 'higher',
  rocAuc: 'higher',
  prAuc: 'higher',
  brier: 'lower',
  ece: 'lower',
  threshold: null,
  n: null,
  positives: null,
};
export const RUL_DIRECTIONS: Readonly<Record<string, MetricDirection>> = { rmse: 'lower', mae: 'lower', phm08: 'lower', coverage: null, n: null };

const MODEL_ORDER = ['ensemble', 'gbdt', 'lstm'];
const SPLIT_ORDER = ['validation', 'test'];

export interface CompareInput extends Omit<ComparedRun, 'metrics' | 'rul'> {
  readonly config: unknown;
  readonly metrics: Record<string, Record<string, unknown>>;
  readonly rul: Record<string, Record<string, unknown>> | null;
}

function byOrder(order: readonly string[]) {
  return (a: string, b: string): number => {
    const ia = order.indexOf(a);
    const ib = order.indexOf(b);
    return (ia < 0 ? order.length : ia) - (ib < 0 ? order.length : ib) || a.localeCompare(b);
  };
}

/** Runs (by index) holding the best value; none when fewer than two runs have one or nothing is ranked. */
export function bestOf(values: readonly (number | null)[], direction: MetricDirection): number[] {
  if (direction === null) return [];
  const finite = values.flatMap((v, i) => (v !== null && Number.isFinite(v) ? [{ v, i }] : []));
  if (finite.length < 2) return [];
  const best = direction === 'higher' ? Math.max(...finite.map((x) => x.v)) : Math.min(...finite.map((x) => x.v));
  return finite.filter((x) => x.v === best).map((x) => x.i);
}

function numberAt(metrics: Record<string, Record<string, unknown>> | null, model: string, split: string, metric: string): number | null {
  const m = metrics?.[model]?.[split];
  if (typeof m !== 'object' || m === null) return null;
  const v = (m as Record<string, unknown>)[metric];
  return typeof v === 'number' ? v : null;
}

function rows(
  prefix: string,
  all: readonly (Record<string, Record<string, unknown>> | null)[],
  directions: Readonly<Record<string, MetricDirection>>,
): MetricRow[] {
  const models = new Set<string>();
  const splits = new Set<string>();
  const metricNames = new Set<string>();
  for (const m of all) {
    for (const [model, bySplit] of Object.entries(m ?? {})) {
      models.add(model);
      for (const [split, values] of Object.entries(bySplit)) {
        splits.add(split);
        if (typeof values === 'object' && values !== null) {
          for (const [k, v] of Object.entries(values)) if (typeof v === 'number') metricNames.add(k);
        }
      }
    }
  }
  const known = Object.keys(directions);
  const metricList = [...metricNames].sort(byOrder(known));
  const out: MetricRow[] = [];
  for (const model of [...models].sort(byOrder(MODEL_ORDER))) {
    for (const split of [...splits].sort(byOrder(SPLIT_ORDER))) {
      for (const metric of metricList) {
        const values = all.map((m) => numberAt(m, model, split, metric));
        if (values.every((v) => v === null)) continue;
        const direction = directions[metric] ?? null;
        out.push({ key: `${prefix}${model}.${split}.${metric}`, model, split, metric: `${prefix}${metric}`, direction, values, best: bestOf(values, direction) });
      }
    }
  }
  return out;
}

export function compareRuns(runs: readonly CompareInput[]): Comparison {
  const selections = runs.map((r) => new Set(r.selected));
  const union = [...new Set(runs.flatMap((r) => r.selected))];
  const common = union.filter((f) => selections.every((s) => s.has(f)));
  return {
    runs: runs.map(({ config: _config, ...r }) => r),
    configDiff: configDiff(runs.map((r) => r.config)),
    metricTable: [...rows('', runs.map((r) => r.metrics), METRIC_DIRECTIONS), ...rows('rul.', runs.map((r) => r.rul), RUL_DIRECTIONS)],
    features: { common, onlyIn: selections.map((s) => union.filter((f) => s.has(f) && !selections.every((o) => o.has(f)))) },
  };
}
