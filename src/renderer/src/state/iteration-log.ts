import type { EventPayload, PrognosApi } from '../../../shared/contract';
import type { CurvePoint } from '../../../shared/live-jobs';

export interface LossPoint {
  readonly iteration: number;
  readonly train: number;
  readonly validation: number | null;
}

/** Per model, the losses of one training job so far. */
export type JobLosses = ReadonlyMap<string, readonly LossPoint[]>;

const EMPTY: JobLosses = new Map();
const KEEP_JOBS = 8;

/**
 * Collects `train:iteration` events per job (they may arrive before the call that started the job
 * returns its id). Subscribers are told at most once per animation frame, so a fast trainer does
 * not re-render a chart for every tree.
 */
export class IterationLog {
  private readonly byJob = new Map<string, Map<string, LossPoint[]>>();
  private snapshots = new Map<string, JobLosses>();
  private readonly listeners = new Set<() => void>();
  private frame: number | null = null;

  /** Starts listening; the returned function stops. */
  attach(api: PrognosApi): () => void {
    const off = api.on('train:iteration', (e) => this.add(e));
    return () => {
      off();
      if (this.frame !== null) cancelAnimationFrame(this.frame);
      this.frame = null;
    };
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  get(jobId: string | null): JobLosses {
    if (jobId === null) return EMPTY;
    return this.snapshots.get(jobId) ?? EMPTY;
  }

  /**
   * Adds the history of a job that ran before this page came (from `jobs:list`) under the points its
   * events have brought since: per model, by iteration, each iteration once.
   */
  seed(jobId: string, curves: Readonly<Record<string, readonly CurvePoint[]>>): void {
    const models = this.modelsOf(jobId);
    for (const [model, history] of Object.entries(curves)) {
      const live = models.get(model) ?? [];
      const seen = new Set(live.map((p) => p.iteration));
      const past = history
        .filter((p) => !seen.has(p.iteration))
        .map((p) => ({ iteration: p.iteration, train: p.trainLoss, validation: p.validLoss ?? null }));
      models.set(model, [...past, ...live].sort((a, b) => a.iteration - b.iteration));
    }
    this.schedule(jobId);
  }

  private modelsOf(jobId: string): Map<string, LossPoint[]> {
    let models = this.byJob.get(jobId);
    if (models === undefined) {
      models = new Map();
      this.byJob.set(jobId, models);
      while (this.byJob.size > KEEP_JOBS) {
        const oldest = this.byJob.keys().next().value;
        if (oldest === undefined) break;
        this.byJob.delete(oldest);
        this.snapshots.delete(oldest);
      }
    }
    return models;
  }

  private add(e: EventPayload<'train:iteration'>): void {
    const models = this.modelsOf(e.jobId);
    const points = models.get(e.model) ?? [];
    points.push({ iteration: e.iteration, train: e.trainLoss, validation: e.validLoss ?? null });
    models.set(e.model, points);
    this.schedule(e.jobId);
  }

  private readonly dirty = new Set<string>();

  private schedule(jobId: string): void {
    this.dirty.add(jobId);
    if (this.frame !== null) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      const next = new Map(this.snapshots);
      for (const id of this.dirty) {
        const models = this.byJob.get(id);
        if (models !== undefined) next.set(id, new Map([...models].map(([m, pts]) => [m, [...pts]])));
      }
      this.dirty.clear();
      this.snapshots = next;
      for (const l of this.listeners) l();
    });
  }
}
