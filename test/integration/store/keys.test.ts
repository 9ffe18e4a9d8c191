/** The keyring and the trust policy in the store. */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ExperimentStore } from '../../../src/main/core/store/store';
import { rawConnection, tempDir } from './helpers';

const pem = () => {
  const k = generateKeyPairSync('ed25519');
  return { pub: k.publicKey.export({ type: 'spki', format: 'pem' }).toString(), priv: k.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
};

describe('keyring', () => {
  it('adds, lists, finds by unique prefix and removes keys; a private key is stored as its public key', () => {
    const store = ExperimentStore.open(tempDir());
    const a = pem();
    const b = pem();
    const added = store.addTrustedKey(a.priv, ' release ', 'a.pem');
    expect(added.fromPrivateKey).toBe(true);
    expect(added.key.name).toBe('release');
    expect(added.key.publicKeyPem.trim()).toBe(a.pub.trim());
    store.addTrustedKey(b.pub, 'ops', 'b.pem');
    expect(store.trustedKeys().map((k) => k.name).sort()).toEqual(['ops', 'release']);
    const raw = rawConnection(store.dbPath);
    expect(raw.prepare("SELECT count(*) AS n FROM trusted_keys WHERE public_key_pem LIKE '%PRIVATE%'").get()).toEqual({ n: 0 });
    raw.close();

    expect(() => store.addTrustedKey(a.pub, 'again', 'c.pem')).toThrow(/c\.pem: this key \([0-9a-f]{16}\) is in the keyring already, as "release"/);
    expect(() => store.addTrustedKey(b.pub, '   ', 'd.pem')).toThrow(/d\.pem: the key needs a name/);
    expect(() => store.addTrustedKey(pem().pub, 'two\nlines', 'e.pem')).toThrow(/one line/);
    expect(() => store.removeTrustedKey('xyz!')).toThrow(/not a key fingerprint/);
    expect(() => store.removeTrustedKey('abc')).toThrow(/not a key fingerprint/);
    expect(() => store.removeTrustedKey('0000000000')).toThrow(/No trusted key/);

    const id = added.key.keyId;
    expect(store.removeTrustedKey(id.slice(0, 12).toUpperCase()).name).toBe('release');
    expect(store.trustedKeys().map((k) => k.name)).toEqual(['ops']);
    store.close();
  });

  it('an ambiguous prefix is refused, naming the candidates', () => {
    const store = ExperimentStore.open(tempDir());
    // add keys until two fingerprints share their first 4 hex digits (a few hundred, by the birthday bound)
    const seen = new Map<string, string>();
    let prefix: string | undefined;
    for (let i = 0; i < 2000 && prefix === undefined; i++) {
      const k = pem().pub;
      const id = store.addTrustedKey(k, `k${i}`, 'k.pem').key.keyId;
      const p = id.slice(0, 4);
      if (seen.has(p)) prefix = p;
      else seen.set(p, id);
    }
    expect(prefix).toBeDefined();
    expect(() => store.removeTrustedKey(prefix!)).toThrow(/matches 2 keys/);
    store.close();
  });

  it('the trust policy: default follows the keyring, an explicit setting stays, an unknown value reads as strict', () => {
    const dir = tempDir();
    const store = ExperimentStore.open(dir);
    expect(store.trustPolicy()).toEqual({ setting: 'default', requireSigned: false, keys: 0 });
    const k = store.addTrustedKey(pem().pub, 'release', 'k.pem').key;
    expect(store.trustPolicy()).toEqual({ setting: 'default', requireSigned: true, keys: 1 });
    expect(store.setTrustPolicy('allow-unsigned')).toEqual({ setting: 'allow-unsigned', requireSigned: false, keys: 1 });
    store.removeTrustedKey(k.keyId);
    expect(store.setTrustPolicy('require-signed')).toEqual({ setting: 'require-signed', requireSigned: true, keys: 0 });
    store.close();
    const reopened = ExperimentStore.open(dir);
    expect(reopened.trustPolicy().setting).toBe('require-signed');
    const raw = rawConnection(reopened.dbPath);
    raw.prepare("UPDATE settings SET value = 'whatever' WHERE key = 'trust_policy'").run();
    raw.close();
    expect(reopened.trustPolicy()).toEqual({ setting: 'require-signed', requireSigned: true, keys: 0 });
    reopened.close();
  });
});
