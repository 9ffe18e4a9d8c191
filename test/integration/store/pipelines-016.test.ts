/** Migration 016 (pipelines, pipeline runs, their steps) and the pipeline store on it. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/main/core/store/migrate';
import { MIGRATIONS } from '../../../src/main/core/store/migrations';
import { PIPELINE_INTERRUPTED, PipelineStore } from '../../../src/main/core/store/pipelines';
import { columnNames, indexColumns, tableNames, tempDir } from './helpers';

function freshDb(): Database.Database {
  const db = new Database(join(tempDir(), 'prognos.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  return db;
}

const SHA = 'a'.repeat(64);

describe('016 pipelines', () => {
  it('adds the three tables to a store of the migrations before it', () => {
    const db = freshDb();
    migrate(db, MIGRATIONS.filter((m) => m.version < 16));
    expect(migrate(db, MIGRATIONS)).toEqual([16]);
    expect(tableNames(db)).toEqual(expect.arrayContaining(['pipelines', 'pipeline_runs', 'pipeline_steps']));
    expect(columnNames(db, 'pipeline_steps')).toEqual([
      'pipeline_run_id', 'position', 'step', 'status', 'attempts', 'cache_key', 'output_json', 'summary', 'log', 'started_at', 'finished_at', 'error',
    ]);
    expect(indexColumns(db, 'pipeline_steps_cache')).toEqual(['cache_key', 'status']);
    // a status outside the closed set and a cache key that is not a SHA-256 are refused
    const s = new PipelineStore(db);
    const id = s.createRun({ name: 'p', source: 'p.json', pipelineId: null, recipeText: '{}', recipeSha256: SHA, steps: ['import', 'train'], owner: { pid: process.pid, start: null } });
    expect(() => db.prepare("UPDATE pipeline_steps SET status = 'weird' WHERE pipeline_run_id = ?").run(id)).toThrow(/CHECK constraint/);
    expect(() => db.prepare("UPDATE pipeline_steps SET cache_key = 'short' WHERE pipeline_run_id = ?").run(id)).toThrow(/CHECK constraint/);
    // deleting a run deletes its steps
    db.prepare('DELETE FROM pipeline_runs WHERE pipeline_run_id = ?').run(id);
    expect(db.prepare('SELECT count(*) AS n FROM pipeline_steps').get()).toEqual({ n: 0 });
    db.close();
  });

  it('reuses outputs by cache key, newest first; marks runs of a dead process failed', () => {
    const db = freshDb();
    migrate(db, MIGRATIONS);
    const s = new PipelineStore(db);
    const dead = { pid: 999_999_999, start: 'linux:1' };
    const a = s.createRun({ name: 'p', source: 'p.json', pipelineId: null, recipeText: '{}', recipeSha256: SHA, steps: ['import', 'train'], owner: dead });
    s.updateStep(a, 0, { status: 'done', cacheKey: SHA, output: { datasetId: 'ds_1' }, finished: true });
    s.updateStep(a, 1, { status: 'running', started: true });
    s.appendLog(a, 1, 'training');
    expect(s.cachedOutputs(SHA)).toEqual([{ datasetId: 'ds_1' }]);
    expect(s.cachedOutputs('b'.repeat(64))).toEqual([]);

    const probe = { alive: (pid: number) => pid !== dead.pid, startOf: () => null };
    const self = { pid: process.pid, start: 'linux:2' };
    const mine = s.createRun({ name: 'q', source: 'q.json', pipelineId: null, recipeText: '{}', recipeSha256: SHA, steps: ['import'], owner: self });
    const orphan = s.createRun({ name: 'r', source: 'r.json', pipelineId: null, recipeText: '{}', recipeSha256: SHA, steps: ['import'], owner: self });
    expect(s.failInterrupted(self, new Set([mine]), probe).sort()).toEqual([a, orphan].sort());
    const r = s.getRun(a)!;
    expect(r.status).toBe('failed');
    expect(r.error).toBe(PIPELINE_INTERRUPTED);
    expect(r.steps.map((x) => [x.step, x.status])).toEqual([['import', 'done'], ['train', 'failed']]);
    expect(r.steps[1]!.log).toBe('training\n');
    expect(s.getRun(mine)!.status).toBe('running');
    db.close();
  });
});
