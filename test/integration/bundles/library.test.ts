/** The bundle library behind the Export and Fleet views: export, import (verified first), verify, score. */
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppServices } from '../../../src/main/services/app-services';
import { dispatch } from '../../../src/main/services/dispatch';
import { readZip, writeZip } from '../../../src/main/core/export';
import type { BundleEntry, FleetScoresValue, Scorer } from '../../../src/shared/schemas';
import { BUILT_IMPORT_WORKER, BUILT_TRAIN_WORKER, CMAPSS, requireBuild, tempDir } from '../../helpers/paths';

let services: AppServices;
let testId: string;
let runId: string;

async function importFile(path: string, rul?: string): Promise<string> {
  const { jobId } = await services.handlers['datasets:import']({
    source: { kind: 'path', path },
    ...(rul === undefined ? {} : { rul: { kind: 'path' as const, path: rul } }),
  });
  return ((await services.jobs.wait(jobId)).result as { dataset: { datasetId: string } }).dataset.datasetId;
}

async function resultOf<T>(started: Promise<{ jobId: string }>): Promise<T> {
  const finished = await services.jobs.wait((await started).jobId);
  expect(finished.error).toBeUndefined();
  return finished.result as T;
}
const exportBundle = (zip: boolean): Promise<BundleEntry> => resultOf<BundleEntry>(services.handlers['bundles:export']({ runId, zip }));
const scoreFleet = (scorer: Scorer): Promise<FleetScoresValue> => resultOf<FleetScoresValue>(services.handlers['fleet:score']({ datasetId: testId, scorer }));

beforeAll(async () => {
  requireBuild();
  services = new AppServices({ storeDir: tempDir(), mode: 'cli', importWorker: BUILT_IMPORT_WORKER, trainWorker: BUILT_TRAIN_WORKER, version: 'test' });
  const trainId = await importFile(join(CMAPSS, 'train_FD001.txt'));
  testId = await importFile(join(CMAPSS, 'test_FD001.txt'), join(CMAPSS, 'RUL_FD001.txt'));
  const started = await services.handlers['train:start']({ datasetId: trainId, config: { models: ['gbdt'], gbdt: { nEstimators: 40, maxDepth: 5 } } });
  await services.jobs.wait(started.jobId);
  runId = started.runId;
});
afterAll(async () => {
  await services.close();
});

describe('bundle library', () => {
  it('exports a run into the library, lists and verifies it', async () => {
    const entry = await exportBundle(true);
    expect(entry).toMatchObject({ origin: 'exported', runId, signed: false });
    expect(entry.files).toEqual(expect.arrayContaining(['manifest.json', 'models/gbdt.onnx', 'models/pipeline.onnx']));
    const list = await services.handlers['bundles:list']({});
    expect(list.map((b) => b.bundleId)).toContain(entry.bundleId);
    expect(await services.handlers['bundles:verify']({ bundleId: entry.bundleId })).toEqual({ ok: true, problems: [], trust: expect.objectContaining({ verdict: 'unsigned' }) as unknown });
    expect(await services.handlers['bundles:reveal']({ bundleId: entry.bundleId })).toEqual({ shown: false, path: entry.path });
    // the Export view's model card: read from the bundle's manifest
    const card = await services.handlers['bundles:card']({ bundleId: entry.bundleId });
    expect(card).toMatchObject({ bundleId: entry.bundleId, runId, threshold: entry.threshold, label: { window: 30 } });
    expect(card.inputs.filter((c) => c.role === 'setting')).toHaveLength(3);
    expect(card.inputs.filter((c) => c.role === 'sensor')).toHaveLength(21);
    expect(card.features.length).toBeGreaterThan(0);
    const run = await services.handlers['runs:get']({ runId });
    const validation = card.metrics.find((m) => m.model === 'gbdt' && m.split === 'validation');
    expect(validation?.f2).toBe(run.metrics.gbdt?.validation?.f2);
    await expect(services.handlers['bundles:card']({ bundleId: 'store:no-such-bundle' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('imports a sound bundle, and refuses a tampered one without writing anything', async () => {
    const exported = await exportBundle(true);
    const good = await services.handlers['bundles:import']({ source: { kind: 'path', path: exported.path } });
    expect(good.origin).toBe('imported');

    const entries = readZip(readFileSync(exported.path));
    const model = entries.get('models/gbdt.onnx')!;
    model[300] = model[300]! ^ 0xff;
    const tampered = join(tempDir(), 'tampered.zip');
    writeFileSync(tampered, writeZip([...entries].map(([name, data]) => ({ name, data }))));
    const libraryDir = join(services.store.dir, 'bundles');
    const before = readdirSync(libraryDir).sort();
    const r = await dispatch(services.handlers, 'bundles:import', { source: { kind: 'path', path: tampered } });
    expect(r).toMatchObject({ ok: false, error: { code: 'BAD_FILE', message: expect.stringMatching(/tampered\.zip\/models\/gbdt\.onnx: checksum mismatch/) as unknown } });
    expect(readdirSync(libraryDir).sort()).toEqual(before);
    expect(existsSync(tampered)).toBe(true);
  });

  it('scores a fleet through a bundle exactly as through the run, ranked with alerts and true RUL', async () => {
    const bundle = (await services.handlers['bundles:list']({})).find((b) => b.runId === runId)!;
    const viaBundle = await scoreFleet({ kind: 'bundle', bundleId: bundle.bundleId });
    const viaRun = await scoreFleet({ kind: 'run', runId });
    expect(viaBundle.units).toHaveLength(100);
    expect(viaBundle.threshold).toBe(viaRun.threshold);
    for (let i = 0; i < 100; i++) {
      expect(Math.abs(viaBundle.units[i]!.probability - viaRun.units[i]!.probability)).toBeLessThanOrEqual(1e-5);
      expect(viaBundle.units[i]!.trueRul).toBe(viaRun.units[i]!.trueRul);
      expect(viaBundle.units[i]!.trueRul).toBeDefined();
      // the run's RUL models are in the bundle: the Fleet view shows the same RUL either way
      const [b, r] = [viaBundle.units[i]!, viaRun.units[i]!];
      for (const k of ['rul', 'rulLow', 'rulHigh'] as const) {
        expect(b[k], `${k} of unit ${r.unit}`).toBeDefined();
        expect(Math.abs(b[k]! - r[k]!), `${k} of unit ${r.unit}: ${b[k]} vs ${r[k]}`).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(r[k]!)));
      }
    }
    expect(viaBundle.rulCoverage).toBe(0.9);
    const series = await services.handlers['fleet:series']({ datasetId: testId, scorer: { kind: 'bundle', bundleId: bundle.bundleId }, units: [1, 2] });
    expect(series.units.map((u) => u.unit)).toEqual([1, 2]);
    const u1 = series.units[0]!;
    expect(u1.probability).toHaveLength(u1.cycle.length);
    // the last point of the series is the unit's fleet score
    expect(Math.abs(u1.probability.at(-1)! - viaBundle.units[0]!.probability)).toBeLessThanOrEqual(1e-6);
  });

  it("scoring through a run follows the analyst's threshold chosen after training, with the run's models already loaded", async () => {
    const before = await scoreFleet({ kind: 'run', runId });
    // a threshold between two of the units' probabilities, so that the alerts change with it
    const sorted = before.units.map((u) => u.probability).sort((x, y) => x - y);
    const threshold = (sorted[70]! + sorted[71]!) / 2;
    expect(threshold).not.toBe(before.threshold);
    await services.handlers['runs:setEnsemble']({ runId, weight: 1, threshold });
    try {
      const after = await scoreFleet({ kind: 'run', runId });
      expect(after.threshold).toBe(threshold);
      expect(after.units.filter((u) => u.alert)).toHaveLength(29);
      expect(after.units.map((u) => u.probability)).toEqual(before.units.map((u) => u.probability));
      const series = await services.handlers['fleet:series']({ datasetId: testId, scorer: { kind: 'run', runId }, units: [1] });
      expect(series.threshold).toBe(threshold);
    } finally {
      await services.handlers['runs:setEnsemble']({ runId, weight: 1, threshold: before.threshold });
    }
  });
});
