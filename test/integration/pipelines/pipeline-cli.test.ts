/**
 * `prognos pipeline run FILE` as a user runs it, on a small synthetic fleet written to a temp folder
 * with a GBDT-only config: the first run does every step; a re-run with unchanged inputs reuses every
 * step from the cache (no step runs, no record is added beside the pipeline's own); a changed input file re-runs from the import step; a deleted
 * bundle is exported again; the register step leaves an unsigned bundle at None naming the failed
 * checks and promotes a run whose checks pass to Staging; the history lists every run with its steps;
 * a bad recipe is refused with the file, line and key; a step retried after a file appears; a pipeline killed with SIGKILL
 * mid-training is marked failed on the next open and a re-run resumes from the cached import.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PipelineRunRecord, PipelineStepStatus } from '../../../src/shared/pipelines';
import { writeSynthFleet } from '../../../src/main/core/data/synth';
import { CLI, requireBuild, tempDir } from '../../helpers/paths';

let dir = '';
let store = '';

function prognos(storeDir: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args, '--store', storeDir], { encoding: 'utf8', env: { ...process.env, PROGNOS_HOME: '' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** the CLI awaited in a child process, so the test's event loop stays free while steps run */
async function runPipeline(storeDir: string, recipe: string): Promise<{ code: number; record: PipelineRunRecord; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, [CLI, 'pipeline', 'run', recipe, '--store', storeDir, '--json'], { encoding: 'utf8', env: { ...process.env, PROGNOS_HOME: '' } });
    return { code: 0, record: JSON.parse(r.stdout) as PipelineRunRecord, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, record: JSON.parse(err.stdout ?? 'null') as PipelineRunRecord, stderr: err.stderr ?? '' };
  }
}

const statuses = (r: PipelineRunRecord): Record<string, PipelineStepStatus> => Object.fromEntries(r.steps.map((s) => [s.step, s.status]));
const out = (r: PipelineRunRecord, step: string): Record<string, unknown> => r.steps.find((s) => s.step === step)!.output!;
const seconds = (r: PipelineRunRecord): number => (Date.parse(r.finishedAt!) - Date.parse(r.startedAt)) / 1000;

/** A registered version's stage, read from the store's database. */
function registeredStage(storeDir: string, model: string, version: number): string | undefined {
  const db = new Database(join(storeDir, 'prognos.db'), { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare<[string, number], { stage: string }>('SELECT v.stage FROM model_versions v JOIN registered_models m USING (model_id) WHERE m.name = ? AND v.version = ?')
      .get(model, version)?.stage;
  } finally {
    db.close();
  }
}

/** Row counts of every table in the store except the pipelines' own records (pipeline runs and steps). */
function storedRows(storeDir: string): Record<string, number> {
  const db = new Database(join(storeDir, 'prognos.db'), { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'pipeline%' ORDER BY name").all();
    return Object.fromEntries(tables.map(({ name }) => [name, db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM "${name}"`).get()!.n]));
  } finally {
    db.close();
  }
}

const SMALL_GBDT = { models: ['gbdt'], seed: 1, gbdt: { nEstimators: 20 }, rul: { enabled: false } };

function writeRecipe(file: string, recipe: unknown): string {
  writeFileSync(file, JSON.stringify(recipe, null, 2));
  return file;
}

const ALL_STEPS = ['import', 'train', 'evaluate', 'export', 'drift', 'report', 'register'];
const runs: PipelineRunRecord[] = [];
let recipe = '';

beforeAll(async () => {
  requireBuild();
  dir = tempDir('prognos-pipeline-');
  store = join(dir, 'store');
  mkdirSync(join(dir, 'data'));
  await writeSynthFleet({ units: 12, seed: 3, out: join(dir, 'data', 'train_1.txt') });
  await writeSynthFleet({ units: 6, seed: 4, out: join(dir, 'data', 'test.txt'), rulOut: join(dir, 'data', 'rul.txt') });
  recipe = writeRecipe(join(dir, 'recipe.json'), {
    name: 'small-fleet',
    steps: {
      import: { path: 'data/train_*.txt', pick: 'newest' },
      train: { config: SMALL_GBDT },
      evaluate: { data: 'data/test.txt', rul: 'data/rul.txt' },
      export: {},
      drift: { data: 'data/test.txt', rul: 'data/rul.txt' },
      report: { data: 'data/test.txt', rul: 'data/rul.txt', title: 'Small fleet', createdAt: '2026-01-01T00:00:00Z' },
      register: { model: 'small-fleet-risk' },
    },
  });
});

describe('prognos pipeline run: caching by content hash', () => {
  it('runs every step the first time', async () => {
    const r = await runPipeline(store, recipe);
    expect(r.code, r.stderr).toBe(0);
    expect(r.record.status).toBe('done');
    expect(r.record.steps.map((s) => s.step)).toEqual(ALL_STEPS);
    expect(Object.values(statuses(r.record))).toEqual(ALL_STEPS.map(() => 'done'));
    for (const s of r.record.steps) {
      expect(s.cacheKey).toMatch(/^[0-9a-f]{64}$/);
      expect(s.log).toMatch(/no reusable output; running/);
    }
    expect(out(r.record, 'export').runId).toBe(out(r.record, 'train').runId);
    // the ids name real records: the CLI shows the run, and the bundle is in the library
    const run = JSON.parse(prognos(store, 'run', String(out(r.record, 'train').runId), '--json').stdout) as { status: string };
    expect(run.status).toBe('done');
    const bundles = JSON.parse(prognos(store, 'bundles', '--json').stdout) as { bundleId: string }[];
    expect(bundles.map((b) => b.bundleId)).toContain(out(r.record, 'export').bundleId);
    // register: the bundle became version 1; Staging only if the registry's checks passed. Here the
    // bundle is unsigned and the drift step flagged the test fleet, so it stays at None, naming why.
    const reg = out(r.record, 'register') as { model: string; version: number; stage: string; promoted: boolean; bundleId: string; checks: { name: string; status: string; detail: string }[] };
    expect(reg).toMatchObject({ model: 'small-fleet-risk', version: 1, bundleId: out(r.record, 'export').bundleId });
    const failed = reg.checks.filter((c) => c.status === 'failed');
    expect(reg.promoted).toBe(failed.length === 0);
    expect(reg.stage).toBe(reg.promoted ? 'Staging' : 'None');
    expect(failed.map((c) => c.name)).toContain('signature');
    expect(r.record.steps[6]!.summary).toMatch(/registered small-fleet-risk version 1, left at None: Staging refused by the checks — .*signature: /);
    expect(registeredStage(store, 'small-fleet-risk', 1)).toBe(reg.stage);
    runs.push(r.record);
  });

  it('a re-run with unchanged inputs reuses every step: no step runs, nothing new is stored', async () => {
    const rowsBefore = storedRows(store);
    const r = await runPipeline(store, recipe);
    expect(r.code, r.stderr).toBe(0);
    expect(Object.values(statuses(r.record))).toEqual(ALL_STEPS.map(() => 'cached'));
    for (const [i, s] of r.record.steps.entries()) {
      expect(s.cacheKey).toBe(runs[0]!.steps[i]!.cacheKey);
      expect(s.output).toEqual(runs[0]!.steps[i]!.output);
      expect(s.summary).toMatch(/^inputs unchanged: reused /);
      // the step's work never started: its log has the cache hit and no attempt
      expect(s.attempts).toBe(1);
      expect(s.log).toMatch(/: inputs unchanged: reused /);
      expect(s.log).not.toMatch(/no reusable output; running/);
    }
    // no dataset, run, bundle, report, drift report or model version was made: only the pipeline's own records grew
    expect(storedRows(store)).toEqual(rowsBefore);
    // a wall-clock comparison is meaningless on a shared machine; the figures are printed for the record
    process.stdout.write(`pipeline: first run ${seconds(runs[0]!).toFixed(1)} s, cached re-run ${seconds(r.record).toFixed(2)} s\n`);
    runs.push(r.record);
  });

  it('a changed input file re-runs from the import step', async () => {
    // a newer file in the drop folder: "pick": "newest" takes it
    await writeSynthFleet({ units: 12, seed: 5, out: join(dir, 'data', 'train_2.txt') });
    const r = await runPipeline(store, recipe);
    expect(r.code, r.stderr).toBe(0);
    expect(Object.values(statuses(r.record))).toEqual(ALL_STEPS.map(() => 'done'));
    expect(out(r.record, 'import').file).toBe('train_2.txt');
    expect(out(r.record, 'import').datasetId).not.toBe(out(runs[0]!, 'import').datasetId);
    expect(out(r.record, 'train').runId).not.toBe(out(runs[0]!, 'train').runId);
    for (const [i, s] of r.record.steps.entries()) expect(s.cacheKey).not.toBe(runs[0]!.steps[i]!.cacheKey);
    runs.push(r.record);
  });

  it('a deleted bundle is exported again; the steps before it stay cached', async () => {
    const bundleId = String(out(runs[2]!, 'export').bundleId);
    const del = prognos(store, 'bundles', 'delete', bundleId, '--force');
    expect(del.code, del.stderr).toBe(0);
    const r = await runPipeline(store, recipe);
    expect(r.code, r.stderr).toBe(0);
    expect(statuses(r.record)).toEqual({ import: 'cached', train: 'cached', evaluate: 'cached', export: 'done', drift: 'done', report: 'done', register: 'done' });
    expect(out(r.record, 'register')).toMatchObject({ model: 'small-fleet-risk', version: 3 });
    expect(out(r.record, 'export').bundleId).not.toBe(bundleId);
    // same inputs as before, yet the cached output named a bundle that is gone
    expect(r.record.steps[3]!.cacheKey).toBe(runs[2]!.steps[3]!.cacheKey);
    runs.push(r.record);
  });

  it('history lists every run with its per-step status; show gives one with its logs', () => {
    const h = prognos(store, 'pipeline', 'history', '--json');
    expect(h.code, h.stderr).toBe(0);
    const history = JSON.parse(h.stdout) as PipelineRunRecord[];
    expect(history.map((r) => r.pipelineRunId)).toEqual(runs.map((r) => r.pipelineRunId).reverse());
    expect(history.map((r) => r.steps.map((s) => s.status).join(','))).toEqual([
      'cached,cached,cached,done,done,done,done',
      'done,done,done,done,done,done,done',
      'cached,cached,cached,cached,cached,cached,cached',
      'done,done,done,done,done,done,done',
    ]);
    const text = prognos(store, 'pipeline', 'history');
    expect(text.stdout).toContain('import:cached train:cached evaluate:cached export:done drift:done report:done register:done');
    const show = prognos(store, 'pipeline', 'show', runs[0]!.pipelineRunId);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/── train log\n.*attempt 1 of 1: cache key/);
  });
});

describe('prognos pipeline run: bad recipes', () => {
  it('names the file, line and key, records nothing and exits 1', () => {
    const before = (JSON.parse(prognos(store, 'pipeline', 'history', '--json').stdout) as unknown[]).length;
    const syntax = join(dir, 'broken.json');
    writeFileSync(syntax, '{\n  "name": "x",\n  "steps": {\n    "import": { "path": "a.txt" },\n  }\n}\n');
    const a = prognos(store, 'pipeline', 'run', syntax);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/broken\.json: line 5, column 3: not valid JSON/);

    const schema = writeRecipe(join(dir, 'schema.json'), { name: 'x', steps: { import: { path: 'a.txt', retries: -1 }, train: { config: { gbdt: { maxDepth: 0 } } }, evaluate: { data: 'a.txt' } } });
    const b = prognos(store, 'pipeline', 'run', schema);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/schema\.json: not a valid pipeline recipe: /);
    expect(b.stderr).toMatch(/steps\.import\.retries \(line 6, column 7\): Too small/);
    expect(b.stderr).toMatch(/steps\.evaluate\.rul \(line \d+, column \d+\): /);

    const config = writeRecipe(join(dir, 'config.json'), { name: 'x', steps: { import: { path: 'a.txt' }, train: { config: { gbdt: { maxDepth: 0 } } } } });
    const c = prognos(store, 'pipeline', 'run', config);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/steps\.train\.config\.gbdt\.maxDepth \(line \d+, column \d+\): Too small/);

    const register = writeRecipe(join(dir, 'register.json'), { name: 'x', steps: { import: { path: 'a.txt' }, train: {}, register: { model: '../m' } } });
    const d = prognos(store, 'pipeline', 'run', register, '--json');
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/steps\.register\.model \(line \d+, column \d+\): a model name starts with a letter or digit/);
    expect((JSON.parse(d.stdout) as { error: { code: string } }).error.code).toBe('BAD_FILE');

    const missing = prognos(store, 'pipeline', 'run', join(dir, 'nope.json'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.json: no such recipe file/);
    expect((JSON.parse(prognos(store, 'pipeline', 'history', '--json').stdout) as unknown[]).length).toBe(before);
  });

  it('a step whose file is missing fails the run, naming the step and the path', async () => {
    const r = await runPipeline(store, writeRecipe(join(dir, 'absent.json'), { name: 'absent', steps: { import: { path: 'data/none_*.txt' } } }));
    expect(r.code).toBe(1);
    expect(r.record.status).toBe('failed');
    expect(r.record.error).toMatch(/step import failed: steps\.import\.path "data\/none_\*\.txt": no file matches/);
    expect(r.stderr).toMatch(/step import failed/);
  });
});

/** Polls the store's database (read-only, beside the CLI's connection) until `test` holds. */
async function waitForDb<T>(storeDir: string, query: (db: Database.Database) => T | undefined, what: string, timeoutMs = 120_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const db = new Database(join(storeDir, 'prognos.db'), { readonly: true, fileMustExist: true });
      try {
        const v = query(db);
        if (v !== undefined) return v;
      } finally {
        db.close();
      }
    } catch (e) {
      if (!/no such table|unable to open|does not exist/.test(String(e))) throw e;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('prognos pipeline run: retries and a killed pipeline', () => {
  it('retries a step with backoff: the first attempt finds no file, the retry finds the one that appeared', async () => {
    const s = join(dir, 'store-retry');
    mkdirSync(join(dir, 'incoming'));
    const file = writeRecipe(join(dir, 'retry.json'), { name: 'retry', steps: { import: { path: 'incoming/fleet_*.txt', retries: 3, retryDelaySeconds: 1 } } });
    const running = runPipeline(s, file);
    await waitForDb(s, (db) => db.prepare<[], { log: string }>("SELECT log FROM pipeline_steps WHERE step = 'import'").get()?.log.match(/retrying in 1 s/) ?? undefined, 'the first attempt to fail');
    await writeSynthFleet({ units: 4, seed: 9, out: join(dir, 'incoming', 'fleet_1.txt') });
    const r = await running;
    expect(r.code, r.stderr).toBe(0);
    const step = r.record.steps[0]!;
    expect(step.status).toBe('done');
    expect(step.attempts).toBe(2);
    expect(step.log).toMatch(/attempt 1 of 4 failed: steps\.import\.path "incoming\/fleet_\*\.txt": no file matches/);
    expect(step.log).toMatch(/imported fleet_1\.txt as dataset ds_/);
  });

  it('a pipeline killed mid-training is marked failed on the next open, and a re-run resumes from the cached import', async () => {
    const s = join(dir, 'store-kill');
    const file = writeRecipe(join(dir, 'kill.json'), {
      name: 'killed',
      steps: { import: { path: 'data/train_1.txt' }, train: { config: { ...SMALL_GBDT, gbdt: { nEstimators: 400, earlyStoppingRounds: 400 } } } },
    });
    const child = spawn(process.execPath, [CLI, 'pipeline', 'run', file, '--store', s, '--json'], { stdio: 'ignore', env: { ...process.env, PROGNOS_HOME: '' } });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
    // the training run has started: its record is 'running' in the store
    await waitForDb(s, (db) => db.prepare<[], { status: string }>("SELECT status FROM runs WHERE status = 'running'").get(), 'training to start');
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const h = prognos(s, 'pipeline', 'history', '--json');
    expect(h.code, h.stderr).toBe(0);
    const [killed] = JSON.parse(h.stdout) as PipelineRunRecord[];
    expect(killed!.status).toBe('failed');
    expect(killed!.error).toMatch(/interrupted: the process running the pipeline stopped/);
    expect(statuses(killed!)).toEqual({ import: 'done', train: 'failed' });

    const r = await runPipeline(s, file);
    expect(r.code, r.stderr).toBe(0);
    expect(statuses(r.record)).toEqual({ import: 'cached', train: 'done' });
    expect(out(r.record, 'import').datasetId).toBe(out(killed!, 'import').datasetId);

    // the same steps and a register step: a run version, no drift report, no Production version, so
    // the checks pass (skipped, each saying why) and it is promoted to Staging
    const withRegister = writeRecipe(join(dir, 'kill-register.json'), { name: 'killed', steps: { ...(JSON.parse(readFileSync(file, 'utf8')) as { steps: object }).steps, register: { model: 'killed-risk' } } });
    const reg = await runPipeline(s, withRegister);
    expect(reg.code, reg.stderr).toBe(0);
    expect(statuses(reg.record)).toEqual({ import: 'cached', train: 'cached', register: 'done' });
    expect(out(reg.record, 'register')).toMatchObject({ model: 'killed-risk', version: 1, stage: 'Staging', promoted: true, runId: out(r.record, 'train').runId });
    expect(registeredStage(s, 'killed-risk', 1)).toBe('Staging');
  });
});
