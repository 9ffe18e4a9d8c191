/**
 * `prognos sweep` on a small synthetic fleet: bad spaces and options are refused naming the file,
 * line, path or option and leave the store as it was; a grid sweep cancelled with Ctrl-C (SIGINT)
 * is finished by `--resume ID`, every grid point once; a finished sweep is not resumed.
 */
import { execFile, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, requireBuild, tempDir } from '../../helpers/paths';

const dir = tempDir('prognos-sweep-cli-');
const store = join(dir, 'store');
let datasetId = '';
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    execFile(process.execPath, [CLI, ...args, '--store', store], { encoding: 'utf8', env: { ...process.env, PROGNOS_HOME: '' }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolveRun({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
    });
  });
}

function counts(): { sweeps: number; trials: number; experiments: number; runs: number } {
  const db = new Database(join(store, 'prognos.db'), { readonly: true });
  try {
    const n = (t: string): number => (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    return { sweeps: n('sweeps'), trials: n('sweep_trials'), experiments: n('experiments'), runs: n('runs') };
  } finally {
    db.close();
  }
}

const SMALL = { models: ['gbdt'], features: { windows: [10], stats: ['mean'] }, rankWithGain: false, rul: { enabled: false }, calibration: { method: 'none' } };

beforeAll(async () => {
  requireBuild();
  const fleet = join(dir, 'fleet.txt');
  expect((await cli(['synth', '--units', '12', '--seed', '4', '--out', fleet])).code).toBe(0);
  datasetId = (JSON.parse((await cli(['import', fleet, '--json'])).stdout) as { datasetId: string }).datasetId;
}, 120_000);

describe('prognos sweep', () => {
  it('refuses a bad space or option, naming the file, line and reason, and writes nothing', async () => {
    const before = counts();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{\n  "models": ["gbdt"],\n  "gbdt": {\n    "maxDepth": { "int": [8, 3] },\n    "eta": { "float": [0.1, 0.3] }\n  },\n  "calibration": { "method": { "int": [1, 2] } }\n}\n');
    const r = await cli(['sweep', '--dataset', datasetId, '--space', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bad.json:4');
    expect(r.stderr).toContain('gbdt.maxDepth: lo 8 is greater than hi 3');
    expect(r.stderr).toContain('bad.json:7');
    expect(r.stderr).toContain('calibration.method: an int range on a key that is not numeric');

    const grid = join(dir, 'grid-float.json');
    writeFileSync(grid, JSON.stringify({ ...SMALL, gbdt: { eta: { float: [0.1, 0.3] } } }));
    const g = await cli(['sweep', '--dataset', datasetId, '--space', grid, '--sampler', 'grid']);
    expect(g.code).toBe(1);
    expect(g.stderr).toMatch(/grid-float\.json: grid search needs the points of gbdt\.eta: give its float range a "step"/);

    expect((await cli(['sweep', '--dataset', datasetId, '--space', grid, '--objective', 'auc'])).stderr).toMatch(/--objective must be f2 or rmse, got "auc"/);
    expect((await cli(['sweep', '--dataset', datasetId, '--space', grid, '--objective', 'rmse'])).stderr).toMatch(/the objective rmse needs "rul": \{ "enabled": true \}/);
    expect((await cli(['sweep', '--dataset', datasetId, '--space', join(dir, 'missing.json')])).stderr).toMatch(/--space .*missing\.json: no such file/);
    expect((await cli(['sweep', '--resume', 'swp_nope'])).stderr).toMatch(/No sweep swp_nope/);
    expect((await cli(['sweep', '--dataset', 'ds_nope', '--space', grid])).stderr).toMatch(/--dataset ds_nope: no dataset with that id/);
    expect(counts()).toEqual(before);
  });

  it('a grid sweep cancelled with Ctrl-C is finished by --resume, every grid point once', { timeout: 600_000 }, async () => {
    const space = join(dir, 'grid.json');
    writeFileSync(space, JSON.stringify({ ...SMALL, gbdt: { nEstimators: 20, maxDepth: { int: [2, 4] }, eta: { choice: [0.1, 0.3] } } }));
    const args = [CLI, 'sweep', '--dataset', datasetId, '--space', space, '--sampler', 'grid', '--trials', '50', '--parallel', '1', '--no-pruning', '--store', store, '--json'];
    const child = spawn(process.execPath, args, { env: { ...process.env, PROGNOS_HOME: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      if ((stderr.match(/^trial \d+ done:/gm) ?? []).length >= 2 && /^trial \d+ started:[^\n]*\n(?![\s\S]*^trial \d+ done)/m.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    expect(await exit).toBe(1);
    expect(stderr).toMatch(/Cancelling/);
    const sweepId = /^Sweep (swp_\w+)/m.exec(stderr)![1]!;

    const r = await cli(['sweep', '--resume', sweepId, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { trials: { trial: number; status: string; params: Record<string, unknown>; runId: string }[]; best: { objective: number } };
    // the baseline plus the 3 × 2 grid, each point once
    expect(result.trials.map((t) => t.trial)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(result.trials.every((t) => t.status === 'done')).toBe(true);
    const points = result.trials.slice(1).map((t) => `${String(t.params['gbdt.maxDepth'])}/${String(t.params['gbdt.eta'])}`);
    expect(points).toEqual(['2/0.1', '2/0.3', '3/0.1', '3/0.3', '4/0.1', '4/0.3']);
    expect(result.trials[0]!.params).toEqual({ 'gbdt.maxDepth': 3, 'gbdt.eta': 0.1 });

    const again = await cli(['sweep', '--resume', sweepId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/has finished; nothing to resume/);
  });
});
