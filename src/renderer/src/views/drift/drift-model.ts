/**
 * What the Drift view reads from a stored report, as plain functions: the rule in force (method,
 * thresholds, dataset-drift share), how a column's score stands against its threshold, sorting, and
 * the summary's wording. Re-reading under another rule is `applyDriftRule` from the shared shapes.
 */
import {
  DRIFT_METHODS,
  applyDriftRule,
  type ChunkSeries,
  type ColumnDrift,
  type DriftMethod,
  type DriftMethodChoice,
  type DriftReport,
  type DriftThresholds,
} from '../../../../shared/drift';
import { formatInteger } from '../../lib/format';

export interface DriftRule {
  readonly method: DriftMethodChoice;
  readonly thresholds: DriftThresholds;
  readonly datasetDriftShare: number;
}

export const METHOD_LABELS: Readonly<Record<DriftMethodChoice, string>> = {
  auto: 'Auto (KS or Wasserstein)',
  psi: 'PSI',
  ks: 'Kolmogorov–Smirnov',
  wasserstein: 'Wasserstein (normalised)',
  jsd: 'Jensen–Shannon',
  hellinger: 'Hellinger',
};

export const METHOD_SHORT: Readonly<Record<DriftMethod, string>> = {
  psi: 'PSI',
  ks: 'KS',
  wasserstein: 'Wasserstein',
  jsd: 'JSD',
  hellinger: 'Hellinger',
};

/** What a method's threshold means, in the controls' words. */
export const THRESHOLD_NOTES: Readonly<Record<DriftMethod, string>> = {
  psi: 'drift when PSI ≥ threshold',
  ks: 'drift when the p-value < threshold',
  wasserstein: 'drift when the distance / reference std ≥ threshold',
  jsd: 'drift when the distance ≥ threshold',
  hellinger: 'drift when the distance ≥ threshold',
};

/** The rule a stored report was computed with. */
export function ruleOf(report: DriftReport): DriftRule {
  return { method: report.method, thresholds: { ...report.thresholds }, datasetDriftShare: report.datasetDriftShare };
}

export function sameRule(a: DriftRule, b: DriftRule): boolean {
  return (
    a.method === b.method &&
    a.datasetDriftShare === b.datasetDriftShare &&
    DRIFT_METHODS.every((m) => a.thresholds[m] === b.thresholds[m])
  );
}

/** The stored report as it reads under `rule` (the report itself when the rule is its own). */
export function rereadReport(report: DriftReport, rule: DriftRule): DriftReport {
  return sameRule(rule, ruleOf(report)) ? report : applyDriftRule(report, rule);
}

/** The methods whose thresholds decide something under a choice: 'auto' uses KS or Wasserstein per column. */
export function methodsInUse(choice: DriftMethodChoice): DriftMethod[] {
  return choice === 'auto' ? ['ks', 'wasserstein'] : [choice];
}

/** Whether a threshold value is one the shared schema accepts for the method. */
export function validThreshold(method: DriftMethod, value: number): boolean {
  if (!Number.isFinite(value) || value <= 0) return false;
  if (method === 'ks') return value < 1;
  if (method === 'jsd' || method === 'hellinger') return value <= 1;
  return true;
}

/**
 * How far a column is towards its threshold: 1 at the threshold, above 1 when it drifts. For KS the
 * decision is on the p-value, so the measure is log(p) / log(threshold) (p = threshold gives 1, a
 * smaller p more); for the other methods score / threshold.
 */
export function exceedance(c: Pick<ColumnDrift, 'method' | 'score' | 'threshold' | 'pValue'>): number {
  if (c.method === 'ks') {
    const p = Math.max(c.pValue ?? 1, 1e-300);
    if (p >= 1) return 0;
    return Math.log(p) / Math.log(c.threshold);
  }
  return c.threshold > 0 ? Math.max(0, c.score) / c.threshold : 0;
}

/** The bar drawn in the table: the threshold sits at the middle of the track, the bar at `exceedance / 2`, capped at the end. */
export function barFraction(c: Pick<ColumnDrift, 'method' | 'score' | 'threshold' | 'pValue'>): number {
  const e = exceedance(c);
  return Number.isFinite(e) ? Math.min(1, Math.max(0, e / 2)) : 1;
}

export type SortKey = 'name' | 'method' | 'score' | 'threshold' | 'pValue' | 'exceedance' | 'drifted';
export interface SortState {
  readonly key: SortKey;
  readonly descending: boolean;
}

/** The table's first order: drifted columns first, the furthest past their threshold on top. */
export const DEFAULT_SORT: SortState = { key: 'exceedance', descending: true };

function sortValue(c: ColumnDrift, key: Exclude<SortKey, 'name' | 'method'>): number {
  switch (key) {
    case 'score':
      return c.score;
    case 'threshold':
      return c.threshold;
    case 'pValue':
      return c.pValue ?? Number.NaN;
    case 'exceedance':
      return exceedance(c);
    case 'drifted':
      return c.drifted ? 1 : 0;
  }
}

/** Columns in the table's order; ties and missing values (a p-value under PSI) keep the report's order, missing last. */
export function sortColumns(columns: readonly ColumnDrift[], sort: SortState): ColumnDrift[] {
  const indexed = columns.map((c, i) => ({ c, i }));
  const dir = sort.descending ? -1 : 1;
  indexed.sort((a, b) => {
    if (sort.key === 'name' || sort.key === 'method') {
      const d = a.c[sort.key].localeCompare(b.c[sort.key], 'en', { numeric: true });
      return d !== 0 ? dir * d : a.i - b.i;
    }
    const va = sortValue(a.c, sort.key);
    const vb = sortValue(b.c, sort.key);
    const na = Number.isNaN(va);
    const nb = Number.isNaN(vb);
    if (na || nb) return na && nb ? a.i - b.i : na ? 1 : -1;
    if (va !== vb) return dir * (va < vb ? -1 : 1);
    return a.i - b.i;
  });
  return indexed.map((x) => x.c);
}

/** The next sort after a header click: the same column flips, another starts descending (names ascending). */
export function nextSort(current: SortState, key: SortKey): SortState {
  if (current.key === key) return { key, descending: !current.descending };
  return { key, descending: key !== 'name' && key !== 'method' };
}

/** "7 of 40 features drift" */
export function driftedText(columns: readonly ColumnDrift[], word = 'feature'): string {
  const drifted = columns.filter((c) => c.drifted).length;
  const total = columns.length;
  const noun = total === 1 ? word : `${word}s`;
  return `${formatInteger(drifted)} of ${formatInteger(total)} ${noun} ${drifted === 1 ? 'drifts' : 'drift'}`;
}

/** The chunk series of one group, in the report's order. */
export function seriesOfGroup(report: DriftReport, group: ChunkSeries['group']): ChunkSeries[] {
  return report.chunks.series.filter((s) => s.group === group);
}

/** The chunk series kept for one feature or sensor (key `feature:<name>`), if the report has one. */
export function featureSeries(report: DriftReport, name: string): ChunkSeries | undefined {
  return report.chunks.series.find((s) => s.key === `feature:${name}`);
}

/** How many chunks raised an alert in a series. */
export function alertCount(series: ChunkSeries): number {
  return series.alerts.filter(Boolean).length;
}

/** Whether the current data were scored with labels (realised performance beside the estimate). */
export function hasRealised(report: DriftReport): boolean {
  return report.realised !== undefined;
}

export const COMPARISON_NOTES: Readonly<Record<DriftReport['comparison'], string>> = {
  matched: 'life-stage matched: reference rows weighted to the current rows’ life stage, so wear is not read as drift',
  unmatched: 'unmatched: all reference rows against all current rows',
};
