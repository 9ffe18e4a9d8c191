/**
 * Builds resources/models/demo: the bundle shipped with the app, so a fresh install scores data
 * before any training. Reproducible: a seeded synthetic fleet, a seeded small training config and a
 * fixed creation time give the same bundle. Rebuild it when the bundle format changes:
 *   npx vite-node scripts/build-demo-bundle.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeSynthFleet } from '../src/main/core/data/synth';
import { AppServices } from '../src/main/services/app-services';
import { appVersion, IMPORT_WORKER, TRAIN_WORKER } from '../src/main/paths';

const OUT = resolve(__dirname, '..', 'resources', 'models', 'demo');
const CREATED = '2026-01-01T00:00:00.000Z';
export const DEMO_CONFIG = {
  seed: 1,
  gbdt: { nEstimators: 120, maxDepth: 6 },
  lstm: { epochs: 4, batchSize: 256 },
  sequenceStride: 2,
  // a small RUL stage keeps the shipped bundle small (one tree ensemble, few trees)
  rul: { gbdt: { nEstimators: 150, maxDepth: 5, eta: 0.1, earlyStoppingRounds: 20 }, seeds: 1 },
};

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'prognos-demo-bundle-'));
  const services = new AppServices({ storeDir: join(work, 'store'), mode: 'cli', importWorker: IMPORT_WORKER, trainWorker: TRAIN_WORKER, version: appVersion() });
  try {
    const file = join(work, 'synthetic-fleet.txt');
    await writeSynthFleet({ units: 100, seed: 1, out: file });
    const imported = await services.handlers['datasets:import']({ source: { kind: 'path', path: file }, name: 'synthetic fleet (100 units, seed 1)' });
    const dataset = (await services.jobs.wait(imported.jobId)).result as { dataset: { datasetId: string } };
    const { jobId, runId } = services.startTraining(dataset.dataset.datasetId, DEMO_CONFIG);
    const finished = await services.jobs.wait(jobId);
    if (finished.state !== 'done') throw new Error(`training ${finished.state}: ${finished.error?.message ?? ''}`);
    rmSync(OUT, { recursive: true, force: true });
    const w = await services.exports.exportRun(runId, OUT, { created: CREATED });
    process.stdout.write(`demo bundle written to ${w.path}:\n${w.files.map((f) => `  ${f}`).join('\n')}\n`);
  } finally {
    await services.close();
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
