import { AppServices } from '../services/app-services';
import { IMPORT_WORKER, SHIPPED_BUNDLES, TRAIN_WORKER, appVersion } from '../paths';
import { storeDirOption } from './args';

/** The services on a store (`prognos import` opens a lighter set of its own: import-services.ts). */
export function openServices(storeFlag: string | undefined, mode: 'cli' | 'browser' = 'cli'): AppServices {
  return new AppServices({ storeDir: storeDirOption(storeFlag), mode, importWorker: IMPORT_WORKER,
    trainWorker: TRAIN_WORKER, version: appVersion(), shippedBundles: SHIPPED_BUNDLES });
}
