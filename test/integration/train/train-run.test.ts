/** Training as the app runs it: a job in a worker thread, recorded as a run in the store. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppServices } from '../../../src/main/services/app-services';
import { GBDT_ARTIFACT } from '../../../src/main/services/training';
import { dispatch } from '../../../src/main/services/dispatch';
import type { EventPayload } from '../../../src/shared/contract';
import { BUILT_IMPORT_WORKER, BUILT_TRAIN_WORKER, CMAPSS, requireBuild, tempDir } from '../../helpers/paths';

let services: AppServices;
let datasetId: string;
const small = { models: ['gbdt' as const], gbdt: { nEstimators: 25, maxDepth: 4, earlyStoppingRounds: 0 }, seed: 3 };

beforeAll(async () => {
  requireBuild();
  services = new AppServices({ storeDir: tempDir(), mode: 'cli', importWorker: BUILT_IMPORT_WORKER, trainWorker: BUILT_TRAIN_WORKER, version: 'test' });
  const { jobId } = await services.handlers['datasets:import']({ source: { kind: 'path', path: join(CMAPSS, 'train_FD001.txt') } });
  const f = await services.jobs.wait(jobId);
  datasetId = (f.result as { dataset: { datasetId: string } }).dataset.datasetId;
});
afterAll(async () => {
  await services.close();
});

describe('a training run', () => {
  it('runs in a worker, streams losses and ends done with its model, metrics and loss curve', async () => {
    const iterations: EventPayload<'train:iteration'>[] = [];
    const off = services.bus.subscribe((e) => {
      if (e.name === 'train:iteration') iterations.push(e.payload);
    });
    const { jobId, runId } = await services.handlers['train:start']({ datasetId, config: small });
    expect(services.store.getRun(runId)?.status).toBe('running');
    const f = await services.jobs.wait(jobId);
    off();
    expect(f.state).toBe('done');
    expect(iterations.map((i) => i.iteration)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(iterations.every((i) => i.runId === runId && i.validLoss !== undefined)).toBe(true);
    const d = await services.handlers['runs:get']({ runId });
    expect(d.status).toBe('done');
    expect(d.selected).toHaveLength(40);
    expect(d.lossCurves.gbdt).toHaveLength(25);
    expect(d.metrics.gbdt!.validation.rocAuc).toBeGreaterThan(0.95);
    expect(d.validationScores.gbdt).toHaveLength(d.rows.validation);
    expect(d.units).toEqual({ train: 70, validation: 15, test: 15 });
    expect(services.store.getArtifact(runId, GBDT_ARTIFACT)?.sha256).toMatch(/^[0-9a-f]{64}$/);
    const list = await services.handlers['runs:list']({ datasetId });
    expect(list.find((r) => r.runId === runId)).toMatchObject({ status: 'done', models: ['gbdt'] });
  });

  it('a cancelled run is marked so and leaves no artifacts', async () => {
    const { jobId, runId } = await services.handlers['train:start']({ datasetId, config: { ...small, gbdt: { ...small.gbdt, nEstimators: 2000 } } });
    await new Promise<void>((resolve) => {
      const off = services.bus.subscribe((e) => {
        if (e.name === 'train:iteration' && e.payload.runId === runId && e.payload.iteration >= 3) {
          off();
          resolve();
        }
      });
    });
    await services.handlers['jobs:cancel']({ jobId });
    const f = await services.jobs.wait(jobId);
    expect(f.state).toBe('cancelled');
    expect(services.store.getRun(runId)?.status).toBe('cancelled');
    expect(services.store.listArtifacts(runId)).toEqual([]);
  });

  it('refuses a bad config before recording a run', async () => {
    const before = services.store.listRuns().length;
    const depth = await dispatch(services.handlers, 'train:start', { datasetId, config: { gbdt: { maxDepth: 0 } } });
    expect(depth).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(/gbdt\.maxDepth/) as unknown } });
    const split = await dispatch(services.handlers, 'train:start', { datasetId, config: { split: { train: 0.9, validation: 0.2, test: 0.1 } } });
    expect(split).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(/add up to 1/) as unknown } });
    expect(services.store.listRuns()).toHaveLength(before);
  });
});
