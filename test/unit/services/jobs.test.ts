import { describe, expect, it } from 'vitest';
import { EventBus, type AnyEvent } from '../../../src/main/services/events';
import { JobManager } from '../../../src/main/services/jobs';
import { PrognosError } from '../../../src/shared/errors';

function setup(intervalMs = 200) {
  const bus = new EventBus();
  const events: AnyEvent[] = [];
  bus.subscribe((e) => events.push(e));
  return { jobs: new JobManager(bus, intervalMs), events };
}

describe('JobManager', () => {
  it('throttles progress events but always delivers the final one', async () => {
    const { jobs, events } = setup(10_000);
    const id = jobs.start('import', (ctx) => {
      for (let i = 0; i < 1000; i++) ctx.progress(i / 1000, `row ${i}`);
      ctx.progress(1, 'done');
      return Promise.resolve(undefined);
    });
    const finished = await jobs.wait(id);
    expect(finished.state).toBe('done');
    const progress = events.filter((e) => e.name === 'job:progress');
    expect(progress.length).toBe(2);
    expect(progress.at(-1)?.payload).toMatchObject({ fraction: 1, message: 'done' });
    expect(events.at(-1)?.name).toBe('job:finished');
  });

  it('cancels through the signal and reports the state', async () => {
    const { jobs } = setup();
    const id = jobs.start('import', (ctx) => new Promise((_, reject) => {
      ctx.signal.addEventListener('abort', () => reject(new PrognosError('CANCELLED', 'Import cancelled.')));
    }));
    expect(jobs.cancel(id)).toBe(true);
    const finished = await jobs.wait(id);
    expect(finished).toMatchObject({ state: 'cancelled', error: { code: 'CANCELLED' } });
    expect(jobs.cancel(id)).toBe(false);
  });

  it('reports a failure as an error value with its code', async () => {
    const { jobs } = setup();
    const id = jobs.start('import', () => Promise.reject(new PrognosError('BAD_FILE', 'x.txt:3: bad')));
    await expect(jobs.wait(id)).resolves.toMatchObject({ state: 'failed', error: { code: 'BAD_FILE', message: 'x.txt:3: bad' } });
  });
});
