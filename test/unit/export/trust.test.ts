/** The trust verdict: only a keyring key makes a bundle trusted; the key a bundle names is a claim. */
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyFingerprint, parseEd25519PublicKey, shortFingerprint } from '../../../src/main/core/export/signing';
import { assessTrust, type TrustedKey } from '../../../src/main/core/export/trust';

const pair = () => {
  const k = generateKeyPairSync('ed25519');
  return { priv: k.privateKey, pub: k.publicKey.export({ type: 'spki', format: 'pem' }).toString(), id: keyFingerprint(k.publicKey) };
};
const entry = (pub: string, name: string): TrustedKey => {
  const p = parseEd25519PublicKey(pub, name);
  return { keyId: p.fingerprint, name, publicKeyPem: p.pem };
};
const sums = Buffer.from('aa  manifest.json\nbb  models/gbdt.onnx\n');
const sig = (data: Uint8Array, k: ReturnType<typeof pair>) => Buffer.from(`${sign(null, data, k.priv).toString('base64')}\n`);

describe('assessTrust', () => {
  const release = pair();
  const ops = pair();
  const attacker = pair();

  it('trusted: the signature verifies with a keyring key (whichever one of several)', () => {
    const t = assessTrust(sums, sig(sums, release), release.pub, [entry(ops.pub, 'ops'), entry(release.pub, 'release')]);
    expect(t).toEqual({
      verdict: 'trusted',
      keyId: release.id,
      keyName: 'release',
      claimedKeyId: release.id,
      summary: `signed by trusted key "release" (${shortFingerprint(release.id)})`,
    });
  });

  it('a keyring key vouches even when the manifest names another key; the claim is still reported', () => {
    const t = assessTrust(sums, sig(sums, release), attacker.pub, [entry(release.pub, 'release')]);
    expect(t).toMatchObject({ verdict: 'trusted', keyId: release.id, claimedKeyId: attacker.id });
  });

  it('unknown-key: the manifest names the signer, which is not in the keyring — never trusted', () => {
    const t = assessTrust(sums, sig(sums, attacker), attacker.pub, [entry(release.pub, 'release')]);
    expect(t).toMatchObject({ verdict: 'unknown-key', keyId: attacker.id, keyName: null, claimedKeyId: attacker.id });
    expect(t.summary).toBe(`signed by an unknown key ${shortFingerprint(attacker.id)} (not in the keyring)`);
    expect(assessTrust(sums, sig(sums, attacker), attacker.pub, []).verdict).toBe('unknown-key');
  });

  it('bad-signature: sums changed after signing, a signature by a key nobody names, or garbage', () => {
    const changed = Buffer.from(`${sums.toString()}cc  extra\n`);
    expect(assessTrust(changed, sig(sums, release), release.pub, [entry(release.pub, 'release')])).toMatchObject({ verdict: 'bad-signature', keyId: null, claimedKeyId: release.id });
    expect(assessTrust(sums, sig(sums, attacker), release.pub, []).verdict).toBe('bad-signature');
    expect(assessTrust(sums, Buffer.from('not base64 at all!'), release.pub, [entry(release.pub, 'release')]).verdict).toBe('bad-signature');
    expect(assessTrust(sums, sig(sums, release), 'not a key', []).summary).toBe('bad signature: SIGNATURE does not verify SHA256SUMS with any key');
    expect(assessTrust(undefined, sig(sums, release), release.pub, [entry(release.pub, 'release')]).verdict).toBe('bad-signature');
  });

  it('unsigned: no SIGNATURE, whatever the manifest claims', () => {
    expect(assessTrust(sums, undefined, release.pub, [entry(release.pub, 'release')])).toEqual({
      verdict: 'unsigned',
      keyId: null,
      keyName: null,
      claimedKeyId: release.id,
      summary: 'unsigned',
    });
  });
});

describe('parseEd25519PublicKey', () => {
  it('takes an SPKI public key or derives it from a private key; refuses other key types and junk, naming the source', () => {
    const k = generateKeyPairSync('ed25519');
    const pub = parseEd25519PublicKey(k.publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'a.pem');
    const fromPriv = parseEd25519PublicKey(k.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'b.pem');
    expect(pub.fromPrivateKey).toBe(false);
    expect(fromPriv.fromPrivateKey).toBe(true);
    expect(fromPriv.fingerprint).toBe(pub.fingerprint);
    expect(fromPriv.pem).toBe(pub.pem);
    expect(fromPriv.pem).not.toMatch(/PRIVATE/);
    expect(pub.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => parseEd25519PublicKey(rsa, 'rsa.pem')).toThrow(/rsa\.pem: the key is rsa, Ed25519 is needed/);
    expect(() => parseEd25519PublicKey('hello', 'junk.pem')).toThrow(/junk\.pem: not a PEM key/);
    expect(() => parseEd25519PublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', 'cut.pem')).toThrow(/cut\.pem: not a PEM public key/);
  });
});
