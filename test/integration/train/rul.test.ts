/**
 * Remaining useful life end to end on a small synthetic fleet, through the CLI as a user runs it:
 * `train --json` reports RUL metrics, `evaluate --json` scores RUL per model at each test unit's last
 * cycle against the RUL file, `predict --run --json` gives each unit's RUL with its interval. One
 * trained run is shared by every check.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeSynthFleet } from '../../../src/main/core/data/synth';
import { CLI, requireBuild, tempDir } from '../../helpers/paths';

type Rul = { rmse: number; mae: number; phm08: number; coverage: number | null; n: number };
type ModelRul = Partial<Record<'gbdt' | 'lstm' | 'ensemble', Rul>>;

let store: string;
let dir: string;
let runId: string;
let trained: { rul: { cap: number; coverage: number; weight: number; metrics: Partial<Record<'gbdt' | 'lstm' | 'ensemble', { validation: Rul; test: Rul | null }>> } };
const HELD_OUT_UNITS = 200;
const MODELS = ['gbdt', 'lstm'] as const;
const RUL_MODELS = ['gbdt', 'lstm', 'ensemble'] as const;
const HEADLINE = 'ensemble' as const;

const run = promisify(execFile);

/** the CLI in a child process, awaited (the test's event loop stays free while a model trains) */
async function human(...args: string[]): Promise<string> {
  try {
    return (await run(process.execPath, [CLI, ...args, '--store', store], { encoding: 'utf8', env: { ...process.env, PROGNOS_HOME: '' }, maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (e) {
    throw new Error(`prognos ${args.join(' ')} failed: ${(e as { stderr?: string }).stderr ?? String(e)}`);
  }
}

async function json<T>(...args: string[]): Promise<T> {
  return JSON.parse(await human(...args, '--json')) as T;
}

beforeAll(async () => {
  requireBuild();
  store = tempDir();
  dir = tempDir();
  await writeSynthFleet({ units: 150, seed: 21, out: join(dir, 'train.txt') });
  // held-out units of the same generator, cut at 30–95 % of their lives, with their true RUL
  await writeSynthFleet({ units: HELD_OUT_UNITS, seed: 22, out: join(dir, 'test.txt'), rulOut: join(dir, 'rul.txt') });
  // a few units for the text output
  await writeSynthFleet({ units: 5, seed: 23, out: join(dir, 'few.txt'), rulOut: join(dir, 'few-rul.txt') });
  const config = {
    models: MODELS,
    topK: 20,
    rankWithGain: false,
    gbdt: { nEstimators: 80, maxDepth: 5 },
    lstm: { units1: 16, units2: 8, attentionUnits: 8, epochs: 4, batchSize: 128 },
    sequenceStride: 4,
    rul: { cap: 100 },
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const t = await json<{ runId: string } & typeof trained>('train', '--dataset', join(dir, 'train.txt'), '--config', join(dir, 'config.json'));
  runId = t.runId;
  trained = t;
});

type Predicted = { units: { unit: number; rul: number; rulLow: number; rulHigh: number; trueRul: number }[] };
let predictedOnce: Promise<Predicted> | undefined;
/** predict --run on the held-out units, run once for the tests that read it */
function predicted(): Promise<Predicted> {
  predictedOnce ??= json<Predicted>('predict', '--run', runId, '--data', join(dir, 'test.txt'), '--rul', join(dir, 'rul.txt'));
  return predictedOnce;
}

const expectRul = (m: Rul | null | undefined, n: number): void => {
  expect(m).toBeDefined();
  expect(m!.n).toBe(n);
  for (const k of ['rmse', 'mae', 'phm08'] as const) {
    expect(Number.isFinite(m![k])).toBe(true);
    expect(m![k]).toBeGreaterThan(0);
  }
  expect(m!.rmse).toBeGreaterThanOrEqual(m!.mae);
  expect(m!.coverage).not.toBeNull();
};

describe('remaining useful life', () => {
  it('train --json reports RUL per model on the validation and test units', () => {
    expect(trained.rul.cap).toBe(100);
    expect(trained.rul.coverage).toBe(0.9);
    expect(trained.rul.weight).toBeGreaterThanOrEqual(0);
    expect(trained.rul.weight).toBeLessThanOrEqual(1);
    // 150 units split 70/15/15: 23 validation and 22 test units, each scored at one cut cycle
    expect(Object.keys(trained.rul.metrics).sort()).toEqual([...RUL_MODELS].sort());
    for (const model of RUL_MODELS) {
      expectRul(trained.rul.metrics[model]?.validation, 23);
      expectRul(trained.rul.metrics[model]?.test, 22);
    }
  });

  it('run ID shows the RUL figures the training recorded, as text and in --json', async () => {
    const detail = await json<{ rul: typeof trained.rul }>('run', runId);
    expect(detail.rul.metrics).toEqual(trained.rul.metrics);
    const text = await human('run', runId);
    expect(text).toContain(`remaining useful life at one cut cycle per unit, true RUL uncapped (target min(RUL, 100), 90 % conformal intervals, GBDT weight ${trained.rul.weight})`);
    for (const model of RUL_MODELS) {
      const m = trained.rul.metrics[model]!;
      const row = new RegExp(`^${model}\\s+validation\\s+${m.validation.rmse.toFixed(2)}\\s+${m.validation.mae.toFixed(2)}\\s+${m.validation.phm08.toFixed(0)}\\s+${m.validation.coverage!.toFixed(2)}\\s+23\\s*$`, 'm');
      expect(text).toMatch(row);
      expect(text).toMatch(new RegExp(`^${model}\\s+test\\s+${m.test!.rmse.toFixed(2)}\\s`, 'm'));
    }
  });

  it('evaluate --json scores RUL per model at each test unit’s last cycle, coverage near nominal on held-out units', async () => {
    const e = await json<{ rul: ModelRul; lastCycle: Record<string, unknown>; allCycles: Record<string, unknown> }>('evaluate', '--run', runId, '--data', join(dir, 'test.txt'), '--rul', join(dir, 'rul.txt'));
    expect(Object.keys(e.rul).sort()).toEqual([...RUL_MODELS].sort());
    for (const model of RUL_MODELS) expectRul(e.rul[model], HELD_OUT_UNITS);
    // the conformal intervals were fitted on the 23 validation units only; these 200 units are new. The
    // band allows for the few validation units: seeds 5, 8, 13, 21 of the training fleet gave the headline
    // model 0.895, 0.945, 0.83, 0.81 (0.91, 0.925, 0.845, 0.845 before the age and distance-from-start features)
    console.log(RUL_MODELS.map((m) => `${m}: RMSE ${e.rul[m]!.rmse.toFixed(2)} PHM08 ${e.rul[m]!.phm08.toFixed(0)} coverage ${e.rul[m]!.coverage}`).join(' | '));
    for (const model of RUL_MODELS) {
      expect(e.rul[model]!.coverage).toBeGreaterThan(0.8);
      expect(e.rul[model]!.coverage).toBeLessThan(0.97);
    }
    // the figures are those of the predictions: recompute the headline model's from predict --run
    const p = await predicted();
    const d = p.units.map((u) => u.rul - u.trueRul);
    const rmse = Math.sqrt(d.reduce((s, x) => s + x * x, 0) / d.length);
    const phm = d.reduce((s, x) => s + (x < 0 ? Math.exp(-x / 13) - 1 : Math.exp(x / 10) - 1), 0);
    const inside = p.units.filter((u) => u.trueRul >= u.rulLow && u.trueRul <= u.rulHigh).length / p.units.length;
    expect(e.rul[HEADLINE]!.rmse).toBeCloseTo(rmse, 6);
    expect(e.rul[HEADLINE]!.phm08).toBeCloseTo(phm, 4);
    expect(e.rul[HEADLINE]!.coverage).toBeCloseTo(inside, 12);
    const text = await human('evaluate', '--run', runId, '--data', join(dir, 'few.txt'), '--rul', join(dir, 'few-rul.txt'));
    expect(text).toMatch(/last cycle\s+RUL RMSE \d+\.\d\d {2}MAE/);
  });

  it('predict --run --json gives each unit rul, rulLow, rulHigh (and the true RUL apart)', async () => {
    const p = await predicted();
    expect(p.units).toHaveLength(HELD_OUT_UNITS);
    const truth = readFileSync(join(dir, 'rul.txt'), 'utf8').trim().split('\n').map(Number);
    for (const u of p.units) {
      expect(u.rulLow).toBeGreaterThanOrEqual(0);
      expect(u.rulLow).toBeLessThanOrEqual(u.rul);
      expect(u.rulHigh).toBeGreaterThanOrEqual(u.rul);
      expect(u.trueRul).toBe(truth[u.unit - 1]);
    }
    // the predictions follow the truth (not a constant)
    const close = p.units.filter((u) => Math.abs(u.rul - Math.min(u.trueRul, 100)) < 25).length;
    expect(close / p.units.length).toBeGreaterThan(0.6);
    const text = await human('predict', '--run', runId, '--data', join(dir, 'few.txt'));
    expect(text).toMatch(/RUL interval/);
  });
});
