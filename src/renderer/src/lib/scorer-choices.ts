/**
 * The models a fleet can be scored with, as the Fleet, Drift and Reports views offer them: bundles
 * (in the library, and optionally those shipped with the app) and finished runs, in option groups,
 * with one default. Pure, so the ordering and the default are tested without a page.
 */
import type { BundleEntry, RunSummary } from '../../../shared/schemas';
import { bundleLabel, shortRunId } from '../views/export/bundle-info';
import { scorerKey } from '../views/fleet/fleet-summary';
import { formatScore, formatShortDate } from './format';

export interface ScorerOption {
  /** `bundle:<id>` or `run:<id>` */
  readonly key: string;
  readonly label: string;
}

export interface ScorerGroup {
  readonly label: string;
  readonly options: readonly ScorerOption[];
}

export interface ScorerChoiceOptions {
  /** offer the bundles shipped with the app (their own group, after the library's) */
  readonly shipped: boolean;
  /** which kind comes first, in the list and as the default */
  readonly first: 'bundles' | 'runs';
  readonly groupLabels: { readonly library: string; readonly shipped?: string; readonly runs: string };
}

export interface ScorerChoices {
  readonly groups: readonly ScorerGroup[];
  /** every offered key with its label */
  readonly labels: ReadonlyMap<string, string>;
  /** the first option of the preferred kind, else of the other; null when nothing is offered */
  readonly defaultKey: string | null;
}

export function runLabel(r: RunSummary): string {
  const f2 = r.validationF2 === null ? '' : ` · val F2 ${formatScore(r.validationF2)}`;
  return `Run ${shortRunId(r.runId)} · ${r.datasetName ?? 'deleted dataset'} · ${formatShortDate(r.createdAt)}${f2}`;
}

/** Finished runs, newest first. */
export function finishedRuns(runs: readonly RunSummary[]): RunSummary[] {
  return runs.filter((r) => r.status === 'done').sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Bundles in the store (newest first), then those shipped with the app, or none of those. */
export function orderBundles(bundles: readonly BundleEntry[], shipped: boolean): BundleEntry[] {
  const rank = (b: BundleEntry) => (b.origin === 'shipped' ? 1 : 0);
  return bundles
    .filter((b) => shipped || b.origin !== 'shipped')
    .sort((a, b) => rank(a) - rank(b) || b.created.localeCompare(a.created));
}

/** The option groups (empty ones left out), their labels and the default, from the loaded lists. */
export function scorerChoices(
  bundles: readonly BundleEntry[],
  runs: readonly RunSummary[],
  options: ScorerChoiceOptions,
): ScorerChoices {
  const ordered = orderBundles(bundles, options.shipped);
  const finished = finishedRuns(runs);
  const bundleOption = (b: BundleEntry): ScorerOption => ({ key: scorerKey({ kind: 'bundle', bundleId: b.bundleId }), label: bundleLabel(b) });
  const runOption = (r: RunSummary): ScorerOption => ({ key: scorerKey({ kind: 'run', runId: r.runId }), label: runLabel(r) });
  const library: ScorerGroup = { label: options.groupLabels.library, options: ordered.filter((b) => b.origin !== 'shipped').map(bundleOption) };
  const shippedGroup: ScorerGroup = {
    label: options.groupLabels.shipped ?? 'Shipped with the app',
    options: ordered.filter((b) => b.origin === 'shipped').map(bundleOption),
  };
  const runGroup: ScorerGroup = { label: options.groupLabels.runs, options: finished.map(runOption) };
  const bundleGroups = [library, shippedGroup];
  const groups = (options.first === 'bundles' ? [...bundleGroups, runGroup] : [runGroup, ...bundleGroups]).filter(
    (g) => g.options.length > 0,
  );
  const labels = new Map<string, string>();
  for (const g of groups) for (const o of g.options) labels.set(o.key, o.label);
  const firstBundle = ordered[0];
  const firstRun = finished[0];
  const bundleKey = firstBundle === undefined ? null : bundleOption(firstBundle).key;
  const runKey = firstRun === undefined ? null : runOption(firstRun).key;
  const defaultKey = options.first === 'bundles' ? (bundleKey ?? runKey) : (runKey ?? bundleKey);
  return { groups, labels, defaultKey };
}

/** The chosen key while it is still offered, else the default. */
export function resolveScorerKey(chosen: string | null, choices: ScorerChoices): string | null {
  return chosen !== null && choices.labels.has(chosen) ? chosen : choices.defaultKey;
}
