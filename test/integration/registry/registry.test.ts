/**
 * The model registry behind the services: versions with their fingerprints, promotion checks that
 * refuse a worse model, a flagged drift report, damaged run artifacts and a bundle re-signed by an
 * attacker's key; overrides with a reason; exactly one Production version (in the database too, and
 * under two promotions racing from two store handles); a complete transitions history.
 */
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBundle } from '../../../src/main/core/export/bundle';
import { keyFingerprint } from '../../../src/main/core/export/signing';
import { sha256Hex } from '../../../src/main/core/export/checksums';
import { configSha256 } from '../../../src/main/core/registry/fingerprints';
import { AppServices } from '../../../src/main/services/app-services';
import type { PromotionResult } from '../../../src/shared/registry';
import { driftReportBody, columnDrift } from '../../helpers/drift-report';
import { ed25519Pair, forgeResigned, type Ed25519Pair } from '../../helpers/forge-bundle';
import { syntheticRun, type SyntheticRun } from '../../helpers/onnx-fixtures';
import { BUILT_IMPORT_WORKER, BUILT_TRAIN_WORKER, REPO, requireBuild, tempDir } from '../../helpers/paths';
import { makeTable, newDataset } from '../store/helpers';

let storeDir: string;
let services: AppServices;
let datasetId: string;
let release: Ed25519Pair;
let trained: SyntheticRun;

const open = (): AppServices =>
  new AppServices({ storeDir, mode: 'cli', importWorker: BUILT_IMPORT_WORKER, trainWorker: BUILT_TRAIN_WORKER, version: 'test', shippedBundles: resolve(REPO, 'resources', 'models') });

/** A finished run whose result records these validation figures (what training records), with one artifact. */
function finishedRun(f2: number, rmse: number | null, seed = 1): string {
  const store = services.store;
  const runId = store.createRun({ datasetId, kind: 'train', config: { models: ['gbdt'], seed, gbdt: { nEstimators: 5 } }, seed, datasetFingerprint: 'sha256:aaaa' });
  store.addArtifact(runId, { name: 'gbdt.xgboost.json', kind: 'model', data: Buffer.from(`{"seed":${seed}}`) });
  store.setRunResult(runId, {
    threshold: 0.4,
    metrics: { gbdt: { validation: { f2: f2 - 0.05 } }, ensemble: { validation: { f2 }, test: { f2 } } },
    ...(rmse === null ? {} : { rul: { metrics: { ensemble: { validation: { rmse } } } } }),
  });
  store.setRunStatus(runId, 'done');
  return runId;
}

const statuses = (r: PromotionResult) => Object.fromEntries(r.checks.map((c) => [c.name, c.status]));

beforeAll(async () => {
  requireBuild();
  storeDir = tempDir();
  services = open();
  datasetId = services.store.insertDataset(newDataset(makeTable([40, 40]))).datasetId;
  release = ed25519Pair();
  trained = await syntheticRun({ lstm: false, units: 10, seed: 4 });
});
afterAll(async () => {
  await services?.close();
});

describe('register', () => {
  it('records a finished run as version 1 at stage None, with its fingerprints and its registration in the history', async () => {
    const runId = finishedRun(0.8, 20);
    const v = await services.registry.register({ model: 'engine-risk', source: { runId }, actor: 'ana' });
    expect(v).toMatchObject({ model: 'engine-risk', version: 1, stage: 'None', source: 'run', runId, bundleId: null, createdBy: 'ana', metrics: { f2: 0.8, rulRmse: 20 } });
    expect(v.fingerprints).toEqual({ configSha256: configSha256(services.store.getRun(runId)!.config), datasetFingerprint: 'sha256:aaaa', manifestSha256: null, signingKeyId: null });
    expect(v.fingerprints.configSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(services.registry.history('engine-risk')).toMatchObject([{ version: 1, from: null, to: 'None', actor: 'ana', reason: 'registered', forced: false, checks: [] }]);
    // the same run twice is refused; names are case-insensitive
    await expect(services.registry.register({ model: 'ENGINE-RISK', source: { runId } })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('is version 1 of "engine-risk" already') as unknown });
  });

  it('refuses what is not a finished run, and bad names, writing nothing', async () => {
    await expect(services.registry.register({ model: 'x', source: { runId: 'run_nope' } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const running = services.store.createRun({ datasetId, kind: 'train', config: {}, seed: 1, datasetFingerprint: 'sha256:aaaa' });
    await expect(services.registry.register({ model: 'x', source: { runId: running } })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('is running') as unknown });
    services.store.setRunStatus(running, 'failed', 'test');
    for (const bad of ['', '  ', '-lead', 'a/b', 'x'.repeat(101), 'tab\there']) {
      await expect(services.registry.register({ model: bad, source: { runId: running } })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('model name') as unknown });
    }
    expect(services.registry.list().map((m) => m.model)).toEqual(['engine-risk']);
  });
});

describe('promotion checks on run versions', () => {
  it('the first Production version passes with nothing to compare (metrics and drift skipped, saying why)', async () => {
    const r = await services.registry.promote({ model: 'engine-risk', version: 1, stage: 'Production', reason: 'first release', actor: 'ana' });
    expect(r).toMatchObject({ promoted: true, forced: false, archived: null });
    expect(statuses(r)).toEqual({ metrics: 'skipped', drift: 'skipped', signature: 'skipped' });
    expect(r.checks.find((c) => c.name === 'drift')!.detail).toMatch(/no drift report/);
    expect(r.checks.find((c) => c.name === 'signature')!.detail).toMatch(/a run version has no bundle to sign; its 1 artifacts in this store match their SHA-256/);
  });

  it('refuses a worse model (lower validation F2) and writes nothing', async () => {
    const worse = finishedRun(0.6, 18, 2);
    await services.registry.register({ model: 'engine-risk', source: { runId: worse } });
    const before = services.registry.history('engine-risk');
    const r = await services.registry.promote({ model: 'engine-risk', version: 2, stage: 'Production' });
    expect(r.promoted).toBe(false);
    expect(r.checks.find((c) => c.name === 'metrics')).toEqual({ name: 'metrics', status: 'failed', detail: 'validation F2 0.6000 is below Production (version 1) 0.8000' });
    // Staging runs the same checks
    expect((await services.registry.promote({ model: 'engine-risk', version: 2, stage: 'Staging' })).promoted).toBe(false);
    expect(services.registry.history('engine-risk')).toEqual(before);
    expect(services.store.registry().getVersion('engine-risk', 2)!.stage).toBe('None');
    expect(services.store.registry().production('engine-risk')!.version).toBe(1);
  });

  it('refuses a model with a better F2 but a worse RUL RMSE', async () => {
    const run = finishedRun(0.85, 25, 3);
    await services.registry.register({ model: 'engine-risk', source: { runId: run } });
    const r = await services.registry.promote({ model: 'engine-risk', version: 3, stage: 'Production' });
    expect(r.promoted).toBe(false);
    expect(r.checks.find((c) => c.name === 'metrics')).toMatchObject({ status: 'failed', detail: 'RUL RMSE 25.0000 is above Production\'s 20.0000' });
  });

  it('an override needs a reason; with one it promotes, archives the old Production version in the same step and records both', async () => {
    await expect(services.registry.promote({ model: 'engine-risk', version: 2, stage: 'Production', force: true })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('--reason') as unknown });
    const r = await services.registry.promote({ model: 'engine-risk', version: 2, stage: 'Production', force: true, reason: 'recall matters more this quarter', actor: 'lee' });
    expect(r).toMatchObject({ promoted: true, forced: true, archived: 1 });
    expect(r.transitions).toMatchObject([
      { version: 1, from: 'Production', to: 'Archived', actor: 'lee', reason: 'replaced by version 2', causedBy: 2, forced: false },
      { version: 2, from: 'None', to: 'Production', actor: 'lee', reason: 'recall matters more this quarter', forced: true, causedBy: null },
    ]);
    expect(r.transitions[1]!.checks.find((c) => c.name === 'metrics')!.status).toBe('failed');
    const versions = services.registry.list().find((m) => m.model === 'engine-risk')!.versions;
    expect(versions.map((v) => [v.version, v.stage])).toEqual([
      [3, 'None'],
      [2, 'Production'],
      [1, 'Archived'],
    ]);
  });

  it('a drift report that flags drift on the latest fleet fails the drift check', async () => {
    const run = finishedRun(0.9, 10, 4);
    await services.registry.register({ model: 'engine-risk', source: { runId: run } });
    services.store.addDriftReport(driftReportBody({ source: { kind: 'run', id: run }, current: { kind: 'file', id: 'fleet-may.txt' }, features: [columnDrift('a', { psi: 0.5 }), columnDrift('b', { psi: 0.4 })] }));
    const refused = await services.registry.promote({ model: 'engine-risk', version: 4, stage: 'Staging' });
    expect(refused.promoted).toBe(false);
    expect(refused.checks.find((c) => c.name === 'drift')!).toMatchObject({ status: 'failed', detail: expect.stringMatching(/on fleet-may\.txt .* flags dataset drift \(100 % of features drifted\)/) as unknown });
    expect(statuses(refused)).toMatchObject({ metrics: 'passed' });
    // a newer report on the next fleet without drift: the check passes
    services.store.addDriftReport(driftReportBody({ source: { kind: 'run', id: run }, current: { kind: 'file', id: 'fleet-june.txt' }, features: [columnDrift('a'), columnDrift('b')] }));
    const ok = await services.registry.promote({ model: 'engine-risk', version: 4, stage: 'Staging' });
    expect(ok.promoted).toBe(true);
    expect(ok.checks.find((c) => c.name === 'drift')!.detail).toMatch(/on fleet-june\.txt .* flags no drift/);
  });

  it("a run whose stored artifact was altered fails the integrity part of the signature check", async () => {
    const run = finishedRun(0.95, 9, 5);
    await services.registry.register({ model: 'engine-risk', source: { runId: run } });
    const raw = new Database(join(storeDir, 'prognos.db'));
    raw.prepare("UPDATE artifacts SET data = ? WHERE run_id = ?").run(Buffer.from('{"seed":666}'), run);
    raw.close();
    const r = await services.registry.promote({ model: 'engine-risk', version: 5, stage: 'Staging' });
    expect(r.promoted).toBe(false);
    expect(r.checks.find((c) => c.name === 'signature')).toMatchObject({ status: 'failed', detail: expect.stringContaining("the run's artifacts do not match their SHA-256: gbdt.xgboost.json") as unknown });
  });
});

describe('bundle versions and trust', () => {
  let bundleId: string;
  let libraryPath: string;

  it('registers a library bundle with its manifest SHA-256 and signing key', async () => {
    const dir = tempDir();
    const legit = (await writeBundle(trained.input, join(dir, 'legit'), { signKey: release.privatePem })).path;
    await services.handlers['keys:add']({ pem: release.publicPem, name: 'release' });
    const entry = await services.exports.importBundle(legit, 'legit');
    bundleId = entry.bundleId;
    libraryPath = services.exports.bundlePath(bundleId);
    const v = await services.registry.register({ model: 'pump', source: { bundleId } });
    expect(v).toMatchObject({ model: 'pump', version: 1, source: 'bundle', bundleId, runId: trained.input.runId });
    expect(v.fingerprints.manifestSha256).toBe(sha256Hex(readFileSync(join(libraryPath, 'manifest.json'))));
    expect(v.fingerprints.signingKeyId).toBe(keyFingerprint(release.privateKey));
    const r = await services.registry.promote({ model: 'pump', version: 1, stage: 'Production' });
    expect(r.promoted).toBe(true);
    expect(r.checks.find((c) => c.name === 'signature')).toEqual({ name: 'signature', status: 'passed', detail: expect.stringMatching(/^signed by trusted key "release"/) as unknown });
  });

  it('refuses to promote a registered bundle that an attacker re-signed with an untrusted key in the library', async () => {
    const v2 = await services.registry.register({ model: 'pump-canary', source: { bundleId } });
    const forged = forgeResigned(libraryPath, join(tempDir(), 'forged'), ed25519Pair(), 0.001);
    rmSync(libraryPath, { recursive: true });
    cpSync(forged, libraryPath, { recursive: true });
    const r = await services.registry.promote({ model: 'pump-canary', version: v2.version, stage: 'Staging' });
    expect(r.promoted).toBe(false);
    expect(r.checks.find((c) => c.name === 'signature')).toMatchObject({ status: 'failed', detail: expect.stringContaining('the bundle changed since it was registered') as unknown });
    // registered as it now is, it still fails: the key is not in the keyring
    await services.handlers['keys:policy']({ setting: 'allow-unsigned' });
    const v3 = await services.registry.register({ model: 'pump-canary', source: { bundleId } });
    const again = await services.registry.promote({ model: 'pump-canary', version: v3.version, stage: 'Staging' });
    expect(again.promoted).toBe(false);
    expect(again.checks.find((c) => c.name === 'signature')).toMatchObject({ status: 'failed', detail: expect.stringMatching(/^not signed by a trusted key: signed by an unknown key [0-9a-f]{16}/) as unknown });
    // an override with a reason goes through and says so in the history
    const forced = await services.registry.promote({ model: 'pump-canary', version: v3.version, stage: 'Staging', force: true, reason: 'lab test only', actor: 'sec' });
    expect(forced).toMatchObject({ promoted: true, forced: true });
    expect(services.registry.history('pump-canary').at(-1)).toMatchObject({ to: 'Staging', forced: true, reason: 'lab test only', actor: 'sec' });
  });

  it('the lineage runs from the dataset fingerprint through the run and bundle to the version', () => {
    const l = services.registry.lineage('pump', 1);
    expect(l.dataset.fingerprint).toBe(trained.input.datasetFingerprint);
    expect(l.run).toMatchObject({ runId: trained.input.runId, inStore: false });
    expect(l.bundle).toMatchObject({ bundleId, inLibrary: true, signingKeyId: keyFingerprint(release.privateKey) });
    const runLineage = services.registry.lineage('engine-risk', 1);
    expect(runLineage.dataset).toMatchObject({ datasetId, fingerprint: 'sha256:aaaa', file: 'train_FD001.txt' });
    expect(runLineage.run).toMatchObject({ inStore: true, status: 'done' });
  });
});

describe('exactly one Production version', () => {
  it('the database refuses a second Production version whatever writes the table', () => {
    const raw = new Database(join(storeDir, 'prognos.db'));
    expect(() => raw.prepare("UPDATE model_versions SET stage = 'Production' WHERE model_id = (SELECT model_id FROM registered_models WHERE name = 'engine-risk') AND version = 3").run()).toThrow(/UNIQUE constraint failed: model_versions\.model_id/);
    raw.close();
    expect(services.store.registry().production('engine-risk')!.version).toBe(2);
  });

  it('two promotions racing from two store handles: one wins, the other is refused, the history stays consistent', async () => {
    const a = finishedRun(0.97, 5, 6);
    const b = finishedRun(0.98, 4, 7);
    const va = (await services.registry.register({ model: 'race', source: { runId: a } })).version;
    const vb = (await services.registry.register({ model: 'race', source: { runId: b } })).version;
    const other = open();
    try {
      const results = await Promise.allSettled([
        services.registry.promote({ model: 'race', version: va, stage: 'Production', actor: 'one' }),
        other.registry.promote({ model: 'race', version: vb, stage: 'Production', actor: 'two' }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('changed while the checks ran') as unknown });
      const winner = (won[0] as PromiseFulfilledResult<PromotionResult>).value.version;
      const race = services.registry.list().find((m) => m.model === 'race')!;
      expect(race.versions.filter((v) => v.stage === 'Production').map((v) => v.version)).toEqual([winner]);
      const h = other.registry.history('race');
      expect(h.map((t) => [t.version, t.from, t.to])).toEqual([
        [va, null, 'None'],
        [vb, null, 'None'],
        [winner, 'None', 'Production'],
      ]);
    } finally {
      await other.close();
    }
  });
});

describe('the history is complete', () => {
  it('every stage change of every version is in the history, in order, and replaying it gives today\'s stages', () => {
    for (const m of services.registry.list()) {
      const stages = new Map<number, string>();
      for (const t of services.registry.history(m.model)) {
        expect(t.from).toBe(stages.get(t.version) ?? null);
        stages.set(t.version, t.to);
      }
      expect(Object.fromEntries(stages)).toEqual(Object.fromEntries(m.versions.map((v) => [v.version, v.stage])));
    }
  });
});
