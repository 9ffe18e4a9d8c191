/**
 * Histogram-based, second-order gradient boosting for binary:logistic and reg:squarederror,
 * compatible with XGBoost's `tree_method='hist'` model semantics (depthwise growth, regularised
 * gain, float32 thresholds).
 */
import { PrognosError } from '../../../../shared/errors';
import { binColumns, type BinLayout } from './binning';
import { baseMarginOf, sigmoid } from './f32';
import { PAIR_WIDTH, RESULT_WIDTH, TASK_HEADER, TASKF_HEADER, type KernelContext } from './kernel';
import { GbdtModel, type GbdtTree } from './model';
import { resolveGbdtParams, type GbdtObjective, type GbdtParams } from './params';
import { contextOf, LocalRunner, WorkerRunner, type KernelRunner, type SharedBuffers } from './pool';
import { SeededRng } from './rng';

/**
 * Column-major training data: one float32 column per feature, with 0/1 labels (binary:logistic)
 * or a real-valued target (reg:squarederror).
 */
export interface GbdtDataset {
  rows: number;
  features: number;
  columns: Float32Array[];
  /** 0 or 1 per row (binary:logistic; not read by reg:squarederror, where it may be empty). */
  label: Uint8Array;
  /** Regression target per row (reg:squarederror; finite values). */
  target?: Float32Array;
}

export interface GbdtIterationEvent {
  iteration: number;
  /** What trainLoss and validLoss measure: logloss (binary:logistic) or RMSE (reg:squarederror). */
  metric: 'logloss' | 'rmse';
  trainLoss: number;
  validLoss?: number;
  /** trainLoss under its binary:logistic name (for reg:squarederror it holds the RMSE as well). */
  trainLogloss: number;
  /** validLoss under its binary:logistic name (for reg:squarederror it holds the RMSE as well). */
  validLogloss?: number;
}

export interface TrainGbdtOptions {
  /** Validation set: its logloss (RMSE for reg:squarederror) drives early stopping. */
  valid?: GbdtDataset;
  featureNames?: string[];
  /** Checked before every tree; aborting rejects with PrognosError('CANCELLED'). */
  signal?: AbortSignal;
  onIteration?: (e: GbdtIterationEvent) => void;
  /** Called once before the first tree with the number of threads actually used. */
  onStart?: (info: { threads: number }) => void;
}

/** Below this many (rows × sampled features) cells helper threads cost more than they save. */
export const PARALLEL_MIN_CELLS = 32_768;
/** Minimum loss change for a split (XGBoost's kRtEps). */
const RT_EPS = 1e-6;
const LOGLOSS_EPS = 1e-16;
/** Smallest base score, keeping logit(base score) finite for one-class labels. */
const BASE_SCORE_EPS = 1e-6;

function validateDataset(d: GbdtDataset, what: string, objective: GbdtObjective, features?: number): void {
  const bad = (reason: string): never => {
    throw new PrognosError('INVALID_INPUT', `GBDT ${what} set: ${reason}.`);
  };
  if (!Number.isInteger(d.rows) || d.rows < 1) bad(`rows must be a positive integer, got ${d.rows}`);
  if (!Number.isInteger(d.features) || d.features < 1) bad(`features must be a positive integer, got ${d.features}`);
  if (features !== undefined && d.features !== features)
    bad(`has ${d.features} features, the training set ${features}`);
  if (d.columns.length !== d.features) bad(`has ${d.columns.length} columns for ${d.features} features`);
  d.columns.forEach((c, f) => {
    if (!(c instanceof Float32Array)) bad(`column ${f} is not a Float32Array`);
    if (c.length !== d.rows) bad(`column ${f} has ${c.length} values for ${d.rows} rows`);
  });
  if (objective === 'reg:squarederror') {
    const t = d.target;
    if (t === undefined) return bad('has no target (reg:squarederror needs a real-valued target per row)');
    if (!(t instanceof Float32Array)) bad('target is not a Float32Array');
    if (t.length !== d.rows) bad(`target has ${t.length} values for ${d.rows} rows`);
    for (let i = 0; i < d.rows; i++) if (!Number.isFinite(t[i]!)) bad(`target ${i} is ${t[i]}, expected a finite number`);
    return;
  }
  if (d.label.length !== d.rows) bad(`label has ${d.label.length} values for ${d.rows} rows`);
  for (let i = 0; i < d.rows; i++) if (d.label[i]! > 1) bad(`label ${i} is ${d.label[i]}, expected 0 or 1`);
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal !== undefined && signal.aborted;
}

function cancelled(): PrognosError {
  return new PrognosError('CANCELLED', 'GBDT training cancelled.');
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function logloss(margin: Float64Array, label: Uint8Array): number {
  let s = 0;
  for (let r = 0; r < margin.length; r++) {
    let p = sigmoid(margin[r]!);
    if (p < LOGLOSS_EPS) p = LOGLOSS_EPS;
    else if (p > 1 - LOGLOSS_EPS) p = 1 - LOGLOSS_EPS;
    s -= label[r] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return s / margin.length;
}

/** Root mean squared error of the margins (XGBoost's rmse metric). */
function rmse(margin: Float64Array, target: Float32Array): number {
  let s = 0;
  for (let r = 0; r < margin.length; r++) {
    const d = margin[r]! - target[r]!;
    s += d * d;
  }
  return Math.sqrt(s / margin.length);
}

function shared(bytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(Math.max(8, bytes));
}

/** Growable per-node storage of one tree under construction. */
class TreeBuilder {
  left: number[] = [];
  right: number[] = [];
  parent: number[] = [];
  feature: number[] = [];
  splitBin: number[] = [];
  threshold: number[] = [];
  defaultLeft: number[] = [];
  baseWeight: number[] = [];
  lossChange: number[] = [];
  sumHessian: number[] = [];
  G: number[] = [];
  H: number[] = [];
  start: number[] = [];
  end: number[] = [];
  depth: number[] = [];
  slot: number[] = [];

  add(parent: number, G: number, H: number, start: number, end: number, depth: number): number {
    const id = this.left.length;
    this.left.push(-1);
    this.right.push(-1);
    this.parent.push(parent);
    this.feature.push(0);
    this.splitBin.push(-1);
    this.threshold.push(0);
    this.defaultLeft.push(0);
    this.baseWeight.push(0);
    this.lossChange.push(0);
    this.sumHessian.push(0);
    this.G.push(G);
    this.H.push(H);
    this.start.push(start);
    this.end.push(end);
    this.depth.push(depth);
    this.slot.push(-1);
    return id;
  }

  finish(): GbdtTree {
    return {
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      parent: Int32Array.from(this.parent),
      feature: Int32Array.from(this.feature),
      threshold: Float32Array.from(this.threshold),
      defaultLeft: Uint8Array.from(this.defaultLeft),
      baseWeight: Float32Array.from(this.baseWeight),
      lossChange: Float32Array.from(this.lossChange),
      sumHessian: Float32Array.from(this.sumHessian),
    };
  }
}

/** A node whose histogram is built from its rows, and optionally its sibling (parent − built). */
interface BuildTask {
  slot: number;
  start: number;
  end: number;
  sibling: number;
  parent: number;
  /** Result rows (indices into the level's evaluation list), −1 when not evaluated. */
  evalBuilt: number;
  evalSibling: number;
}

/** Owns the shared buffers, the kernel runner and the histogram slot pool of one training run. */
class Engine {
  readonly n: number;
  readonly nFeatures: number;
  readonly layout: BinLayout;
  buffers: SharedBuffers;
  ctx: KernelContext;
  runner: KernelRunner = new LocalRunner();
  private slotCapacity: number;
  private levelCapacity: number;
  private freeSlots: number[] = [];
  private dirty = false;

  constructor(train: GbdtDataset, maxBin: number) {
    this.n = train.rows;
    this.nFeatures = train.features;
    const binned = binColumns(train.columns, maxBin, this.n, shared);
    this.layout = binned.layout;
    const binBits = binned.bits;
    let maxNb = 1;
    for (const nb of this.layout.nBins) maxNb = Math.max(maxNb, nb);
    const stride = 2 * (maxNb + 1);
    const slotSize = this.nFeatures * stride;
    const bins = binned.codes.buffer as SharedArrayBuffer;
    const nBins = shared(4 * this.nFeatures);
    new Int32Array(nBins).set(this.layout.nBins);
    this.slotCapacity = 8;
    this.levelCapacity = 8;
    this.buffers = {
      nRows: this.n,
      nFeatures: this.nFeatures,
      stride,
      slotSize,
      binBits,
      bins,
      nBins,
      gh: shared(16 * this.n),
      rowIdx: shared(4 * this.n),
      hist: shared(8 * slotSize * this.slotCapacity),
      task: shared(4 * this.taskInts(this.levelCapacity)),
      taskF: shared(8 * (TASKF_HEADER + 2 * this.levelCapacity)),
      res: shared(8 * this.levelCapacity * this.nFeatures * RESULT_WIDTH),
      work: shared(4),
    };
    this.ctx = contextOf(this.buffers);
    for (let s = this.slotCapacity - 1; s >= 0; s--) this.freeSlots.push(s);
  }

  private taskInts(level: number): number {
    return TASK_HEADER + this.nFeatures + PAIR_WIDTH * level;
  }

  /** Uses helper threads from now on; they receive the buffers before the next kernel call. */
  attach(runner: KernelRunner): void {
    this.runner = runner;
    this.dirty = true;
  }

  /** Makes room for `slots` more histogram slots and `level` nodes per kernel call. */
  reserve(slots: number, level: number): void {
    const live = this.slotCapacity - this.freeSlots.length;
    if (live + slots > this.slotCapacity) {
      let cap = this.slotCapacity;
      while (live + slots > cap) cap *= 2;
      const hist = shared(8 * this.buffers.slotSize * cap);
      new Float64Array(hist).set(this.ctx.hist);
      for (let s = cap - 1; s >= this.slotCapacity; s--) this.freeSlots.unshift(s);
      this.slotCapacity = cap;
      this.buffers = { ...this.buffers, hist };
      this.dirty = true;
    }
    if (level > this.levelCapacity) {
      let cap = this.levelCapacity;
      while (level > cap) cap *= 2;
      const task = shared(4 * this.taskInts(cap));
      const taskF = shared(8 * (TASKF_HEADER + 2 * cap));
      const res = shared(8 * cap * this.nFeatures * RESULT_WIDTH);
      new Float64Array(res).set(this.ctx.res);
      this.levelCapacity = cap;
      this.buffers = { ...this.buffers, task, taskF, res };
      this.dirty = true;
    }
    if (this.dirty) this.ctx = contextOf(this.buffers);
  }

  allocSlot(): number {
    const s = this.freeSlots.pop();
    if (s === undefined) throw new PrognosError('INTERNAL', 'GBDT histogram pool exhausted.');
    return s;
  }

  freeSlot(s: number): void {
    this.freeSlots.push(s);
  }

  async run(): Promise<void> {
    if (this.dirty) {
      await this.runner.update(this.buffers);
      this.dirty = false;
    }
    await this.runner.run(this.ctx);
  }

  async close(): Promise<void> {
    await this.runner.close();
  }
}

/** Quantities in the kernel's integer units (gradients scaled by `scale`). */
interface Quantised {
  scale: number;
  lambda: number;
  alpha: number;
  mcw: number;
}

/** One boosting run: owns the margins and the sampler; `boost()` adds one tree. */
class Booster {
  readonly margin: Float64Array;
  private readonly rng: SeededRng;
  private readonly inSample: Uint8Array;
  private readonly tmpRows: Int32Array;
  private readonly featurePerm: Int32Array;
  private readonly nSampledFeatures: number;

  constructor(
    private readonly p: GbdtParams,
    private readonly train: GbdtDataset,
    private readonly engine: Engine,
    private q: Quantised,
    baseMargin: number,
  ) {
    const n = train.rows;
    const F = train.features;
    this.margin = new Float64Array(n).fill(baseMargin);
    this.rng = new SeededRng(p.seed);
    this.inSample = new Uint8Array(n);
    this.tmpRows = new Int32Array(n);
    this.featurePerm = Int32Array.from({ length: F }, (_, i) => i);
    this.nSampledFeatures = sampledFeatureCount(p.colsampleBytree, F);
  }

  async boost(): Promise<GbdtTree> {
    const { p, train, engine } = this;
    const n = train.rows;
    const ctx = engine.ctx;
    if (p.objective === 'reg:squarederror') {
      this.q = quantisedFor(squaredErrorScale(this.margin, train.target!), p);
      computeSquaredErrorGradients(this.margin, train.target!, ctx.gh, this.q.scale);
    } else {
      computeGradients(this.margin, train.label, ctx.gh, p.scalePosWeight, this.q.scale);
    }
    const nSampled = this.sampleRows(ctx.rowIdx);
    const features = this.sampleFeatures();
    const tb = await this.grow(features, nSampled);
    const tree = this.finishTree(tb);
    // margins: sampled rows from the final partition, the others by walking the tree on bins
    addLeafMargins(tb, tree, engine.ctx.rowIdx, this.margin);
    if (nSampled < n)
      addUnsampledMargins(tb, tree, engine.ctx.bins, engine.layout.nBins, this.inSample, n, this.margin);
    return tree;
  }

  private sampleRows(rowIdx: Int32Array): number {
    const n = this.train.rows;
    const inSample = this.inSample;
    if (this.p.subsample >= 1) {
      for (let r = 0; r < n; r++) rowIdx[r] = r;
      inSample.fill(1);
      return n;
    }
    const rate = this.p.subsample;
    let k = 0;
    for (let r = 0; r < n; r++) {
      const take = this.rng.next() < rate;
      inSample[r] = take ? 1 : 0;
      if (take) rowIdx[k++] = r;
    }
    return k;
  }

  private sampleFeatures(): Int32Array {
    const perm = this.featurePerm;
    const F = perm.length;
    for (let i = 0; i < F; i++) perm[i] = i;
    for (let i = 0; i < this.nSampledFeatures; i++) {
      const j = i + this.rng.nextInt(F - i);
      const t = perm[i]!;
      perm[i] = perm[j]!;
      perm[j] = t;
    }
    return perm.slice(0, this.nSampledFeatures).sort();
  }

  private canSplit(tb: TreeBuilder, id: number): boolean {
    const H = tb.H[id]!;
    return tb.depth[id]! < this.p.maxDepth && tb.end[id]! - tb.start[id]! >= 2 && H > 0 && H >= 2 * this.q.mcw;
  }

  /** Depthwise growth: one kernel call per level builds histograms and scores every split. */
  private async grow(features: Int32Array, nSampled: number): Promise<TreeBuilder> {
    const { engine, q } = this;
    const n = this.train.rows;
    const F = this.train.features;
    const { cuts, nBins } = engine.layout;
    const gh = engine.ctx.gh;
    const rowIdx = engine.ctx.rowIdx;
    const tb = new TreeBuilder();
    let G0 = 0;
    let H0 = 0;
    for (let j = 0; j < nSampled; j++) {
      const r = rowIdx[j]!;
      G0 += gh[2 * r]!;
      H0 += gh[2 * r + 1]!;
    }
    tb.add(-1, G0, H0, 0, nSampled, 0);

    let evalNodes: number[] = [];
    let builds: BuildTask[] = [];
    let pendingFree: number[] = [];
    if (this.canSplit(tb, 0)) {
      engine.reserve(1, 1);
      const slot = engine.allocSlot();
      tb.slot[0] = slot;
      evalNodes = [0];
      builds = [{ slot, start: 0, end: nSampled, sibling: -1, parent: -1, evalBuilt: 0, evalSibling: -1 }];
    }
    while (evalNodes.length > 0) {
      this.writeTask(tb, features, builds, evalNodes);
      await engine.run();
      for (const s of pendingFree) engine.freeSlot(s);

      // choose splits, partition rows, plan the next level
      engine.reserve(2 * evalNodes.length, 2 * evalNodes.length);
      const res = engine.ctx.res;
      const bins = engine.ctx.bins;
      const nextEval: number[] = [];
      const nextBuilds: BuildTask[] = [];
      const nextFree: number[] = [];
      for (let e = 0; e < evalNodes.length; e++) {
        const id = evalNodes[e]!;
        const G = tb.G[id]!;
        const H = tb.H[id]!;
        let bestGain = -Infinity;
        let bestF = -1;
        for (const f of features) {
          const g = res[(e * F + f) * RESULT_WIDTH]!;
          if (g > bestGain) {
            bestGain = g;
            bestF = f;
          }
        }
        const slot = tb.slot[id]!;
        const lossChg = Math.fround((bestGain - gainOf(G, H, q)) / q.scale);
        if (bestF < 0 || !(lossChg > RT_EPS) || lossChg < this.p.gamma) {
          engine.freeSlot(slot);
          continue;
        }
        const ro = (e * F + bestF) * RESULT_WIDTH;
        const bin = res[ro + 1]!;
        const dl = res[ro + 2]!;
        const GL = res[ro + 3]!;
        const HL = res[ro + 4]!;
        const start = tb.start[id]!;
        const end = tb.end[id]!;
        const l = partitionRows(rowIdx, this.tmpRows, bins, bestF * n, start, end, nBins[bestF]!, bin, dl);
        const depth = tb.depth[id]! + 1;
        const lc = tb.add(id, GL, HL, start, l, depth);
        const rc = tb.add(id, G - GL, H - HL, l, end, depth);
        tb.left[id] = lc;
        tb.right[id] = rc;
        tb.feature[id] = bestF;
        tb.splitBin[id] = bin;
        tb.threshold[id] = cuts[bestF]![bin]!;
        tb.defaultLeft[id] = dl;
        tb.lossChange[id] = lossChg;

        const needL = this.canSplit(tb, lc);
        const needR = this.canSplit(tb, rc);
        if (!needL && !needR) {
          engine.freeSlot(slot);
          continue;
        }
        // build the smaller child from its rows; the larger one is parent − smaller
        const leftSmaller = l - start <= end - l;
        const small = leftSmaller ? lc : rc;
        const large = leftSmaller ? rc : lc;
        const needSmall = leftSmaller ? needL : needR;
        const needLarge = leftSmaller ? needR : needL;
        const smallSlot = engine.allocSlot();
        tb.slot[small] = smallSlot;
        const task: BuildTask = {
          slot: smallSlot,
          start: tb.start[small]!,
          end: tb.end[small]!,
          sibling: -1,
          parent: -1,
          evalBuilt: -1,
          evalSibling: -1,
        };
        if (needLarge) {
          const largeSlot = engine.allocSlot();
          tb.slot[large] = largeSlot;
          task.sibling = largeSlot;
          task.parent = slot;
          nextFree.push(slot);
        } else {
          engine.freeSlot(slot);
        }
        if (!needSmall) nextFree.push(smallSlot);
        for (const child of [lc, rc]) {
          if (child === small ? !needSmall : !needLarge) continue;
          if (child === small) task.evalBuilt = nextEval.length;
          else task.evalSibling = nextEval.length;
          nextEval.push(child);
        }
        nextBuilds.push(task);
      }
      evalNodes = nextEval;
      builds = nextBuilds;
      pendingFree = nextFree;
    }
    for (const s of pendingFree) engine.freeSlot(s);
    return tb;
  }

  private writeTask(tb: TreeBuilder, features: Int32Array, builds: BuildTask[], evalNodes: number[]): void {
    const c = this.engine.ctx;
    const task = c.task;
    const taskF = c.taskF;
    task[0] = builds.length;
    task[1] = evalNodes.length;
    task[2] = features.length;
    task.set(features, TASK_HEADER);
    let o = TASK_HEADER + features.length;
    for (const b of builds) {
      task[o++] = b.slot;
      task[o++] = b.start;
      task[o++] = b.end;
      task[o++] = b.sibling;
      task[o++] = b.parent;
      task[o++] = b.evalBuilt;
      task[o++] = b.evalSibling;
    }
    taskF[0] = this.q.lambda;
    taskF[1] = this.q.alpha;
    taskF[2] = this.q.mcw;
    for (let e = 0; e < evalNodes.length; e++) {
      const id = evalNodes[e]!;
      taskF[TASKF_HEADER + 2 * e] = tb.G[id]!;
      taskF[TASKF_HEADER + 2 * e + 1] = tb.H[id]!;
    }
  }

  /** Node weights, leaf values (× eta, float32) and hessian sums in real units. */
  private finishTree(tb: TreeBuilder): GbdtTree {
    const q = this.q;
    for (let id = 0; id < tb.left.length; id++) {
      const w = weightOf(tb.G[id]!, tb.H[id]!, q);
      tb.sumHessian[id] = Math.fround(tb.H[id]! / q.scale);
      if (tb.left[id] === -1) {
        const leaf = Math.fround(w * this.p.eta);
        tb.threshold[id] = leaf;
        tb.baseWeight[id] = leaf;
      } else {
        tb.baseWeight[id] = Math.fround(w);
      }
    }
    return tb.finish();
  }
}

function sampledFeatureCount(colsample: number, F: number): number {
  return Math.max(1, Math.min(F, Math.floor(colsample * F + 1e-9)));
}

/** XGBoost's ThresholdL1 (soft thresholding of a gradient sum by alpha). */
function thresholdL1(g: number, alpha: number): number {
  return g > alpha ? g - alpha : g < -alpha ? g + alpha : 0;
}

/** XGBoost's CalcGain without max_delta_step: T(G)² / (H + λ), in quantised units. */
function gainOf(G: number, H: number, q: Quantised): number {
  const t = thresholdL1(G, q.alpha);
  return (t * t) / (H + q.lambda);
}

/** XGBoost's CalcWeight: −T(G)/(H + λ), zero below min_child_weight (unit-free). */
function weightOf(G: number, H: number, q: Quantised): number {
  const t = thresholdL1(G, q.alpha);
  if (H < q.mcw || H <= 0 || t === 0) return 0;
  return -t / (H + q.lambda);
}

function addLeafMargins(tb: TreeBuilder, tree: GbdtTree, rowIdx: Int32Array, margin: Float64Array): void {
  for (let id = 0; id < tb.left.length; id++) {
    if (tb.left[id] !== -1) continue;
    const v = tree.threshold[id]!;
    const end = tb.end[id]!;
    for (let j = tb.start[id]!; j < end; j++) {
      const r = rowIdx[j]!;
      margin[r] = margin[r]! + v;
    }
  }
}

function addUnsampledMargins(
  tb: TreeBuilder,
  tree: GbdtTree,
  bins: Uint8Array | Uint16Array,
  nBins: Int32Array,
  inSample: Uint8Array,
  n: number,
  margin: Float64Array,
): void {
  const splitBin = Int32Array.from(tb.splitBin);
  const { left, right, feature, defaultLeft, threshold } = tree;
  for (let r = 0; r < n; r++) {
    if (inSample[r] === 1) continue;
    let id = 0;
    while (left[id]! !== -1) {
      const f = feature[id]!;
      const b = bins[f * n + r]!;
      const goLeft = b === nBins[f]! ? defaultLeft[id] === 1 : b <= splitBin[id]!;
      id = goLeft ? left[id]! : right[id]!;
    }
    margin[r] = margin[r]! + threshold[id]!;
  }
}

function quantisedFor(scale: number, p: GbdtParams): Quantised {
  return { scale, lambda: p.lambda * scale, alpha: p.alpha * scale, mcw: p.minChildWeight * scale };
}

/**
 * Quantisation scale for one squared-error tree: the gradients p − y change from tree to tree, so
 * the scale follows their largest magnitude (hessians are 1) to keep every sum below 2^51.
 */
function squaredErrorScale(margin: Float64Array, target: Float32Array): number {
  let m = 1;
  for (let r = 0; r < margin.length; r++) m = Math.max(m, Math.abs(margin[r]! - target[r]!));
  return 2 ** Math.max(0, Math.floor(51 - Math.log2(margin.length * m)));
}

/**
 * Trains a tree ensemble. binary:logistic reads `label` (0/1) and starts from the mean label;
 * reg:squarederror reads `target` and starts from the mean target (XGBoost ≥ 2's estimated
 * intercept), with gradient p − y and hessian 1.
 */
export async function trainGbdt(
  train: GbdtDataset,
  params: Partial<GbdtParams>,
  opts: TrainGbdtOptions = {},
): Promise<GbdtModel> {
  const p = resolveGbdtParams(params);
  const regression = p.objective === 'reg:squarederror';
  validateDataset(train, 'training', p.objective);
  const valid = opts.valid;
  if (valid !== undefined) validateDataset(valid, 'validation', p.objective, train.features);
  const featureNames = opts.featureNames ?? Array.from({ length: train.features }, (_, i) => `f${i}`);
  if (featureNames.length !== train.features) {
    throw new PrognosError(
      'INVALID_INPUT',
      `featureNames has ${featureNames.length} names for ${train.features} features.`,
    );
  }
  const signal = opts.signal;
  if (isAborted(signal)) throw cancelled();

  const n = train.rows;
  let baseScore: number;
  let baseMargin: number;
  let scale: number;
  if (regression) {
    const target = train.target!;
    let sum = 0;
    for (let r = 0; r < n; r++) sum += target[r]!;
    baseScore = Math.fround(sum / n);
    baseMargin = baseScore;
    // the boosting loop sets the scale of each tree from its gradients
    scale = 1;
  } else {
    let positives = 0;
    for (let r = 0; r < n; r++) positives += train.label[r]!;
    baseScore = Math.fround(Math.min(1 - BASE_SCORE_EPS, Math.max(BASE_SCORE_EPS, positives / n)));
    baseMargin = baseMarginOf(baseScore);
    // Gradients are quantised to multiples of 1/scale: every per-row value stays below 2^51 / n in
    // magnitude, so histogram sums and differences are exact integers in float64.
    scale = 2 ** Math.max(0, Math.floor(51 - Math.log2(n * Math.max(1, p.scalePosWeight))));
  }
  const q = quantisedFor(scale, p);
  const metric = (margin: Float64Array, d: GbdtDataset): number =>
    regression ? rmse(margin, d.target!) : logloss(margin, d.label);

  // Helper threads start up while the data is binned.
  const nSampledFeatures = sampledFeatureCount(p.colsampleBytree, train.features);
  const threads =
    p.nThreads > 1 && n * nSampledFeatures >= PARALLEL_MIN_CELLS ? Math.min(p.nThreads, nSampledFeatures) : 1;
  const pending = threads > 1 ? WorkerRunner.start(threads) : Promise.resolve(null);
  let engine: Engine | undefined;
  try {
    engine = new Engine(train, p.maxBin);
    const runner = await pending;
    if (runner !== null) engine.attach(runner);
    opts.onStart?.({ threads: engine.runner.threads });
    const booster = new Booster(p, train, engine, q, baseMargin);
    const validMargin = valid === undefined ? undefined : new Float64Array(valid.rows).fill(baseMargin);
    const trees: GbdtTree[] = [];
    const earlyStopping = valid !== undefined && p.earlyStoppingRounds > 0;
    let bestLoss = Infinity;
    let bestIteration = -1;

    for (let it = 0; it < p.nEstimators; it++) {
      if (it > 0) await yieldToEventLoop();
      if (isAborted(signal)) throw cancelled();
      const tree = await booster.boost();
      trees.push(tree);
      let validLogloss: number | undefined;
      if (valid !== undefined && validMargin !== undefined) {
        addTreeMargins(tree, valid.columns, valid.rows, validMargin);
        if (earlyStopping || opts.onIteration !== undefined) validLogloss = metric(validMargin, valid);
      }
      if (opts.onIteration !== undefined) {
        const trainLoss = metric(booster.margin, train);
        const ev: GbdtIterationEvent = {
          iteration: it,
          metric: regression ? 'rmse' : 'logloss',
          trainLoss,
          trainLogloss: trainLoss,
        };
        if (validLogloss !== undefined) {
          ev.validLoss = validLogloss;
          ev.validLogloss = validLogloss;
        }
        opts.onIteration(ev);
      }
      if (earlyStopping && validLogloss !== undefined) {
        if (validLogloss < bestLoss) {
          bestLoss = validLogloss;
          bestIteration = it;
        } else if (it - bestIteration >= p.earlyStoppingRounds) {
          break;
        }
      }
    }
    if (isAborted(signal)) throw cancelled();
    const kept = earlyStopping ? trees.slice(0, bestIteration + 1) : trees;
    return new GbdtModel({
      trees: kept,
      featureNames,
      baseScore,
      bestIteration: kept.length - 1,
      // squared error has no classes to weigh: the model records the 1 that XGBoost would apply
      scalePosWeight: regression ? 1 : p.scalePosWeight,
      objective: p.objective,
    });
  } finally {
    if (engine !== undefined) await engine.close();
    else await (await pending)?.close();
  }
}

/** Adding and subtracting 1.5 × 2^52 rounds a double of magnitude < 2^51 to the nearest integer. */
const ROUNDING_MAGIC = 6755399441055744;

/**
 * Logistic-loss gradient p − y and hessian max(p(1 − p), 1e-16), positives weighted by
 * scale_pos_weight, quantised to integers in units of 1/scale: gh[2r], gh[2r + 1].
 */
function computeGradients(
  margin: Float64Array,
  label: Uint8Array,
  gh: Float64Array,
  scalePosWeight: number,
  scale: number,
): void {
  const posScale = scalePosWeight * scale;
  for (let r = 0; r < margin.length; r++) {
    const prob = 1 / (1 + Math.exp(-margin[r]!));
    const h = Math.max(prob * (1 - prob), 1e-16);
    const y = label[r]!;
    const w = y === 1 ? posScale : scale;
    gh[2 * r] = (prob - y) * w + ROUNDING_MAGIC - ROUNDING_MAGIC;
    gh[2 * r + 1] = h * w + ROUNDING_MAGIC - ROUNDING_MAGIC;
  }
}

/** Squared-error gradient p − y and hessian 1, quantised to integers in units of 1/scale. */
function computeSquaredErrorGradients(margin: Float64Array, target: Float32Array, gh: Float64Array, scale: number): void {
  for (let r = 0; r < margin.length; r++) {
    gh[2 * r] = (margin[r]! - target[r]!) * scale + ROUNDING_MAGIC - ROUNDING_MAGIC;
    gh[2 * r + 1] = scale;
  }
}

/** Stable in-place partition of rowIdx[start, end) on one split; returns the first right position. */
function partitionRows(
  rowIdx: Int32Array,
  tmp: Int32Array,
  bins: Uint8Array | Uint16Array,
  colOff: number,
  start: number,
  end: number,
  missing: number,
  bin: number,
  defaultLeft: number,
): number {
  const missingLeft = defaultLeft === 1;
  let l = start;
  let k = 0;
  for (let j = start; j < end; j++) {
    const r = rowIdx[j]!;
    const b = bins[colOff + r]!;
    if (b === missing ? missingLeft : b <= bin) rowIdx[l++] = r;
    else tmp[k++] = r;
  }
  rowIdx.set(tmp.subarray(0, k), l);
  return l;
}

function addTreeMargins(tree: GbdtTree, columns: readonly Float32Array[], rows: number, margin: Float64Array): void {
  const { left, right, feature, threshold, defaultLeft } = tree;
  for (let r = 0; r < rows; r++) {
    let id = 0;
    while (left[id]! !== -1) {
      const x = columns[feature[id]!]![r]!;
      const thr = threshold[id]!;
      id = x < thr ? left[id]! : x >= thr ? right[id]! : defaultLeft[id] === 1 ? left[id]! : right[id]!;
    }
    margin[r] = margin[r]! + threshold[id]!;
  }
}
