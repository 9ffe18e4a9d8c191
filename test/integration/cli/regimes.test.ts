/**
 * Operating regimes end to end through the CLI: `synth --regimes 6` writes a six-regime fleet and a
 * held-out test set with its RUL file; `import` detects the six regimes and `datasets` lists them;
 * training with the default config (no config file) normalises per regime and records it; on the
 * official scoring of the held-out test file its all-cycles F2 is at least that of the same run with
 * regime normalisation enabled by hand. GBDT only (`--models gbdt`): the check is about the feature
 * config, and three LSTM trainings would cost minutes on a shared machine. A dataset stored before
 * detection existed gets its regimes detected and kept when it is shown.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, CMAPSS, requireBuild, tempDir } from '../../helpers/paths';

let store: string;
let dir: string;
/** Runs the CLI without blocking the test worker (training takes a while). */
function prognos(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args, '--store', store], { env: { ...process.env, PROGNOS_HOME: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
async function json<T>(...args: string[]): Promise<T> {
  const r = await prognos(...args, '--json');
  if (r.code !== 0) throw new Error(`prognos ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

interface Regimes {
  k: number;
  settings: string[];
  centroids: number[][];
  rows: number[];
  scores: { k: number; silhouette: number | null }[];
}
interface RegimeChoice {
  requested: { enabled: 'auto' | boolean; clusters: 'auto' | number };
  enabled: boolean;
  clusters: number | null;
  detected: { k: number } | null;
}

beforeAll(() => {
  requireBuild();
  store = tempDir();
  dir = tempDir();
});

describe('operating regimes through the CLI', () => {
  let datasetId = '';

  it('synth --regimes 6 writes a six-regime fleet; import detects six regimes and datasets lists them', async () => {
    const s = await json<{ rows: number; regimes: number }>('synth', '--units', '60', '--seed', '11', '--regimes', '6', '--out', join(dir, 'train.txt'));
    expect(s.regimes).toBe(6);
    await json('synth', '--units', '40', '--seed', '12', '--regimes', '6', '--out', join(dir, 'test.txt'), '--rul-out', join(dir, 'rul.txt'));
    const d = await json<{ datasetId: string; rows: number; regimes: Regimes }>('import', join(dir, 'train.txt'));
    datasetId = d.datasetId;
    expect(d.regimes.k).toBe(6);
    expect(d.regimes.rows.reduce((a, b) => a + b, 0)).toBe(s.rows);
    expect(d.regimes.centroids.map((c) => Math.round(c[0]!) + 0)).toEqual([0, 10, 20, 25, 35, 42]);
    expect(d.regimes.scores).toHaveLength(8);
    const list = await json<{ datasetId: string; regimes: Regimes | null }[]>('datasets');
    expect(list.find((x) => x.datasetId === datasetId)?.regimes?.k).toBe(6);
    expect((await prognos('dataset', datasetId)).stdout).toMatch(/6 operating regimes on setting1, setting2, setting3/);
  });

  it('FD001 imports with one operating regime', async () => {
    const d = await json<{ regimes: Regimes }>('import', join(CMAPSS, 'train_FD001.txt'));
    expect(d.regimes.k).toBe(1);
  });

  it('a dataset stored before detection (no regimes) gets them detected and kept when it is shown', async () => {
    const db = new Database(join(store, 'prognos.db'));
    try {
      db.prepare('UPDATE datasets SET regimes_json = NULL WHERE dataset_id = ?').run(datasetId);
    } finally {
      db.close();
    }
    const before = await json<{ datasetId: string; regimes: Regimes | null }[]>('datasets');
    expect(before.find((x) => x.datasetId === datasetId)?.regimes).toBeNull();
    const shown = await json<{ regimes: Regimes }>('dataset', datasetId);
    expect(shown.regimes.k).toBe(6);
    const after = await json<{ datasetId: string; regimes: Regimes | null }[]>('datasets');
    expect(after.find((x) => x.datasetId === datasetId)?.regimes).toEqual(shown.regimes);
  });

  it('refuses --regimes other than 1 or 6, naming the option', async () => {
    const r = await prognos('synth', '--units', '3', '--regimes', '4', '--out', join(dir, 'x.txt'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--regimes must be 1 or 6, got "4"/);
  });

  it('the default config normalises per regime and scores at least the hand-enabled normalisation', async () => {
    const forcedOn = join(dir, 'on.json');
    const forcedOff = join(dir, 'off.json');
    writeFileSync(forcedOn, JSON.stringify({ features: { regimeNormalisation: { enabled: true, clusters: 6 } } }));
    writeFileSync(forcedOff, JSON.stringify({ features: { regimeNormalisation: { enabled: false } } }));
    const allCyclesF2 = async (config?: string): Promise<{ f2: number; runId: string }> => {
      const t = await json<{ runId: string }>('train', '--dataset', datasetId, '--models', 'gbdt', ...(config === undefined ? [] : ['--config', config]));
      const e = await json<{ allCycles: { gbdt: { f2: number; n: number } } }>('evaluate', '--run', t.runId, '--data', join(dir, 'test.txt'), '--rul', join(dir, 'rul.txt'));
      expect(e.allCycles.gbdt.n).toBeGreaterThan(1000);
      return { f2: e.allCycles.gbdt.f2, runId: t.runId };
    };
    const byDefault = await allCyclesF2();
    const on = await allCyclesF2(forcedOn);
    const off = await allCyclesF2(forcedOff);
    process.stderr.write(`six-regime synthetic fleet, all-cycles F2 (GBDT): default ${byDefault.f2.toFixed(4)}, normalisation on ${on.f2.toFixed(4)}, off ${off.f2.toFixed(4)}\n`);
    expect(byDefault.f2).toBeGreaterThanOrEqual(on.f2);

    // each run records what it used
    const run = async (id: string): Promise<RegimeChoice> => (await json<{ regimes: RegimeChoice }>('run', id)).regimes;
    expect(await run(byDefault.runId)).toMatchObject({ requested: { enabled: 'auto', clusters: 'auto' }, enabled: true, clusters: 6, detected: { k: 6 } });
    expect(await run(on.runId)).toMatchObject({ requested: { enabled: true, clusters: 6 }, enabled: true, clusters: 6, detected: null });
    expect(await run(off.runId)).toMatchObject({ requested: { enabled: false }, enabled: false, clusters: null, detected: null });
    expect((await prognos('run', byDefault.runId)).stdout).toMatch(/sensors standardised per operating regime \(6 regimes\)/);
  });
});
