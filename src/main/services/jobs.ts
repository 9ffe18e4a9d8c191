import { randomBytes } from 'node:crypto';
import type { JobFinished, JobResult, JobStatus } from '../../shared/contract';
import type { ActiveJob, CurvePoint, JobSubject } from '../../shared/live-jobs';
import { PrognosError, toErrorValue } from '../../shared/errors';
import type { EventBus } from './events';
import { logger } from './logger';
import { forClient } from './redact';

const log = logger('jobs');

export type JobKind = JobFinished['kind'];

export interface JobContext {
  readonly jobId: string;
  readonly signal: AbortSignal;
  /** Reports progress; calls closer than `intervalMs` apart are dropped (except the final 1.0). */
  progress(fraction: number, message: string): void;
}

interface RunningJob {
  readonly kind: JobKind;
  last: { fraction: number; message: string };
  readonly controller: AbortController;
  readonly done: Promise<JobFinished>;
  readonly startedAt: string;
  readonly subject: JobSubject;
  /** per model, the loss points so far (the history a late subscriber is given) */
  readonly curves: Map<string, Curve>;
}

/** Points kept per model and job: past this, every second kept point is dropped and the spacing doubles. */
export const MAX_CURVE_POINTS = 2000;
/** Models with a curve kept per job. */
const MAX_CURVES = 16;

/** One model's points: every `stride`-th point that arrived (evenly spaced), and the newest one. */
interface Curve {
  kept: CurvePoint[];
  stride: number;
  arrived: number;
  newest: CurvePoint | null;
}

function keepPoint(curves: Map<string, Curve>, model: string, point: CurvePoint): void {
  let curve = curves.get(model);
  if (curve === undefined) {
    if (curves.size >= MAX_CURVES) return;
    curve = { kept: [], stride: 1, arrived: 0, newest: null };
    curves.set(model, curve);
  }
  const index = curve.arrived++;
  if (index % curve.stride === 0) {
    curve.kept.push(point);
    curve.newest = null;
    if (curve.kept.length > MAX_CURVE_POINTS) {
      curve.kept = curve.kept.filter((_, i) => i % 2 === 0);
      curve.stride *= 2;
    }
  } else curve.newest = point;
}

function pointsOf(curve: Curve): CurvePoint[] {
  const out = curve.kept.map((p) => ({ ...p }));
  if (curve.newest !== null) out.push({ ...curve.newest });
  return out;
}

/** Long work with throttled progress events and a cancel path. */
export class JobManager {
  private readonly running = new Map<string, RunningJob>();
  /** the most recent finished jobs, for clients that missed the event */
  private readonly finished = new Map<string, JobFinished>();
  constructor(
    private readonly bus: EventBus,
    private readonly intervalMs = 200,
  ) {
    // the loss curves of running jobs, kept for clients that come later (a reload, a second window)
    bus.subscribe((e) => {
      if (e.name !== 'train:iteration') return;
      const job = this.running.get(e.payload.jobId);
      if (job === undefined) return;
      const { iteration, trainLoss, validLoss } = e.payload;
      keepPoint(job.curves, e.payload.model, validLoss === undefined ? { iteration, trainLoss } : { iteration, trainLoss, validLoss });
    });
  }

  start(kind: JobKind, work: (ctx: JobContext) => Promise<JobResult | undefined>, subject: JobSubject = {}): string {
    const jobId = `job_${randomBytes(6).toString('hex')}`;
    const controller = new AbortController();
    let last = 0;
    const ctx: JobContext = {
      jobId,
      signal: controller.signal,
      progress: (fraction, message) => {
        const job = this.running.get(jobId);
        if (job !== undefined) job.last = { fraction, message };
        const now = Date.now();
        if (fraction < 1 && now - last < this.intervalMs) return;
        last = now;
        this.bus.emit('job:progress', { jobId, kind, fraction: Math.max(0, Math.min(1, fraction)), message });
      },
    };
    const done = (async (): Promise<JobFinished> => {
      // let the caller receive the job id before the first event
      await Promise.resolve();
      try {
        if (controller.signal.aborted) throw new PrognosError('CANCELLED', 'Cancelled.');
        const result = await work(ctx);
        if (controller.signal.aborted) throw new PrognosError('CANCELLED', 'Cancelled.');
        return result === undefined ? { jobId, kind, state: 'done' } : { jobId, kind, state: 'done', result };
      } catch (e) {
        const error = toErrorValue(e);
        if (error.code === 'INTERNAL') log.error(`job ${jobId} (${kind}) failed`, e);
        return { jobId, kind, state: error.code === 'CANCELLED' ? 'cancelled' : 'failed', error: forClient(error) };
      }
    })().then((finished) => {
      this.running.delete(jobId);
      this.finished.set(jobId, finished);
      while (this.finished.size > 100) this.finished.delete(this.finished.keys().next().value!);
      this.bus.emit('job:finished', finished);
      return finished;
    });
    this.running.set(jobId, {
      kind,
      controller,
      done,
      last: { fraction: 0, message: 'Starting…' },
      startedAt: new Date().toISOString(),
      subject,
      curves: new Map(),
    });
    return jobId;
  }

  /** The running jobs (of one kind, if given), oldest first, each with its progress and curves so far. */
  list(kind?: JobKind): ActiveJob[] {
    const out: ActiveJob[] = [];
    for (const [jobId, job] of this.running) {
      if (kind !== undefined && job.kind !== kind) continue;
      out.push({
        jobId,
        kind: job.kind,
        fraction: Math.max(0, Math.min(1, job.last.fraction)),
        message: job.last.message,
        startedAt: job.startedAt,
        subject: { ...job.subject },
        curves: Object.fromEntries([...job.curves].map(([model, curve]) => [model, pointsOf(curve)])),
      });
    }
    return out;
  }

  status(jobId: string): JobStatus {
    const job = this.running.get(jobId);
    if (job !== undefined) return { jobId, kind: job.kind, state: 'running', ...job.last };
    const done = this.finished.get(jobId);
    if (done === undefined) throw new PrognosError('NOT_FOUND', `No job ${jobId}.`);
    return done;
  }

  cancel(jobId: string): boolean {
    const job = this.running.get(jobId);
    if (job === undefined) return false;
    job.controller.abort();
    return true;
  }

  /** Resolves when the job ends (for the CLI and tests). */
  wait(jobId: string): Promise<JobFinished> {
    const job = this.running.get(jobId);
    if (job === undefined) return Promise.reject(new PrognosError('NOT_FOUND', `No running job ${jobId}.`));
    return job.done;
  }

  async cancelAll(): Promise<void> {
    const all = [...this.running.values()];
    for (const j of all) j.controller.abort();
    await Promise.all(all.map((j) => j.done));
  }
}
