/**
 * The working context's preselection, as plain functions over the store's lists: what each slot
 * holds when the analyst has not chosen (or their choice was deleted).
 *
 * - dataset (Features, Train): the latest training fleet;
 * - fleet (Fleet): the latest unlabeled or test fleet;
 * - run (Export, Fleet, Results): the finished run with the best validation F2 (ties: the newest);
 * - bundle: the newest library bundle of that run, else the newest library bundle, else a shipped one.
 */
import type { BundleEntry, DatasetRecord, RunSummary } from '../../../shared/schemas';

export type ContextSlot = 'dataset' | 'fleet' | 'run' | 'bundle';
export const CONTEXT_SLOTS: readonly ContextSlot[] = ['dataset', 'fleet', 'run', 'bundle'];

export interface ContextChoice {
  readonly dataset: string | null;
  readonly fleet: string | null;
  readonly run: string | null;
  readonly bundle: string | null;
}

export const EMPTY_CHOICE: ContextChoice = { dataset: null, fleet: null, run: null, bundle: null };

export interface ContextLists {
  readonly datasets: readonly DatasetRecord[];
  readonly runs: readonly RunSummary[];
  readonly bundles: readonly BundleEntry[];
}

const newestDataset = (a: DatasetRecord, b: DatasetRecord): number => b.createdAt.localeCompare(a.createdAt) || b.datasetId.localeCompare(a.datasetId);
const newestRun = (a: RunSummary, b: RunSummary): number => b.createdAt.localeCompare(a.createdAt) || b.runId.localeCompare(a.runId);
const newestBundle = (a: BundleEntry, b: BundleEntry): number => b.created.localeCompare(a.created) || b.bundleId.localeCompare(a.bundleId);

export function latestTrainingFleet(datasets: readonly DatasetRecord[]): DatasetRecord | null {
  return [...datasets].sort(newestDataset).find((d) => d.role === 'training') ?? null;
}

export function latestScoringFleet(datasets: readonly DatasetRecord[]): DatasetRecord | null {
  return [...datasets].sort(newestDataset).find((d) => d.role === 'unlabeled' || d.role === 'test') ?? null;
}

/** The finished run with the best validation F2; ties go to the newest; a run without F2 comes last. */
export function bestRun(runs: readonly RunSummary[]): RunSummary | null {
  let best: RunSummary | null = null;
  for (const r of [...runs].filter((x) => x.status === 'done').sort(newestRun)) {
    if (best === null) best = r;
    else if (r.validationF2 !== null && (best.validationF2 === null || r.validationF2 > best.validationF2)) best = r;
  }
  return best;
}

export function defaultBundle(bundles: readonly BundleEntry[], runId: string | null): BundleEntry | null {
  const sorted = [...bundles].sort(newestBundle);
  const library = sorted.filter((b) => b.origin !== 'shipped');
  return (runId === null ? undefined : library.find((b) => b.runId === runId)) ?? library[0] ?? sorted[0] ?? null;
}

/** Drops chosen ids that no longer exist (a deleted item), keeping the rest. */
export function validChoice(choice: ContextChoice, lists: ContextLists): ContextChoice {
  const hasDataset = (id: string | null) => id !== null && lists.datasets.some((d) => d.datasetId === id);
  const run = choice.run !== null && lists.runs.some((r) => r.runId === choice.run && r.status === 'done') ? choice.run : null;
  return {
    dataset: hasDataset(choice.dataset) ? choice.dataset : null,
    fleet: hasDataset(choice.fleet) ? choice.fleet : null,
    run,
    bundle: choice.bundle !== null && lists.bundles.some((b) => b.bundleId === choice.bundle) ? choice.bundle : null,
  };
}

/** What each slot holds: the analyst's valid choice, else the preselection. */
export function resolveContext(choice: ContextChoice, lists: ContextLists): ContextChoice {
  const valid = validChoice(choice, lists);
  const run = valid.run ?? bestRun(lists.runs)?.runId ?? null;
  return {
    dataset: valid.dataset ?? latestTrainingFleet(lists.datasets)?.datasetId ?? [...lists.datasets].sort(newestDataset)[0]?.datasetId ?? null,
    fleet: valid.fleet ?? latestScoringFleet(lists.datasets)?.datasetId ?? [...lists.datasets].sort(newestDataset)[0]?.datasetId ?? null,
    run,
    bundle: valid.bundle ?? defaultBundle(lists.bundles, run)?.bundleId ?? null,
  };
}

/** A stored choice read back: anything that is not four string-or-null ids counts as no choice. */
export function parseStoredChoice(raw: string | null): ContextChoice {
  if (raw === null) return EMPTY_CHOICE;
  try {
    const v = JSON.parse(raw) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return EMPTY_CHOICE;
    const rec = v as Record<string, unknown>;
    const id = (x: unknown): string | null => (typeof x === 'string' && x.length > 0 && x.length <= 300 ? x : null);
    return { dataset: id(rec.dataset), fleet: id(rec.fleet), run: id(rec.run), bundle: id(rec.bundle) };
  } catch {
    return EMPTY_CHOICE;
  }
}
