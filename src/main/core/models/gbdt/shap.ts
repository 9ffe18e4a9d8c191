/**
 * Path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent individualized feature
 * attribution for tree ensembles", Algorithm 2): the exact Shapley values of every feature for one
 * row, in margin space (log-odds for binary:logistic, the target's units for reg:squarederror), with
 * the expectation over the training distribution that each tree's covers (`sumHessian`) describe.
 * O(T·L·D²) per row for T trees with L leaves of depth ≤ D.
 *
 * It follows XGBoost's `pred_contribs` (RegTree::CalculateContributions): the same trees as
 * `predictMargin` (every tree of the model, which training truncates at `bestIteration`), the same
 * routing (`x < threshold` left, `x ≥ threshold` right, NaN to the default side; values compared as
 * float32), node expectations as cover-weighted means of the children divided by the node's own
 * cover, and the bias = base margin + Σ_trees expectation at the root (XGBoost's last column).
 * XGBoost computes in float32; this computes in float64, so the two agree to float32 rounding.
 *
 * A node no training row reached (cover 0, possible only with min_child_weight 0) carries no weight:
 * its expected value counts as 0 and a branch of weight 0 is skipped, where XGBoost would divide 0
 * by 0. A tree whose root has no cover (an XGBoost JSON without `sum_hessian`) is refused.
 */
import { PrognosError } from '../../../../shared/errors';
import type { GbdtModel, GbdtTree } from './model';

export interface TreeShapResult {
  /** the expected margin: base margin + Σ over trees of the cover-weighted mean leaf value */
  bias: number;
  /** one value per model feature; bias + Σ contributions = the row's margin */
  contributions: Float64Array;
}

export interface TreeShapRowsResult {
  bias: number;
  /** one array per requested row (views into one buffer), one value per model feature */
  contributions: Float64Array[];
}

interface ShapPlan {
  readonly bias: number;
  /** per tree: the expected leaf value under each node */
  readonly means: readonly Float64Array[];
  /** deepest node of any tree (root = 0) */
  readonly maxDepth: number;
}

const plans = new WeakMap<GbdtModel, ShapPlan>();

function treeDepth(t: GbdtTree): number {
  let max = 0;
  const stack: number[] = [0, 0];
  while (stack.length > 0) {
    const d = stack.pop()!;
    const n = stack.pop()!;
    if (d > max) max = d;
    if (t.left[n]! !== -1) stack.push(t.left[n]!, d + 1, t.right[n]!, d + 1);
  }
  return max;
}

function nodeMeans(t: GbdtTree, index: number): Float64Array {
  const { left, right, threshold, sumHessian } = t;
  const means = new Float64Array(left.length);
  // children come before parents in a post-order walk
  const order: number[] = [];
  const stack = [0];
  while (stack.length > 0) {
    const n = stack.pop()!;
    order.push(n);
    if (left[n]! !== -1) stack.push(left[n]!, right[n]!);
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i]!;
    if (left[n]! === -1) {
      means[n] = threshold[n]!;
      continue;
    }
    const cover = sumHessian[n]!;
    if (!(cover >= 0) || !Number.isFinite(cover) || (n === 0 && cover === 0)) {
      throw new PrognosError(
        'INVALID_INPUT',
        `GBDT tree ${index} node ${n} has cover (sum_hessian) ${cover}: TreeSHAP needs the training hessian sums of the splits (positive at the root).`,
      );
    }
    const l = left[n]!;
    const r = right[n]!;
    // a node no training row reached carries no weight in its parent's mean
    means[n] = cover > 0 ? (means[l]! * sumHessian[l]! + means[r]! * sumHessian[r]!) / cover : 0;
  }
  return means;
}

function planOf(model: GbdtModel): ShapPlan {
  let p = plans.get(model);
  if (p !== undefined) return p;
  let bias = model.baseMargin;
  let maxDepth = 0;
  const means = model.trees.map((t, i) => {
    const m = nodeMeans(t, i);
    bias += m[0]!;
    maxDepth = Math.max(maxDepth, treeDepth(t));
    return m;
  });
  p = { bias, means, maxDepth };
  plans.set(model, p);
  return p;
}

/**
 * The unique path of Algorithm 2 as parallel arrays; each recursion level works on its own slice
 * (offset) so that a parent's path survives its children. Allocated once per call of treeShapRows.
 */
class PathBuffers {
  readonly feature: Int32Array;
  readonly zero: Float64Array;
  readonly one: Float64Array;
  readonly weight: Float64Array;

  constructor(maxDepth: number) {
    const d = maxDepth + 2;
    const size = (d * (d + 1)) / 2 + 2;
    this.feature = new Int32Array(size);
    this.zero = new Float64Array(size);
    this.one = new Float64Array(size);
    this.weight = new Float64Array(size);
  }

  extend(o: number, depth: number, zero: number, one: number, feature: number): void {
    const w = this.weight;
    this.feature[o + depth] = feature;
    this.zero[o + depth] = zero;
    this.one[o + depth] = one;
    w[o + depth] = depth === 0 ? 1 : 0;
    for (let i = depth - 1; i >= 0; i--) {
      w[o + i + 1] = w[o + i + 1]! + (one * w[o + i]! * (i + 1)) / (depth + 1);
      w[o + i] = (zero * w[o + i]! * (depth - i)) / (depth + 1);
    }
  }

  unwind(o: number, depth: number, index: number): void {
    const w = this.weight;
    const one = this.one[o + index]!;
    const zero = this.zero[o + index]!;
    let next = w[o + depth]!;
    for (let i = depth - 1; i >= 0; i--) {
      if (one !== 0) {
        const tmp = w[o + i]!;
        w[o + i] = (next * (depth + 1)) / ((i + 1) * one);
        next = tmp - (w[o + i]! * zero * (depth - i)) / (depth + 1);
      } else {
        w[o + i] = (w[o + i]! * (depth + 1)) / (zero * (depth - i));
      }
    }
    for (let i = index; i < depth; i++) {
      this.feature[o + i] = this.feature[o + i + 1]!;
      this.zero[o + i] = this.zero[o + i + 1]!;
      this.one[o + i] = this.one[o + i + 1]!;
    }
  }

  /** Σ of the path weights with element `index` removed (without modifying the path). */
  unwoundSum(o: number, depth: number, index: number): number {
    const w = this.weight;
    const one = this.one[o + index]!;
    const zero = this.zero[o + index]!;
    let next = w[o + depth]!;
    let total = 0;
    for (let i = depth - 1; i >= 0; i--) {
      if (one !== 0) {
        const tmp = (next * (depth + 1)) / ((i + 1) * one);
        total += tmp;
        next = w[o + i]! - (tmp * zero * (depth - i)) / (depth + 1);
      } else if (zero !== 0) {
        total += w[o + i]! / zero / ((depth - i) / (depth + 1));
      }
    }
    return total;
  }
}

/** Contributions of one tree for the row `x` (model feature order), added to `phi`. */
function shapTree(t: GbdtTree, x: Float64Array, phi: Float64Array, path: PathBuffers): void {
  const { left, right, feature, threshold, defaultLeft, sumHessian } = t;
  const recurse = (node: number, depth: number, parentOffset: number, pZero: number, pOne: number, pFeature: number): void => {
    const o = parentOffset + depth + 1;
    path.feature.copyWithin(o, parentOffset, parentOffset + depth + 1);
    path.zero.copyWithin(o, parentOffset, parentOffset + depth + 1);
    path.one.copyWithin(o, parentOffset, parentOffset + depth + 1);
    path.weight.copyWithin(o, parentOffset, parentOffset + depth + 1);
    path.extend(o, depth, pZero, pOne, pFeature);
    if (left[node]! === -1) {
      const leaf = threshold[node]!;
      for (let i = 1; i <= depth; i++) {
        const w = path.unwoundSum(o, depth, i);
        const f = path.feature[o + i]!;
        phi[f] = phi[f]! + w * (path.one[o + i]! - path.zero[o + i]!) * leaf;
      }
      return;
    }
    const split = feature[node]!;
    const v = x[split]!;
    const thr = threshold[node]!;
    const l = left[node]!;
    const r = right[node]!;
    const hot = v < thr ? l : v >= thr ? r : defaultLeft[node] === 1 ? l : r;
    const cold = hot === l ? r : l;
    const cover = sumHessian[node]!;
    const hotZero = cover > 0 ? sumHessian[hot]! / cover : 0;
    const coldZero = cover > 0 ? sumHessian[cold]! / cover : 0;
    let inZero = 1;
    let inOne = 1;
    let k = 0;
    for (; k <= depth; k++) if (path.feature[o + k] === split) break;
    if (k !== depth + 1) {
      inZero = path.zero[o + k]!;
      inOne = path.one[o + k]!;
      path.unwind(o, depth, k);
      depth -= 1;
    }
    if (hotZero * inZero !== 0 || inOne !== 0) recurse(hot, depth + 1, o, hotZero * inZero, inOne, split);
    if (coldZero * inZero !== 0) recurse(cold, depth + 1, o, coldZero * inZero, 0, split);
  };
  recurse(0, 0, 0, 1, 1, -1);
}

function checkRow(model: GbdtModel, length: number): void {
  if (length < model.nFeatures) {
    throw new PrognosError('INVALID_INPUT', `Expected ${model.nFeatures} features, got ${length}.`);
  }
}

/**
 * TreeSHAP values of one row (values in model feature order; NaN = missing) in margin space.
 * bias + Σ contributions equals the row's margin up to rounding (predictMargin accumulates in
 * float32, this in float64).
 */
export function treeShap(model: GbdtModel, row: ArrayLike<number>): TreeShapResult {
  checkRow(model, row.length);
  const plan = planOf(model);
  const x = new Float64Array(model.nFeatures);
  for (let f = 0; f < x.length; f++) x[f] = Math.fround(row[f]!);
  const phi = new Float64Array(model.nFeatures);
  const path = new PathBuffers(plan.maxDepth);
  for (const t of model.trees) shapTree(t, x, phi, path);
  return { bias: plan.bias, contributions: phi };
}

/**
 * TreeSHAP values of the rows `rows` (indices) of a column-major feature matrix in model feature
 * order (as predictMargin takes it); the path buffers and the row buffer are shared by all rows.
 */
export function treeShapRows(
  model: GbdtModel,
  columns: readonly Float32Array[],
  rows: ArrayLike<number>,
): TreeShapRowsResult {
  const F = model.nFeatures;
  if (columns.length < F) {
    throw new PrognosError('INVALID_INPUT', `Expected ${F} feature columns, got ${columns.length}.`);
  }
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    if (!Number.isInteger(r) || r < 0) throw new PrognosError('INVALID_INPUT', `Invalid row index ${r}.`);
    for (let f = 0; f < F; f++) {
      if (r >= columns[f]!.length) {
        throw new PrognosError('INVALID_INPUT', `Row ${r} is beyond feature column ${f} (${columns[f]!.length} values).`);
      }
    }
  }
  const plan = planOf(model);
  const path = new PathBuffers(plan.maxDepth);
  const x = new Float64Array(F);
  const all = new Float64Array(rows.length * F);
  const out: Float64Array[] = [];
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    for (let f = 0; f < F; f++) x[f] = columns[f]![r]!;
    const phi = all.subarray(k * F, (k + 1) * F);
    for (const t of model.trees) shapTree(t, x, phi, path);
    out.push(phi);
  }
  return { bias: plan.bias, contributions: out };
}
