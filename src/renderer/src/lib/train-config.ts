/**
 * What the renderer knows about the training config beyond its JSON Schema: the rule the schema
 * cannot say (split fractions add up to 1), the part edited in the Features view, and how a feature
 * selection (top-K plus manual picks) is written into the config so that training uses exactly it.
 */
import type { EnsembleCriterion } from '../../../shared/ensemble-choice';
import { formatPath, schemaAt, validateJson, type JsonSchema, type SchemaIssue } from './json-schema';
import { getAt, isJsonObject, jsonEqual, pick, setAt, type JsonObject, type JsonPath } from './json-value';

export const TRAIN_CONFIG_SCHEMA_URI = 'inmemory://prognos/schemas/train-config.json';
export const FEATURE_DOC_SCHEMA_URI = 'inmemory://prognos/schemas/feature-spec-document.json';

/** The settings the Features view edits as one document: they decide the ranking and the selection. */
export const FEATURE_DOC_KEYS = [
  'seed',
  'labelWindow',
  'split',
  'topK',
  'features',
  'rankWithGain',
  'rankingWeights',
] as const;

/** Settings whose change makes a ranking out of date (topK only moves the cut). */
export const RANKING_BASIS_KEYS = FEATURE_DOC_KEYS.filter((k) => k !== 'topK');

const SPLIT_PARTS = ['train', 'validation', 'test'] as const;

/** Schema issues plus the rules main applies on top of the schema. */
export function validateTrainConfig(schema: JsonSchema, config: unknown): SchemaIssue[] {
  const issues = validateJson(schema, config);
  const split = getAt(config, ['split']);
  if (isJsonObject(split)) {
    const parts = SPLIT_PARTS.map((p) => split[p] ?? schemaAt(schema, ['split', p])?.default);
    if (parts.every((p): p is number => typeof p === 'number')) {
      const sum = parts.reduce((a, b) => a + b, 0);
      if (Math.abs(sum - 1) >= 1e-9) {
        issues.push({
          path: ['split'],
          message: `fractions must add up to 1 (train + validation + test = ${Number(sum.toFixed(6))})`,
        });
      }
    }
  }
  return issues;
}

/** Issues at `path` or below it. */
export function issuesUnder(issues: readonly SchemaIssue[], path: JsonPath): SchemaIssue[] {
  return issues.filter((i) => path.every((k, n) => i.path[n] === k));
}

export function describeIssue(issue: SchemaIssue): string {
  const where = formatPath(issue.path);
  return where === '' ? issue.message : `${where} ${issue.message}`;
}

/** The schema of the Features view's document: the listed top-level settings of the training config. */
export function featureDocSchema(trainSchema: JsonSchema): JsonSchema {
  const properties = isJsonObject(trainSchema.properties) ? trainSchema.properties : {};
  return {
    title: 'Prognos feature spec and selection (part of the training configuration)',
    type: 'object',
    properties: pick(properties, FEATURE_DOC_KEYS),
    additionalProperties: false,
  };
}

/**
 * The Features view's document: its settings, plus any setting the schema does not know (so a typo
 * stays visible, and flagged, where it was typed).
 */
export function featureDoc(config: JsonObject, trainSchema: JsonSchema): JsonObject {
  const known = isJsonObject(trainSchema.properties) ? Object.keys(trainSchema.properties) : [];
  const unknown = Object.keys(config).filter((k) => !known.includes(k));
  return pick(config, [...FEATURE_DOC_KEYS, ...unknown]);
}

/** Whether an issue belongs to the Features view's document. */
export function inFeatureDoc(issue: SchemaIssue, trainSchema: JsonSchema): boolean {
  const head = issue.path[0];
  if (typeof head !== 'string') return false;
  const known = isJsonObject(trainSchema.properties) ? Object.keys(trainSchema.properties) : [];
  return (FEATURE_DOC_KEYS as readonly string[]).includes(head) || !known.includes(head);
}

/** Puts an edited Features document back into the config; a key left out returns to its default. */
export function mergeFeatureDoc(config: JsonObject, doc: JsonObject, trainSchema: JsonSchema): JsonObject {
  const out: JsonObject = { ...config };
  for (const k of Object.keys(featureDoc(config, trainSchema))) delete out[k];
  for (const [k, v] of Object.entries(doc)) out[k] = v;
  return out;
}

export function rankingBasis(config: JsonObject): JsonObject {
  return pick(config, RANKING_BASIS_KEYS);
}

export function numberAt(config: JsonObject, path: JsonPath, fallback: number): number {
  const v = getAt(config, path);
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

export function manualFeaturesOf(config: JsonObject): string[] | undefined {
  const v = config.manualFeatures;
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

/** The part of the config that decides the selection once features are ranked: `topK` and `manualFeatures`. */
export interface SelectionCut {
  readonly topK: unknown;
  readonly manual: unknown;
}

export function selectionCut(config: JsonObject): SelectionCut {
  return { topK: config.topK ?? null, manual: config.manualFeatures ?? null };
}

/**
 * The ranking's own answer: the features main selected (with the rule training uses) for the cut
 * the ranking was computed with.
 */
export interface RankedSelection {
  readonly cut: SelectionCut;
  readonly selected: readonly string[];
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)];
}

/** Manual changes to a top-K cut, remembered so the slider can move without losing them. */
export interface FeaturePicks {
  readonly baseK: number;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** the config values these picks wrote; when the config no longer holds them, they are stale */
  readonly wrote: { readonly topK: unknown; readonly manual: unknown };
}

export interface FeatureSelection {
  /** the top-K cut the slider shows */
  readonly baseK: number;
  /** picked beyond the cut */
  readonly added: ReadonlySet<string>;
  /** unpicked within the cut */
  readonly removed: ReadonlySet<string>;
  /** what training uses, best-ranked first where ranked */
  readonly selected: readonly string[];
  readonly selectedSet: ReadonlySet<string>;
  /** selected names the ranking does not know (a spec change since they were picked) */
  readonly unknown: readonly string[];
  /**
   * best-ranked features training adds beyond the manual picks (topK above their number); their
   * names come with the next ranking
   */
  readonly pendingFill: number;
}

function wroteOf(config: JsonObject): FeaturePicks['wrote'] {
  return selectionCut(config);
}

/**
 * What training will use. For the cut the ranking was made with, main's own selection; after the
 * analyst moves the cut, the top K of the ranking, or the manual picks as written (the Features view
 * writes picks with topK equal to their number, so training takes exactly them).
 */
function selectionFor(
  config: JsonObject,
  order: readonly string[],
  ranked: RankedSelection,
): { selected: string[]; pendingFill: number } {
  if (jsonEqual(selectionCut(config), ranked.cut)) return { selected: [...ranked.selected], pendingFill: 0 };
  const topK = Math.max(1, Math.round(numberAt(config, ['topK'], 40)));
  const manual = manualFeaturesOf(config);
  if (manual === undefined) return { selected: order.slice(0, topK), pendingFill: 0 };
  const picked = unique(manual);
  return { selected: picked, pendingFill: Math.max(0, topK - picked.length) };
}

export function currentSelection(
  config: JsonObject,
  order: readonly string[],
  ranked: RankedSelection,
  picks: FeaturePicks | null,
): FeatureSelection {
  const topK = Math.max(1, Math.round(numberAt(config, ['topK'], 40)));
  const known = new Set(order);
  const { selected, pendingFill } = selectionFor(config, order, ranked);
  const selectedSet = new Set(selected);
  const rankIndex = new Map(order.map((n, i) => [n, i]));
  const sorted = [...selected].sort((a, b) => (rankIndex.get(a) ?? Infinity) - (rankIndex.get(b) ?? Infinity));
  const unknown = selected.filter((n) => !known.has(n));
  if (picks !== null && jsonEqual(picks.wrote, wroteOf(config))) {
    return {
      baseK: picks.baseK,
      added: new Set(picks.added),
      removed: new Set(picks.removed),
      selected: sorted,
      selectedSet,
      unknown,
      pendingFill,
    };
  }
  const baseK = Math.min(topK, Math.max(1, order.length));
  const top = new Set(order.slice(0, baseK));
  return {
    baseK,
    added: new Set(selected.filter((n) => !top.has(n))),
    removed: new Set([...top].filter((n) => !selectedSet.has(n))),
    selected: sorted,
    selectedSet,
    unknown,
    pendingFill,
  };
}

/**
 * Writes a cut and picks into the config: without picks, `topK` alone; with picks, the exact list
 * as `manualFeatures` and `topK` = its length, so main's selection is that list and nothing more.
 */
export function applySelection(
  config: JsonObject,
  order: readonly string[],
  baseK: number,
  added: ReadonlySet<string>,
  removed: ReadonlySet<string>,
): { config: JsonObject; picks: FeaturePicks } {
  const k = Math.max(1, Math.min(order.length, Math.round(baseK)));
  const top = order.slice(0, k);
  const topSet = new Set(top);
  const keepAdded = [...added].filter((n) => !topSet.has(n));
  const keepRemoved = [...removed].filter((n) => topSet.has(n));
  let next: JsonObject;
  if (keepAdded.length === 0 && keepRemoved.length === 0) {
    next = setAt(setAt(config, ['topK'], k), ['manualFeatures'], undefined);
  } else {
    const removedSet = new Set(keepRemoved);
    const addedSet = new Set(keepAdded);
    const list = order.filter((n) => (topSet.has(n) && !removedSet.has(n)) || addedSet.has(n));
    const unranked = keepAdded.filter((n) => !order.includes(n));
    const manual = [...list, ...unranked];
    next = setAt(setAt(config, ['manualFeatures'], manual), ['topK'], Math.max(1, manual.length));
  }
  return { config: next, picks: { baseK: k, added: keepAdded, removed: keepRemoved, wrote: wroteOf(next) } };
}

/** Flips one feature in or out of the selection (the last selected feature stays). */
export function toggleFeature(
  config: JsonObject,
  order: readonly string[],
  selection: FeatureSelection,
  name: string,
): { config: JsonObject; picks: FeaturePicks } | null {
  const added = new Set(selection.added);
  const removed = new Set(selection.removed);
  if (selection.selectedSet.has(name)) {
    if (selection.selected.length <= 1) return null;
    if (added.has(name)) added.delete(name);
    else removed.add(name);
  } else if (removed.has(name)) removed.delete(name);
  else added.add(name);
  return applySelection(config, order, selection.baseK, added, removed);
}

/**
 * How a finished run chose its ensemble weight, read from its stored (parsed) config: 'log-loss' or
 * 'f2' (runs from before the criterion existed chose by F2); `chosen` is false when the run kept the
 * configured weight (ensemble.optimise false).
 */
export function runWeightChoice(config: unknown): { criterion: EnsembleCriterion; chosen: boolean } {
  const e = isJsonObject(config) && isJsonObject(config.ensemble) ? config.ensemble : {};
  return { criterion: e.criterion === 'log-loss' ? 'log-loss' : 'f2', chosen: e.optimise !== false };
}

/** Networks a finished run's LSTM averages (1 for runs from before lstm.members existed). */
export function runLstmMembers(config: unknown): number {
  const m = isJsonObject(config) && isJsonObject(config.lstm) ? config.lstm.members : undefined;
  return typeof m === 'number' ? m : 1;
}
