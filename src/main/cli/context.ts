import { AppServices } from '../services/app-services';
import { IMPORT_WORKER, SHIPPED_BUNDLES, TRAIN_WORKER, appVersion } from '../paths';
import type { Output } from './output';
import type { JobFinished } from '../../shared/contract';
import { PrognosError } from '../../shared/errors';
import { storeDirOption } from './args';
import type { EarlyWorker } from '../services/early-worker';
import type { ToImportWorker } from '../workers/import-protocol';

/** The services on a store; `earlyImport`: an import worker `prognos import` started before loading them. */
export function openServices(storeFlag: string | undefined, mode: 'cli' | 'browser' = 'cli', earlyImport?: EarlyWorker<ToImportWorker>): AppServices {
  return new AppServices({ storeDir: storeDirOption(storeFlag), mode, importWorker: IMPORT_WORKER,
    trainWorker: TRAIN_WORKER, version: appVersion(), shippedBundles: SHIPPED_BUNDLES, ...(earlyImport === undefined ? {} : { earlyImport }) });
}

/** Runs a job to its end, drawing progress on the terminal; Ctrl-C cancels it cleanly. */
export async function waitForJob(services: AppServices, jobId: string, out: Output): Promise<JobFinished> {
  const unsubscribe = services.bus.subscribe((e) => {
    if (e.name === 'job:progress' && e.payload.jobId === jobId) out.progress(e.payload.fraction, e.payload.message);
  });
  const onSigint = (): void => {
    out.note('Cancelling…');
    services.jobs.cancel(jobId);
  };
  process.once('SIGINT', onSigint);
  try {
    const finished = await services.jobs.wait(jobId);
    if (finished.state !== 'done') {
      const err = finished.error ?? { code: 'INTERNAL' as const, message: `job ${finished.state}` };
      throw PrognosError.fromValue(err);
    }
    return finished;
  } finally {
    process.off('SIGINT', onSigint);
    unsubscribe();
  }
}
