/**
 * Online drift for the model server: a sliding window of the engineered features at the rows the
 * server scored (the last N rows, optionally also only the last T seconds), compared feature by
 * feature with the drift reference the bundle carries (drift/reference.json + drift/columns.f32),
 * with the statistics of core/drift/stats.ts and the method and thresholds of shared/drift.ts.
 *
 * Off the request path: `observe` only queues the request's history (a bounded queue, sampled when
 * full); once a second a timer computes the queued histories' features into the window, and every
 * `intervalMs` another recomputes the scores (sorting ≤ N values per feature) and publishes them to
 * the metrics and the alerting.
 *
 * The comparison is unmatched: the reference holds training rows across whole lives, the window
 * whatever the fleet sends now, so a fleet that is mostly early in life can read as drifted on
 * degradation features; docs/serve-model.md says so.
 */
import type { FleetTable } from '../core/data/table';
import { unitSpans } from '../core/data/table';
import { readDriftReference } from '../core/drift/bundle-reference';
import { driftScores, sortedSample, type SortedSample } from '../core/drift/stats';
import type { LoadedBundle } from '../core/export/bundle';
import type { BundleManifest } from '../core/export/manifest';
import { engineerFeatures, type FeatureState } from '../core/features/engineer';
import { PrognosError } from '../../shared/errors';
import {
  columnVerdict,
  DEFAULT_DATASET_DRIFT_SHARE,
  DEFAULT_DRIFT_THRESHOLDS,
  resolveMethod,
  type DriftMethod,
  type DriftMethodChoice,
  type DriftScores,
  type DriftThresholds,
} from '../../shared/drift';
import { logger } from '../services/logger';
import { FeaturePlan } from './fast-features';
import type { DriftGauges } from './metrics';
import { serveProfile } from './profile';

const log = logger('serve-model:drift');

export const DEFAULT_DRIFT_WINDOW_ROWS = 5000;
export const DEFAULT_DRIFT_INTERVAL_MS = 30_000;
export const DEFAULT_ONLINE_DRIFT_METHOD: DriftMethodChoice = 'wasserstein';
/**
 * Below this many rows in the window no feature is called drifted: with a few hundred rows from a
 * few dozen units, which units happen to be sending moves the normalised Wasserstein of some feature
 * past 0.1 without any drift (measured on the demo bundle with fleets from its own generator).
 */
export const DEFAULT_DRIFT_MIN_ROWS = 1000;
/**
 * Histories queued per second (their features are computed once a second); more are sampled
 * (reservoir), so the work beside the requests stays bounded: a profile of the server under load
 * showed 64 a second costing almost as much CPU as the requests' own feature engineering; 16 a
 * second fill a 5,000-row window in about 5 minutes at full load.
 */
export const DEFAULT_MAX_QUEUED_TABLES = 16;
const DRAIN_MS = 1000;

export interface OnlineDriftOptions {
  /** rows kept in the window (default 5,000) */
  readonly windowRows?: number;
  /** when given, rows older than this many seconds leave the window too */
  readonly windowSeconds?: number;
  /** how often the scores are recomputed (default 30 s) */
  readonly intervalMs?: number;
  readonly minRows?: number;
  /** histories kept between two drains (one a second); default 16 */
  readonly maxQueued?: number;
  /**
   * default 'wasserstein' (normalised Wasserstein-1, an effect size). Not 'auto': with a window of
   * ≤ 1,000 rows it tests KS at p < 0.05 per feature, and over 40 features some feature "drifts" on
   * most windows without any drift (1 − 0.95⁴⁰ ≈ 87%), which would page someone every episode.
   */
  readonly method?: DriftMethodChoice;
  readonly thresholds?: DriftThresholds;
  /** dataset drift when at least this share of the features drift (default 0.5) */
  readonly datasetDriftShare?: number;
  /** called after each computation (the metrics and the alerting) */
  readonly onResult?: (result: OnlineDriftResult) => void;
  readonly now?: () => number;
  /** for the reservoir sampling of the queue (default Math.random) */
  readonly random?: () => number;
}

export interface FeatureDrift {
  readonly feature: string;
  /** the method that decided `drifted` */
  readonly method: DriftMethod;
  readonly score: number;
  readonly threshold: number;
  readonly drifted: boolean;
  readonly scores: DriftScores;
  readonly referenceMean: number;
  readonly currentMean: number;
}

export interface OnlineDriftResult {
  /** when it was computed (ms since the epoch) */
  readonly at: number;
  readonly windowRows: number;
  /** false while the window holds fewer than `minRows` rows: no verdicts yet */
  readonly ready: boolean;
  readonly features: readonly FeatureDrift[];
  readonly driftedShare: number;
  readonly datasetDrift: boolean;
  readonly datasetDriftShare: number;
}

/** The result as the metrics' gauges (every effect size, the KS statistic for 'ks'). */
export function driftGauges(r: OnlineDriftResult): DriftGauges {
  return {
    features: r.features.map((f) => ({
      feature: f.feature,
      scores: {
        psi: f.scores.psi,
        ks: f.scores.ks,
        wasserstein: f.scores.wasserstein,
        jsd: f.scores.jsd,
        hellinger: f.scores.hellinger,
      },
      drifted: f.drifted,
    })),
    share: r.driftedShare,
    windowRows: r.windowRows,
  };
}

export interface OnlineDriftReference {
  /** the bundle's selected features, in order */
  readonly features: readonly string[];
  /** one reference column per feature, in the same order */
  readonly values: readonly ArrayLike<number>[];
  /** to compute the features from a history; without it only `observeFeatures` is available */
  readonly featureState?: FeatureState;
  /** rows of history a unit needs before its features are comparable with the reference */
  readonly windowLength?: number;
  /**
   * computes only the features the bundle's models read (FeaturePlan: the same values as the full
   * recipe, bit for bit) instead of every column of the recipe; a bundle's reference has it
   */
  readonly plan?: FeaturePlan;
}

function featureStateOf(m: BundleManifest): FeatureState {
  const f = m.features;
  return {
    spec: f.spec,
    sensors: [...f.sensors],
    droppedSensors: [...f.droppedSensors],
    ...(f.regime === undefined ? {} : { regime: f.regime }),
  };
}

/** The reference a verified bundle carries; BAD_FILE naming the file when it has none or it is damaged. */
export function onlineDriftReference(bundle: LoadedBundle, name = 'the bundle'): OnlineDriftReference {
  const { reference } = readDriftReference(bundle.files, bundle.manifest, name);
  const byName = new Map(reference.columns.filter((c) => c.kind === 'feature').map((c) => [c.name, c.values]));
  const features = bundle.manifest.selectedFeatures;
  return {
    features,
    values: features.map((f) => byName.get(f) ?? []),
    featureState: featureStateOf(bundle.manifest),
    windowLength: bundle.manifest.windowLength,
    plan: new FeaturePlan(bundle.manifest),
  };
}

export class OnlineDrift {
  private readonly capacity: number;
  private readonly window: Float32Array[];
  private readonly times: Float64Array;
  private head = 0;
  private size = 0;
  private readonly ref: SortedSample[];
  private queue: FleetTable[] = [];
  private queuedSeen = 0;
  private timer: NodeJS.Timeout | undefined;
  private drainTimer: NodeJS.Timeout | undefined;
  private readonly maxQueued: number;
  private last: OnlineDriftResult | undefined;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(
    private readonly reference: OnlineDriftReference,
    private readonly opts: OnlineDriftOptions = {},
  ) {
    if (reference.values.length !== reference.features.length)
      throw new PrognosError('INTERNAL', 'online drift: one reference column per feature');
    this.capacity = Math.max(1, Math.floor(opts.windowRows ?? DEFAULT_DRIFT_WINDOW_ROWS));
    this.window = reference.features.map(() => new Float32Array(this.capacity));
    this.times = new Float64Array(this.capacity);
    this.ref = reference.values.map((v) => sortedSample(v));
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.maxQueued = Math.max(1, Math.floor(opts.maxQueued ?? DEFAULT_MAX_QUEUED_TABLES));
  }

  get features(): readonly string[] {
    return this.reference.features;
  }

  /** the latest computation, if any */
  latest(): OnlineDriftResult | undefined {
    return this.last;
  }

  /** Queues a scored history (the server's request table); its features are computed on the next tick. */
  observe(table: FleetTable): void {
    if (this.reference.featureState === undefined) return;
    this.queuedSeen++;
    if (this.queue.length < this.maxQueued) this.queue.push(table);
    else {
      // reservoir: every history since the last drain has the same chance to be in the queue
      const j = Math.floor(this.random() * this.queuedSeen);
      if (j < this.maxQueued) this.queue[j] = table;
    }
  }

  /** Adds rows of feature values (each in `features` order) to the window at once. */
  observeFeatures(rows: readonly ArrayLike<number>[]): void {
    const t = this.now();
    const F = this.window.length;
    for (const row of rows) {
      if (row.length !== F)
        throw new PrognosError('INVALID_INPUT', `online drift: a row has ${row.length} values, not ${F} features`);
      for (let f = 0; f < F; f++) this.window[f]![this.head] = row[f]!;
      this.times[this.head] = t;
      this.head = (this.head + 1) % this.capacity;
      this.size = Math.min(this.capacity, this.size + 1);
    }
  }

  /** Computes the queued histories' features at each unit's last row (units with a full window only). */
  drainQueue(): void {
    const state = this.reference.featureState;
    const queue = this.queue;
    this.queue = [];
    this.queuedSeen = 0;
    if (state === undefined) return;
    const need = this.reference.windowLength ?? 1;
    for (const table of queue) {
      const all = unitSpans(table);
      const spans = all.filter((s) => s.end - s.start >= need);
      if (spans.length === 0) continue;
      let cols: ArrayLike<number>[];
      const plan = this.reference.plan;
      if (plan !== undefined) {
        const planned = plan.compute(table, all);
        cols = this.reference.features.map((n) => {
          const c = planned.get(n);
          if (c === undefined) throw new PrognosError('BAD_FILE', `manifest.json: the feature recipe does not produce ${n}`);
          return c;
        });
      } else {
        const f = engineerFeatures(table, state.spec, { state });
        const index = new Map(f.names.map((n, i) => [n, i]));
        cols = this.reference.features.map((n) => {
          const i = index.get(n);
          if (i === undefined)
            throw new PrognosError('BAD_FILE', `manifest.json: the feature recipe does not produce ${n}`);
          return f.columns[i]!;
        });
      }
      this.observeFeatures(spans.map((s) => cols.map((c) => c[s.end - 1]!)));
    }
  }

  /** Drains the queue and recomputes every feature's scores now (the timer calls this). */
  compute(): OnlineDriftResult {
    this.drainQueue();
    const at = this.now();
    const oldest = this.opts.windowSeconds === undefined ? -Infinity : at - this.opts.windowSeconds * 1000;
    const keep: number[] = [];
    for (let k = 0; k < this.size; k++) {
      const i = (this.head - this.size + k + this.capacity) % this.capacity;
      if (this.times[i]! >= oldest) keep.push(i);
    }
    const n = keep.length;
    const ready = n >= (this.opts.minRows ?? DEFAULT_DRIFT_MIN_ROWS);
    const choice = this.opts.method ?? DEFAULT_ONLINE_DRIFT_METHOD;
    const thresholds = this.opts.thresholds ?? DEFAULT_DRIFT_THRESHOLDS;
    const shareRule = this.opts.datasetDriftShare ?? DEFAULT_DATASET_DRIFT_SHARE;
    const features: FeatureDrift[] = [];
    if (n > 0) {
      const cur = new Float32Array(n);
      this.reference.features.forEach((name, f) => {
        const col = this.window[f]!;
        for (let k = 0; k < n; k++) cur[k] = col[keep[k]!]!;
        const ref = this.ref[f]!;
        const c = sortedSample(cur);
        const scores = driftScores(ref, c);
        const method = resolveMethod(choice, ref.count, c.count);
        const v = columnVerdict(scores, method, thresholds);
        features.push({
          feature: name,
          method,
          score: v.score,
          threshold: v.threshold,
          drifted: ready && ref.count > 0 && c.count > 0 && v.drifted,
          scores,
          referenceMean: ref.mean,
          currentMean: c.mean,
        });
      });
    }
    const drifted = features.filter((f) => f.drifted).length;
    const driftedShare = features.length === 0 ? 0 : drifted / features.length;
    const result: OnlineDriftResult = {
      at,
      windowRows: n,
      ready,
      features,
      driftedShare,
      datasetDrift: ready && features.length > 0 && driftedShare >= shareRule,
      datasetDriftShare: shareRule,
    };
    this.last = result;
    this.opts.onResult?.(result);
    return result;
  }

  /** Drains the queue every second and recomputes every `intervalMs` until `stop` (the timers do not keep the process alive). */
  start(): void {
    if (this.timer !== undefined) return;
    const profile = serveProfile();
    this.drainTimer = setInterval(() => {
      const t0 = performance.now();
      try {
        this.drainQueue();
        profile?.add('drift-drain', performance.now() - t0);
      } catch (e) {
        log.warn('online drift: computing the features of a scored history failed', e);
      }
    }, DRAIN_MS);
    this.drainTimer.unref();
    this.timer = setInterval(() => {
      const t0 = performance.now();
      try {
        this.compute();
        profile?.add('drift-compute', performance.now() - t0);
      } catch (e) {
        // a history the recipe cannot read is dropped with the queue; the server keeps serving
        log.warn('online drift computation failed', e);
      }
    }, this.opts.intervalMs ?? DEFAULT_DRIFT_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.drainTimer !== undefined) clearInterval(this.drainTimer);
    this.timer = undefined;
    this.drainTimer = undefined;
  }
}
