/** The services as browser mode runs them (built workers, a fresh store), for the benchmarks that measure the serving process. */
import { createReadStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { AppServices } from '../src/main/services/app-services';

const ROOT = resolve(__dirname, '..');
export const CMAPSS = resolve(ROOT, '..', 'shared', 'data', 'cmapss');

export function openBenchServices(): AppServices {
  return new AppServices({
    storeDir: mkdtempSync(join(tmpdir(), 'prognos-bench-')),
    mode: 'browser',
    importWorker: join(ROOT, 'out', 'main', 'import-worker.js'),
    trainWorker: join(ROOT, 'out', 'main', 'train-worker.js'),
    version: 'bench',
  });
}

/** Runs a job started by `start` to its end; fails unless it ends done. */
export async function runJob<T>(services: AppServices, start: Promise<{ jobId: string }>): Promise<T> {
  const f = await services.jobs.wait((await start).jobId);
  if (f.state !== 'done') throw new Error(`job ${f.kind} ${f.state}: ${f.error?.message ?? ''}`);
  return f.result as T;
}

/** A file as browser mode receives it: an upload (browser mode refuses file paths). */
export async function uploadSource(services: AppServices, file: string): Promise<{ kind: 'upload'; uploadId: string; fileName: string }> {
  const fileName = basename(file);
  return { kind: 'upload', uploadId: await services.uploads.receive(fileName, createReadStream(file)), fileName };
}

export async function datasetOf(services: AppServices, start: Promise<{ jobId: string }>): Promise<string> {
  return (await runJob<{ dataset: { datasetId: string } }>(services, start)).dataset.datasetId;
}

/** p99 and max delay (ms) of this thread's event loop while `work` runs, and how long it ran (s) */
export async function loopDelay(work: () => Promise<unknown>): Promise<{ p99: number; max: number; seconds: number }> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  const t0 = performance.now();
  h.enable();
  try {
    await work();
  } finally {
    h.disable();
  }
  return { p99: h.percentile(99) / 1e6, max: h.max / 1e6, seconds: (performance.now() - t0) / 1000 };
}
