import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';

/**
 * The application root: the repository (or app.asar) that holds package.json and out/. Code may sit
 * in src/main, out/main or a shared chunk below it, so walk up to the first package.json.
 */
function findAppRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}
export const APP_ROOT = findAppRoot(__dirname);
export const BUILT_MAIN_DIR = join(APP_ROOT, 'out', 'main');
export const RENDERER_DIR = join(APP_ROOT, 'out', 'renderer');
/** bundles shipped with the app: a demo bundle that scores data before any training */
export const SHIPPED_BUNDLES = join(APP_ROOT, 'resources', 'models');
export const PRELOAD_SCRIPT = join(APP_ROOT, 'out', 'preload', 'index.js');
/** Worker scripts are unpacked from the packaged app's asar (see electron-builder.yml). */
const unpacked = (p: string): string => p.replace(`app.asar${sep}`, `app.asar.unpacked${sep}`);
export const IMPORT_WORKER = unpacked(join(BUILT_MAIN_DIR, 'import-worker.js'));
export const TRAIN_WORKER = unpacked(join(BUILT_MAIN_DIR, 'train-worker.js'));
/** helper threads of the GBDT kernel pool and the LSTM gradient pool (sources run them from out/ too) */
export const GBDT_POOL_WORKER = unpacked(join(BUILT_MAIN_DIR, 'gbdt-pool-worker.js'));
export const LSTM_POOL_WORKER = unpacked(join(BUILT_MAIN_DIR, 'lstm-pool-worker.js'));
/** the model server's online-drift thread (src/main/serve-model/drift-thread.ts) */
export const SERVE_DRIFT_WORKER = unpacked(join(BUILT_MAIN_DIR, 'serve-drift-worker.js'));
/** the model server's scoring thread (src/main/serve-model/score-thread.ts) */
export const SERVE_SCORE_WORKER = unpacked(join(BUILT_MAIN_DIR, 'serve-score-worker.js'));
/** the model server's prediction-log writer (src/main/serve-model/sqlite-log.ts) */
export const SERVE_LOG_WORKER = unpacked(join(BUILT_MAIN_DIR, 'serve-log-worker.js'));
/** syncs a store's files ahead of SQLite while a large dataset is inserted (src/main/core/store/sync-ahead.ts) */
export const SYNC_AHEAD_WORKER = unpacked(join(BUILT_MAIN_DIR, 'sync-ahead-worker.js'));

let version: string | undefined;
export function appVersion(): string {
  version ??= (JSON.parse(readFileSync(join(APP_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}
