/** `prognos runs`, `prognos run ID` and the store commands' refusals, as a user runs them. */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, requireBuild, tempDir } from '../../helpers/paths';
import { snapshot } from '../store/helpers';

let store = '';
function prognos(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args, '--store', store], {
    encoding: 'utf8',
    env: { ...process.env, PROGNOS_HOME: '' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
function json<T>(...args: string[]): T {
  const r = prognos(...args, '--json');
  if (r.code !== 0) throw new Error(`prognos ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

interface TrainOut {
  runId: string;
  datasetId: string;
  threshold: number;
  metrics: Record<string, { validation: { f2: number }; test: { f2: number } | null }>;
  timings: Record<string, number>;
}

let trained: TrainOut;
let otherDataset = '';

/** the CLI awaited in a child process: the test's event loop stays free while a model trains */
async function jsonAsync<T>(...args: string[]): Promise<T> {
  try {
    const r = await promisify(execFile)(process.execPath, [CLI, ...args, '--store', store, '--json'], { encoding: 'utf8', env: { ...process.env, PROGNOS_HOME: '' }, maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(r.stdout) as T;
  } catch (e) {
    throw new Error(`prognos ${args.join(' ')} failed: ${(e as { stderr?: string }).stderr ?? String(e)}`);
  }
}

beforeAll(async () => {
  requireBuild();
  store = tempDir();
  const data = tempDir();
  json('synth', '--units', '12', '--seed', '3', '--out', join(data, 'fleet.txt'));
  json('synth', '--units', '4', '--seed', '4', '--out', join(data, 'other.txt'));
  const d = json<{ datasetId: string }>('import', join(data, 'fleet.txt'));
  otherDataset = json<{ datasetId: string }>('import', join(data, 'other.txt')).datasetId;
  trained = await jsonAsync<TrainOut>('train', '--dataset', d.datasetId, '--models', 'gbdt', '--seed', '5');
}, 300_000);

describe('prognos runs / run', () => {
  it('lists runs with the contract fields, filtered by dataset', () => {
    const list =
      json<{ runId: string; status: string; datasetId: string; createdAt: string; models: string[] }[]>('runs');
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      runId: trained.runId,
      status: 'done',
      datasetId: trained.datasetId,
      models: ['gbdt'],
    });
    expect(new Date(list[0]!.createdAt).toISOString()).toBe(list[0]!.createdAt);
    expect(json<unknown[]>('runs', '--dataset', trained.datasetId)).toHaveLength(1);
    expect(json<unknown[]>('runs', '--dataset', otherDataset)).toEqual([]);
    const human = prognos('runs');
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(trained.runId);
    expect(human.stdout).toMatch(/run\s+status\s+dataset/);
    const unknown = prognos('runs', '--dataset', 'ds_nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/--dataset: no dataset ds_nope/);
  });

  it('shows one run: config, metrics, timings, artifacts with their SHA-256, status and error', () => {
    const r = json<{
      runId: string;
      status: string;
      error: string | null;
      config: { models: string[]; seed: number };
      threshold: number;
      metrics: TrainOut['metrics'];
      timings: Record<string, number>;
      artifacts: { name: string; size: number; sha256: string }[];
    }>('run', trained.runId);
    expect(r).toMatchObject({ runId: trained.runId, status: 'done', error: null, threshold: trained.threshold });
    expect(r.config.models).toEqual(['gbdt']);
    expect(r.config.seed).toBe(5);
    expect(r.metrics).toEqual(trained.metrics);
    expect(r.timings).toEqual(trained.timings);
    expect(r.artifacts.map((a) => a.name)).toEqual(expect.arrayContaining(['gbdt.xgboost.json']));
    // the listed hashes are those of the stored bytes
    const db = new Database(join(store, 'prognos.db'), { readonly: true });
    for (const a of r.artifacts) {
      const row = db.prepare('SELECT data FROM artifacts WHERE run_id = ? AND name = ?').get(trained.runId, a.name) as {
        data: Buffer;
      };
      expect(a.sha256).toBe(sha256(row.data));
      expect(a.size).toBe(row.data.byteLength);
    }
    db.close();
    const human = prognos('run', trained.runId);
    expect(human.stdout).toContain(r.artifacts[0]!.sha256);
    const missing = prognos('run', 'run_nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No run run_nope/);
  });

  it('a run whose process is gone is listed as failed', () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const db = new Database(join(store, 'prognos.db'));
    db.prepare(
      `INSERT INTO runs (run_id, dataset_id, kind, status, config_json, seed, dataset_fingerprint, owner_pid, owner_start, heartbeat_at, created_at)
       SELECT 'run_ghost', dataset_id, 'train', 'running', '{}', 1, fingerprint, ?, NULL, ?, ? FROM datasets WHERE dataset_id = ?`,
    ).run(dead, new Date().toISOString(), new Date().toISOString(), otherDataset);
    db.close();
    const ghost = json<{ runId: string; status: string; error: string }[]>('runs', '--dataset', otherDataset);
    expect(ghost).toHaveLength(1);
    expect(ghost[0]).toMatchObject({ runId: 'run_ghost', status: 'failed' });
    expect(ghost[0]!.error).toMatch(/interrupted/);
  });

  it('--help lists runs, run and store backup --force', () => {
    const r = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/^ {2}runs \[--dataset D\] \| runs rename R NAME \| runs delete R \[--force\] \| runs compare R1 R2 … \[--fleet D\] \| runs export R --out FILE \[--force\] \| runs import FILE \[--new-id\] \[--experiment E\]$/m);
    expect(r.stdout).toMatch(/^ {2}experiments \[list\] \| experiments show E \| experiments create NAME/m);
    expect(r.stdout).toMatch(/^ {2}run ID$/m);
    expect(r.stdout).toMatch(/store backup FILE \[--force\]/);
  });
});

describe('prognos store', () => {
  it('backup refuses an existing file without --force and any path inside the store', () => {
    const dir = tempDir();
    const existing = join(dir, 'keep.db');
    writeFileSync(existing, 'an older backup\n');
    const r = prognos('store', 'backup', existing);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(existing);
    expect(r.stderr).toMatch(/already exists; pass --force/);
    expect(readFileSync(existing, 'utf8')).toBe('an older backup\n');
    expect(json<{ file: string }>('store', 'backup', existing, '--force').file).toBe(existing);
    expect(readFileSync(existing).subarray(0, 15).toString()).toBe('SQLite format 3');

    const before = snapshot(join(store, 'prognos.db'));
    for (const target of [join(store, 'b.db'), join(store, 'prognos.db'), join(store, 'x', '..', 'y.db')]) {
      const inside = prognos('store', 'backup', target, '--force');
      expect(inside.code, target).toBe(1);
      expect(inside.stderr).toMatch(/inside the store folder/);
    }
    expect(snapshot(join(store, 'prognos.db'))).toEqual(before);
  });

  it('restore refuses a backup with a flipped byte in a column, naming dataset and column; the store is unchanged', () => {
    const backup = join(tempDir(), 'b.db');
    json('store', 'backup', backup);
    const db = new Database(backup);
    const row = db.prepare("SELECT dataset_id, data FROM dataset_columns WHERE name = 's4' LIMIT 1").get() as {
      dataset_id: string;
      data: Buffer;
    };
    const data = Buffer.from(row.data);
    data[5] = data[5]! ^ 0x80;
    db.prepare("UPDATE dataset_columns SET data = ? WHERE dataset_id = ? AND name = 's4'").run(data, row.dataset_id);
    db.close();
    const before = snapshot(join(store, 'prognos.db'));
    const r = prognos('store', 'restore', backup);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`dataset ${row.dataset_id}, column s4`);
    expect(snapshot(join(store, 'prognos.db'))).toEqual(before);
  });
});
