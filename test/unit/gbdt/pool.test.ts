/**
 * The GBDT kernel pool starts its helpers from the built worker module (never from source text
 * evaluated at run time) and never blocks the thread that trains: Atomics.wait runs in the helpers
 * only, the coordinating side waits with Atomics.waitAsync.
 */
import type * as WorkerThreads from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeSyntheticMatrix } from '../../../bench/gbdt/matrix';
import { trainGbdt } from '../../../src/main/core/models/gbdt';
import { poolUnavailable } from '../../../src/main/core/models/gbdt/pool';
import { GBDT_POOL_WORKER } from '../../../src/main/paths';

const started = vi.hoisted(() => [] as { filename: unknown; options: Record<string, unknown> | undefined }[]);

vi.mock('node:worker_threads', async (importOriginal) => {
  const actual = await importOriginal<typeof WorkerThreads>();
  class RecordingWorker extends actual.Worker {
    constructor(filename: string | URL, options?: WorkerThreads.WorkerOptions) {
      started.push({ filename, options: options as Record<string, unknown> | undefined });
      super(filename, options);
    }
  }
  return { ...actual, Worker: RecordingWorker };
});

afterEach(() => {
  vi.restoreAllMocks();
  started.length = 0;
});

describe('GBDT kernel pool', () => {
  const data = makeSyntheticMatrix({ rows: 4000, features: 12, seed: 5 });
  const params = { nEstimators: 8, maxDepth: 6, earlyStoppingRounds: 0, seed: 9 };

  it('runs its helpers from the built worker module, not from evaluated source', async () => {
    expect(poolUnavailable()).toBeNull();
    let used = 0;
    await trainGbdt(data, { ...params, nThreads: 3 }, { onStart: (i) => (used = i.threads) });
    expect(used).toBe(3);
    expect(started).toHaveLength(2);
    for (const s of started) {
      expect(s.filename).toBe(GBDT_POOL_WORKER);
      expect(s.options?.eval).toBeUndefined();
    }
  });

  it('never calls Atomics.wait on the training thread, and trains the same model as one thread', async () => {
    const wait = vi.spyOn(Atomics, 'wait');
    let used = 0;
    const two = await trainGbdt(data, { ...params, nThreads: 2 }, { onStart: (i) => (used = i.threads) });
    expect(used).toBe(2);
    expect(wait).not.toHaveBeenCalled();
    wait.mockRestore();
    const one = await trainGbdt(data, { ...params, nThreads: 1 });
    expect(two.toXGBoostJsonString()).toBe(one.toXGBoostJsonString());
  });
});
