import type { JobFinished, PrognosApi } from '../../../shared/contract';
import type { JobProgress } from '../../../shared/schemas';

export type JobState = 'running' | 'done' | 'failed' | 'cancelled';

export interface JobStatus {
  readonly jobId: string;
  readonly kind: JobProgress['kind'];
  readonly state: JobState;
  /** 0..1 */
  readonly fraction: number;
  readonly message: string;
  readonly finished?: JobFinished;
}

const KEEP_FINISHED = 50;

/**
 * Follows every job the server reports. Events may arrive before the call that started the job has
 * returned its id, so everything is recorded and looked up by id afterwards.
 */
export class JobTracker {
  private readonly jobs = new Map<string, JobStatus>();
  private readonly listeners = new Set<() => void>();
  private readonly waiters = new Map<string, Set<(f: JobFinished) => void>>();
  private readonly unsubscribe: Array<() => void>;

  constructor(api: PrognosApi) {
    this.unsubscribe = [
      api.on('job:progress', (p) => this.onProgress(p)),
      api.on('job:finished', (f) => this.onFinished(f)),
    ];
  }

  dispose(): void {
    for (const off of this.unsubscribe) off();
    this.listeners.clear();
    this.waiters.clear();
  }

  get(jobId: string | null): JobStatus | undefined {
    return jobId === null ? undefined : this.jobs.get(jobId);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  /** Records a running job learnt of from `jobs:list` (a reload, another window), unless its events came first. */
  seed(job: { jobId: string; kind: JobProgress['kind']; fraction: number; message: string }): void {
    if (this.jobs.has(job.jobId)) return;
    this.onProgress(job);
  }

  /** Resolves when the job ends (at once if it already has). */
  waitFor(jobId: string): Promise<JobFinished> {
    const known = this.jobs.get(jobId)?.finished;
    if (known !== undefined) return Promise.resolve(known);
    return new Promise<JobFinished>((resolve) => {
      let set = this.waiters.get(jobId);
      if (set === undefined) {
        set = new Set();
        this.waiters.set(jobId, set);
      }
      set.add(resolve);
    });
  }

  private onProgress(p: JobProgress): void {
    const prev = this.jobs.get(p.jobId);
    if (prev !== undefined && prev.state !== 'running') return;
    this.jobs.set(p.jobId, {
      jobId: p.jobId,
      kind: p.kind,
      state: 'running',
      fraction: Math.min(1, Math.max(0, p.fraction)),
      message: p.message,
    });
    this.emit();
  }

  private onFinished(f: JobFinished): void {
    const prev = this.jobs.get(f.jobId);
    this.jobs.set(f.jobId, {
      jobId: f.jobId,
      kind: f.kind,
      state: f.state,
      fraction: f.state === 'done' ? 1 : (prev?.fraction ?? 0),
      message: prev?.message ?? '',
      finished: f,
    });
    this.prune();
    const waiting = this.waiters.get(f.jobId);
    this.waiters.delete(f.jobId);
    for (const resolve of waiting ?? []) resolve(f);
    this.emit();
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((j) => j.finished !== undefined);
    for (const job of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.jobs.delete(job.jobId);
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
