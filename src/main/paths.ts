import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The application root: the repository (or app.asar) that holds package.json and out/.
 * Built code lives in out/main, sources in src/main: both are two levels below the root.
 */
export const APP_ROOT = resolve(__dirname, '..', '..');
export const BUILT_MAIN_DIR = join(APP_ROOT, 'out', 'main');
export const RENDERER_DIR = join(APP_ROOT, 'out', 'renderer');
export const PRELOAD_SCRIPT = join(APP_ROOT, 'out', 'preload', 'index.js');
export const IMPORT_WORKER = join(BUILT_MAIN_DIR, 'import-worker.js');
export const TRAIN_WORKER = join(BUILT_MAIN_DIR, 'train-worker.js');

let version: string | undefined;
export function appVersion(): string {
  version ??= (JSON.parse(readFileSync(join(APP_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}
