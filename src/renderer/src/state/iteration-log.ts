import type { EventPayload, PrognosApi } from '../../../shared/contract';

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

  private add(e: EventPayload<'train:iteration'>): void {
    let models = this.byJob.get(e.jobId);
    if (models === undefined) {
      models = new Map();
      this.byJob.set(e.jobId, models);
      while (this.byJob.size > KEEP_JOBS) {
        const oldest = this.byJob.keys().next().value;
        if (oldest === undefined) break;
        this.byJob.delete(oldest);
        this.snapshots.delete(oldest);
      }
    }
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
