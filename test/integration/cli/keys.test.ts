/**
 * The keyring and trust policy from the CLI, attacked as an attacker would: a bundle whose threshold
 * was changed, SHA256SUMS recomputed and re-signed with the attacker's own key (their public key put
 * into the manifest), and a copy with the signature stripped. Runs the built CLI (out/main/cli.js).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeBundle } from '../../../src/main/core/export/bundle';
import { keyFingerprint } from '../../../src/main/core/export/signing';
import { ed25519Pair, forgeResigned, forgeUnsigned, type Ed25519Pair } from '../../helpers/forge-bundle';
import { syntheticRun } from '../../helpers/onnx-fixtures';
import { CLI, requireBuild, tempDir } from '../../helpers/paths';

let store: string;
let dir: string;
let release: Ed25519Pair;
let attacker: Ed25519Pair;
let releaseId: string;
let attackerId: string;
let legit: string;
let resigned: string;
let stripped: string;
let data: string;

const prognos = (...args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args, '--store', store], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
};
const json = <T>(...args: string[]): { code: number; value: T; stderr: string } => {
  const r = prognos(...args, '--json');
  return { code: r.code, value: JSON.parse(r.stdout) as T, stderr: r.stderr };
};
type Trust = { verdict: string; keyId: string | null; keyName: string | null; claimedKeyId: string | null; summary: string };
type Verify = { ok: boolean; problems: { file: string; reason: string }[]; trust: Trust | null; requireSigned: boolean };
type Predict = { threshold: number; trust?: Trust; units: { unit: number; alert: boolean }[] };
type KeyList = { keys: { keyId: string; name: string; publicKeyPem: string }[]; policy: { setting: string; requireSigned: boolean; keys: number } };

beforeAll(async () => {
  requireBuild();
  store = tempDir();
  dir = tempDir();
  release = ed25519Pair();
  attacker = ed25519Pair();
  releaseId = keyFingerprint(release.privateKey);
  attackerId = keyFingerprint(attacker.privateKey);
  const run = await syntheticRun({ lstm: false, units: 10, seed: 4 });
  legit = (await writeBundle(run.input, join(dir, 'legit'), { signKey: release.privatePem })).path;
  resigned = forgeResigned(legit, join(dir, 'resigned'), attacker, 0.001);
  stripped = forgeUnsigned(legit, join(dir, 'stripped'), 0.001);
  data = join(dir, 'fleet.txt');
  expect(prognos('synth', '--units', '4', '--seed', '8', '--out', data).code).toBe(0);
});

describe('keys and the trust policy', () => {
  it('without a keyring: the verdicts are reported, nothing counts as trusted, and the policy is off', () => {
    const empty = json<KeyList>('keys', 'list');
    expect(empty.value).toEqual({ keys: [], policy: { setting: 'default', requireSigned: false, keys: 0 } });
    const v = json<Verify>('verify', '--bundle', resigned);
    expect(v.code).toBe(0);
    // the forged bundle is consistent in itself, and still not trusted: its key is only a claim
    expect(v.value.trust).toMatchObject({ verdict: 'unknown-key', keyId: attackerId, claimedKeyId: attackerId, keyName: null });
    const text = prognos('verify', '--bundle', stripped);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/OK — every checksum verified; unsigned\./);
    // --require-signed asks for a trusted key even with the policy off
    const r = prognos('verify', '--bundle', legit, '--require-signed');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`signed by an unknown key ${releaseId.slice(0, 16)}`);
  });

  it('keys add takes a private key, stores only its public key, and turns the policy on', () => {
    const keyFile = join(dir, 'release.key.pem');
    writeFileSync(keyFile, release.privatePem);
    const added = prognos('keys', 'add', keyFile, '--name', 'release');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('holds a private key: only the public key derived from it was stored');
    const list = json<KeyList>('keys', 'list').value;
    expect(list.keys).toHaveLength(1);
    expect(list.keys[0]).toMatchObject({ keyId: releaseId, name: 'release' });
    expect(list.keys[0]!.publicKeyPem.trim()).toBe(release.publicPem.trim());
    // the private key's body is nowhere in the store's files (database and WAL)
    const secret = release.privatePem.split('\n')[1]!;
    for (const f of readdirSync(store)) if (statSync(join(store, f)).isFile()) expect(readFileSync(join(store, f)).includes(secret), f).toBe(false);
    expect(readdirSync(store)).toContain('prognos.db');
    expect(list.policy).toEqual({ setting: 'default', requireSigned: true, keys: 1 });
    const again = prognos('keys', 'add', keyFile);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is in the keyring already, as "release"/);
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'hello');
    expect(prognos('keys', 'add', junk).stderr).toMatch(/junk\.pem: not a PEM key/);
  });

  it('under the policy the legitimately signed bundle passes as "signed by trusted key"', () => {
    const v = json<Verify>('verify', '--bundle', legit);
    expect(v.code).toBe(0);
    expect(v.value.trust).toMatchObject({ verdict: 'trusted', keyId: releaseId, keyName: 'release' });
    expect(prognos('verify', '--bundle', legit).stdout).toContain(`signed by trusted key "release" (${releaseId.slice(0, 16)})`);
    const p = json<Predict>('predict', '--bundle', legit, '--data', data);
    expect(p.code).toBe(0);
    expect(p.value.trust).toMatchObject({ verdict: 'trusted', keyName: 'release' });
    expect(p.value.units).toHaveLength(4);
  });

  it('under the policy verify and predict refuse the re-signed and the stripped forgeries, naming why', () => {
    const v = json<Verify>('verify', '--bundle', resigned);
    expect(v.code).toBe(1);
    expect(v.value.ok).toBe(false);
    expect(v.value.trust).toMatchObject({ verdict: 'unknown-key', keyId: attackerId });
    expect(v.value.problems).toEqual([
      { file: 'SIGNATURE', reason: `not signed by a trusted key (signed by an unknown key ${attackerId.slice(0, 16)} (not in the keyring)); the trust policy requires one` },
    ]);
    const s = prognos('verify', '--bundle', stripped);
    expect(s.code).toBe(1);
    expect(s.stdout).toMatch(/REFUSED — unsigned\n\s+SIGNATURE: not signed by a trusted key \(unsigned\); the trust policy requires one/);
    for (const forged of [resigned, stripped]) {
      const p = prognos('predict', '--bundle', forged, '--data', data);
      expect(p.code).toBe(1);
      expect(p.stdout).toBe('');
      expect(p.stderr).toMatch(/SIGNATURE: not signed by a trusted key \((signed by an unknown key|unsigned)/);
    }
  });

  it('allow-unsigned accepts the forgeries with their verdict; --require-signed still refuses them', () => {
    expect(json<KeyList['policy']>('keys', 'policy', 'allow-unsigned').value).toEqual({ setting: 'allow-unsigned', requireSigned: false, keys: 1 });
    const p = json<Predict>('predict', '--bundle', resigned, '--data', data);
    expect(p.code).toBe(0);
    expect(p.value.threshold).toBe(0.001);
    expect(p.value.trust?.verdict).toBe('unknown-key');
    expect(prognos('predict', '--bundle', resigned, '--data', data, '--require-signed').code).toBe(1);
    expect(prognos('verify', '--bundle', stripped, '--require-signed').code).toBe(1);
    expect(prognos('keys', 'policy', 'sometimes').stderr).toMatch(/"sometimes" is not one of default, require-signed, allow-unsigned/);
    expect(json<KeyList['policy']>('keys', 'policy', 'default').value.requireSigned).toBe(true);
  });

  it('keys remove (by a unique prefix) makes the legitimate bundle "signed by an unknown key"', () => {
    const r = prognos('keys', 'remove', releaseId.slice(0, 8));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Removed trusted key "release"');
    expect(prognos('keys', 'remove', releaseId.slice(0, 8)).stderr).toMatch(/No trusted key/);
    const v = json<Verify>('verify', '--bundle', legit, '--require-signed');
    expect(v.code).toBe(1);
    expect(v.value.trust).toMatchObject({ verdict: 'unknown-key', keyId: releaseId, keyName: null });
  });
});
