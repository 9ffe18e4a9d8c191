/**
 * The issue's parity check with a bundle exported from a real FD001 run (the shared store's default
 * run: GBDT + LSTM + RUL, seed 1): POST /predict on test_FD001's 100 unit histories equals
 * `prognos predict --bundle B --data test_FD001.txt --json` within 1e-6 in every field.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFd001Store } from '../../helpers/fd001-store';
import { CLI, tempDir } from '../../helpers/paths';
import { postJson, startServer, unitsOf, type Started } from './serve-helpers';

interface Prediction {
  unit: number;
  cycle: number;
  probability: number;
  parts: { gbdt: number; lstm?: number };
  alert: boolean;
  rul?: number;
  rulLow?: number;
  rulHigh?: number;
}

function cli(store: string, args: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args, '--store', store, '--json'], { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`prognos ${args.join(' ')}: ${err.message}: ${stderr}`));
      else resolve(JSON.parse(stdout) as unknown);
    });
  });
}

let s: Started | undefined;
let bundle: string;
let testFile: string;
let reference: { units: Prediction[]; threshold: number };

beforeAll(async () => {
  const dir = tempDir();
  const fd = await copyFd001Store(join(dir, 'store'));
  testFile = fd.testFile;
  bundle = join(dir, 'bundle');
  await cli(fd.store, ['export', '--run', fd.runId, '--out', bundle]);
  reference = (await cli(fd.store, ['predict', '--bundle', bundle, '--data', testFile])) as typeof reference;
  s = await startServer({ bundlePath: bundle, cacheTtlSeconds: 0 });
  // the first use of the shared FD001 store trains its run (minutes, more on a busy machine)
}, 1_800_000);

afterAll(async () => {
  await s?.stop();
});

describe('POST /predict with a bundle of the FD001 run', () => {
  it("equals prognos predict on test_FD001's 100 units within 1e-6 in every field", async () => {
    const units = unitsOf(testFile);
    const r = await postJson(`${s!.url}/predict`, { units });
    expect(r.status).toBe(200);
    const got = (r.json as { units: Prediction[]; threshold: number }).units;
    expect(got).toHaveLength(100);
    expect(reference.units).toHaveLength(100);
    expect((r.json as { threshold: number }).threshold).toBe(reference.threshold);
    const want = new Map(reference.units.map((u) => [u.unit, u]));
    let largest = 0;
    for (const g of got) {
      const w = want.get(g.unit)!;
      expect(g.cycle).toBe(w.cycle);
      expect(g.alert).toBe(w.alert);
      expect(typeof w.parts.lstm).toBe('number');
      expect(typeof w.rul).toBe('number');
      const d = [g.probability - w.probability, g.parts.gbdt - w.parts.gbdt, g.parts.lstm! - w.parts.lstm!, g.rul! - w.rul!, g.rulLow! - w.rulLow!, g.rulHigh! - w.rulHigh!].map(Math.abs);
      for (const x of d) expect(x).toBeLessThanOrEqual(1e-6);
      largest = Math.max(largest, ...d);
    }
    console.log(`FD001 run bundle parity: 100 units, ${got.filter((u) => u.alert).length} alerts, largest difference ${largest}`);
  });
});
