/**
 * Bundles: the files written, checksums and tamper detection, format version and required files,
 * zip round trip, Ed25519 signing with good and bad keys, and scoring through onnxruntime.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundle, verifyBundle, writeBundle, type BundleInput } from '../../../src/main/core/export/bundle';
import { formatSums, sha256Hex } from '../../../src/main/core/export/checksums';
import { bundleInputFromRun } from '../../../src/main/core/export/from-run';
import { parseTrainConfig } from '../../../src/main/core/pipeline/config';
import { BundleScorer } from '../../../src/main/core/export/score';
import { readZip } from '../../../src/main/core/export/zip';
import { parseEd25519PublicKey } from '../../../src/main/core/export/signing';
import type { TrustedKey } from '../../../src/main/core/export/trust';
import { PrognosError } from '../../../src/shared/errors';
import { maxAbsDiff, referenceScores, syntheticRun, truncateUnits } from '../../helpers/onnx-fixtures';
import { tempDir } from '../../helpers/paths';
import type { FleetTable } from '../../../src/main/core/data/table';

let dir = '';
let input: BundleInput;
let table: FleetTable;
let bundle = '';

const ed = (): { priv: string; pub: string } => {
  const k = generateKeyPairSync('ed25519');
  return { priv: k.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), pub: k.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
};

/** Copies the bundle folder to a new place and returns its path. */
function copyBundle(name: string): string {
  const to = join(dir, name);
  const copy = (from: string, dest: string): void => {
    mkdirSync(dest, { recursive: true });
    for (const e of readdirSync(from, { withFileTypes: true })) {
      if (e.isDirectory()) copy(join(from, e.name), join(dest, e.name));
      else writeFileSync(join(dest, e.name), readFileSync(join(from, e.name)));
    }
  };
  copy(bundle, to);
  return to;
}

/** Rewrites SHA256SUMS to match the files as they are now (what a careless or hostile editor would do). */
function rehash(path: string): void {
  const sums = readFileSync(join(path, 'SHA256SUMS'), 'utf8');
  const files = sums
    .trim()
    .split('\n')
    .map((l) => l.slice(66))
    .filter((f) => existsSync(join(path, f)));
  writeFileSync(join(path, 'SHA256SUMS'), formatSums(files.map((f) => ({ path: f, sha256: sha256Hex(readFileSync(join(path, f))) }))));
}

beforeAll(async () => {
  dir = tempDir('prognos-bundle-');
  // the bundle's LSTM is random weights (syntheticRun): the run trains its GBDT only
  const run = await syntheticRun({ config: { models: ['gbdt'] } });
  input = run.input;
  table = run.table;
  bundle = (await writeBundle(input, join(dir, 'bundle'))).path;
});

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('writeBundle', () => {
  it('writes every file of format v1 with checksums of all but SHA256SUMS', () => {
    const files = ['SHA256SUMS', 'manifest.json', 'model_card.md', 'openapi.json'];
    expect(readdirSync(bundle).sort()).toEqual(files.concat('models').sort());
    expect(readdirSync(join(bundle, 'models')).sort()).toEqual(['gbdt.onnx', 'gbdt.xgboost.json', 'lstm.onnx', 'pipeline.onnx']);
    const sums = readFileSync(join(bundle, 'SHA256SUMS'), 'utf8').trim().split('\n');
    expect(sums.map((l) => l.slice(66)).sort()).toEqual(
      ['manifest.json', 'model_card.md', 'openapi.json', 'models/gbdt.onnx', 'models/gbdt.xgboost.json', 'models/lstm.onnx', 'models/pipeline.onnx'].sort(),
    );
    for (const line of sums) expect(sha256Hex(readFileSync(join(bundle, line.slice(66))))).toBe(line.slice(0, 64));
    const r = spawnSync('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: bundle, encoding: 'utf8' });
    if (r.error === undefined) expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('records the run, the feature recipe, the scaler, the contract and the model hashes in the manifest', () => {
    const m = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8')) as Record<string, unknown> & {
      models: Record<string, { file: string; sha256: string }>;
      features: { definitions: { name: string; formula: string; window?: number }[] };
      rawInput: { columns: { name: string; unit?: string }[]; historyColumns: string[] };
      pipeline: { minHistoryRows: number; requiresFullHistory: boolean; contract: string[] };
    };
    expect(m.format).toBe('prognos-bundle');
    expect(m.formatVersion).toBe(1);
    for (const k of ['created', 'appVersion', 'runId', 'dataset', 'label', 'rawInput', 'features', 'selectedFeatures', 'scaler', 'windowLength', 'models', 'ensemble', 'threshold', 'metrics', 'training']) {
      expect(m, k).toHaveProperty(k);
    }
    for (const entry of Object.values(m.models)) expect(sha256Hex(readFileSync(join(bundle, entry.file)))).toBe(entry.sha256);
    expect(m.features.definitions.find((d) => d.name === 's11_mean_10')).toMatchObject({ window: 10 });
    expect(m.rawInput.columns.find((c) => c.name === 's11')?.unit).toBe('psia');
    expect(m.pipeline.minHistoryRows).toBeGreaterThanOrEqual(30);
    expect(m.pipeline.contract.join(' ')).toMatch(/valid/);
    expect(m.ensemble).toMatchObject({ weight: 0.6, parts: ['gbdt', 'lstm'] });
    const openapi = JSON.parse(readFileSync(join(bundle, 'openapi.json'), 'utf8')) as { openapi: string; paths: Record<string, unknown> };
    expect(openapi.openapi).toMatch(/^3\.0\./);
    expect(Object.keys(openapi.paths)).toEqual(['/predict']);
    expect(readFileSync(join(bundle, 'model_card.md'), 'utf8')).toMatch(/## Input contract/);
  });

  it('verifies and reads back', async () => {
    const v = await verifyBundle(bundle);
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
    const b = await readBundle(bundle);
    expect(b.manifest.runId).toBe(input.runId);
    expect(b.files.get('models/gbdt.xgboost.json')).toBeDefined();
  });

  it('refuses a destination that holds something, and bad input, writing nothing', async () => {
    await expect(writeBundle(input, bundle)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await verifyBundle(bundle)).toMatchObject({ ok: true });
    const dest = join(dir, 'never');
    await expect(writeBundle({ ...input, lstm: undefined, weight: 0.6 }, dest)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(writeBundle({ ...input, threshold: 2 }, dest)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(existsSync(dest)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.includes('partial'))).toEqual([]);
    const again = await writeBundle(input, bundle, { overwrite: true });
    expect(again.files).toContain('models/pipeline.onnx');
  });
});

describe('tampered and incompatible bundles', () => {
  it('one flipped byte in a model file fails verification naming the file', async () => {
    const b = copyBundle('flipped');
    const path = join(b, 'models', 'gbdt.onnx');
    const bytes = readFileSync(path);
    const mid = Math.floor(bytes.length / 2);
    bytes[mid] = bytes[mid]! ^ 0x01;
    writeFileSync(path, bytes);
    const v = await verifyBundle(b);
    expect(v.ok).toBe(false);
    expect(v.problems.map((p) => p.file)).toContain('models/gbdt.onnx');
    expect(v.problems.find((p) => p.file === 'models/gbdt.onnx')?.reason).toMatch(/checksum mismatch/);
    const err = await readBundle(b).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrognosError);
    expect(err).toMatchObject({ code: 'BAD_FILE' });
    expect((err as PrognosError).message).toMatch(/models\/gbdt\.onnx/);
    await expect(BundleScorer.open(b)).rejects.toMatchObject({ code: 'BAD_FILE' });
  });

  it('a model changed together with SHA256SUMS still fails against the manifest hash', async () => {
    const b = copyBundle('rehashed');
    const path = join(b, 'models', 'lstm.onnx');
    const bytes = readFileSync(path);
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0x10;
    writeFileSync(path, bytes);
    rehash(b);
    const v = await verifyBundle(b);
    expect(v.ok).toBe(false);
    expect(v.problems).toContainEqual(expect.objectContaining({ file: 'models/lstm.onnx', reason: expect.stringMatching(/manifest\.json says/) as unknown }));
  });

  it('refuses another format version, missing required files and unlisted files', async () => {
    const b = copyBundle('version2');
    const m = JSON.parse(readFileSync(join(b, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(b, 'manifest.json'), JSON.stringify({ ...m, formatVersion: 2 }));
    rehash(b);
    const v = await verifyBundle(b);
    expect(v.problems).toEqual([{ file: 'manifest.json', reason: expect.stringMatching(/format version 2 is not supported/) as unknown }]);
    await expect(readBundle(b)).rejects.toThrow(/manifest\.json: format version 2/);

    const c = copyBundle('missing');
    rmSync(join(c, 'model_card.md'));
    rehash(c);
    expect((await verifyBundle(c)).problems).toEqual([{ file: 'model_card.md', reason: 'required file missing' }]);

    const d = copyBundle('extra');
    writeFileSync(join(d, 'models', 'other.onnx'), 'x');
    expect((await verifyBundle(d)).problems).toEqual([{ file: 'models/other.onnx', reason: 'not listed in SHA256SUMS (not read)' }]);

    const e = copyBundle('nosums');
    rmSync(join(e, 'SHA256SUMS'));
    expect((await verifyBundle(e)).problems.map((p) => p.file)).toEqual(['SHA256SUMS']);
  });

  it('names an ONNX file with a newer opset than the format allows as incompatible', async () => {
    const b = copyBundle('opset');
    const path = join(b, 'models', 'gbdt.onnx');
    const bytes = readFileSync(path);
    // the ai.onnx opset import is the last field but one: "\x42\x04\x0a\x00\x10\x11" = domain "", version 17
    const at = bytes.lastIndexOf(Buffer.from([0x42, 0x04, 0x0a, 0x00, 0x10, 0x11]));
    expect(at).toBeGreaterThan(0);
    bytes[at + 5] = 19;
    writeFileSync(path, bytes);
    const m = JSON.parse(readFileSync(join(b, 'manifest.json'), 'utf8')) as { models: { gbdt: { sha256: string } } };
    m.models.gbdt.sha256 = sha256Hex(bytes);
    writeFileSync(join(b, 'manifest.json'), JSON.stringify(m));
    rehash(b);
    expect((await verifyBundle(b)).problems).toEqual([{ file: 'models/gbdt.onnx', reason: 'incompatible: ai.onnx opset 19 (at most 17)' }]);
  });
});

describe('zip bundles', () => {
  it('round-trips: the same files as the folder, verified', async () => {
    const w = await writeBundle(input, join(dir, 'zipped'), { zip: true });
    expect(w.path.endsWith('zipped.zip')).toBe(true);
    expect(await verifyBundle(w.path)).toMatchObject({ ok: true, problems: [] });
    const z = await readBundle(w.path);
    const f = await readBundle(bundle);
    expect([...z.files.keys()].sort()).toEqual([...f.files.keys()].sort());
    for (const [k, v] of f.files) if (k !== 'manifest.json') expect(sha256Hex(z.files.get(k)!), k).toBe(sha256Hex(v));
    expect([...readZip(readFileSync(w.path)).keys()]).toContain('models/pipeline.onnx');
  });

  it('a corrupted zip is refused with the archive named', async () => {
    const w = await writeBundle(input, join(dir, 'corrupt.zip'), { zip: true });
    const bytes = readFileSync(w.path);
    bytes[200] = bytes[200]! ^ 0xff;
    writeFileSync(w.path, bytes);
    const v = await verifyBundle(w.path);
    expect(v.ok).toBe(false);
    expect(v.problems[0]?.file).toBe('corrupt.zip');
    await expect(readBundle(w.path)).rejects.toMatchObject({ code: 'BAD_FILE' });
  });
});

describe('signing', () => {
  const ring = (pub: string, name = 'release'): TrustedKey[] => {
    const k = parseEd25519PublicKey(pub, 'test key');
    return [{ keyId: k.fingerprint, name, publicKeyPem: k.pem }];
  };

  it('signs SHA256SUMS; trusted only with the signer key in the keyring', async () => {
    const good = ed();
    const other = ed();
    const w = await writeBundle(input, join(dir, 'signed'), { signKey: good.priv });
    expect(existsSync(join(w.path, 'SIGNATURE'))).toBe(true);
    expect(w.manifest.signature?.publicKey.trim()).toBe(good.pub.trim());
    expect(readFileSync(join(w.path, 'SHA256SUMS'), 'utf8')).not.toMatch(/SIGNATURE/);
    const fp = parseEd25519PublicKey(good.pub, 'k').fingerprint;
    // without a keyring the signature is consistent but vouches for nothing
    expect(await verifyBundle(w.path)).toMatchObject({ ok: true, trust: { verdict: 'unknown-key', keyId: fp, keyName: null, claimedKeyId: fp } });
    expect(await verifyBundle(w.path, { trustedKeys: ring(good.pub) })).toMatchObject({ ok: true, trust: { verdict: 'trusted', keyId: fp, keyName: 'release' } });
    expect((await verifyBundle(w.path, { trustedKeys: ring(good.pub) })).trust?.summary).toBe(`signed by trusted key "release" (${fp.slice(0, 16)})`);
    const r = await verifyBundle(w.path, { trustedKeys: ring(other.pub), requireTrusted: true });
    expect(r.ok).toBe(false);
    expect(r.trust?.verdict).toBe('unknown-key');
    expect(r.problems).toEqual([{ file: 'SIGNATURE', reason: `not signed by a trusted key (signed by an unknown key ${fp.slice(0, 16)} (not in the keyring)); the trust policy requires one` }]);
    await expect(readBundle(w.path, { trustedKeys: ring(other.pub), requireTrusted: true })).rejects.toMatchObject({ code: 'BAD_FILE' });
  });

  it('a flipped signature is a bad signature, refused with or without a policy', async () => {
    const good = ed();
    const w = await writeBundle(input, join(dir, 'forged'), { signKey: good.priv });
    const sig = readFileSync(join(w.path, 'SIGNATURE'), 'utf8');
    const flipped = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    writeFileSync(join(w.path, 'SIGNATURE'), flipped);
    const fp = parseEd25519PublicKey(good.pub, 'k').fingerprint;
    for (const opts of [{}, { trustedKeys: ring(good.pub) }]) {
      const v = await verifyBundle(w.path, opts);
      expect(v.trust).toMatchObject({ verdict: 'bad-signature', keyId: null, claimedKeyId: fp });
      expect(v.problems).toEqual([{ file: 'SIGNATURE', reason: `bad signature: SIGNATURE does not verify SHA256SUMS with any key (claims to be signed by ${fp.slice(0, 16)})` }]);
    }
  });

  it('takes the key from a file; refuses non-Ed25519 keys; an unsigned bundle fails when a trusted signature is required', async () => {
    const good = ed();
    const keyFile = join(dir, 'key.pem');
    writeFileSync(keyFile, good.priv);
    const w = await writeBundle(input, join(dir, 'signed-file'), { signKey: keyFile });
    expect(await verifyBundle(w.path, { trustedKeys: ring(good.pub), requireTrusted: true })).toMatchObject({ ok: true, trust: { verdict: 'trusted' } });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expect(writeBundle(input, join(dir, 'rsa'), { signKey: rsa })).rejects.toThrow(/Ed25519/);
    expect(existsSync(join(dir, 'rsa'))).toBe(false);
    expect(await verifyBundle(bundle)).toMatchObject({ ok: true, trust: { verdict: 'unsigned', summary: 'unsigned' } });
    expect((await verifyBundle(bundle, { trustedKeys: ring(good.pub), requireTrusted: true })).problems).toEqual([
      { file: 'SIGNATURE', reason: 'not signed by a trusted key (unsigned); the trust policy requires one' },
    ]);
  });
});

describe('BundleScorer', () => {
  it('scores every unit at its last cycle; the models and pipeline engines agree with the in-app models', async () => {
    const ref = referenceScores(table, {
      featureState: input.featureState,
      gbdt: input.gbdt,
      scaler: input.scaler!,
      lstm: input.lstm!,
      weight: input.weight,
      window: input.windowLength,
    });
    const models = await BundleScorer.open(bundle);
    const pipeline = await BundleScorer.open(bundle, { engine: 'pipeline' });
    try {
      const a = await models.scoreUnits(table);
      const b = await pipeline.scoreUnits(table);
      expect(a.map((s) => s.unit)).toEqual(ref.units);
      expect(a.map((s) => s.cycle)).toEqual(ref.cycles);
      expect(maxAbsDiff(a.map((s) => s.parts.gbdt), ref.gbdt)).toBeLessThan(1e-5);
      expect(maxAbsDiff(a.map((s) => s.parts.lstm!), ref.lstm!)).toBeLessThan(1e-5);
      expect(maxAbsDiff(a.map((s) => s.probability), ref.probability)).toBeLessThan(1e-5);
      expect(maxAbsDiff(b.map((s) => s.probability), ref.probability)).toBeLessThan(1e-5);
      expect(maxAbsDiff(b.map((s) => s.parts.lstm!), ref.lstm!)).toBeLessThan(1e-5);
      expect(a.map((s) => s.alert)).toEqual(a.map((s) => s.probability >= input.threshold));
    } finally {
      await models.close();
      await pipeline.close();
    }
    await expect(models.scoreUnits(table)).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});

describe('a six-regime fleet under the default config', () => {
  it('the bundle carries the detected regimes and the regime features; both engines agree with the in-app models', async () => {
    const picked = ['regime1_cycles', 'regime4_cycles', 'regime2_share', 'regime6_share', 's3_mean_10', 's9_ewma', 's20', 's11_slope_5'];
    const run = await syntheticRun({ regimes: 6, seed: 5, config: { models: ['gbdt'], manualFeatures: picked, topK: picked.length } });
    const state = run.input.featureState;
    expect(state.regime?.centroids).toHaveLength(6);
    expect(state.regimeChoice).toMatchObject({ requested: { enabled: 'auto', clusters: 'auto' }, enabled: true, clusters: 6 });
    const path = (await writeBundle(run.input, join(dir, 'six-regimes'))).path;
    const read = await readBundle(path);
    expect(read.manifest.features.regime?.centroids).toHaveLength(6);
    expect(read.manifest.selectedFeatureDefs.filter((d) => d.kind === 'regimeCycles' || d.kind === 'regimeShare').map((d) => [d.name, d.regime])).toEqual([
      ['regime1_cycles', 0],
      ['regime4_cycles', 3],
      ['regime2_share', 1],
      ['regime6_share', 5],
    ]);
    expect(read.manifest.pipeline?.requiresFullHistory).toBe(true);
    const ref = referenceScores(run.table, {
      featureState: state,
      gbdt: run.input.gbdt,
      scaler: run.input.scaler!,
      lstm: run.input.lstm!,
      weight: run.input.weight,
      window: run.input.windowLength,
    });
    const cut = truncateUnits(run.table, (u) => 20 + 17 * u);
    const refCut = referenceScores(cut, {
      featureState: state,
      gbdt: run.input.gbdt,
      scaler: run.input.scaler!,
      lstm: run.input.lstm!,
      weight: run.input.weight,
      window: run.input.windowLength,
    });
    const models = await BundleScorer.open(path);
    const pipeline = await BundleScorer.open(path, { engine: 'pipeline' });
    try {
      for (const [t, r] of [[run.table, ref], [cut, refCut]] as const) {
        const a = await models.scoreUnits(t);
        const b = await pipeline.scoreUnits(t);
        expect(maxAbsDiff(a.map((s) => s.probability), r.probability)).toBeLessThan(1e-5);
        expect(maxAbsDiff(b.map((s) => s.probability), r.probability)).toBeLessThan(1e-5);
        expect(maxAbsDiff(b.map((s) => s.parts.gbdt), r.gbdt)).toBeLessThan(1e-5);
      }
    } finally {
      await models.close();
      await pipeline.close();
    }
  });
});

describe('GBDT-only bundles and options', () => {
  it('a run without an LSTM exports gbdt models and a GBDT-only pipeline; pipeline.onnx can be left out', async () => {
    const { lstm: _l, scaler: _s, ...rest } = input;
    const gbdtOnly: BundleInput = { ...rest, weight: 1 };
    const w = await writeBundle(gbdtOnly, join(dir, 'gbdt-only'));
    expect(w.files).not.toContain('models/lstm.onnx');
    expect(w.manifest.scaler).toBeNull();
    expect(w.manifest.ensemble.parts).toEqual(['gbdt']);
    expect(await verifyBundle(w.path)).toMatchObject({ ok: true });
    const a = await BundleScorer.open(w.path);
    const b = await BundleScorer.open(w.path, { engine: 'pipeline' });
    try {
      const sa = await a.scoreUnits(table);
      const sb = await b.scoreUnits(table);
      expect(sa[0]!.parts.lstm).toBeUndefined();
      expect(maxAbsDiff(sa.map((x) => x.probability), sb.map((x) => x.probability))).toBeLessThan(1e-5);
      expect(sa.map((x) => x.probability)).toEqual(sa.map((x) => x.parts.gbdt));
    } finally {
      await a.close();
      await b.close();
    }
    const n = await writeBundle({ ...gbdtOnly, pipeline: false }, join(dir, 'no-pipeline'));
    expect(n.files).not.toContain('models/pipeline.onnx');
    expect(n.manifest.pipeline).toBeNull();
    expect(await verifyBundle(n.path)).toMatchObject({ ok: true });
    await expect(BundleScorer.open(n.path, { engine: 'pipeline' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('bundleInputFromRun maps a stored run record', () => {
    const built = bundleInputFromRun(
      {
        record: {
          runId: 'r-1',
          seed: 9,
          datasetFingerprint: 'a'.repeat(64),
          backend: 'prognos-gbdt',
          config: { seed: 9 },
          result: { threshold: 0.3, weight: 1, metrics: { gbdt: { validation: { f2: 0.8 } } }, units: { train: 7, validation: 2, test: 3 } },
        },
        config: parseTrainConfig({ seed: 9, labelWindow: 25, historyWindow: 20 }),
        featureState: input.featureState,
        selected: input.selected,
        gbdt: input.gbdt,
        threshold: 0.3,
      },
      { appVersion: '1.2.3', columns: input.columns },
    );
    expect(built).toMatchObject({
      runId: 'r-1',
      seed: 9,
      labelWindow: 25,
      windowLength: 20,
      weight: 1,
      threshold: 0.3,
      backend: 'prognos-gbdt',
      units: { train: 7, validation: 2, test: 3 },
      metrics: { gbdt: { validation: { f2: 0.8 } } },
    });
    expect(built.lstm).toBeUndefined();
  });
});

describe('scoring short and long units with the shortest history the contract allows', () => {
  it('without EWMA features the pipeline engine sends at most minHistoryRows rows and still agrees', async () => {
    const run = await syntheticRun({ seed: 4, config: { models: ['gbdt'], features: { windows: [5, 10], include: { raw: true, diff: true, ewma: false, age: false, baseline: false } } } });
    const w = await writeBundle(run.input, join(dir, 'no-ewma'));
    expect(w.manifest.pipeline).toMatchObject({ requiresFullHistory: false, minHistoryRows: 39 });
    const cut = truncateUnits(run.table, (u) => [1, 2, 5, 9, 10, 11, 29, 30, 31, 39, 40, 500][u % 12]!);
    const ref = referenceScores(cut, { ...run.input, window: run.input.windowLength });
    const a = await BundleScorer.open(w.path);
    const b = await BundleScorer.open(w.path, { engine: 'pipeline' });
    try {
      const sa = await a.scoreUnits(cut);
      const sb = await b.scoreUnits(cut);
      expect(maxAbsDiff(sa.map((x) => x.probability), ref.probability)).toBeLessThan(1e-5);
      expect(maxAbsDiff(sb.map((x) => x.probability), ref.probability)).toBeLessThan(1e-5);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
