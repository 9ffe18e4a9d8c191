/**
 * Remaining useful life in the bundle: the RUL model files (listed in SHA256SUMS, hashed in the
 * manifest, signed), pipeline.onnx's rul / rul_low / rul_high outputs against the in-app models and
 * the per-model ONNX files, forged manifests and model files refused, and bundles without RUL
 * (format v1 as written before, the demo bundle as first shipped) still verified and scored without the fields.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetTable } from '../../../src/main/core/data/table';
import { unitSpans } from '../../../src/main/core/data/table';
import { readBundle, verifyBundle, writeBundle, type BundleInput } from '../../../src/main/core/export/bundle';
import { formatSums, sha256Hex } from '../../../src/main/core/export/checksums';
import type { BundleManifest } from '../../../src/main/core/export/manifest';
import type { PipelineRul } from '../../../src/main/core/export/pipeline-onnx';
import { rulBounds } from '../../../src/main/core/export/rul-onnx';
import { BundleScorer, type UnitScore } from '../../../src/main/core/export/score';
import { parseEd25519PublicKey } from '../../../src/main/core/export/signing';
import { engineerFeatures } from '../../../src/main/core/features/engineer';
import { buildWindows } from '../../../src/main/core/windows';
import { onnxCheck, syntheticRun, truncateUnits, type SyntheticRun } from '../../helpers/onnx-fixtures';
import { REPO, tempDir } from '../../helpers/paths';
import { rulFor, rulReference, type RulReference } from '../../helpers/rul-fixture';
import { runPythonJson } from '../../helpers/python';
import { itWith, PYTHON_ONNX, PYTHON_XGBOOST } from '../../helpers/tools';

let dir = '';
/** the synthetic run (its GBDTs trained, the LSTMs random) every bundle here is made from */
let run: SyntheticRun;
let table: FleetTable;
let input: BundleInput;
let rul: PipelineRul;
let ref: RulReference;
let bundle = '';

const ed = (): { priv: string; pub: string } => {
  const k = generateKeyPairSync('ed25519');
  return { priv: k.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), pub: k.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
};

function copyOf(from: string, name: string): string {
  const to = join(dir, name);
  const copy = (src: string, dest: string): void => {
    mkdirSync(dest, { recursive: true });
    for (const e of readdirSync(src, { withFileTypes: true })) {
      if (e.isDirectory()) copy(join(src, e.name), join(dest, e.name));
      else writeFileSync(join(dest, e.name), readFileSync(join(src, e.name)));
    }
  };
  copy(from, to);
  return to;
}

/** Rewrites SHA256SUMS to match the files as they are now (what a forger does after editing). */
function rehash(path: string): void {
  const files = readFileSync(join(path, 'SHA256SUMS'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.slice(66))
    .filter((f) => existsSync(join(path, f)));
  writeFileSync(join(path, 'SHA256SUMS'), formatSums(files.map((f) => ({ path: f, sha256: sha256Hex(readFileSync(join(path, f))) }))));
}

function manifestOf(path: string): BundleManifest {
  return JSON.parse(readFileSync(join(path, 'manifest.json'), 'utf8')) as BundleManifest;
}

/** |got − want| within float32 rounding of values of a few hundred cycles. */
function expectClose(got: number | undefined, want: number, what: string): void {
  expect(got, what).toBeDefined();
  expect(Math.abs(got! - want), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(2e-3);
}

/** Checks scored units against the reference: RUL close, interval from the same bin (units at an edge excepted). */
function expectRulLike(units: readonly UnitScore[], r: RulReference): void {
  const edges = rul.interval.bins.flatMap((b) => (b.upTo === null ? [] : [b.upTo]));
  expect(units.map((u) => u.unit)).toEqual(r.units);
  units.forEach((u, k) => {
    expectClose(u.rul, r.rul[k]!, `unit ${u.unit} rul`);
    if (edges.some((e) => Math.abs(e - r.rul[k]!) < 1e-2)) return;
    expectClose(u.rulLow, r.low[k]!, `unit ${u.unit} rulLow`);
    expectClose(u.rulHigh, r.high[k]!, `unit ${u.unit} rulHigh`);
    expect(u.rulLow!).toBeLessThanOrEqual(Math.max(0, u.rul!));
    expect(u.rulHigh!).toBeGreaterThanOrEqual(u.rul!);
    expect(u.rulLow!).toBeGreaterThanOrEqual(0);
  });
}

beforeAll(async () => {
  dir = tempDir('prognos-rul-bundle-');
  // the bundles' LSTMs are random weights (rulFor, syntheticRun): the run trains its GBDTs only
  run = await syntheticRun({ rul: true, config: { models: ['gbdt'] } });
  // units cut short at different points, as a fleet in service is (at their failure they all look alike)
  table = truncateUnits(run.table, (u, rows) => Math.max(8, rows - 9 * u));
  input = run.input;
  rul = rulFor(table, input, run.rul);
  ref = rulReference(table, input, rul);
  bundle = (await writeBundle({ ...input, rul }, join(dir, 'bundle'))).path;
});

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('a bundle with RUL', () => {
  it('writes the RUL models, lists them in SHA256SUMS and hashes them in the manifest', () => {
    expect(readdirSync(join(bundle, 'models')).sort()).toEqual(
      ['gbdt-rul.onnx', 'gbdt-rul.xgboost.json', 'gbdt.onnx', 'gbdt.xgboost.json', 'lstm-rul.onnx', 'lstm.onnx', 'pipeline.onnx'].sort(),
    );
    const listed = readFileSync(join(bundle, 'SHA256SUMS'), 'utf8').trim().split('\n').map((l) => l.slice(66));
    for (const f of ['models/gbdt-rul.onnx', 'models/gbdt-rul.xgboost.json', 'models/lstm-rul.onnx']) expect(listed).toContain(f);
    const m = manifestOf(bundle);
    // the RUL trees have features of their own (rul.topK), beyond the classifier's: every engine below must read them
    expect(rul.gbdt.featureNames.length).toBeGreaterThan(input.selected.length);
    expect(rul.gbdt.featureNames.filter((n) => !input.selected.includes(n)).length).toBeGreaterThan(0);
    expect(m.rul).toMatchObject({ cap: 125, weight: 0.55, formula: 'RUL = w·RUL_gbdt + (1 − w)·cap·σ_lstm', features: rul.gbdt.featureNames, interval: rul.interval });
    for (const e of Object.values(m.rul!.files)) expect(sha256Hex(readFileSync(join(bundle, e.file)))).toBe(e.sha256);
    expect(m.models.pipeline!.outputs!.map((o) => o.name)).toEqual(['probability', 'parts', 'features', 'rul', 'rul_low', 'rul_high']);
    expect(m.pipeline!.contract.join(' ')).toMatch(/rul_low/);
    const card = readFileSync(join(bundle, 'model_card.md'), 'utf8');
    expect(card).toMatch(/models\/gbdt-rul\.onnx/);
    expect(card).toMatch(/models\/lstm-rul\.onnx/);
    expect(card).toMatch(/output `value` float32 \[N, 1\]: the RUL in cycles/);
    const openapi = readFileSync(join(bundle, 'openapi.json'), 'utf8');
    expect(openapi).toMatch(/"rulLow"/);
  });

  it('the interval bins of the fixture are all used (so the lookup is exercised)', () => {
    const bins = new Set(Array.from(ref.rul, (v) => rul.interval.bins.findIndex((b) => b.upTo === null || Math.fround(v) < Math.fround(b.upTo))));
    expect([...bins].sort()).toEqual([0, 1, 2]);
    expect(rulBounds(rul.interval, -30).low).toBe(0);
  });

  it('gbdt-rul.onnx and lstm-rul.onnx equal the in-app models through onnxruntime', async () => {
    const files = (await readBundle(bundle)).files;
    const state = input.featureState;
    const f = engineerFeatures(table, state.spec, { state });
    const last = unitSpans(table).map((s) => s.end - 1);
    const F = rul.gbdt.nFeatures;
    const x = new Float32Array(last.length * F);
    last.forEach((r, k) => rul.gbdt.featureNames.forEach((n, c) => (x[k * F + c] = f.columns[f.names.indexOf(n)]![r]!)));
    const g = await InferenceSession.create(files.get('models/gbdt-rul.onnx')!);
    const out = (await g.run({ features: new Tensor('float32', x, [last.length, F]) })).value!;
    expect(out.dims).toEqual([last.length, 1]);
    (out.data as Float32Array).forEach((v, k) => expectClose(v, ref.gbdt[k]!, `gbdt-rul unit ${ref.units[k]}`));
    await g.release();

    const names = input.lstmFeatures ?? input.scaler!.names;
    const scaler = input.scaler!;
    const scaled = names.map((n) => {
      const i = scaler.names.indexOf(n);
      return Float32Array.from(f.columns[f.names.indexOf(n)]!, (v) => (v - scaler.mean[i]!) / scaler.std[i]!);
    });
    const w = buildWindows(scaled, table, Int32Array.from(last), input.windowLength);
    const l = await InferenceSession.create(files.get('models/lstm-rul.onnx')!);
    const head = (await l.run({ windows: new Tensor('float32', w.data, [w.n, input.windowLength, names.length]) })).probability!;
    await l.release();
    expect(ref.lstm).toBeDefined();
    (head.data as Float32Array).forEach((v, k) => expect(Math.abs(v - ref.lstm![k]!), `lstm-rul unit ${ref.units[k]}`).toBeLessThan(1e-5));
  });

  it('the models and pipeline engines give rul, rulLow and rulHigh equal to the in-app models', async () => {
    for (const engine of ['models', 'pipeline'] as const) {
      const s = await BundleScorer.open(bundle, { engine });
      try {
        const units = await s.scoreUnits(table);
        expectRulLike(units, ref);
      } finally {
        await s.close();
      }
    }
    const a = await BundleScorer.open(bundle, { engine: 'models' });
    const b = await BundleScorer.open(bundle, { engine: 'pipeline' });
    const [ua, ub] = [await a.scoreUnits(table), await b.scoreUnits(table)];
    await Promise.all([a.close(), b.close()]);
    ua.forEach((u, k) => {
      expect(Math.abs(u.rul! - ub[k]!.rul!)).toBeLessThanOrEqual(1e-3);
      expect(Math.abs(u.probability - ub[k]!.probability)).toBeLessThan(1e-5);
    });
  });

  itWith(PYTHON_XGBOOST)('gbdt-rul.xgboost.json loads in XGBoost as reg:squarederror and predicts the same RUL', () => {
    const state = input.featureState;
    const f = engineerFeatures(table, state.spec, { state });
    const rows = unitSpans(table).map((s) => rul.gbdt.featureNames.map((n) => f.columns[f.names.indexOf(n)]![s.end - 1]!));
    const out = runPythonJson<{ objective: string; pred: number[] }>(
      String.raw`
import json, sys
import numpy as np
import xgboost as xgb
req = json.loads(sys.argv[1])
b = xgb.Booster()
b.load_model(req['model'])
objective = json.loads(b.save_config())['learner']['objective']['name']
pred = b.predict(xgb.DMatrix(np.array(req['rows'], dtype=np.float32), feature_names=req['names']))
print(json.dumps({'objective': objective, 'pred': [float(v) for v in pred]}))
`,
      { args: [JSON.stringify({ model: join(bundle, 'models', 'gbdt-rul.xgboost.json'), rows, names: rul.gbdt.featureNames })] },
    );
    expect(out.objective).toBe('reg:squarederror');
    out.pred.forEach((v, k) => expectClose(v, ref.gbdt[k]!, `xgboost unit ${ref.units[k]}`));
  });

  itWith(PYTHON_ONNX)('passes onnx.checker (full check)', () => {
    const res = onnxCheck(['gbdt-rul.onnx', 'lstm-rul.onnx', 'pipeline.onnx'].map((f) => join(bundle, 'models', f)));
    for (const [file, verdict] of Object.entries(res)) expect(verdict, file).toBe('ok');
  });

  it('a GBDT-only run gets a GBDT RUL model and a pipeline with RUL outputs', async () => {
    // the same GBDT-only run as a bundle without an LSTM (what syntheticRun gives with lstm: false)
    const { lstm: _lstm, scaler: _scaler, ...rest } = run.input;
    const gbdtOnly: BundleInput = { ...rest, weight: 1 };
    // units cut short at different points, as a fleet in service is (at their failure they all look alike)
    const fleet = truncateUnits(run.table, (u, rows) => Math.max(8, rows - 9 * u));
    const r = rulFor(fleet, gbdtOnly, run.rul);
    expect(r.lstm).toBeUndefined();
    const w = await writeBundle({ ...gbdtOnly, rul: r }, join(dir, 'gbdt-only'));
    expect(w.files).not.toContain('models/lstm-rul.onnx');
    expect(w.manifest.rul).toMatchObject({ weight: 1, formula: 'RUL = RUL_gbdt' });
    const want = rulReference(fleet, gbdtOnly, r);
    for (const engine of ['models', 'pipeline'] as const) {
      const s = await BundleScorer.open(w.path, { engine });
      const units = await s.scoreUnits(fleet);
      await s.close();
      units.forEach((u, k) => expectClose(u.rul, want.rul[k]!, `unit ${u.unit} (${engine})`));
    }
  });

  it('refuses RUL input it cannot export, writing nothing', async () => {
    const dest = join(dir, 'never');
    const bad: [string, PipelineRul][] = [
      ['cap', { ...rul, cap: 0 }],
      ['weight', { ...rul, weight: 1.5 }],
      ['edges', { ...rul, interval: { ...rul.interval, bins: [rul.interval.bins[1]!, rul.interval.bins[0]!, rul.interval.bins[2]!] } }],
      ['open bin', { ...rul, interval: { ...rul.interval, bins: [rul.interval.bins[0]!] } }],
      ['signs', { ...rul, interval: { ...rul.interval, bins: [{ upTo: null, low: 3, high: 5 }] } }],
    ];
    for (const [what, r] of bad) await expect(writeBundle({ ...input, rul: r }, dest), what).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const { lstm: _, ...noHead } = rul;
    await expect(writeBundle({ ...input, rul: { ...noHead, weight: 0.5 } }, dest)).rejects.toThrow(/must be 1/);
    expect(existsSync(dest)).toBe(false);
  });
});

describe('forged RUL parts are refused', () => {
  it('a RUL model file changed: SHA256SUMS names it; with SHA256SUMS rewritten, the manifest hash does', async () => {
    const b = copyOf(bundle, 'flipped-rul');
    const path = join(b, 'models', 'gbdt-rul.onnx');
    const bytes = readFileSync(path);
    const mid = Math.floor(bytes.length / 2);
    bytes[mid] = bytes[mid]! ^ 0x04;
    writeFileSync(path, bytes);
    expect((await verifyBundle(b)).problems).toContainEqual({ file: 'models/gbdt-rul.onnx', reason: expect.stringMatching(/checksum mismatch: SHA256SUMS says/) as unknown });
    rehash(b);
    const v = await verifyBundle(b);
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([{ file: 'models/gbdt-rul.onnx', reason: expect.stringMatching(/checksum mismatch: manifest\.json says/) as unknown }]);
    await expect(BundleScorer.open(b)).rejects.toMatchObject({ code: 'BAD_FILE' });
  });

  it('a deleted RUL model is named, even with SHA256SUMS rewritten', async () => {
    const b = copyOf(bundle, 'no-lstm-rul');
    rmSync(join(b, 'models', 'lstm-rul.onnx'));
    rehash(b);
    expect((await verifyBundle(b)).problems).toEqual([{ file: 'models/lstm-rul.onnx', reason: 'named in manifest.json but missing' }]);
  });

  it('a manifest whose interval was widened is refused unless re-hashed, and then fails the signature', async () => {
    const key = ed();
    const signed = (await writeBundle({ ...input, rul }, join(dir, 'signed'), { signKey: key.priv })).path;
    const k = parseEd25519PublicKey(key.pub, 'test key');
    const ring = [{ keyId: k.fingerprint, name: 'release', publicKeyPem: k.pem }];
    expect(await verifyBundle(signed, { trustedKeys: ring, requireTrusted: true })).toMatchObject({ ok: true, trust: { verdict: 'trusted' } });
    const scorer = await BundleScorer.open(signed, { trustedKeys: ring, requireTrusted: true });
    expect((await scorer.scoreUnits(table))[0]!.rul).toBeDefined();
    await scorer.close();

    const b = copyOf(signed, 'widened');
    const m = JSON.parse(readFileSync(join(b, 'manifest.json'), 'utf8')) as { rul: { cap: number; interval: { bins: { low: number; high: number }[] } } };
    m.rul.interval.bins.forEach((x) => (x.high *= 3));
    m.rul.cap = 300;
    writeFileSync(join(b, 'manifest.json'), JSON.stringify(m, null, 2));
    expect((await verifyBundle(b)).problems).toContainEqual({ file: 'manifest.json', reason: expect.stringMatching(/checksum mismatch/) as unknown });
    rehash(b);
    const v = await verifyBundle(b, { trustedKeys: ring });
    expect(v.ok).toBe(false);
    expect(v.trust?.verdict).toBe('bad-signature');
    expect(v.problems.map((p) => p.file)).toEqual(['SIGNATURE']);
    await expect(BundleScorer.open(b, { trustedKeys: ring })).rejects.toMatchObject({ code: 'BAD_FILE' });
  });

  it('a forger who strips the signature is refused by a policy that requires one', async () => {
    const key = ed();
    const signed = (await writeBundle({ ...input, rul }, join(dir, 'signed-2'), { signKey: key.priv })).path;
    const b = copyOf(signed, 'stripped');
    const m = manifestOf(b) as BundleManifest & { signature?: unknown; rul: { interval: { coverage: number } } };
    delete m.signature;
    m.rul.interval.coverage = 0.99;
    writeFileSync(join(b, 'manifest.json'), JSON.stringify(m, null, 2));
    rmSync(join(b, 'SIGNATURE'));
    rehash(b);
    const v = await verifyBundle(b, { requireTrusted: true });
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([{ file: 'SIGNATURE', reason: 'not signed by a trusted key (unsigned); the trust policy requires one' }]);
  });

  it('a manifest RUL section that does not fit its models is refused by the schema', async () => {
    const cases: [string, (m: Record<string, unknown> & { rul: Record<string, unknown> }) => void, RegExp][] = [
      ['bins out of order', (m) => ((m.rul.interval as { bins: unknown[] }).bins.reverse()), /rul\.interval\.bins/],
      ['LSTM head removed, weight kept', (m) => { delete (m.rul.files as Record<string, unknown>).lstm; }, /RUL weight must be 1/],
      ['negative cap', (m) => { m.rul.cap = -1; }, /rul\.cap/],
    ];
    for (const [name, edit, reason] of cases) {
      const b = copyOf(bundle, `schema-${name.replace(/ /g, '-')}`);
      const m = manifestOf(b) as unknown as Record<string, unknown> & { rul: Record<string, unknown> };
      edit(m);
      writeFileSync(join(b, 'manifest.json'), JSON.stringify(m, null, 2));
      rehash(b);
      const v = await verifyBundle(b);
      expect(v.ok, name).toBe(false);
      expect(v.problems.map((p) => `${p.file}: ${p.reason}`).join('\n'), name).toMatch(reason);
    }
  });

  it('a manifest that claims RUL for a pipeline.onnx without RUL outputs is refused', async () => {
    const plain = (await writeBundle(input, join(dir, 'plain-for-claim'))).path;
    const withRul = manifestOf(bundle);
    const b = copyOf(plain, 'claimed-rul');
    for (const f of ['gbdt-rul.onnx', 'gbdt-rul.xgboost.json', 'lstm-rul.onnx']) writeFileSync(join(b, 'models', f), readFileSync(join(bundle, 'models', f)));
    const m = { ...manifestOf(b), rul: withRul.rul };
    writeFileSync(join(b, 'manifest.json'), JSON.stringify(m, null, 2));
    const sums = readFileSync(join(b, 'SHA256SUMS'), 'utf8') + ['gbdt-rul.onnx', 'gbdt-rul.xgboost.json', 'lstm-rul.onnx'].map((f) => `${'0'.repeat(64)}  models/${f}\n`).join('');
    writeFileSync(join(b, 'SHA256SUMS'), sums);
    rehash(b);
    const v = await verifyBundle(b);
    expect(v.ok).toBe(false);
    expect(v.problems).toContainEqual({ file: 'models/pipeline.onnx', reason: 'incompatible: manifest.json has rul, but the pipeline has no output rul' });
  });
});

describe('bundles without RUL', () => {
  it('a v1 bundle as written before verifies and scores without the RUL fields, with both engines', async () => {
    const plain = (await writeBundle(input, join(dir, 'plain'))).path;
    const m = manifestOf(plain);
    expect(m.rul).toBeUndefined();
    expect(m.formatVersion).toBe(1);
    expect(readdirSync(join(plain, 'models')).some((f) => f.includes('rul'))).toBe(false);
    for (const engine of ['models', 'pipeline'] as const) {
      const s = await BundleScorer.open(plain, { engine });
      const units = await s.scoreUnits(table);
      await s.close();
      expect(units).toHaveLength(ref.units.length);
      for (const u of units) {
        expect(u).not.toHaveProperty('rul');
        expect(u).not.toHaveProperty('rulLow');
        expect(u).not.toHaveProperty('rulHigh');
      }
    }
  });

  it('a bundle made before bundles carried RUL (the demo bundle as first shipped) still verifies and scores, without RUL fields', async () => {
    const demo = join(REPO, 'test', 'fixtures', 'bundles', 'demo-before-rul');
    expect(await verifyBundle(demo)).toMatchObject({ ok: true });
    const s = await BundleScorer.open(demo);
    try {
      const units = await s.scoreUnits(table);
      expect(units.length).toBeGreaterThan(0);
      expect(units.every((u) => u.rul === undefined && u.rulLow === undefined && u.rulHigh === undefined)).toBe(true);
    } finally {
      await s.close();
    }
  });
});
