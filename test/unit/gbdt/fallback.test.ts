import type * as WorkerThreads from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { makeSyntheticMatrix } from '../../../bench/gbdt/matrix';
import { trainGbdt } from '../../../src/main/core/models/gbdt';

// Helper threads cannot be created here: training must fall back to one thread, same model.
vi.mock('node:worker_threads', async (importOriginal) => {
  const actual = await importOriginal<typeof WorkerThreads>();
  class UnavailableWorker {
    constructor() {
      throw new Error('worker threads are unavailable');
    }
  }
  return { ...actual, Worker: UnavailableWorker };
});

describe('trainGbdt without worker threads', () => {
  it('falls back to a single thread and produces the same model', async () => {
    const data = makeSyntheticMatrix({ rows: 4000, features: 12, seed: 11 });
    const params = { nEstimators: 10, maxDepth: 5, earlyStoppingRounds: 0, seed: 3 };
    let used = 0;
    const a = await trainGbdt(data, { ...params, nThreads: 4 }, { onStart: (i) => (used = i.threads) });
    expect(used).toBe(1);
    const b = await trainGbdt(data, { ...params, nThreads: 1 });
    expect(a.toXGBoostJsonString()).toBe(b.toXGBoostJsonString());
  });
});
