/**
 * Long work leaves the thread that serves the UI free: ranking, scoring and export run in worker
 * threads, and cancelling any of them leaves no worker, file or cached state behind.
 */
import { createReadStream, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitSpans } from '../../../src/main/core/data/table';
import { engineerFeatures } from '../../../src/main/core/features/engineer';
import { parseTrainConfig } from '../../../src/main/core/pipeline/config';
import { prepareFeatures, rankPrepared } from '../../../src/main/core/pipeline/train';
import { AppServices } from '../../../src/main/services/app-services';
import { liveWorkerCount } from '../../../src/main/services/early-worker';
import type { JobFinished } from '../../../src/shared/contract';
import type { FeatureRanking, FleetScoresValue } from '../../../src/shared/schemas';
import { mainThreadBusy } from '../../helpers/main-thread-busy';
import { BUILT_IMPORT_WORKER, BUILT_TRAIN_WORKER, CMAPSS, requireBuild, tempDir } from '../../helpers/paths';

let services: AppServices;
let trainId: string;
let fleetId: string;
let runId: string;

async function datasetOf(started: Promise<{ jobId: string }>): Promise<string> {
  const f = await services.jobs.wait((await started).jobId);
  return (f.result as { dataset: { datasetId: string } }).dataset.datasetId;
}

/** starts a job, cancels it at its first progress event, and waits for its end */
async function cancelAtFirstProgress(start: () => Promise<{ jobId: string }>): Promise<JobFinished> {
  let jobId: string | null = null;
  let seen = false;
  const off = services.bus.subscribe((e) => {
    if (e.name === 'job:progress' && e.payload.jobId === jobId && !seen) {
      seen = true;
      services.jobs.cancel(jobId);
    }
  });
  try {
    jobId = (await start()).jobId;
    const f = await services.jobs.wait(jobId);
    expect(seen).toBe(true);
    return f;
  } finally {
    off();
  }
}

async function noWorkersLeft(): Promise<number> {
  for (let i = 0; i < 60 && liveWorkerCount() > 0; i++) await new Promise((r) => setTimeout(r, 50));
  return liveWorkerCount();
}

beforeAll(async () => {
  requireBuild();
  services = new AppServices({ storeDir: tempDir(), mode: 'browser', importWorker: BUILT_IMPORT_WORKER, trainWorker: BUILT_TRAIN_WORKER, version: 'test' });
  // browser mode takes uploads only, as a client would send the file
  const uploadId = await services.uploads.receive('train_FD001.txt', createReadStream(join(CMAPSS, 'train_FD001.txt')));
  trainId = await datasetOf(services.handlers['datasets:import']({ source: { kind: 'upload', uploadId, fileName: 'train_FD001.txt' } }));
  fleetId = await datasetOf(services.handlers['datasets:synth']({ units: 400, seed: 7 }));
  const started = await services.handlers['train:start']({ datasetId: trainId, config: { models: ['gbdt'], gbdt: { nEstimators: 20, maxDepth: 4, earlyStoppingRounds: 0 }, seed: 2 } });
  expect((await services.jobs.wait(started.jobId)).state).toBe('done');
  runId = started.runId;
});
afterAll(async () => {
  await services.close();
});

describe('the thread that serves the UI', () => {
  it('stays responsive while a ranking job runs, unlike the same ranking run on it', async () => {
    const config = parseTrainConfig({ seed: 2 });
    let ranking: FeatureRanking | undefined;
    const inWorker = await mainThreadBusy(async () => {
      const { jobId } = await services.handlers['features:rank']({ datasetId: trainId, config: { seed: 2 } });
      const f = await services.jobs.wait(jobId);
      ranking = f.result as FeatureRanking;
    });
    const table = await services.table(trainId);
    let direct: Awaited<ReturnType<typeof rankPrepared>> | undefined;
    const onMain = await mainThreadBusy(async () => {
      direct = await rankPrepared(prepareFeatures(table, config), table, config);
    });
    // the same ranking either way
    expect(ranking!.features.map((f) => f.name)).toEqual(direct!.map((f) => f.name));
    // on the main thread, feature engineering alone holds the loop for a long stretch (how long
    // depends on the machine); in the worker the loop keeps ticking: its longest stretch of the
    // thread's own CPU is a small fraction of that, so this fails if the ranking moves back onto the
    // serving thread (CPU time, not the wall-clock delay: a loaded machine makes the loop wait for a
    // core, which is no work of this thread: test/helpers/main-thread-busy.ts)
    expect(inWorker.busyP99Ms).toBeLessThan(100);
    expect(inWorker.busyMaxMs).toBeLessThan(onMain.busyMaxMs / 4);
  });

  it('stays responsive while a large fleet is imported and committed', async () => {
    // 1,500 synthetic units (about 300,000 rows, 60 MB of columns): parsed in the import worker,
    // inserted in the store worker (on this thread the insert held it for a few hundred ms)
    let datasetId = '';
    const importing = await mainThreadBusy(async () => {
      datasetId = await datasetOf(services.handlers['datasets:synth']({ units: 1500, seed: 8 }));
    });
    console.log(`import: the serving thread's longest stretch ${importing.busyMaxMs.toFixed(1)} ms, p99 ${importing.busyP99Ms.toFixed(1)} ms`);
    expect(importing.busyMaxMs).toBeLessThan(50);
    // stored whole: read back (every column checked against its SHA-256) and listed
    const table = await services.table(datasetId);
    expect(new Set(table.unit).size).toBe(1500);
    expect(services.store.getDataset(datasetId)?.rows).toBe(table.rowCount);
  });

  it('stays responsive while a run trains (both models and the RUL heads) and is saved', async () => {
    const config = { seed: 3, topK: 12, models: ['gbdt', 'lstm'], gbdt: { nEstimators: 60, maxDepth: 4 }, lstm: { units1: 16, units2: 8, attentionUnits: 8, epochs: 2, batchSize: 256 } };
    let started: { jobId: string; runId: string } | undefined;
    const training = await mainThreadBusy(async () => {
      started = await services.handlers['train:start']({ datasetId: trainId, config });
      expect((await services.jobs.wait(started.jobId)).state).toBe('done');
    });
    expect(services.store.listArtifacts(started!.runId).map((a) => a.name)).toEqual(expect.arrayContaining(['gbdt.xgboost.json', 'lstm.json', 'rul.gbdt.xgboost.json', 'rul.lstm.json']));
    // training runs in its worker; what is left here is short: starting it, the losses as they come,
    // and saving the run at the end (its result as JSON, its artifacts hashed and written; 10-60 ms
    // here). Trained on this thread, the same run holds it for seconds.
    console.log(`training: the serving thread's longest stretch ${training.busyMaxMs.toFixed(1)} ms, p99 ${training.busyP99Ms.toFixed(1)} ms`);
    expect(training.busyMaxMs).toBeLessThan(150);
  });

  it('stays responsive while a fleet is scored and a bundle exported', async () => {
    // the fleet's table and the run's models are read (and their SHA-256 checked) in workers too: on
    // this thread, reading these 80,000 rows held it for 70-180 ms at a stretch, and the run's
    // artifacts the export for about 100 ms
    const scoring = await mainThreadBusy(async () => {
      const { jobId } = await services.handlers['fleet:score']({ datasetId: fleetId, scorer: { kind: 'run', runId } });
      const f = await services.jobs.wait(jobId);
      expect((f.result as FleetScoresValue).units).toHaveLength(400);
    });
    console.log(`scoring: the serving thread's longest stretch ${scoring.busyMaxMs.toFixed(1)} ms, p99 ${scoring.busyP99Ms.toFixed(1)} ms`);
    expect(scoring.busyMaxMs).toBeLessThan(50);
    const exporting = await mainThreadBusy(async () => {
      const { jobId } = await services.handlers['bundles:export']({ runId, zip: true });
      expect((await services.jobs.wait(jobId)).state).toBe('done');
    });
    console.log(`export: the serving thread's longest stretch ${exporting.busyMaxMs.toFixed(1)} ms, p99 ${exporting.busyP99Ms.toFixed(1)} ms`);
    expect(exporting.busyMaxMs).toBeLessThan(50);
  });
});

describe('short calls into workers', () => {
  it('a feature trend computed in a worker equals the feature engineered here', async () => {
    const table = await services.table(trainId);
    const f = engineerFeatures(table, parseTrainConfig({}).features);
    const name = f.names[5]!;
    const trend = await services.handlers['features:trend']({ datasetId: trainId, feature: name, units: [2, 7] });
    expect(trend.units.map((u) => u.unit)).toEqual([2, 7]);
    const span = unitSpans(table).find((s) => s.unit === 7)!;
    expect(trend.units[1]!.values).toEqual(Array.from(f.columns[5]!.subarray(span.start, span.end)));
  });
});

describe('cancelling a job', () => {
  it('ranking: ends cancelled and its worker is gone', async () => {
    const f = await cancelAtFirstProgress(() => services.handlers['features:rank']({ datasetId: trainId, config: { seed: 5 } }));
    expect(f.state).toBe('cancelled');
    expect(await noWorkersLeft()).toBe(0);
  });

  it('fleet scoring: ends cancelled, and the scorer answers the next request', async () => {
    const f = await cancelAtFirstProgress(() => services.handlers['fleet:score']({ datasetId: fleetId, scorer: { kind: 'run', runId } }));
    expect(f.state).toBe('cancelled');
    const { jobId } = await services.handlers['fleet:score']({ datasetId: fleetId, scorer: { kind: 'run', runId } });
    const next = await services.jobs.wait(jobId);
    expect((next.result as FleetScoresValue).units).toHaveLength(400);
    const stats = await services.exports.scoring.request({ type: 'stats' }, { signal: new AbortController().signal });
    expect(stats.cached).toBeLessThanOrEqual(4);
  });

  it('export: ends cancelled and writes nothing to the library, not even a staging copy', async () => {
    const library = join(services.store.dir, 'bundles');
    const before = readdirSync(library).sort();
    const f = await cancelAtFirstProgress(() => services.handlers['bundles:export']({ runId, zip: false }));
    expect(f.state).toBe('cancelled');
    expect(await noWorkersLeft()).toBe(0);
    expect(readdirSync(library).sort()).toEqual(before);
  });
});
