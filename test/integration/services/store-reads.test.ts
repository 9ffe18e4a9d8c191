/**
 * Tables and a run's models are read from the store in workers, each with a read-only connection of
 * its own (store-worker.ts, score-worker.ts): what they read is what the store holds, bit for
 * bit, checked against the SHA-256 recorded at insert like a read on the serving thread; bytes changed
 * behind the store's back are refused naming the store file, the dataset or run and the column or
 * artifact, and the damage is not cached.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppServices } from '../../../src/main/services/app-services';
import { dispatch } from '../../../src/main/services/dispatch';
import type { FleetScoresValue } from '../../../src/shared/schemas';
import { BUILT_IMPORT_WORKER, BUILT_TRAIN_WORKER, CMAPSS, requireBuild, tempDir } from '../../helpers/paths';
import { rawConnection } from '../store/helpers';

let services: AppServices;
let trainId: string;
let fleetId: string;
let runId: string;

async function resultOf<T>(started: Promise<{ jobId: string }>): Promise<T> {
  const f = await services.jobs.wait((await started).jobId);
  expect(f.error).toBeUndefined();
  return f.result as T;
}

/** XORs one byte of a stored blob, as a failing disk or an edit outside the app would. */
function flip(sql: { select: string; update: string }, args: string[], at: number): () => void {
  const db = rawConnection(services.store.dbPath);
  try {
    const original = Buffer.from((db.prepare(sql.select).get(...args) as { data: Buffer }).data);
    const damaged = Buffer.from(original);
    damaged[at] = damaged[at]! ^ 0x01;
    db.prepare(sql.update).run(damaged, ...args);
    return () => {
      const again = rawConnection(services.store.dbPath);
      again.prepare(sql.update).run(original, ...args);
      again.close();
    };
  } finally {
    db.close();
  }
}

const column = { select: 'SELECT data FROM dataset_columns WHERE dataset_id = ? AND name = ?', update: 'UPDATE dataset_columns SET data = ? WHERE dataset_id = ? AND name = ?' };
const artifact = { select: 'SELECT data FROM artifacts WHERE run_id = ? AND name = ?', update: 'UPDATE artifacts SET data = ? WHERE run_id = ? AND name = ?' };

beforeAll(async () => {
  requireBuild();
  services = new AppServices({ storeDir: tempDir(), mode: 'cli', importWorker: BUILT_IMPORT_WORKER, trainWorker: BUILT_TRAIN_WORKER, version: 'test' });
  trainId = (await resultOf<{ dataset: { datasetId: string } }>(services.handlers['datasets:import']({ source: { kind: 'path', path: join(CMAPSS, 'train_FD001.txt') } }))).dataset.datasetId;
  fleetId = (await resultOf<{ dataset: { datasetId: string } }>(services.handlers['datasets:synth']({ units: 60, seed: 4 }))).dataset.datasetId;
  const started = await services.handlers['train:start']({ datasetId: trainId, config: { models: ['gbdt'], gbdt: { nEstimators: 15, maxDepth: 3, earlyStoppingRounds: 0 }, seed: 5 } });
  expect((await services.jobs.wait(started.jobId)).state).toBe('done');
  runId = started.runId;
});
afterAll(async () => {
  await services.close();
});

describe('reads in workers', () => {
  it('a table read in a worker is the stored table bit for bit, in shared memory, and one read serves callers asking at once', async () => {
    const [a, b] = await Promise.all([services.table(fleetId), services.table(fleetId)]);
    expect(a).toBe(b);
    const direct = services.store.loadTable(fleetId);
    expect(a.rowCount).toBe(direct.rowCount);
    expect(a.columns).toEqual(direct.columns);
    expect(Buffer.from(a.unit.buffer)).toEqual(Buffer.from(direct.unit.buffer));
    expect(Buffer.from(a.cycle.buffer)).toEqual(Buffer.from(direct.cycle.buffer));
    a.values.forEach((v, i) => expect(Buffer.from(v.buffer), a.columns[i]!.name).toEqual(Buffer.from(direct.values[i]!.buffer)));
    expect(a.unit.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(a.values.every((v) => v.buffer instanceof SharedArrayBuffer)).toBe(true);
  });

  it('a run read in a worker is the run read here', async () => {
    const off = await services.training.loadArtifacts(runId, { signal: new AbortController().signal });
    const here = services.training.artifacts(runId);
    expect(off).toEqual(here);
  });

  it('a flipped byte in a stored column is refused by the worker that reads the table, naming store, dataset and column; not cached', async () => {
    // not in memory yet: the two most recent tables are kept, and these two were read later
    await services.table(trainId);
    await services.table(fleetId);
    const synthId = (await resultOf<{ dataset: { datasetId: string } }>(services.handlers['datasets:synth']({ units: 20, seed: 9 }))).dataset.datasetId;
    const restore = flip(column, [synthId, 's7'], 8 * 40 + 2);
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const r = await dispatch(services.handlers, 'datasets:units', { datasetId: synthId });
        expect(r.ok).toBe(false);
        const error = (r as { error: { code: string; message: string } }).error;
        expect(error.code).toBe('BAD_FILE');
        expect(error.message).toContain(services.store.dbPath);
        expect(error.message).toContain(`dataset ${synthId}, column s7`);
        expect(error.message).toMatch(/do not match their SHA-256/);
      }
    } finally {
      restore();
    }
    // repaired: read again, not the failure remembered
    expect(await services.handlers['datasets:units']({ datasetId: synthId })).toHaveLength(20);
  });

  it("a flipped byte in a run's model is refused by the scoring worker and by export, naming the artifact", async () => {
    const restore = flip(artifact, [runId, 'gbdt.xgboost.json'], 10);
    try {
      const starts = [() => services.handlers['fleet:score']({ datasetId: fleetId, scorer: { kind: 'run', runId } }), () => services.handlers['bundles:export']({ runId, zip: false })];
      for (const start of starts) {
        const f = await services.jobs.wait((await start()).jobId);
        expect(f.state).toBe('failed');
        expect(f.error?.code).toBe('BAD_FILE');
        expect(f.error?.message).toContain(`artifact "gbdt.xgboost.json" of run ${runId}`);
      }
    } finally {
      restore();
    }
    const scores = await resultOf<FleetScoresValue>(services.handlers['fleet:score']({ datasetId: fleetId, scorer: { kind: 'run', runId } }));
    expect(scores.units).toHaveLength(60);
  });
});
