/** Connection settings, interrupted runs, and what runs hold: params, metrics, artifacts, models, reports. */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PrognosError } from '../../../src/shared/errors';
import { sha256Hex } from '../../../src/main/core/store/blobs';
import { LATEST_SCHEMA_VERSION } from '../../../src/main/core/store/migrations';
import { processStartOf } from '../../../src/main/core/store/owner';
import { ExperimentStore, INTERRUPTED_ERROR } from '../../../src/main/core/store/store';
import { makeTable, newDataset, rawConnection, tempDir } from './helpers';

function expectPrognosError(fn: () => unknown, code: string, message?: RegExp): PrognosError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(PrognosError);
  const pe = error as PrognosError;
  expect(pe.code).toBe(code);
  if (message !== undefined) expect(pe.message).toMatch(message);
  return pe;
}

function storeWithDataset(dir = tempDir()): { store: ExperimentStore; datasetId: string; fingerprint: string } {
  const store = ExperimentStore.open(dir);
  const d = store.insertDataset(newDataset(makeTable([4, 5])));
  return { store, datasetId: d.datasetId, fingerprint: d.fingerprint };
}

describe('connection', () => {
  it('creates the folder and runs in WAL mode with foreign keys on and a busy timeout', () => {
    const dir = join(tempDir(), 'nested', 'store');
    const store = ExperimentStore.open(dir);
    expect(store.dir).toBe(dir);
    expect(store.dbPath).toBe(join(dir, 'prognos.db'));
    expect(existsSync(store.dbPath)).toBe(true);
    expect(store.connectionSettings()).toEqual({
      journalMode: 'wal',
      foreignKeys: true,
      busyTimeoutMs: 5000,
      schemaVersion: LATEST_SCHEMA_VERSION,
    });
    // WAL is a property of the file: another connection sees it too
    const other = rawConnection(store.dbPath);
    expect(other.pragma('journal_mode', { simple: true })).toBe('wal');
    other.close();
    store.close();
    store.close(); // closing twice is harmless
  });

  it('refuses a folder whose prognos.db is not a database', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'prognos.db'), 'unit cycle s1\n1 1 0.5\n'.repeat(100));
    expectPrognosError(() => ExperimentStore.open(dir), 'BAD_FILE', /prognos\.db/);
  });
});

describe('interrupted runs', () => {
  it('a run left running is marked failed on the next open', () => {
    const dir = tempDir();
    const { store, datasetId, fingerprint } = storeWithDataset(dir);
    const runId = store.createRun({
      datasetId,
      kind: 'train',
      config: { models: ['gbdt'] },
      seed: 42,
      datasetFingerprint: fingerprint,
    });
    const doneId = store.createRun({ datasetId, kind: 'train', config: {}, seed: 1, datasetFingerprint: fingerprint });
    store.setRunStatus(doneId, 'done');
    expect(store.getRun(runId)?.status).toBe('running');
    store.close();

    const again = ExperimentStore.open(dir);
    const run = again.getRun(runId)!;
    expect(run.status).toBe('failed');
    expect(run.error).toBe(INTERRUPTED_ERROR);
    expect(run.error).toBe('interrupted: the app stopped while this run was running');
    expect(run.finishedAt).not.toBeNull();
    expect(again.getRun(doneId)?.status).toBe('done');
    again.close();
  });

  it('leaves runs of a live process alone and fails those of a dead one', () => {
    const dir = tempDir();
    const { store, datasetId, fingerprint } = storeWithDataset(dir);
    const live = store.createRun({ datasetId, kind: 'train', config: {}, seed: 1, datasetFingerprint: fingerprint });
    const dead = store.createRun({ datasetId, kind: 'train', config: {}, seed: 2, datasetFingerprint: fingerprint });
    const finished = spawnSync(process.execPath, ['-e', '']);
    expect(finished.pid).toBeGreaterThan(0);
    const db = rawConnection(store.dbPath);
    db.prepare('UPDATE runs SET owner_pid = ?, owner_start = ? WHERE run_id = ?').run(
      process.ppid,
      processStartOf(process.ppid),
      live,
    );
    db.prepare('UPDATE runs SET owner_pid = ? WHERE run_id = ?').run(finished.pid, dead);
    db.close();
    store.close();

    const again = ExperimentStore.open(dir);
    expect(again.getRun(live)?.status).toBe('running');
    expect(again.getRun(dead)?.status).toBe('failed');
    again.close();

    const reader = ExperimentStore.open(dir, { recoverInterruptedRuns: false });
    expect(reader.getRun(live)?.status).toBe('running');
    reader.close();
  });
});

describe('runs', () => {
  it('creates, updates, lists and deletes runs', () => {
    const { store, datasetId, fingerprint } = storeWithDataset();
    const other = store.insertDataset(newDataset(makeTable([2]), { fingerprint: 'fp-other' }));
    const experimentId = store.createExperiment('baseline');
    expect(experimentId).toMatch(/^exp_/);
    expect(store.listExperiments()).toEqual([
      { experimentId, name: 'baseline', createdAt: expect.any(String) as string },
    ]);

    const config = { models: ['gbdt', 'lstm'], window: 30, nested: { w: 0.6 } };
    const a = store.createRun({
      experimentId,
      datasetId,
      kind: 'train',
      config,
      seed: 7,
      datasetFingerprint: fingerprint,
      backend: 'tfjs-node',
    });
    const b = store.createRun({
      datasetId: other.datasetId,
      kind: 'evaluate',
      config: null,
      seed: 0,
      datasetFingerprint: 'fp-other',
    });
    expect(a).toMatch(/^run_/);

    const run = store.getRun(a)!;
    expect(run).toEqual({
      runId: a,
      experimentId,
      datasetId,
      kind: 'train',
      status: 'running',
      config,
      seed: 7,
      datasetFingerprint: fingerprint,
      backend: 'tfjs-node',
      error: null,
      result: null,
      createdAt: expect.any(String) as string,
      finishedAt: null,
    });

    store.setRunResult(a, {
      threshold: 0.42,
      metrics: { ensemble: { test: { f2: 0.9 } } },
      timings: { trainSeconds: 3.5 },
    });
    store.setRunStatus(a, 'done');
    const done = store.getRun(a)!;
    expect(done.status).toBe('done');
    expect(done.finishedAt).not.toBeNull();
    expect(done.result).toEqual({
      threshold: 0.42,
      metrics: { ensemble: { test: { f2: 0.9 } } },
      timings: { trainSeconds: 3.5 },
    });

    store.setRunStatus(b, 'failed', 'out of memory');
    expect(store.getRun(b)).toMatchObject({ status: 'failed', error: 'out of memory' });

    expect(store.listRuns().map((r) => r.runId)).toEqual([b, a]);
    expect(store.listRuns({ datasetId }).map((r) => r.runId)).toEqual([a]);

    expect(store.deleteRun(b)).toBe(true);
    expect(store.deleteRun(b)).toBe(false);
    expect(store.getRun(b)).toBeUndefined();
    store.close();
  });

  it('refuses runs on unknown datasets or experiments and updates of unknown runs', () => {
    const { store, datasetId, fingerprint } = storeWithDataset();
    expectPrognosError(
      () => store.createRun({ datasetId: 'ds_nope', kind: 'train', config: {}, seed: 1, datasetFingerprint: 'x' }),
      'NOT_FOUND',
      /ds_nope/,
    );
    expectPrognosError(
      () =>
        store.createRun({
          experimentId: 'exp_nope',
          datasetId,
          kind: 'train',
          config: {},
          seed: 1,
          datasetFingerprint: fingerprint,
        }),
      'NOT_FOUND',
      /exp_nope/,
    );
    expectPrognosError(
      () => store.createRun({ datasetId, kind: 'train', config: {}, seed: 1.5, datasetFingerprint: fingerprint }),
      'INVALID_INPUT',
    );
    expectPrognosError(() => store.setRunStatus('run_nope', 'done'), 'NOT_FOUND');
    expectPrognosError(() => store.setRunResult('run_nope', {}), 'NOT_FOUND');
    expectPrognosError(() => store.logMetric('run_nope', 'loss', 1), 'NOT_FOUND');
    expectPrognosError(() => store.logParams('run_nope', { a: 1 }), 'NOT_FOUND');
    expectPrognosError(
      () => store.addArtifact('run_nope', { name: 'a', kind: 'k', data: new Uint8Array(1) }),
      'NOT_FOUND',
    );
    expectPrognosError(() => store.addReport('run_nope', { title: 't', artifactData: new Uint8Array(1) }), 'NOT_FOUND');
    expect(store.listRuns()).toEqual([]);
    store.close();
  });

  it('logs parameters and step-wise metrics', () => {
    const { store, datasetId, fingerprint } = storeWithDataset();
    const runId = store.createRun({ datasetId, kind: 'train', config: {}, seed: 1, datasetFingerprint: fingerprint });
    store.logParams(runId, { learningRate: 0.1, maxDepth: 6, objective: 'binary:logistic', earlyStopping: true });
    store.logParams(runId, { maxDepth: 8 });
    expect(store.paramsOf(runId)).toEqual({
      learningRate: 0.1,
      maxDepth: 8,
      objective: 'binary:logistic',
      earlyStopping: true,
    });
    expectPrognosError(() => store.logParams(runId, { bad: Number.NaN }), 'INVALID_INPUT');

    store.logMetrics(runId, [
      { key: 'val_loss', value: 0.5, step: 2 },
      { key: 'val_loss', value: 0.7, step: 1 },
      { key: 'val_loss', value: 0.6, step: 0 },
    ]);
    store.logMetric(runId, 'test_f2', 0.91);
    store.logMetric(runId, 'roc_auc', Number.NaN);
    store.logMetric(runId, 'val_loss', 0.45, 3);
    expect(store.metricsOf(runId)).toEqual([
      { key: 'roc_auc', step: null, value: Number.NaN },
      { key: 'test_f2', step: null, value: 0.91 },
      { key: 'val_loss', step: 0, value: 0.6 },
      { key: 'val_loss', step: 1, value: 0.7 },
      { key: 'val_loss', step: 2, value: 0.5 },
      { key: 'val_loss', step: 3, value: 0.45 },
    ]);
    // a batch with one bad row writes nothing
    expectPrognosError(
      () =>
        store.logMetrics(runId, [
          { key: 'x', value: 1, step: 0 },
          { key: 'x', value: 2, step: 0.5 },
        ]),
      'INVALID_INPUT',
    );
    expect(store.metricsOf(runId).filter((m) => m.key === 'x')).toEqual([]);
    store.close();
  });
});

describe('artifacts, models and reports', () => {
  it('saves a run atomically: a failure half-way through leaves none of its writes, and the run as it was', () => {
    const { store, datasetId, fingerprint } = storeWithDataset();
    const runId = store.createRun({ datasetId, kind: 'train', config: {}, seed: 1, datasetFingerprint: fingerprint });
    // as a finished run is saved: artifacts, a model, the result, the status; the second artifact of
    // the same name fails after the first artifact and the model are written
    expectPrognosError(
      () =>
        store.atomically(() => {
          store.addArtifact(runId, { name: 'gbdt.xgboost.json', kind: 'model', data: Buffer.from('{"learner":{}}') });
          store.registerModel(runId, { kind: 'gbdt', artifactName: 'gbdt.xgboost.json' });
          store.setRunResult(runId, { threshold: 0.5 });
          store.addArtifact(runId, { name: 'gbdt.xgboost.json', kind: 'model', data: Buffer.from('{}') });
          store.setRunStatus(runId, 'done');
        }),
      'CONFLICT',
    );
    expect(store.listArtifacts(runId)).toEqual([]);
    expect(store.getRun(runId)).toMatchObject({ status: 'running', result: null });
    // and the same writes without the failure are all there
    store.atomically(() => {
      store.addArtifact(runId, { name: 'gbdt.xgboost.json', kind: 'model', data: Buffer.from('{"learner":{}}') });
      store.setRunResult(runId, { threshold: 0.5 });
      store.setRunStatus(runId, 'done');
    });
    expect(store.listArtifacts(runId).map((a) => a.name)).toEqual(['gbdt.xgboost.json']);
    expect(store.getRun(runId)).toMatchObject({ status: 'done', result: { threshold: 0.5 } });
    store.close();
  });

  it('stores artifacts with their SHA-256 and reads them back verified', () => {
    const { store, datasetId, fingerprint } = storeWithDataset();
    const runId = store.createRun({ datasetId, kind: 'train', config: {}, seed: 1, datasetFingerprint: fingerprint });
    const onnx = new Uint8Array(10_001).map((_, i) => (i * 31) % 251);
    const added = store.addArtifact(runId, {
      name: 'models/gbdt.onnx',
      kind: 'model',
      data: onnx,
      mediaType: 'application/onnx',
    });
    expect(added.artifactId).toMatch(/^art_/);
    expect(added.size).toBe(10_001);
    expect(added.sha256).toBe(sha256Hex(onnx));
    expect(added.sha256).toMatch(/^[0-9a-f]{64}$/);

    const got = store.getArtifact(runId, 'models/gbdt.onnx')!;
    expect(got.sha256).toBe(added.sha256);
    expect(Buffer.compare(got.data, Buffer.from(onnx))).toBe(0);
    expect(store.getArtifact(runId, 'nope')).toBeUndefined();
    expect(store.listArtifacts(runId)).toEqual([
      {
        artifactId: added.artifactId,
        name: 'models/gbdt.onnx',
        kind: 'model',
        mediaType: 'application/onnx',
        size: 10_001,
        sha256: added.sha256,
        createdAt: expect.any(String) as string,
      },
    ]);
    expectPrognosError(
      () => store.addArtifact(runId, { name: 'models/gbdt.onnx', kind: 'model', data: onnx }),
      'CONFLICT',
    );

    // an empty artifact is fine too
    const empty = store.addArtifact(runId, { name: 'empty.bin', kind: 'other', data: new Uint8Array(0) });
    expect(store.getArtifact(runId, 'empty.bin')).toEqual({ data: Buffer.alloc(0), sha256: empty.sha256 });
    store.close();
  });

  it('a tampered artifact is refused with BAD_FILE', () => {
    const { store, datasetId, fingerprint } = storeWithDataset();
    const runId = store.createRun({ datasetId, kind: 'train', config: {}, seed: 1, datasetFingerprint: fingerprint });
    store.addArtifact(runId, { name: 'gbdt.xgboost.json', kind: 'model', data: Buffer.from('{"learner":{}}') });
    store.addArtifact(runId, { name: 'lstm.onnx', kind: 'model', data: Buffer.from('lstm-bytes') });
    const db = rawConnection(store.dbPath);
    db.prepare("UPDATE artifacts SET data = ? WHERE name = 'gbdt.xgboost.json'").run(
      Buffer.from('{"learner":{"x":1}}'),
    );
    // same size, one byte flipped
    db.prepare(
      "UPDATE artifacts SET data = CAST(substr(data, 1, 4) || x'ff' || substr(data, 6) AS BLOB) WHERE name = 'lstm.onnx'",
    ).run();
    db.close();
    const err = expectPrognosError(
      () => store.getArtifact(runId, 'gbdt.xgboost.json'),
      'BAD_FILE',
      /gbdt\.xgboost\.json.*SHA-256/,
    );
    expect(err.details?.issues?.[0]?.file).toBe(store.dbPath);
    expectPrognosError(() => store.getArtifact(runId, 'lstm.onnx'), 'BAD_FILE', /corrupt/);
    store.close();
  });

  it('registers models, discards artifacts of a cancelled run, and keeps reports', () => {
    const { store, datasetId, fingerprint } = storeWithDataset();
    const runId = store.createRun({ datasetId, kind: 'train', config: {}, seed: 1, datasetFingerprint: fingerprint });
    store.addArtifact(runId, { name: 'gbdt.onnx', kind: 'model', data: new Uint8Array([1]) });
    store.addArtifact(runId, { name: 'gbdt-v2.onnx', kind: 'model', data: new Uint8Array([2]) });
    store.registerModel(runId, { kind: 'gbdt', artifactName: 'gbdt.onnx', meta: { opset: 17 } });
    store.registerModel(runId, { kind: 'gbdt', artifactName: 'gbdt-v2.onnx', meta: { opset: 17, trees: 300 } });
    expect(store.modelsOf(runId)).toEqual([
      {
        kind: 'gbdt',
        artifactId: expect.any(String) as string,
        artifactName: 'gbdt-v2.onnx',
        meta: { opset: 17, trees: 300 },
        createdAt: expect.any(String) as string,
      },
    ]);
    expectPrognosError(() => store.registerModel(runId, { kind: 'lstm', artifactName: 'missing.onnx' }), 'NOT_FOUND');

    const html = Buffer.from('<h1>Run report</h1>');
    const reportId = store.addReport(runId, { title: 'Run report', artifactData: html });
    const standalone = store.addReport(null, { title: 'Fleet drift', artifactData: Buffer.from('%PDF-1.7') });
    expect(reportId).toMatch(/^rep_/);
    expect(store.getReport(reportId)).toMatchObject({ runId, title: 'Run report', sha256: sha256Hex(html) });
    expect(store.getReport(standalone)?.runId).toBeNull();

    store.setRunStatus(runId, 'cancelled');
    expect(store.discardArtifacts(runId)).toBe(2);
    expect(store.listArtifacts(runId)).toEqual([]);
    expect(store.modelsOf(runId)).toEqual([]);
    expect(store.getRun(runId)?.status).toBe('cancelled');
    expect(store.getReport(reportId)).toBeDefined();

    expect(store.deleteRun(runId)).toBe(true);
    expect(store.getReport(reportId)).toBeUndefined();
    expect(store.getReport(standalone)).toBeDefined();
    store.close();
  });
});
