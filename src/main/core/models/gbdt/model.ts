import { PrognosError } from '../../../../shared/errors';
import { baseMarginOf, sigmoid } from './f32';
import type { GbdtObjective } from './params';
import { fromXGBoostJson, stringifyXGBoostJson, toXGBoostJson } from './xgboost-json';

/**
 * One regression tree in XGBoost's array layout. Node 0 is the root; a leaf has left = right = −1
 * and its value (learning rate included) in `threshold`. Internal nodes send `x < threshold` left,
 * `x ≥ threshold` right and NaN to the default side.
 */
export interface GbdtTree {
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly parent: Int32Array;
  /** Split feature (0 for leaves). */
  readonly feature: Int32Array;
  /** Split threshold (float32) for internal nodes, leaf value for leaves. */
  readonly threshold: Float32Array;
  readonly defaultLeft: Uint8Array;
  /** Node weight −G/(H+λ) before the learning rate; for leaves the stored leaf value. */
  readonly baseWeight: Float32Array;
  /** Loss reduction of the split (0 for leaves). */
  readonly lossChange: Float32Array;
  /** Hessian sum of the training rows that reached the node. */
  readonly sumHessian: Float32Array;
}

export interface GbdtModelInit {
  trees: GbdtTree[];
  featureNames: string[];
  /**
   * XGBoost's base_score, float32: the initial prediction as a probability (binary:logistic) or in
   * the target's units (reg:squarederror).
   */
  baseScore: number;
  bestIteration: number;
  scalePosWeight?: number;
  /** default binary:logistic */
  objective?: GbdtObjective;
}

/**
 * A trained tree ensemble (binary:logistic or reg:squarederror) that predicts exactly like
 * XGBoost's CPU predictor.
 */
export class GbdtModel {
  readonly featureNames: string[];
  readonly objective: GbdtObjective;
  readonly baseScore: number;
  readonly bestIteration: number;
  readonly scalePosWeight: number;
  readonly trees: readonly GbdtTree[];
  /** Initial margin: logit(baseScore) as XGBoost computes it (float32), or baseScore for regression. */
  readonly baseMargin: number;

  constructor(init: GbdtModelInit) {
    this.featureNames = [...init.featureNames];
    this.objective = init.objective ?? 'binary:logistic';
    this.baseScore = Math.fround(init.baseScore);
    this.bestIteration = init.bestIteration;
    this.scalePosWeight = init.scalePosWeight ?? 1;
    this.trees = Object.freeze([...init.trees]);
    this.baseMargin = this.objective === 'reg:squarederror' ? this.baseScore : baseMarginOf(this.baseScore);
  }

  /** Whether the model predicts a real value (reg:squarederror) rather than a probability. */
  get isRegression(): boolean {
    return this.objective === 'reg:squarederror';
  }

  get nFeatures(): number {
    return this.featureNames.length;
  }

  /**
   * Raw scores: log-odds (binary:logistic) or the predicted value (reg:squarederror). Accumulated in float32 tree by tree from the base margin, like XGBoost,
   * so exported models reproduce these values bit for bit.
   */
  predictMargin(columns: readonly Float32Array[], rows: number): Float64Array {
    this.checkColumns(columns, rows);
    const acc = new Float32Array(rows).fill(this.baseMargin);
    for (const t of this.trees) {
      const { left, right, feature, threshold, defaultLeft } = t;
      for (let r = 0; r < rows; r++) {
        let n = 0;
        while (left[n]! !== -1) {
          const x = columns[feature[n]!]![r]!;
          const thr = threshold[n]!;
          n = x < thr ? left[n]! : x >= thr ? right[n]! : defaultLeft[n] === 1 ? left[n]! : right[n]!;
        }
        acc[r] = acc[r]! + threshold[n]!;
      }
    }
    return Float64Array.from(acc);
  }

  /** Probabilities of a binary:logistic model; a regression model refuses (use predictValue). */
  predictProba(columns: readonly Float32Array[], rows: number): Float64Array {
    if (this.isRegression) {
      throw new PrognosError('INVALID_INPUT', 'This GBDT is a reg:squarederror model: it predicts values, not probabilities.');
    }
    const m = this.predictMargin(columns, rows);
    for (let r = 0; r < rows; r++) m[r] = sigmoid(m[r]!);
    return m;
  }

  /**
   * The model's output: the regression value (reg:squarederror, float32 as XGBoost predicts it)
   * or the probability (binary:logistic, the same as predictProba).
   */
  predictValue(columns: readonly Float32Array[], rows: number): Float64Array {
    return this.isRegression ? this.predictMargin(columns, rows) : this.predictProba(columns, rows);
  }

  /** Output for one row of features in model order: probability, or the value of a regression model. */
  predictRow(x: Float32Array): number {
    if (x.length < this.nFeatures) {
      throw new PrognosError('INVALID_INPUT', `Expected ${this.nFeatures} features, got ${x.length}.`);
    }
    let m = this.baseMargin;
    for (const t of this.trees) {
      const { left, right, feature, threshold, defaultLeft } = t;
      let n = 0;
      while (left[n]! !== -1) {
        const v = x[feature[n]!]!;
        const thr = threshold[n]!;
        n = v < thr ? left[n]! : v >= thr ? right[n]! : defaultLeft[n] === 1 ? left[n]! : right[n]!;
      }
      m = Math.fround(m + threshold[n]!);
    }
    return this.isRegression ? m : sigmoid(m);
  }

  /** Total loss reduction of the splits on each used feature (XGBoost's importance_type='total_gain'). */
  gainImportance(): Record<string, number> {
    const total = new Float64Array(this.nFeatures);
    const used = new Uint8Array(this.nFeatures);
    for (const t of this.trees) {
      for (let n = 0; n < t.left.length; n++) {
        if (t.left[n] === -1) continue;
        const f = t.feature[n]!;
        total[f] = total[f]! + t.lossChange[n]!;
        used[f] = 1;
      }
    }
    const out: Record<string, number> = {};
    for (let f = 0; f < this.nFeatures; f++) if (used[f] === 1) out[this.featureNames[f]!] = total[f]!;
    return out;
  }

  /**
   * XGBoost JSON model (binary:logistic or reg:squarederror, gbtree), loadable by `xgboost.Booster.load_model`.
   * Float fields hold doubles that round to the stored float32 values and never print as JSON
   * integers, so `JSON.stringify` of the object is a valid model file; toXGBoostJsonString() writes
   * the same model more compactly.
   */
  toXGBoostJson(): object {
    return toXGBoostJson(this);
  }

  /** The XGBoost JSON model as compact file text (floats as shortest float32 text, e.g. 0.0, 100.0). */
  toXGBoostJsonString(): string {
    return stringifyXGBoostJson(toXGBoostJson(this));
  }

  /** Accepts a parsed XGBoost JSON model or its text. */
  static fromXGBoostJson(json: unknown): GbdtModel {
    return new GbdtModel(fromXGBoostJson(json));
  }

  private checkColumns(columns: readonly Float32Array[], rows: number): void {
    if (!Number.isInteger(rows) || rows < 0) throw new PrognosError('INVALID_INPUT', `Invalid row count ${rows}.`);
    if (columns.length < this.nFeatures) {
      throw new PrognosError('INVALID_INPUT', `Expected ${this.nFeatures} feature columns, got ${columns.length}.`);
    }
    for (let f = 0; f < this.nFeatures; f++) {
      if (columns[f]!.length < rows) {
        throw new PrognosError(
          'INVALID_INPUT',
          `Feature column ${f} has ${columns[f]!.length} values, expected ${rows}.`,
        );
      }
    }
  }
}
