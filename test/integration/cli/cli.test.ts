/** The `prognos` CLI as a user runs it: JSON contract on stdout, messages on stderr, exit codes. */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, CMAPSS, FIXTURES, requireBuild, tempDir } from '../../helpers/paths';

let store: string;
function prognos(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args, '--store', store], { encoding: 'utf8', env: { ...process.env, PROGNOS_HOME: '' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
function json<T>(...args: string[]): T {
  const r = prognos(...args, '--json');
  if (r.code !== 0) throw new Error(`prognos ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** the CLI awaited in a child process: the test's event loop stays free while a model trains */
async function jsonAsync<T>(...args: string[]): Promise<T> {
  try {
    const r = await promisify(execFile)(process.execPath, [CLI, ...args, '--store', store, '--json'], { encoding: 'utf8', env: { ...process.env, PROGNOS_HOME: '' }, maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(r.stdout) as T;
  } catch (e) {
    throw new Error(`prognos ${args.join(' ')} failed: ${(e as { stderr?: string }).stderr ?? String(e)}`);
  }
}

beforeAll(() => {
  requireBuild();
  store = tempDir();
});

describe('prognos CLI', () => {
  let trainId = '';

  it('imports train_FD001 with the contract shape', () => {
    const r = json<{ datasetId: string; rows: number; units: number; minCycles: number; maxCycles: number }>('import', join(CMAPSS, 'train_FD001.txt'), '--name', 'FD001 train');
    expect(r).toMatchObject({ rows: 20631, units: 100, minCycles: 128, maxCycles: 362 });
    trainId = r.datasetId;
  });

  it('imports test_FD001 with its RUL file', () => {
    const r = json<{ rows: number; units: number; rulFile: string }>('import', join(CMAPSS, 'test_FD001.txt'), '--rul', join(CMAPSS, 'RUL_FD001.txt'));
    expect(r).toMatchObject({ rows: 13096, units: 100, rulFile: 'RUL_FD001.txt' });
  });

  it('imports test_FD003, whose lines end in spaces', () => {
    const r = json<{ units: number }>('import', join(CMAPSS, 'test_FD003.txt'));
    expect(r.units).toBeGreaterThan(0);
  });

  it('lists datasets and shows one', () => {
    const list = json<{ datasetId: string; name: string; rows: number; units: number }[]>('datasets');
    expect(list).toHaveLength(3);
    expect(list.map((d) => d.name)).toContain('FD001 train');
    const one = json<{ summary: { columns: { name: string; constant: boolean }[] } }>('dataset', trainId);
    expect(one.summary.columns.filter((c) => c.constant).map((c) => c.name)).toEqual(expect.arrayContaining(['s1', 's5', 's10', 's16', 's18', 's19']));
  });

  it('fails a bad file with exit 1, a message naming file, line and reason, and no new dataset', () => {
    const r = prognos('import', join(FIXTURES, 'bad', 'non-numeric.txt'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/non-numeric\.txt:\d+: column \w+: ".+" is not a number/);
    expect(json<unknown[]>('datasets')).toHaveLength(3);
  });

  it('refuses unknown commands and options clearly', () => {
    expect(prognos('frobnicate').stderr).toMatch(/Unknown command "frobnicate"/);
    const r = prognos('import', join(CMAPSS, 'train_FD001.txt'), '--colour');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--colour/);
  });

  it('writes a deterministic synthetic fleet', () => {
    const dir = tempDir();
    json('synth', '--units', '12', '--seed', '5', '--out', join(dir, 'a.txt'));
    json('synth', '--units', '12', '--seed', '5', '--out', join(dir, 'b.txt'));
    expect(readFileSync(join(dir, 'a.txt'))).toEqual(readFileSync(join(dir, 'b.txt')));
  });

  it('ranks features, writes the engineered matrix, trains and evaluates with the contract shapes', async () => {
    const dir = tempDir();
    const config = join(dir, 'small.json');
    writeFileSync(config, JSON.stringify({ models: ['gbdt'], gbdt: { nEstimators: 40, maxDepth: 5 } }));
    const f = json<{ features: { name: string; rank: number; selected: boolean }[] }>('features', '--dataset', trainId, '--out', join(dir, 'm.csv'));
    expect(f.features.length).toBeGreaterThanOrEqual(128);
    expect(f.features.filter((x) => x.selected)).toHaveLength(40);
    const header = readFileSync(join(dir, 'm.csv'), 'utf8').split('\n', 1)[0]!.split(',');
    expect(header.slice(0, 5)).toEqual(['unit', 'cycle', 'rul', 'label', 'split']);
    // every feature the pipeline engineers: the ranked ones and the trends engineered for the RUL trees alone (rul.trend)
    const trends = header.filter((h) => h.endsWith('_trend'));
    expect(trends.length).toBeGreaterThan(0);
    expect(f.features.some((x) => x.name.endsWith('_trend'))).toBe(false);
    expect(header.length).toBe(5 + f.features.length + trends.length);

    const t = await jsonAsync<{ runId: string; threshold: number; weight: number; metrics: { gbdt: { validation: { f2: number }; test: { f2: number } } }; timings: Record<string, number>; backend: string }>(
      'train', '--dataset', trainId, '--config', config, '--models', 'gbdt', '--seed', '4',
    );
    expect(t.runId).toMatch(/^run_/);
    expect(t.metrics.gbdt.validation.f2).toBeGreaterThan(0.7);
    // each stage reports its time (an .every() over the keys alone would pass on an empty record)
    expect(Object.keys(t.timings)).toEqual(expect.arrayContaining(['featuresSeconds', 'rankingSeconds', 'gbdtSeconds', 'evaluateSeconds']));
    for (const [k, v] of Object.entries(t.timings)) {
      expect(k).toMatch(/Seconds$/);
      expect(Number.isFinite(v) && v >= 0, `${k} = ${v}`).toBe(true);
    }
    const e = json<{ runId: string; lastCycle: { gbdt: { n: number; rocAuc: number; ece: number } }; allCycles: { gbdt: { n: number; ece: number } } }>(
      'evaluate', '--run', t.runId, '--data', join(CMAPSS, 'test_FD001.txt'), '--rul', join(CMAPSS, 'RUL_FD001.txt'),
    );
    expect(e.lastCycle.gbdt.n).toBe(100);
    expect(e.allCycles.gbdt.n).toBe(10196);
    expect(e.lastCycle.gbdt.rocAuc).toBeGreaterThan(0.9);
    // the calibration chosen on the validation units, shown by train and run, and the ECE per model
    const c = (t as unknown as { calibration: { method: string; requested: string; ece: { validation: number; test: number }; reliability: { test: { count: number }[] } } }).calibration;
    expect(['none', 'platt', 'isotonic']).toContain(c.method);
    expect(c.requested).toBe('auto');
    expect(c.ece.test).toBeGreaterThanOrEqual(0);
    expect(c.ece.test).toBeLessThan(0.1);
    expect(c.reliability.test.reduce((s, b) => s + b.count, 0)).toBe((t as unknown as { rows: { test: number } }).rows.test);
    expect(json<{ calibration: unknown }>('run', t.runId).calibration).toEqual(c);
    expect(e.allCycles.gbdt.ece).toBeGreaterThanOrEqual(0);
    expect(e.allCycles.gbdt.ece).toBeLessThan(0.1);
    expect(e.lastCycle.gbdt.ece).toBeGreaterThanOrEqual(0);
  });

  it('names a broken config file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'broken.json'), '{ "gbdt": ');
    const r = prognos('train', '--dataset', trainId, '--config', join(dir, 'broken.json'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken\.json: /);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ gbdt: { eta: 7 } }));
    expect(prognos('train', '--dataset', trainId, '--config', join(dir, 'bad.json')).stderr).toMatch(/gbdt\.eta/);
  });

  it('backs the store up and restores it; a bad backup is refused and the store kept', () => {
    const dir = tempDir();
    const backup = join(dir, 'store.bak');
    json('store', 'backup', backup);
    expect(existsSync(backup)).toBe(true);
    const other = store;
    store = tempDir();
    json('store', 'restore', backup);
    expect(json<unknown[]>('datasets')).toHaveLength(3);
    writeFileSync(join(dir, 'junk.bak'), 'not a database');
    const r = prognos('store', 'restore', join(dir, 'junk.bak'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/junk\.bak/);
    expect(json<unknown[]>('datasets')).toHaveLength(3);
    store = other;
  });
});
