/** `prognos datasets set-role|rename|delete`, `runs rename|delete`, `train --force`: roles and housekeeping from the shell. */
import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, requireBuild, tempDir } from '../../helpers/paths';

let store = '';
function prognos(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args, '--store', store], { encoding: 'utf8', env: { ...process.env, PROGNOS_HOME: '' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
function json<T>(...args: string[]): T {
  const r = prognos(...args, '--json');
  if (r.code !== 0) throw new Error(`prognos ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
async function jsonAsync<T>(...args: string[]): Promise<T> {
  const r = await promisify(execFile)(process.execPath, [CLI, ...args, '--store', store, '--json'], { encoding: 'utf8', env: { ...process.env, PROGNOS_HOME: '' }, maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(r.stdout) as T;
}

interface DatasetOut {
  datasetId: string;
  name: string;
  role: string;
}
const ids = { training: '', inService: '', test: '' };
let runId = '';
let smallConfig = '';

beforeAll(() => {
  requireBuild();
  store = tempDir();
  const data = tempDir();
  json('synth', '--units', '16', '--seed', '3', '--out', join(data, 'fleet.txt'));
  json('synth', '--units', '16', '--seed', '4', '--out', join(data, 'service.txt'), '--rul-out', join(data, 'RUL_service.txt'));
  ids.training = json<DatasetOut>('import', join(data, 'fleet.txt')).datasetId;
  ids.inService = json<DatasetOut>('import', join(data, 'service.txt')).datasetId;
  smallConfig = join(data, 'small.json');
  writeFileSync(smallConfig, JSON.stringify({ models: ['gbdt'], gbdt: { nEstimators: 5 }, rul: { enabled: false } }));
  ids.test = json<DatasetOut>('import', join(data, 'service.txt'), '--rul', join(data, 'RUL_service.txt')).datasetId;
}, 120_000);

describe('dataset roles from the shell', () => {
  it('guesses each role at import and lists it', () => {
    const list = json<DatasetOut[]>('datasets');
    expect(Object.fromEntries(list.map((d) => [d.datasetId, d.role]))).toEqual({ [ids.training]: 'training', [ids.inService]: 'unlabeled', [ids.test]: 'test' });
    expect(prognos('datasets').stdout).toMatch(/role/);
  });

  it('sets a role and a name; bad input names the argument and writes nothing', () => {
    expect(json<DatasetOut>('datasets', 'set-role', ids.inService, 'test')).toMatchObject({ datasetId: ids.inService, role: 'test' });
    expect(json<DatasetOut>('datasets', 'set-role', ids.inService, 'unlabeled').role).toBe('unlabeled');
    expect(json<DatasetOut>('datasets', 'rename', ids.training, '  Line 4 engines  ').name).toBe('Line 4 engines');
    const bad = prognos('datasets', 'set-role', ids.inService, 'validation');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/ROLE must be training, test or unlabeled, got "validation"/);
    const empty = prognos('datasets', 'rename', ids.training, '   ');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/NAME: a name must not be empty/);
    const missing = prognos('datasets', 'set-role', 'ds_nope', 'test');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No dataset ds_nope/);
    expect(Object.fromEntries(json<DatasetOut[]>('datasets').map((d) => [d.datasetId, [d.name, d.role]]))[ids.training]).toEqual(['Line 4 engines', 'training']);
  });

  it('refuses to train on a fleet that is not a training fleet without --force, and trains with it', async () => {
    const refused = prognos('train', '--dataset', ids.inService, '--config', smallConfig);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`--dataset ${ids.inService}: "service.txt" is an unlabeled fleet, not a training fleet.*--force.*Nothing was trained`));
    expect(json<unknown[]>('runs')).toEqual([]);
    const forced = await jsonAsync<{ runId: string; datasetId: string }>('train', '--dataset', ids.inService, '--force', '--config', smallConfig);
    expect(forced.datasetId).toBe(ids.inService);
    runId = forced.runId;
  }, 300_000);
});

describe('rename and delete, stating what goes first', () => {
  it('names a run and shows the name in the listing', () => {
    expect(json<{ runId: string; name: string }>('runs', 'rename', runId, 'forced on service data')).toEqual({ runId, name: 'forced on service data' });
    expect(json<{ runId: string; name: string | null }[]>('runs').find((r) => r.runId === runId)?.name).toBe('forced on service data');
  });

  it('a dataset delete without --force lists its runs and deletes nothing; with --force it takes them', () => {
    const asked = prognos('datasets', 'delete', ids.inService);
    expect(asked.code).toBe(1);
    expect(asked.stderr).toContain(`Deleting dataset "service.txt" (${ids.inService}) also deletes:`);
    expect(asked.stderr).toContain(`1 run trained on it: "forced on service data" (${runId})`);
    expect(asked.stderr).toMatch(/Nothing was deleted: add --force/);
    expect(json<DatasetOut[]>('datasets').some((d) => d.datasetId === ids.inService)).toBe(true);
    expect(json<{ runId: string }[]>('runs').map((r) => r.runId)).toEqual([runId]);

    const runAsked = prognos('runs', 'delete', runId);
    expect(runAsked.code).toBe(1);
    expect(runAsked.stderr).toMatch(/no bundles exported from its runs/);
    expect(runAsked.stderr).toMatch(/0 drift reports/);

    const done = json<{ deleted: boolean; runs: { runId: string }[] }>('datasets', 'delete', ids.inService, '--force');
    expect(done.deleted).toBe(true);
    expect(done.runs.map((r) => r.runId)).toEqual([runId]);
    expect(json<DatasetOut[]>('datasets').map((d) => d.datasetId).sort()).toEqual([ids.training, ids.test].sort());
    expect(json<unknown[]>('runs')).toEqual([]);
    expect(prognos('runs', 'delete', runId, '--force').stderr).toMatch(new RegExp(`No run ${runId}`));
  });
});
