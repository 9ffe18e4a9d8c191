/** Bundles from the CLI: export, verify, predict through onnxruntime and through the run, tampering. */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, CMAPSS, requireBuild, tempDir } from '../../helpers/paths';

let store: string;
let runId: string;
const prognos = (...args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args, '--store', store], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
};
const json = <T>(...args: string[]): T => {
  const r = prognos(...args, '--json');
  if (r.code !== 0) throw new Error(`prognos ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
};
type Predict = { threshold: number; units: { unit: number; cycle: number; probability: number; parts: { gbdt: number }; alert: boolean; trueRul?: number; rul?: number; rulLow?: number; rulHigh?: number }[]; lastCycle?: { n: number } };

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
  const dir = tempDir();
  writeFileSync(join(dir, 'c.json'), JSON.stringify({ models: ['gbdt'], gbdt: { nEstimators: 60, maxDepth: 6 } }));
  runId = (await jsonAsync<{ runId: string }>('train', '--dataset', join(CMAPSS, 'train_FD001.txt'), '--config', join(dir, 'c.json'))).runId;
});

describe('bundles from the CLI', () => {
  it('exports, verifies and predicts exactly what the run predicts', () => {
    const out = join(tempDir(), 'bundle');
    const e = json<{ files: string[] }>('export', '--run', runId, '--out', out);
    expect(e.files).toEqual(expect.arrayContaining(['manifest.json', 'SHA256SUMS', 'model_card.md', 'openapi.json', 'models/gbdt.onnx', 'models/gbdt.xgboost.json', 'models/pipeline.onnx', 'models/gbdt-rul.onnx', 'models/gbdt-rul.xgboost.json']));
    expect(prognos('verify', '--bundle', out).code).toBe(0);
    const data = ['--data', join(CMAPSS, 'test_FD001.txt'), '--rul', join(CMAPSS, 'RUL_FD001.txt')];
    const viaBundle = json<Predict>('predict', '--bundle', out, ...data);
    const viaPipeline = json<Predict>('predict', '--bundle', out, '--engine', 'pipeline', ...data);
    const viaRun = json<Predict>('predict', '--run', runId, ...data);
    expect(viaBundle.units).toHaveLength(100);
    expect(viaBundle.threshold).toBe(viaRun.threshold);
    for (let i = 0; i < 100; i++) {
      const [b, p, r] = [viaBundle.units[i]!, viaPipeline.units[i]!, viaRun.units[i]!];
      expect(b.unit).toBe(r.unit);
      expect(b.cycle).toBe(r.cycle);
      expect(Math.abs(b.probability - r.probability)).toBeLessThanOrEqual(1e-5);
      expect(Math.abs(p.probability - r.probability)).toBeLessThanOrEqual(1e-4);
      expect(b.alert).toBe(r.alert);
      expect(b.trueRul).toBe(r.trueRul);
      expect(b.trueRul).toBeDefined();
      // the run's RUL models travel in the bundle: the same RUL and interval through onnxruntime (models and pipeline.onnx)
      for (const [name, got] of [['models', b], ['pipeline', p]] as const) {
        for (const k of ['rul', 'rulLow', 'rulHigh'] as const) {
          expect(got[k], `${name} ${k} of unit ${r.unit}`).toBeDefined();
          expect(Math.abs(got[k]! - r[k]!), `${name} ${k} of unit ${r.unit}: ${got[k]} vs ${r[k]}`).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(r[k]!)));
        }
      }
    }
    expect(viaBundle.lastCycle?.n).toBe(100);
  });

  it('signs a zip bundle and refuses one whose files were changed, naming the file', () => {
    const dir = tempDir();
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(join(dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const zip = join(dir, 'bundle.zip');
    json('export', '--run', runId, '--out', zip, '--zip', '--sign', join(dir, 'key.pem'));
    const ok = json<{ ok: boolean }>('verify', '--bundle', zip);
    expect(ok.ok).toBe(true);

    const folder = join(dir, 'plain');
    json('export', '--run', runId, '--out', folder);
    const model = join(folder, 'models', 'gbdt.onnx');
    const bytes = readFileSync(model);
    bytes[200] = bytes[200]! ^ 0x01;
    writeFileSync(model, bytes);
    const v = prognos('verify', '--bundle', folder);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/models\/gbdt\.onnx: checksum mismatch/);
    const p = prognos('predict', '--bundle', folder, '--data', join(CMAPSS, 'test_FD001.txt'));
    expect(p.code).toBe(1);
    expect(p.stderr).toMatch(/models\/gbdt\.onnx/);
  });
});
