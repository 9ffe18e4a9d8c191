/**
 * XGBoost's JSON model format (schema version 1.0, as written by XGBoost 1.7) for binary:logistic
 * and reg:squarederror gbtree models: export of Prognos models and import of Prognos or
 * XGBoost-trained models.
 */
import { badFile, PrognosError } from '../../../../shared/errors';
import { compactF32, jsonSafeF32 } from './f32';
import type { GbdtModel, GbdtModelInit, GbdtTree } from './model';
import { GBDT_OBJECTIVES, type GbdtObjective } from './params';

/** The XGBoost release whose JSON layout is written (the version Debian 12 ships). */
export const XGBOOST_FORMAT_VERSION: readonly [number, number, number] = [1, 7, 4];

const ROOT_PARENT = 2147483647;
const SOURCE = 'XGBoost JSON model';

function f32Array(a: ArrayLike<number>): number[] {
  const out = new Array<number>(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (!Number.isFinite(v))
      throw new PrognosError('INTERNAL', `Cannot export the non-finite value ${v} to XGBoost JSON.`);
    out[i] = jsonSafeF32(v);
  }
  return out;
}

function treeJson(t: GbdtTree, id: number, nFeatures: number): object {
  const n = t.left.length;
  const parents = Array.from(t.parent, (p) => (p < 0 ? ROOT_PARENT : p));
  const zeros = new Array<number>(n).fill(0);
  return {
    base_weights: f32Array(t.baseWeight),
    categories: [],
    categories_nodes: [],
    categories_segments: [],
    categories_sizes: [],
    default_left: Array.from(t.defaultLeft),
    id,
    left_children: Array.from(t.left),
    loss_changes: f32Array(t.lossChange),
    parents,
    right_children: Array.from(t.right),
    split_conditions: f32Array(t.threshold),
    split_indices: Array.from(t.feature),
    split_type: zeros,
    sum_hessian: f32Array(t.sumHessian),
    tree_param: {
      num_deleted: '0',
      num_feature: String(nFeatures),
      num_nodes: String(n),
      size_leaf_vector: '0',
    },
  };
}

export function toXGBoostJson(model: GbdtModel): object {
  const nTrees = model.trees.length;
  const nFeatures = model.nFeatures;
  return {
    learner: {
      attributes: {
        best_iteration: String(model.bestIteration),
        best_ntree_limit: String(model.bestIteration + 1),
      },
      feature_names: [...model.featureNames],
      feature_types: [],
      gradient_booster: {
        model: {
          gbtree_model_param: {
            num_parallel_tree: '1',
            num_trees: String(nTrees),
            size_leaf_vector: '0',
          },
          tree_info: new Array<number>(nTrees).fill(0),
          trees: model.trees.map((t, i) => treeJson(t, i, nFeatures)),
        },
        name: 'gbtree',
      },
      learner_model_param: {
        base_score: String(compactF32(model.baseScore)),
        boost_from_average: '0',
        num_class: '0',
        num_feature: String(nFeatures),
        num_target: '1',
      },
      objective: {
        name: model.objective,
        reg_loss_param: { scale_pos_weight: String(model.scalePosWeight) },
      },
    },
    version: [...XGBOOST_FORMAT_VERSION],
  };
}

/** Tree arrays that XGBoost's JSON reader requires to hold floating-point numbers. */
const FLOAT_ARRAY_KEYS = new Set(['base_weights', 'loss_changes', 'split_conditions', 'sum_hessian']);

function floatText(x: number): string {
  if (!Number.isFinite(x)) throw new PrognosError('INTERNAL', `Cannot write ${x} to an XGBoost JSON model.`);
  const s = String(compactF32(x));
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

function writeValue(v: unknown, floats: boolean): string {
  if (Array.isArray(v)) return `[${v.map((x) => writeValue(x, floats)).join(',')}]`;
  if (typeof v === 'number') return floats ? floatText(v) : JSON.stringify(v);
  if (typeof v === 'object' && v !== null) {
    const parts = Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${writeValue(x, FLOAT_ARRAY_KEYS.has(k))}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * Serialises an XGBoost JSON model object compactly: float arrays are written as the shortest
 * float32 text with a decimal point (0.0, 100.0), which XGBoost's reader requires. JSON.stringify
 * of toXGBoostJson()'s object also loads in XGBoost (see jsonSafeF32) but is longer and less tidy.
 */
export function stringifyXGBoostJson(json: object): string {
  return writeValue(json, false);
}

// ---------------------------------------------------------------- import

function fail(reason: string): never {
  throw badFile([{ file: SOURCE, reason }]);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: unknown, path: string): Record<string, unknown> {
  if (!isRecord(v)) fail(`${path} must be an object`);
  return v;
}

function numArray(v: unknown, path: string, length?: number): number[] {
  if (!Array.isArray(v)) fail(`${path} must be an array`);
  for (const x of v) if (typeof x !== 'number' || Number.isNaN(x)) fail(`${path} must hold numbers`);
  const a = v as number[];
  if (length !== undefined && a.length !== length) fail(`${path} has ${a.length} entries, expected ${length}`);
  return a;
}

/** Numbers in XGBoost parameter objects are strings; newer releases wrap vectors as "[x]". */
function paramNumber(v: unknown, path: string): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') fail(`${path} must be a number`);
  const s = v.trim().replace(/^\[(.*)\]$/, '$1');
  const x = Number(s);
  if (s === '' || Number.isNaN(x)) fail(`${path} is not a number: ${v}`);
  return x;
}

function parseTree(v: unknown, index: number, nFeatures: number): GbdtTree {
  const path = `trees[${index}]`;
  const t = obj(v, path);
  const left = numArray(t.left_children, `${path}.left_children`);
  const n = left.length;
  if (n === 0) fail(`${path} has no nodes`);
  const right = numArray(t.right_children, `${path}.right_children`, n);
  const split = numArray(t.split_indices, `${path}.split_indices`, n);
  const cond = numArray(t.split_conditions, `${path}.split_conditions`, n);
  const dl = numArray(t.default_left, `${path}.default_left`, n);
  const zeros = new Array<number>(n).fill(0);
  const bw = t.base_weights === undefined ? zeros : numArray(t.base_weights, `${path}.base_weights`, n);
  const loss = t.loss_changes === undefined ? zeros : numArray(t.loss_changes, `${path}.loss_changes`, n);
  const hess = t.sum_hessian === undefined ? zeros : numArray(t.sum_hessian, `${path}.sum_hessian`, n);
  if (t.split_type !== undefined) {
    const st = numArray(t.split_type, `${path}.split_type`, n);
    if (st.some((s, i) => s !== 0 && left[i] !== -1)) fail(`${path} uses categorical splits, which are not supported`);
  }
  const parent = new Int32Array(n).fill(-1);
  // Walk from the root so that cycles and shared children are refused.
  const stack = [0];
  const seen = new Uint8Array(n);
  seen[0] = 1;
  while (stack.length > 0) {
    const i = stack.pop()!;
    const l = left[i]!;
    const r = right[i]!;
    if (l === -1) {
      if (r !== -1) fail(`${path} node ${i} has only one child`);
      continue;
    }
    if (
      !Number.isInteger(l) ||
      !Number.isInteger(r) ||
      l < 0 ||
      r < 0 ||
      l >= n ||
      r >= n ||
      seen[l] === 1 ||
      seen[r] === 1 ||
      l === r
    ) {
      fail(`${path} node ${i} has invalid children`);
    }
    const f = split[i]!;
    if (!Number.isInteger(f) || f < 0 || f >= nFeatures) fail(`${path} node ${i} splits on unknown feature ${f}`);
    seen[l] = 1;
    seen[r] = 1;
    parent[l] = i;
    parent[r] = i;
    stack.push(r, l);
  }
  // Unreachable (deleted) nodes become inert leaves.
  const leftOut = Int32Array.from(left, (c, i) => (seen[i] === 1 ? c : -1));
  const rightOut = Int32Array.from(right, (c, i) => (seen[i] === 1 ? c : -1));
  const feature = Int32Array.from(split, (f, i) => (leftOut[i] === -1 ? 0 : f));
  return {
    left: leftOut,
    right: rightOut,
    parent,
    feature,
    threshold: Float32Array.from(cond),
    defaultLeft: Uint8Array.from(dl, (x) => (x !== 0 ? 1 : 0)),
    baseWeight: Float32Array.from(bw),
    lossChange: Float32Array.from(loss),
    sumHessian: Float32Array.from(hess),
  };
}

export function fromXGBoostJson(json: unknown): GbdtModelInit {
  let parsed = json;
  if (typeof json === 'string') {
    try {
      parsed = JSON.parse(json) as unknown;
    } catch (e) {
      fail(`not valid JSON (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  const root = obj(parsed, 'model');
  const learner = obj(root.learner, 'learner');
  const objective = obj(learner.objective, 'learner.objective');
  const objectiveName = objective.name as GbdtObjective;
  if (!GBDT_OBJECTIVES.includes(objectiveName)) {
    fail(`objective ${String(objective.name)} is not supported (${GBDT_OBJECTIVES.join(' or ')} only)`);
  }
  const regression = objectiveName === 'reg:squarederror';
  const booster = obj(learner.gradient_booster, 'learner.gradient_booster');
  if (booster.name !== 'gbtree') fail(`booster ${String(booster.name)} is not supported (gbtree only)`);
  const mp = obj(learner.learner_model_param, 'learner.learner_model_param');
  const numClass = mp.num_class === undefined ? 0 : paramNumber(mp.num_class, 'num_class');
  const numTarget = mp.num_target === undefined ? 1 : paramNumber(mp.num_target, 'num_target');
  if (numClass > 1 || numTarget !== 1) fail('only single-output models are supported');
  const baseScore = paramNumber(mp.base_score, 'learner_model_param.base_score');
  if (regression) {
    if (!Number.isFinite(Math.fround(baseScore))) fail(`base_score ${baseScore} is not a finite float32`);
  } else if (!(baseScore > 0 && baseScore < 1)) {
    fail(`base_score ${baseScore} is not a probability in (0, 1)`);
  }
  const nFeatures = paramNumber(mp.num_feature, 'learner_model_param.num_feature');
  if (!Number.isInteger(nFeatures) || nFeatures < 1) fail('num_feature must be a positive integer');

  let featureNames: string[];
  if (
    learner.feature_names === undefined ||
    (Array.isArray(learner.feature_names) && learner.feature_names.length === 0)
  ) {
    featureNames = Array.from({ length: nFeatures }, (_, i) => `f${i}`);
  } else {
    const names = learner.feature_names;
    if (!Array.isArray(names) || names.some((x) => typeof x !== 'string')) fail('feature_names must be strings');
    if (names.length !== nFeatures) fail(`feature_names has ${names.length} entries, num_feature is ${nFeatures}`);
    featureNames = names as string[];
  }

  const model = obj(booster.model, 'learner.gradient_booster.model');
  if (!Array.isArray(model.trees)) fail('gradient_booster.model.trees must be an array');
  if (model.tree_info !== undefined) {
    const info = numArray(model.tree_info, 'tree_info', model.trees.length);
    if (info.some((x) => x !== 0)) fail('tree_info refers to more than one output group');
  }
  const trees = model.trees.map((t: unknown, i: number) => parseTree(t, i, nFeatures));
  if (trees.length === 0) fail('the model has no trees');

  let bestIteration = trees.length - 1;
  if (isRecord(learner.attributes) && typeof learner.attributes.best_iteration === 'string') {
    const b = Number(learner.attributes.best_iteration);
    if (Number.isInteger(b) && b >= 0 && b < trees.length) bestIteration = b;
  }
  let scalePosWeight = 1;
  if (isRecord(objective.reg_loss_param) && objective.reg_loss_param.scale_pos_weight !== undefined) {
    scalePosWeight = paramNumber(objective.reg_loss_param.scale_pos_weight, 'scale_pos_weight');
  }
  return { trees, featureNames, baseScore: Math.fround(baseScore), bestIteration, scalePosWeight, objective: objectiveName };
}
