/**
 * A 20-trial sweep on FD001 with small models (GBDT only, one rolling window, no RUL models):
 * killed with SIGKILL half-way, then the same command again resumes it. No trial is lost or run
 * twice, every recorded trial keeps the parameters it was sampled with, pruned trials are marked,
 * and the best validation F2 is at least the default config's.
 *
 * The baseline is the default config's small-model equivalent (the space with every range at the
 * training config's default), trained here as an ordinary `prognos train` run on the same data,
 * split seed and settings; the sweep's trial 0 is that same config, so the comparison is
 * like-for-like (the test also checks trial 0 reproduces the baseline's F2 exactly).
 */
import { execFile, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, CMAPSS, requireBuild, tempDir } from '../../helpers/paths';

const dir = tempDir('prognos-sweep-');
const store = join(dir, 'store');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ json: unknown; stderr: string }> {
  const r = await promisify(execFile)(process.execPath, [CLI, ...args, '--store', store, '--json'], { encoding: 'utf8', env: { ...process.env, PROGNOS_HOME: '' }, maxBuffer: 64 * 1024 * 1024 });
  return { json: JSON.parse(r.stdout) as unknown, stderr: r.stderr };
}

const SMALL = {
  models: ['gbdt'],
  features: { windows: [10], stats: ['mean', 'slope'] },
  rankWithGain: false,
  rul: { enabled: false },
  calibration: { method: 'none' },
};
/** every default lies inside its range, so trial 0 is the default config */
const SPACE = {
  ...SMALL,
  topK: { int: [10, 40] },
  gbdt: {
    nEstimators: 80,
    maxDepth: { int: [2, 10] },
    eta: { logFloat: [0.02, 0.4] },
    minChildWeight: { logFloat: [0.5, 20] },
    subsample: { float: [0.5, 1] },
    colsampleBytree: { float: [0.4, 1] },
  },
};
const BASELINE = { ...SMALL, gbdt: { nEstimators: 80 } };

interface TrialJson {
  trial: number;
  runId: string | null;
  status: string;
  objective: number | null;
  params: Record<string, unknown>;
  attempts: number;
  previousRunIds: string[];
  note: string | null;
}
interface SweepJson {
  sweepId: string;
  experimentId: string;
  trials: TrialJson[];
  best: { runId: string; objective: number; trial: number } | null;
}

interface TrialRow {
  trial_no: number;
  params_json: string;
  status: string;
  run_id: string | null;
}

describe('prognos sweep on FD001', () => {
  it('finishes 20 trials through a kill -9 half-way, none lost or duplicated, best F2 at least the default config', { timeout: 900_000 }, async () => {
    requireBuild();
    const started = Date.now();
    const imported = (await cli(['import', join(CMAPSS, 'train_FD001.txt'), '--name', 'train_FD001'])).json as { datasetId: string };
    const spaceFile = join(dir, 'space.json');
    writeFileSync(spaceFile, JSON.stringify(SPACE, null, 2));
    const baseFile = join(dir, 'baseline.json');
    writeFileSync(baseFile, JSON.stringify(BASELINE));
    const baseline = (await cli(['train', '--dataset', imported.datasetId, '--config', baseFile])).json as { runId: string; metrics: { gbdt: { validation: { f2: number } } } };
    const baselineF2 = baseline.metrics.gbdt.validation.f2;

    const args = [CLI, 'sweep', '--dataset', imported.datasetId, '--space', spaceFile, '--trials', '20', '--parallel', '2', '--seed', '3', '--store', store, '--json'];

    // first process: killed with SIGKILL once 8 trials have finished and another is running
    const child = spawn(process.execPath, args, { env: { ...process.env, PROGNOS_HOME: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const killed = await new Promise<boolean>((resolveKill, reject) => {
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk;
        const finished = (stderr.match(/^trial \d+ (done|pruned|failed):/gm) ?? []).length;
        const startedTrials = (stderr.match(/^trial \d+ started:/gm) ?? []).length;
        if (finished >= 8 && startedTrials > finished && child.exitCode === null) {
          child.kill('SIGKILL');
          resolveKill(true);
        }
      });
      child.on('exit', () => resolveKill(false));
      child.on('error', reject);
    });
    expect(killed, `the sweep ended before it could be killed:\n${stderr}`).toBe(true);
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    const sweepId = /^Sweep (swp_\w+)/m.exec(stderr)![1]!;

    // what was recorded when the process died
    const db = new Database(join(store, 'prognos.db'), { readonly: true });
    const before = db.prepare<[string], TrialRow>('SELECT trial_no, params_json, status, run_id FROM sweep_trials WHERE sweep_id = ? ORDER BY trial_no').all(sweepId);
    db.close();
    const interrupted = before.filter((t) => t.status === 'running');
    const finishedBefore = before.filter((t) => t.status === 'done' || t.status === 'pruned' || t.status === 'failed');
    expect(interrupted.length).toBeGreaterThan(0);
    expect(finishedBefore.length).toBeGreaterThanOrEqual(8);
    expect(before.length).toBeLessThan(20);

    // the same command again resumes it
    const resumedRun = await promisify(execFile)(process.execPath, args, { encoding: 'utf8', env: { ...process.env, PROGNOS_HOME: '' }, maxBuffer: 64 * 1024 * 1024 });
    expect(resumedRun.stderr).toContain(`Sweep ${sweepId}`);
    expect(resumedRun.stderr).toMatch(/resuming/);
    const result = JSON.parse(resumedRun.stdout) as SweepJson;
    expect(result.sweepId).toBe(sweepId);

    // every trial once, 0..19, each finished
    expect(result.trials.map((t) => t.trial)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    for (const t of result.trials) expect(['done', 'pruned', 'failed']).toContain(t.status);
    // recorded trials kept their sampled parameters; finished ones were not run again
    for (const b of before) {
      const t = result.trials[b.trial_no]!;
      expect(t.params).toEqual(JSON.parse(b.params_json));
      if (b.status !== 'running' && b.status !== 'pending') {
        expect(t.runId).toBe(b.run_id);
        expect(t.attempts).toBe(1);
      }
    }
    // interrupted trials ran again with a new run; the interrupted run is failed and kept in their history
    const after = await cli(['runs']);
    const runs = after.json as { runId: string; status: string; error: string | null }[];
    const byId = new Map(runs.map((r) => [r.runId, r]));
    for (const b of interrupted) {
      const t = result.trials[b.trial_no]!;
      expect(t.attempts).toBe(2);
      expect(t.previousRunIds).toEqual([b.run_id]);
      expect(t.runId).not.toBe(b.run_id);
      expect(byId.get(b.run_id!)).toMatchObject({ status: 'failed' });
      expect(byId.get(b.run_id!)!.error).toMatch(/interrupted/);
    }
    // the experiment holds exactly the trials' runs plus the interrupted ones, none left running
    const check = new Database(join(store, 'prognos.db'), { readonly: true });
    const experimentRuns = check.prepare<[string], { run_id: string; status: string; error: string | null }>('SELECT run_id, status, error FROM runs WHERE experiment_id = ?').all(result.experimentId);
    check.close();
    const expected = new Set([...result.trials.map((t) => t.runId!), ...result.trials.flatMap((t) => t.previousRunIds)]);
    expect(new Set(experimentRuns.map((r) => r.run_id))).toEqual(expected);
    expect(experimentRuns.length).toBe(20 + interrupted.length);
    expect(experimentRuns.filter((r) => r.status === 'running')).toEqual([]);

    // pruned trials are marked, on the trial and on its run
    const pruned = result.trials.filter((t) => t.status === 'pruned');
    expect(pruned.length).toBeGreaterThan(0);
    for (const t of pruned) {
      expect(t.objective).toBeNull();
      expect(t.note).toMatch(/worse than the median/);
      const run = experimentRuns.find((r) => r.run_id === t.runId)!;
      expect(run.status).toBe('cancelled');
      expect(run.error).toMatch(/^pruned by sweep/);
    }

    // trial 0 is the default config and reproduces the baseline run; the best is at least as good
    const done = result.trials.filter((t) => t.status === 'done');
    expect(result.trials[0]!.status).toBe('done');
    expect(result.trials[0]!.params).toEqual({ topK: 40, 'gbdt.maxDepth': 8, 'gbdt.eta': 0.1, 'gbdt.minChildWeight': 1, 'gbdt.subsample': 0.8, 'gbdt.colsampleBytree': 0.8 });
    expect(result.trials[0]!.objective).toBeCloseTo(baselineF2, 12);
    expect(result.best).not.toBeNull();
    expect(result.best!.objective).toBe(Math.max(...done.map((t) => t.objective!)));
    expect(result.best!.objective).toBeGreaterThanOrEqual(baselineF2);
    const bestSampled = Math.max(...done.filter((t) => t.trial > 0).map((t) => t.objective!));
    console.info(`sweep FD001: baseline F2 ${baselineF2.toFixed(4)}, best ${result.best!.objective.toFixed(4)} (trial ${result.best!.trial}), best sampled trial ${bestSampled.toFixed(4)}; ${done.length} done, ${pruned.length} pruned, ${result.trials.length - done.length - pruned.length} failed; ${interrupted.length} interrupted by the kill; ${((Date.now() - started) / 1000).toFixed(0)} s`);
  });
});
