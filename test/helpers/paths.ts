import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '..', '..');
export const CMAPSS = resolve(REPO, '..', 'shared', 'data', 'cmapss');
export const FIXTURES = join(REPO, 'test', 'fixtures');
export const BUILT_IMPORT_WORKER = join(REPO, 'out', 'main', 'import-worker.js');
export const BUILT_TRAIN_WORKER = join(REPO, 'out', 'main', 'train-worker.js');
export const CLI = join(REPO, 'bin', 'prognos.js');

export function tempDir(prefix = 'prognos-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function requireBuild(): void {
  if (!existsSync(BUILT_IMPORT_WORKER)) throw new Error('Integration tests need the build: run `npm run build` first.');
}
