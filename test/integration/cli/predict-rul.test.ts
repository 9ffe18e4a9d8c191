/**
 * `prognos predict --bundle B --json` with a RUL bundle: units carry rul, rulLow and rulHigh (both
 * engines, equal to the scorer in process), the true RUL from --rul as trueRul; a bundle without RUL
 * (the demo bundle as first shipped, kept in test/fixtures/bundles) still scores, with the fields absent.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSynthFleet } from '../../../src/main/core/data/synth';
import { parseFleetFile } from '../../../src/main/core/data/import-file';
import { writeBundle } from '../../../src/main/core/export/bundle';
import { BundleScorer, type UnitScore } from '../../../src/main/core/export/score';
import { syntheticRun, truncateUnits } from '../../helpers/onnx-fixtures';
import { CLI, REPO, requireBuild, tempDir } from '../../helpers/paths';
import { rulFor } from '../../helpers/rul-fixture';

type Unit = UnitScore & { trueRul?: number };
type Predict = { threshold: number; units: Unit[] };

let dir = '';
let store = '';
let bundle = '';
let fleet = '';
let rulFile = '';

const prognos = (...args: string[]): { code: number; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [CLI, ...args, '--store', store], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
};
const json = <T>(...args: string[]): T => {
  const r = prognos(...args, '--json');
  if (r.code !== 0) throw new Error(`prognos ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
};

beforeAll(async () => {
  requireBuild();
  dir = tempDir('prognos-predict-rul-');
  store = join(dir, 'store');
  const run = await syntheticRun({ rul: true });
  const inService = truncateUnits(run.table, (u, rows) => Math.max(8, rows - 9 * u));
  bundle = (await writeBundle({ ...run.input, rul: rulFor(inService, run.input, run.rul) }, join(dir, 'bundle'))).path;
  fleet = join(dir, 'test.txt');
  rulFile = join(dir, 'rul.txt');
  await writeSynthFleet({ units: 12, seed: 3, out: fleet, rulOut: rulFile });
});

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('predict --bundle with a RUL model', () => {
  it('gives rul, rulLow and rulHigh per unit with both engines, as the scorer does, and trueRul from --rul', async () => {
    const data = ['--data', fleet, '--rul', rulFile];
    const models = json<Predict>('predict', '--bundle', bundle, ...data);
    const pipeline = json<Predict>('predict', '--bundle', bundle, '--engine', 'pipeline', ...data);
    const parsed = await parseFleetFile(fleet);
    const scorer = await BundleScorer.open(bundle);
    const want = await scorer.scoreUnits(parsed.table);
    await scorer.close();
    expect(models.units).toHaveLength(12);
    models.units.forEach((u, k) => {
      const w = want[k]!;
      expect(u.unit).toBe(w.unit);
      // the same ONNX files in the score worker; only the tree sum order may differ with its thread count
      expect(Math.abs(u.rul! - w.rul!)).toBeLessThanOrEqual(1e-3);
      expect(Math.abs(u.rulLow! - w.rulLow!)).toBeLessThanOrEqual(1e-3);
      expect(Math.abs(u.rulHigh! - w.rulHigh!)).toBeLessThanOrEqual(1e-3);
      expect(u.rulLow!).toBeLessThanOrEqual(Math.max(0, u.rul!));
      expect(u.rulHigh!).toBeGreaterThan(u.rul!);
      expect(Number.isInteger(u.trueRul)).toBe(true);
      const p = pipeline.units[k]!;
      expect(Math.abs(p.rul! - u.rul!)).toBeLessThanOrEqual(1e-3);
      expect(Math.abs(p.rulHigh! - u.rulHigh!)).toBeLessThanOrEqual(1e-3);
    });
    expect(new Set(models.units.map((u) => u.rul)).size).toBeGreaterThan(3);
    const text = prognos('predict', '--bundle', bundle, ...data);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/RUL interval/);
    expect(text.stdout).toMatch(/true RUL/);
  });

  it('a bundle made before bundles carried RUL (the demo bundle as first shipped) scores with the RUL fields absent', () => {
    const r = json<Predict>('predict', '--bundle', join(REPO, 'test', 'fixtures', 'bundles', 'demo-before-rul'), '--data', fleet);
    expect(r.units).toHaveLength(12);
    for (const u of r.units) {
      expect(u).not.toHaveProperty('rul');
      expect(u).not.toHaveProperty('rulLow');
      expect(u).not.toHaveProperty('rulHigh');
      expect(u).not.toHaveProperty('trueRul');
    }
    expect(prognos('predict', '--bundle', join(REPO, 'test', 'fixtures', 'bundles', 'demo-before-rul'), '--data', fleet).stdout).not.toMatch(/RUL interval/);
  });
});
