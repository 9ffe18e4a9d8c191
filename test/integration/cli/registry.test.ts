/**
 * `prognos registry` from the shell: the contract's shapes, a refused promotion (exit 1 naming the
 * failed check) and its override with a reason, the history, the lineage, bad arguments, and
 * promotions racing in two processes on one store (one Production version at the end, a
 * history that replays to the stages).
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, requireBuild, tempDir } from '../../helpers/paths';

let store = '';
const env = { ...process.env, PROGNOS_HOME: '' };
async function json<T>(...args: string[]): Promise<T> {
  const r = await prognos(...args, '--json');
  if (r.code !== 0) throw new Error(`prognos ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
/** asynchronously: a child process must not block the test worker's event loop */
async function prognos(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, [CLI, ...args, '--store', store], { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

interface Version {
  version: number;
  stage: string;
  runId: string;
}
interface Transition {
  version: number;
  from: string | null;
  to: string;
  actor: string;
  reason: string | null;
  forced: boolean;
}
const runs: string[] = [];
let bundleDir = '';

beforeAll(async () => {
  requireBuild();
  store = tempDir();
  const data = tempDir();
  await json('synth', '--units', '12', '--seed', '5', '--out', join(data, 'fleet.txt'));
  const datasetId = (await json<{ datasetId: string }>('import', join(data, 'fleet.txt'))).datasetId;
  const config = join(data, 'small.json');
  writeFileSync(config, JSON.stringify({ models: ['gbdt'], gbdt: { nEstimators: 5 }, rul: { enabled: false } }));
  for (const seed of ['1', '2']) runs.push((await json<{ runId: string }>('train', '--dataset', datasetId, '--config', config, '--seed', seed)).runId);
  bundleDir = join(data, 'bundle');
  await json('export', '--run', runs[0]!, '--out', bundleDir);
}, 600_000);

describe('prognos registry', () => {
  it('register --json gives { model, version }; list --json gives [ { model, versions: [ { version, stage, runId } ] } ]', async () => {
    expect(await json('registry', 'register', '--run', runs[0]!, '--model', 'line-4', '--actor', 'ana')).toMatchObject({ model: 'line-4', version: 1 });
    expect(await json('registry', 'register', '--bundle', bundleDir, '--model', 'line-4')).toMatchObject({ model: 'line-4', version: 2, source: 'bundle', runId: runs[0] });
    const list = await json<{ model: string; versions: Version[] }[]>('registry', 'list');
    expect(list).toMatchObject([
      {
        model: 'line-4',
        versions: [
          { version: 2, stage: 'None', runId: runs[0] },
          { version: 1, stage: 'None', runId: runs[0] },
        ],
      },
    ]);
    expect((await prognos('registry', 'list')).stdout).toMatch(/line-4\s+1\s+None\s+run/);
  });

  it('promote exits 1 naming the failed check (an unsigned bundle) and writes nothing; --force --reason overrides and is recorded', async () => {
    const refused = await prognos('registry', 'promote', 'line-4', '2', 'Production');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Refused: line-4 version 2 stays where it is; 1 check failed:\n\s+FAILED\s+signature: not signed by a trusted key: unsigned/);
    const refusedJson = await prognos('registry', 'promote', 'line-4', '2', 'production', '--json');
    expect(refusedJson.code).toBe(1);
    expect(JSON.parse(refusedJson.stdout)).toMatchObject({ promoted: false, checks: expect.arrayContaining([{ name: 'signature', status: 'failed', detail: 'not signed by a trusted key: unsigned' }]) as unknown });
    expect(await json<Transition[]>('registry', 'history', 'line-4')).toHaveLength(2);
    const noReason = await prognos('registry', 'promote', 'line-4', '2', 'Production', '--force');
    expect(noReason.code).toBe(1);
    expect(noReason.stderr).toMatch(/--force needs --reason TEXT/);
    const forced = await json<{ promoted: boolean; forced: boolean }>('registry', 'promote', 'line-4', '2', 'Production', '--force', '--reason', 'signing key not issued yet', '--actor', 'lee');
    expect(forced).toMatchObject({ promoted: true, forced: true });
    // the run version passes (metrics equal, no drift report, a run has nothing to sign) and archives version 2
    const promoted = await prognos('registry', 'promote', 'line-4', '1', 'Production', '--reason', 'same model, from the store');
    expect(promoted.code).toBe(0);
    expect(promoted.stdout).toMatch(/line-4 version 1 is now in Production\.\nVersion 2 moved from Production to Archived\./);
    expect(promoted.stdout).toMatch(/skipped drift: no drift report/);
    expect((await json<Transition[]>('registry', 'history', 'line-4')).map((t) => [t.version, t.from, t.to, t.forced])).toEqual([
      [1, null, 'None', false],
      [2, null, 'None', false],
      [2, 'None', 'Production', true],
      [2, 'Production', 'Archived', false],
      [1, 'None', 'Production', false],
    ]);
    expect((await prognos('registry', 'history', 'line-4')).stdout).toMatch(/\[forced\] signing key not issued yet/);
  });

  it('lineage names the dataset fingerprint, the run, the bundle and the version', async () => {
    const l = await json<{ dataset: { fingerprint: string; file: string }; run: { runId: string; inStore: boolean }; bundle: { bundleId: string; manifestSha256: string } }>('registry', 'lineage', 'line-4', '2');
    expect(l.dataset).toMatchObject({ file: 'fleet.txt' });
    expect(l.dataset.fingerprint.length).toBeGreaterThan(10);
    expect(l.run).toMatchObject({ runId: runs[0], inStore: true });
    expect(l.bundle.bundleId).toMatch(/^store:imported-/);
    expect(l.bundle.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('bad arguments name what is wrong and write nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['registry', 'promote', 'line-4', '1', 'Live'], /STAGE must be one of None, Staging, Production, Archived, got "Live"/],
      [['registry', 'promote', 'line-4', 'one', 'Staging'], /VERSION must be a version number \(1 or more\), got "one"/],
      [['registry', 'promote', 'line-4', '9', 'Staging'], /"line-4" has no version 9/],
      [['registry', 'promote', 'nope', '1', 'Staging'], /No registered model "nope"/],
      [['registry', 'register', '--run', runs[1]!], /--model NAME is required/],
      [['registry', 'register', '--run', runs[1]!, '--bundle', bundleDir, '--model', 'x'], /Give either --run R or --bundle B/],
      [['registry', 'register', '--run', runs[1]!, '--model', '../etc'], /model name "\.\.\/etc": a model name starts with a letter or digit/],
      [['registry', 'register', '--run', 'run_nope', '--model', 'x'], /No run run_nope/],
      [['registry', 'history'], /registry history needs NAME/],
      [['registry', 'fly'], /Unknown registry action "fly"/],
    ];
    for (const [args, message] of cases) {
      const r = await prognos(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(message);
    }
    expect(await json<unknown[]>('registry', 'list')).toHaveLength(1);
  });

  it('promotions racing in two processes leave one Production version and a history that replays to the stages', async () => {
    for (const r of runs) await json('registry', 'register', '--run', r, '--model', 'race');
    const results = await Promise.all([1, 2].map((v) => prognos('registry', 'promote', 'race', String(v), 'Production', '--actor', `p${v}`)));
    const won = results.filter((r) => r.code === 0);
    expect(won.length).toBeGreaterThanOrEqual(1);
    // a loser was refused because another promotion got there first (or, run after it, by the metrics check)
    for (const r of results.filter((x) => x.code !== 0)) expect(r.stderr).toMatch(/changed while the checks ran|check failed/);
    const race = (await json<{ model: string; versions: Version[] }[]>('registry', 'list')).find((m) => m.model === 'race')!;
    expect(race.versions.filter((v) => v.stage === 'Production')).toHaveLength(1);
    const history = await json<Transition[]>('registry', 'history', 'race');
    expect(history.filter((t) => t.to === 'Production')).toHaveLength(won.length);
    const stages = new Map<number, string>();
    for (const t of history) {
      expect(t.from).toBe(stages.get(t.version) ?? null);
      stages.set(t.version, t.to);
    }
    expect(Object.fromEntries(stages)).toEqual(Object.fromEntries(race.versions.map((v) => [v.version, v.stage])));
  });
});
