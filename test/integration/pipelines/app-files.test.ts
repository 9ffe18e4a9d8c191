/**
 * A recipe run from the app (browser mode) reads files inside the store's pipeline files folder only.
 * Attacked the way a page could try: an absolute path, `..`, a symbolic link out of the folder (to a
 * file and to a folder listed by a pattern), a FIFO in the folder. Each is refused with the step and
 * path named, and no file outside is opened (FIFOs outside have no reader; the trap's atime is kept).
 */
import { mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineRunRecord } from '../../../src/shared/pipelines';
import { AppServices } from '../../../src/main/services/app-services';
import { dispatch } from '../../../src/main/services/dispatch';
import { pipelineFilesDir } from '../../../src/main/services/pipelines';
import { assertNoReader, makeFifo, makeTrap, OLD_ATIME } from '../../helpers/fifo';
import { REPO, tempDir } from '../../helpers/paths';

let services: AppServices;
let files = '';
let outside = '';

beforeAll(() => {
  const storeDir = tempDir();
  services = new AppServices({
    storeDir,
    mode: 'browser',
    importWorker: join(REPO, 'out', 'main', 'import-worker.js'),
    trainWorker: join(REPO, 'out', 'main', 'train-worker.js'),
    version: 'test',
  });
  files = pipelineFilesDir(storeDir);
  outside = tempDir('prognos-outside-');
});

afterAll(async () => {
  await services.close();
});

async function runImport(path: string): Promise<PipelineRunRecord> {
  const text = JSON.stringify({ name: `attack ${path}`, steps: { import: { path } } });
  const started = await dispatch(services.handlers, 'pipelines:run', { text });
  if (!started.ok) throw new Error(started.error.message);
  const { jobId, pipelineRunId } = started.value as { jobId: string; pipelineRunId: string };
  await services.jobs.wait(jobId);
  return services.pipelines.get(pipelineRunId);
}

describe('recipes run from the app read the pipeline files folder only', () => {
  it('refuses absolute paths, "..", links leading out and FIFOs, opening nothing outside', async () => {
    const secretFifo = makeFifo(join(outside, 'secret.txt'));
    const trap = makeTrap(join(outside, 'trap.txt'), '1 1 0 0 0 ' + '1 '.repeat(21) + '\n');
    mkdirSync(join(outside, 'drop'));
    const dropFifo = makeFifo(join(outside, 'drop', 'fleet_1.txt'));
    symlinkSync(secretFifo, join(files, 'link.txt'));
    symlinkSync(trap, join(files, 'trap-link.txt'));
    symlinkSync(join(outside, 'drop'), join(files, 'drop'));
    const innerFifo = makeFifo(join(files, 'pipe.txt'));

    const cases: [string, RegExp][] = [
      [secretFifo, /steps\.import\.path ".*secret\.txt": a pipeline run from the app reads files inside its pipeline files folder only/],
      [`../${outside.split('/').pop()!}/secret.txt`, /without "\.\."/],
      ['sub/../../secret.txt', /without "\.\."/],
      ['link.txt', /"link\.txt": leads outside the pipeline files folder .* through a symbolic link/],
      ['trap-link.txt', /"trap-link\.txt": leads outside the pipeline files folder/],
      ['drop/fleet_*.txt', /"drop\/fleet_\*\.txt": leads outside the pipeline files folder/],
      ['drop', /"drop": leads outside the pipeline files folder/],
      ['pipe.txt', /"pipe\.txt": is not a regular file/],
    ];
    for (const [path, message] of cases) {
      const r = await runImport(path);
      expect(r.status, path).toBe('failed');
      expect(r.steps[0]!.status).toBe('failed');
      expect(r.error, path).toMatch(message);
    }
    for (const f of [secretFifo, dropFifo, innerFifo]) assertNoReader(f);
    expect(statSync(trap).atimeMs).toBe(OLD_ATIME.getTime());
    // nothing was imported
    expect(services.store.listDatasets()).toEqual([]);
  });

  it('a bad recipe from the app is refused by the call, naming line and key, and nothing is recorded', async () => {
    const r = await dispatch(services.handlers, 'pipelines:run', { text: '{\n  "name": "x",\n  "steps": { "import": { "path": 3 } }\n}' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('INVALID_INPUT');
    expect(r.error.message).toMatch(/^recipe: not a valid pipeline recipe: steps\.import\.path \(line 3, column 26\): /);
    const saved = await dispatch(services.handlers, 'pipelines:save', { text: '{ "name": "x" }' });
    expect(saved.ok).toBe(false);
    expect(services.pipelines.listSaved()).toEqual([]);
  });

  it('a file inside the folder is found (a pattern, relative to it)', async () => {
    writeFileSync(join(files, 'fleet_a.txt'), 'not a fleet\n');
    const r = await runImport('fleet_*.txt');
    // resolved and read: the import itself names the file and what is wrong with it
    expect(r.steps[0]!.cacheKey).toMatch(/^[0-9a-f]{64}$/);
    expect(r.error).toMatch(/fleet_a\.txt/);
    expect(r.error).not.toMatch(/pipeline files folder/);
  });
});
