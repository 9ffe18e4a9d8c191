/**
 * The app's side of bundle trust (services behind the contract): every bundle in the library carries
 * its verdict; under the policy the forged bundles are refused on import and the untrusted ones
 * (the unsigned shipped demo included) are refused for scoring, naming why; nothing is written.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeFleet } from '../../../src/main/core/data/synth';
import { writeBundle } from '../../../src/main/core/export/bundle';
import { keyFingerprint } from '../../../src/main/core/export/signing';
import { AppServices } from '../../../src/main/services/app-services';
import { dispatch } from '../../../src/main/services/dispatch';
import { ed25519Pair, forgeResigned, forgeUnsigned, type Ed25519Pair } from '../../helpers/forge-bundle';
import { syntheticRun } from '../../helpers/onnx-fixtures';
import { BUILT_IMPORT_WORKER, BUILT_TRAIN_WORKER, REPO, requireBuild, tempDir } from '../../helpers/paths';

let services: AppServices;
let release: Ed25519Pair;
let releaseId: string;
let legit: string;
let resigned: string;
let stripped: string;
const fleet = synthesizeFleet({ units: 4, seed: 8, regimes: 1 });

beforeAll(async () => {
  requireBuild();
  const dir = tempDir();
  release = ed25519Pair();
  releaseId = keyFingerprint(release.privateKey);
  const run = await syntheticRun({ lstm: false, units: 10, seed: 4 });
  legit = (await writeBundle(run.input, join(dir, 'legit'), { signKey: release.privatePem })).path;
  resigned = forgeResigned(legit, join(dir, 'resigned'), ed25519Pair(), 0.001);
  stripped = forgeUnsigned(legit, join(dir, 'stripped'), 0.001);
  services = new AppServices({
    storeDir: tempDir(),
    mode: 'cli',
    importWorker: BUILT_IMPORT_WORKER,
    trainWorker: BUILT_TRAIN_WORKER,
    version: 'test',
    shippedBundles: resolve(REPO, 'resources', 'models'),
  });
});
afterAll(async () => {
  await services?.close();
});

const library = (): string[] => (existsSync(join(services.store.dir, 'bundles')) ? readdirSync(join(services.store.dir, 'bundles')).sort() : []);

describe('bundle trust in the app', () => {
  it('with an empty keyring the policy is off: the demo bundle is listed "unsigned" and scores', async () => {
    expect(await services.handlers['keys:list']({})).toEqual({ keys: [], policy: { setting: 'default', requireSigned: false, keys: 0 } });
    const demo = (await services.handlers['bundles:list']({})).find((b) => b.origin === 'shipped')!;
    expect(demo.trust).toMatchObject({ verdict: 'unsigned', summary: 'unsigned' });
    expect(demo.refused).toBeNull();
    const scores = await services.exports.scoreFleet({ kind: 'bundle', bundleId: demo.bundleId }, fleet);
    expect(scores.units).toHaveLength(4);
  });

  it('keys:add stores only the public key of a pasted private key and turns the policy on', async () => {
    const added = await services.handlers['keys:add']({ pem: release.privatePem, name: 'release' });
    expect(added.fromPrivateKey).toBe(true);
    expect(added.key).toMatchObject({ keyId: releaseId, name: 'release' });
    expect(added.key.publicKeyPem.trim()).toBe(release.publicPem.trim());
    expect(added.policy).toEqual({ setting: 'default', requireSigned: true, keys: 1 });
    const rsa = await dispatch(services.handlers, 'keys:add', { pem: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', name: 'bad' });
    expect(rsa).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(/key "bad": not a PEM public key/) as unknown } });
  });

  it('under the policy import refuses the re-signed and the stripped forgeries, naming why, and writes nothing', async () => {
    const before = library();
    const a = await dispatch(services.handlers, 'bundles:import', { source: { kind: 'path', path: resigned } });
    expect(a).toMatchObject({ ok: false, error: { code: 'BAD_FILE', message: expect.stringMatching(/resigned\/SIGNATURE: not signed by a trusted key \(signed by an unknown key [0-9a-f]{16} \(not in the keyring\)\)/) as unknown } });
    const b = await dispatch(services.handlers, 'bundles:import', { source: { kind: 'path', path: stripped } });
    expect(b).toMatchObject({ ok: false, error: { code: 'BAD_FILE', message: expect.stringMatching(/stripped\/SIGNATURE: not signed by a trusted key \(unsigned\); the trust policy requires one/) as unknown } });
    expect(library()).toEqual(before);
  });

  it('the legitimately signed bundle imports as "signed by trusted key" and scores', async () => {
    const entry = await services.exports.importBundle(legit, 'legit');
    expect(entry.trust).toMatchObject({ verdict: 'trusted', keyId: releaseId, keyName: 'release' });
    expect(entry.trust.summary).toBe(`signed by trusted key "release" (${releaseId.slice(0, 16)})`);
    expect(entry.refused).toBeNull();
    expect(await services.handlers['bundles:verify']({ bundleId: entry.bundleId })).toMatchObject({ ok: true, problems: [], trust: { verdict: 'trusted' } });
    expect((await services.exports.scoreFleet({ kind: 'bundle', bundleId: entry.bundleId }, fleet)).units).toHaveLength(4);
  });

  it('under the policy the unsigned demo bundle is listed with its reason and refused for scoring', async () => {
    const demo = (await services.handlers['bundles:list']({})).find((b) => b.origin === 'shipped')!;
    expect(demo.trust.verdict).toBe('unsigned');
    expect(demo.refused).toBe('not signed by a trusted key (unsigned); the trust policy requires one');
    await expect(services.exports.scoreFleet({ kind: 'bundle', bundleId: demo.bundleId }, fleet)).rejects.toMatchObject({
      code: 'BAD_FILE',
      message: expect.stringMatching(/SIGNATURE: not signed by a trusted key \(unsigned\)/) as unknown,
    });
    expect(await services.handlers['bundles:verify']({ bundleId: demo.bundleId })).toMatchObject({ ok: false, trust: { verdict: 'unsigned' } });
  });

  it('keys:remove makes the imported bundle "signed by an unknown key"; keys:policy allow-unsigned lets the demo score again', async () => {
    const removed = await services.handlers['keys:remove']({ keyId: releaseId.slice(0, 10) });
    expect(removed.key.keyId).toBe(releaseId);
    // an explicit policy survives an empty keyring
    expect(await services.handlers['keys:policy']({ setting: 'require-signed' })).toEqual({ setting: 'require-signed', requireSigned: true, keys: 0 });
    const imported = (await services.handlers['bundles:list']({})).find((b) => b.origin === 'imported')!;
    expect(imported.trust).toMatchObject({ verdict: 'unknown-key', keyId: releaseId, keyName: null });
    expect(imported.refused).toMatch(/signed by an unknown key/);
    expect(await services.handlers['keys:policy']({ setting: 'allow-unsigned' })).toMatchObject({ requireSigned: false });
    const demo = (await services.handlers['bundles:list']({})).find((b) => b.origin === 'shipped')!;
    expect(demo.refused).toBeNull();
    expect((await services.exports.scoreFleet({ kind: 'bundle', bundleId: demo.bundleId }, fleet)).units).toHaveLength(4);
  });
});
