/**
 * `prognos drift` on the real FD001 files, through the CLI: the default run (seed 1) against the
 * official test_FD001 with its RUL file, then the same through a bundle exported from that run. The
 * report covers the run's 40 selected features by name, life-stage matching finds no dataset drift,
 * realised F2 stands beside the estimate, and the bundle's own reference gives the same report.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DriftReport } from '../../../src/shared/drift';
import { AppServices } from '../../../src/main/services/app-services';
import { copyFd001Store, type Fd001Store } from '../../helpers/fd001-store';
import { BUILT_IMPORT_WORKER, BUILT_TRAIN_WORKER, CLI, tempDir } from '../../helpers/paths';

let fd: Fd001Store;
let selected: string[] = [];

async function json<T>(...args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args, '--store', fd.store, '--json'], { encoding: 'utf8', env: { ...process.env, PROGNOS_HOME: '' }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`prognos ${args.join(' ')} failed: ${stderr}`));
      else resolve(JSON.parse(stdout) as T);
    });
  });
}

const figures = (r: DriftReport): string =>
  `dataset drift ${r.datasetDrift} (${r.features.filter((f) => f.drifted).length} of ${r.features.length} features), PCA ${r.multivariate.pca.toFixed(3)} (upper ${r.multivariate.pcaUpper.toFixed(3)}), domain AUC ${r.multivariate.domainAuc.toFixed(3)}, prediction ${r.prediction.method} ${r.prediction.score.toFixed(4)}, estimated F2 ${r.estimated.f2?.toFixed(3)} vs realised ${r.realised?.f2?.toFixed(3)}`;

beforeAll(async () => {
  fd = await copyFd001Store(join(tempDir('prognos-drift-fd001-'), 'store'));
  const services = new AppServices({ storeDir: fd.store, mode: 'cli', importWorker: BUILT_IMPORT_WORKER, trainWorker: BUILT_TRAIN_WORKER, version: 'test' });
  try {
    selected = services.training.artifacts(fd.runId).selected;
  } finally {
    await services.close();
  }
});

describe('prognos drift on FD001', () => {
  it('reports test_FD001 against the default run, and the same through the run’s bundle', async () => {
    const data = ['--data', fd.testFile, '--rul', fd.rulFile];
    const viaRun = await json<DriftReport>('drift', '--run', fd.runId, ...data);
    process.stdout.write(`FD001 drift --run: ${figures(viaRun)}\n`);
    expect(viaRun.features.map((f) => f.name)).toEqual(selected);
    expect(selected).toHaveLength(40);
    expect(viaRun.comparison).toBe('matched');
    expect(viaRun.current).toMatchObject({ kind: 'file', id: 'test_FD001.txt', units: 100, labelled: true });
    // the official test units are the same engines' process at other life stages: matched, no dataset drift
    expect(viaRun.datasetDrift).toBe(false);
    expect(typeof viaRun.realised?.f2).toBe('number');

    const bundle = join(tempDir('prognos-drift-fd001-bundle-'), 'bundle');
    await json('export', '--run', fd.runId, '--out', bundle);
    const viaBundle = await json<DriftReport>('drift', '--bundle', bundle, ...data);
    process.stdout.write(`FD001 drift --bundle: ${figures(viaBundle)}\n`);
    expect(viaBundle.reference.rows).toBe(viaRun.reference.rows);
    viaBundle.features.forEach((f, j) => {
      expect(f.name).toBe(selected[j]);
      expect(Math.abs(f.score - viaRun.features[j]!.score), f.name).toBeLessThanOrEqual(1e-9);
      expect(f.drifted).toBe(viaRun.features[j]!.drifted);
    });
    expect(Math.abs(viaBundle.prediction.score - viaRun.prediction.score)).toBeLessThanOrEqual(1e-6);
    expect(viaBundle.datasetDrift).toBe(viaRun.datasetDrift);
    // realised F2 from the ONNX probabilities against the in-app ones: the same alerts up to float32 rounding at the threshold
    expect(Math.abs(viaBundle.realised!.f2! - viaRun.realised!.f2!)).toBeLessThanOrEqual(0.005);
  });
});
