/**
 * The per-level compute kernel: histogram build with the subtraction trick, and split search.
 *
 * Work is partitioned by feature: every participating thread claims groups of four sampled features
 * and, for each of them, builds the histograms of the listed nodes and finds each node's best split
 * on that feature. Every (node, feature) result is computed by one thread with the same sequential
 * loop whichever thread it is, and the caller reduces over features in ascending order, so results
 * do not depend on the thread count or on scheduling.
 *
 * Gradients arrive quantised to integers (stored in float64), so histogram sums and the sibling
 * subtraction are exact: empty bins are exactly zero and are skipped during the split search.
 *
 * `levelKernel` must stay self-contained (no references outside its body): its source text is also
 * evaluated inside the helper worker threads.
 */

/** Typed-array views shared by the coordinating thread and the helper workers. */
export interface KernelContext {
  nRows: number;
  nFeatures: number;
  /** Doubles per feature inside a histogram slot (2 × (max bins + 1)). */
  stride: number;
  /** Doubles per histogram slot (nFeatures × stride). */
  slotSize: number;
  /** Bin codes, column-major: code of row r for feature f at f × nRows + r. */
  bins: Uint8Array | Uint16Array;
  /** Bins per feature; the missing code is nBins[f]. */
  nBins: Int32Array;
  /** Quantised gradient and hessian interleaved: gh[2r], gh[2r + 1]. */
  gh: Float64Array;
  /** Row indices grouped by node (each node owns a contiguous segment). */
  rowIdx: Int32Array;
  /** Histogram slots: per slot, per feature, per bin (gradient, hessian); the missing bin last. */
  hist: Float64Array;
  /**
   * [0] pairs P, [1] evaluations E, [2] sampled features K, then K feature ids, then P ×
   * (builtSlot, rowStart, rowEnd, siblingSlot, parentSlot, builtEval, siblingEval): the built node's
   * histogram comes from its rows; the sibling's (when siblingSlot ≥ 0) is parent − built. An eval
   * index ≥ 0 asks for that node's best splits in result row `e`.
   */
  task: Int32Array;
  /** [0] lambda, [1] alpha, [2] min child weight (all in quantised units), then E × (G, H). */
  taskF: Float64Array;
  /** E × nFeatures × RESULT_WIDTH: gain (−Infinity if none), bin, default left, GL, HL. */
  res: Float64Array;
  /** [0]: next unclaimed group of four sampled features (reset to 0 before every call). */
  work: Int32Array;
}

export const RESULT_WIDTH = 5;
export const TASK_HEADER = 3;
export const PAIR_WIDTH = 7;
export const TASKF_HEADER = 3;

export function levelKernel(c: KernelContext): void {
  const task = c.task;
  const tf = c.taskF;
  const hist = c.hist;
  const bins = c.bins;
  const rowIdx = c.rowIdx;
  const gh = c.gh;
  const res = c.res;
  const nBinsOf = c.nBins;
  const nRows = c.nRows;
  const nFeatures = c.nFeatures;
  const stride = c.stride;
  const slotSize = c.slotSize;
  const nPairs = task[0]!;
  const nFeat = task[2]!;
  const pairOff = 3 + nFeat;
  const lambda = tf[0]!;
  const alpha = tf[1]!;
  const mcw = tf[2]!;

  /** Soft-thresholded squared gradient over regularised hessian, XGBoost's CalcGain. */
  const score = (G: number, H: number): number => {
    const t = alpha > 0 ? (G > alpha ? G - alpha : G < -alpha ? G + alpha : 0) : G;
    return (t * t) / (H + lambda);
  };

  const store = (e: number, f: number, gain: number, bin: number, left: number, GL: number, HL: number): void => {
    const o = (e * nFeatures + f) * 5;
    res[o] = gain;
    res[o + 1] = bin;
    res[o + 2] = left;
    res[o + 3] = GL;
    res[o + 4] = HL;
  };

  /** Best split of one node on one feature, trying missing values on both sides when present. */
  const evaluate = (base: number, nb: number, e: number, f: number): void => {
    const G = tf[3 + 2 * e]!;
    const H = tf[4 + 2 * e]!;
    const gm = hist[base + 2 * nb]!;
    const hm = hist[base + 2 * nb + 1]!;
    const passes = gm !== 0 || hm !== 0 ? 2 : 1;
    let bestGain = -Infinity;
    let bestBin = -1;
    let bestLeft = 0;
    let bestGL = 0;
    let bestHL = 0;
    for (let pass = 0; pass < passes; pass++) {
      // pass 0: missing rows go right; pass 1: missing rows go left
      let GL = pass === 0 ? 0 : gm;
      let HL = pass === 0 ? 0 : hm;
      for (let b = 0; b < nb - 1; b++) {
        const at = base + 2 * b;
        const g = hist[at]!;
        const h = hist[at + 1]!;
        if (g === 0 && h === 0) continue;
        GL += g;
        HL += h;
        if (HL < mcw || HL <= 0) continue;
        const HR = H - HL;
        if (HR < mcw || HR <= 0) break;
        const gain = score(GL, HL) + score(G - GL, HR);
        if (gain > bestGain) {
          bestGain = gain;
          bestBin = b;
          bestLeft = pass;
          bestGL = GL;
          bestHL = HL;
        }
      }
    }
    store(e, f, bestGain, bestBin, bestLeft, bestGL, bestHL);
  };

  /**
   * Sibling = parent − built in the same pass that scores both nodes (no missing values): one
   * sweep over the bins instead of three.
   */
  const subtractAndEvaluate = (
    sb: number,
    lb: number,
    pb: number,
    nb: number,
    es: number,
    el: number,
    f: number,
  ): void => {
    const evS = es >= 0;
    const evL = el >= 0;
    const Gs = evS ? tf[3 + 2 * es]! : 0;
    const Hs = evS ? tf[4 + 2 * es]! : 0;
    const Gl = evL ? tf[3 + 2 * el]! : 0;
    const Hl = evL ? tf[4 + 2 * el]! : 0;
    let GLs = 0;
    let HLs = 0;
    let GLl = 0;
    let HLl = 0;
    let bestS = -Infinity;
    let binS = -1;
    let bestGLs = 0;
    let bestHLs = 0;
    let bestL = -Infinity;
    let binL = -1;
    let bestGLl = 0;
    let bestHLl = 0;
    const last = nb - 1;
    for (let b = 0; b <= last; b++) {
      const a = 2 * b;
      const gs = hist[sb + a]!;
      const hs = hist[sb + a + 1]!;
      const gl = hist[pb + a]! - gs;
      const hl = hist[pb + a + 1]! - hs;
      hist[lb + a] = gl;
      hist[lb + a + 1] = hl;
      if (b === last) break;
      if (evS && (gs !== 0 || hs !== 0)) {
        GLs += gs;
        HLs += hs;
        const HR = Hs - HLs;
        if (HLs >= mcw && HLs > 0 && HR >= mcw && HR > 0) {
          const gain = score(GLs, HLs) + score(Gs - GLs, HR);
          if (gain > bestS) {
            bestS = gain;
            binS = b;
            bestGLs = GLs;
            bestHLs = HLs;
          }
        }
      }
      if (evL && (gl !== 0 || hl !== 0)) {
        GLl += gl;
        HLl += hl;
        const HR = Hl - HLl;
        if (HLl >= mcw && HLl > 0 && HR >= mcw && HR > 0) {
          const gain = score(GLl, HLl) + score(Gl - GLl, HR);
          if (gain > bestL) {
            bestL = gain;
            binL = b;
            bestGLl = GLl;
            bestHLl = HLl;
          }
        }
      }
    }
    hist[lb + 2 * nb] = 0;
    hist[lb + 2 * nb + 1] = 0;
    if (evS) store(es, f, bestS, binS, 0, bestGLs, bestHLs);
    if (evL) store(el, f, bestL, binL, 0, bestGLl, bestHLl);
  };

  // Features are processed in groups of four: one pass over a node's rows feeds four histograms,
  // which shares the row and gradient loads and keeps four independent accumulation chains.
  // Threads claim groups from a shared counter, so a thread that is descheduled does not hold
  // the others back; each group is computed whole by one thread, so results do not depend on it.
  const work = c.work;
  for (;;) {
    const k = 4 * Atomics.add(work, 0, 1);
    if (k >= nFeat) break;
    const m = Math.min(4, nFeat - k);
    for (let i = 0; i < nPairs; i++) {
      const p = pairOff + 7 * i;
      const slotBase = task[p]! * slotSize;
      const start = task[p + 1]!;
      const end = task[p + 2]!;
      for (let u = 0; u < m; u++) {
        const f = task[3 + k + u]!;
        const base = slotBase + f * stride;
        hist.fill(0, base, base + 2 * (nBinsOf[f]! + 1));
      }
      if (m === 4) {
        const fa = task[3 + k]!;
        const fb = task[4 + k]!;
        const fc = task[5 + k]!;
        const fd = task[6 + k]!;
        const ha = slotBase + fa * stride;
        const hb = slotBase + fb * stride;
        const hc = slotBase + fc * stride;
        const hd = slotBase + fd * stride;
        const ca = fa * nRows;
        const cb = fb * nRows;
        const cc = fc * nRows;
        const cd = fd * nRows;
        for (let j = start; j < end; j++) {
          const r = rowIdx[j]!;
          const g = gh[2 * r]!;
          const h = gh[2 * r + 1]!;
          const a = ha + 2 * bins[ca + r]!;
          const b = hb + 2 * bins[cb + r]!;
          const cx = hc + 2 * bins[cc + r]!;
          const d = hd + 2 * bins[cd + r]!;
          hist[a] = hist[a]! + g;
          hist[a + 1] = hist[a + 1]! + h;
          hist[b] = hist[b]! + g;
          hist[b + 1] = hist[b + 1]! + h;
          hist[cx] = hist[cx]! + g;
          hist[cx + 1] = hist[cx + 1]! + h;
          hist[d] = hist[d]! + g;
          hist[d + 1] = hist[d + 1]! + h;
        }
      } else {
        for (let u = 0; u < m; u++) {
          const f = task[3 + k + u]!;
          const ha = slotBase + f * stride;
          const ca = f * nRows;
          for (let j = start; j < end; j++) {
            const r = rowIdx[j]!;
            const a = ha + 2 * bins[ca + r]!;
            hist[a] = hist[a]! + gh[2 * r]!;
            hist[a + 1] = hist[a + 1]! + gh[2 * r + 1]!;
          }
        }
      }

      const sibling = task[p + 3]!;
      const es = task[p + 5]!;
      const el = task[p + 6]!;
      for (let u = 0; u < m; u++) {
        const f = task[3 + k + u]!;
        const nb = nBinsOf[f]!;
        const sb = slotBase + f * stride;
        if (sibling < 0) {
          if (es >= 0) evaluate(sb, nb, es, f);
          continue;
        }
        const lb = sibling * slotSize + f * stride;
        const pb = task[p + 4]! * slotSize + f * stride;
        const mi = 2 * nb;
        if (hist[pb + mi] === 0 && hist[pb + mi + 1] === 0 && hist[sb + mi] === 0 && hist[sb + mi + 1] === 0) {
          subtractAndEvaluate(sb, lb, pb, nb, es, el, f);
        } else {
          for (let q = 0; q <= mi + 1; q++) hist[lb + q] = hist[pb + q]! - hist[sb + q]!;
          if (es >= 0) evaluate(sb, nb, es, f);
          if (el >= 0) evaluate(lb, nb, el, f);
        }
      }
    }
  }
}
