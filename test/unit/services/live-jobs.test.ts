/** The jobs registry: a client that comes late (a reload, a second window) gets each running job's history. */
import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/main/services/events';
import { JobManager, MAX_CURVE_POINTS, type JobContext } from '../../../src/main/services/jobs';
import { PrognosError } from '../../../src/shared/errors';

/** A job that runs until told to finish (or cancelled), emitting what `drive` asks for. */
function controllable(jobs: JobManager, bus: EventBus, kind: 'train' | 'rank' = 'train') {
  let ctxOf: JobContext | null = null;
  let finish: () => void = () => undefined;
  const jobId = jobs.start(
    kind,
    (ctx) =>
      new Promise((resolve, reject) => {
        ctxOf = ctx;
        finish = () => resolve(undefined);
        ctx.signal.addEventListener('abort', () => reject(new PrognosError('CANCELLED', 'Training cancelled.')));
      }),
    { datasetId: 'ds_1', runId: 'run_1' },
  );
  return {
    jobId,
    started: async () => {
      while (ctxOf === null) await Promise.resolve();
      return ctxOf;
    },
    iterate: (model: string, iteration: number, trainLoss: number, validLoss?: number) =>
      bus.emit('train:iteration', { jobId, runId: 'run_1', model, iteration, trainLoss, ...(validLoss === undefined ? {} : { validLoss }) }),
    finish: () => finish(),
  };
}

describe('jobs registry (jobs:list)', () => {
  it('gives a late subscriber the progress and every curve point so far', async () => {
    const bus = new EventBus();
    const jobs = new JobManager(bus, 0);
    const job = controllable(jobs, bus);
    const ctx = await job.started();
    for (let i = 1; i <= 30; i++) job.iterate('gbdt', i, 1 / i, 1.1 / i);
    job.iterate('lstm', 1, 0.5);
    ctx.progress(0.42, 'Tree 30 of 100');

    // the late client subscribes only now: it saw none of the events above
    const seen: string[] = [];
    bus.subscribe((e) => seen.push(e.name));
    const [active] = jobs.list();
    expect(seen).toEqual([]);
    expect(active).toMatchObject({ jobId: job.jobId, kind: 'train', fraction: 0.42, message: 'Tree 30 of 100', subject: { datasetId: 'ds_1', runId: 'run_1' } });
    expect(Date.parse(active!.startedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(active!.curves.gbdt!.map((p) => p.iteration)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(active!.curves.gbdt![29]).toEqual({ iteration: 30, trainLoss: 1 / 30, validLoss: 1.1 / 30 });
    expect(active!.curves.lstm).toEqual([{ iteration: 1, trainLoss: 0.5 }]);

    // the answer is a copy: later points do not change it
    job.iterate('gbdt', 31, 0.01);
    expect(active!.curves.gbdt).toHaveLength(30);
    expect(jobs.list()[0]!.curves.gbdt).toHaveLength(31);
    job.finish();
    await jobs.wait(job.jobId);
  });

  it('keeps the history bounded, thinning evenly and keeping the first and newest points', async () => {
    const bus = new EventBus();
    const jobs = new JobManager(bus, 0);
    const job = controllable(jobs, bus);
    await job.started();
    const n = MAX_CURVE_POINTS * 5 + 3;
    for (let i = 0; i < n; i++) job.iterate('gbdt', i, i);
    const points = jobs.list()[0]!.curves.gbdt!;
    expect(points.length).toBeLessThanOrEqual(MAX_CURVE_POINTS);
    expect(points.length).toBeGreaterThan(MAX_CURVE_POINTS / 4);
    expect(points.at(-1)!.iteration).toBe(n - 1);
    expect(points[0]!.iteration).toBeLessThan(n / points.length);
    // evenly spaced, the newest point aside (it follows the last kept one by less than the spacing)
    const steps = points.slice(1, -1).map((p, i) => p.iteration - points[i]!.iteration);
    expect(new Set(steps).size).toBe(1);
    expect(points.at(-1)!.iteration - points.at(-2)!.iteration).toBeLessThanOrEqual(steps[0]!);
    job.finish();
    await jobs.wait(job.jobId);
  });

  it('drops a job from the list once it ends, and ignores points of jobs it does not run', async () => {
    const bus = new EventBus();
    const jobs = new JobManager(bus, 0);
    const a = controllable(jobs, bus);
    const b = controllable(jobs, bus, 'rank');
    await a.started();
    await b.started();
    bus.emit('train:iteration', { jobId: 'job_unknown', runId: 'run_x', model: 'gbdt', iteration: 1, trainLoss: 1 });
    expect(jobs.list().map((j) => j.jobId)).toEqual([a.jobId, b.jobId]);
    expect(jobs.list('rank').map((j) => j.jobId)).toEqual([b.jobId]);
    a.finish();
    await jobs.wait(a.jobId);
    expect(jobs.list().map((j) => j.jobId)).toEqual([b.jobId]);
    expect(jobs.status(a.jobId).state).toBe('done');
    // a point arriving after the end is not kept anywhere
    a.iterate('gbdt', 99, 1);
    expect(jobs.list()[0]!.curves).toEqual({});
    b.finish();
    await jobs.wait(b.jobId);
    expect(jobs.list()).toEqual([]);
  });

  it('lets a second client cancel a job it learnt of from the list; the first client hears it ended cancelled', async () => {
    const bus = new EventBus();
    const jobs = new JobManager(bus, 0);
    const first: string[] = [];
    bus.subscribe((e) => {
      if (e.name === 'job:finished') first.push(`${e.payload.jobId}:${e.payload.state}`);
    });
    const job = controllable(jobs, bus);
    await job.started();
    const seen = jobs.list('train');
    expect(seen).toHaveLength(1);
    expect(jobs.cancel(seen[0]!.jobId)).toBe(true);
    const finished = await jobs.wait(job.jobId);
    expect(finished).toMatchObject({ state: 'cancelled', error: { code: 'CANCELLED' } });
    expect(first).toEqual([`${job.jobId}:cancelled`]);
    expect(jobs.list()).toEqual([]);
    expect(jobs.cancel(job.jobId)).toBe(false);
  });
});
