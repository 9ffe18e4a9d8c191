/**
 * What a bundle's signature proves, judged against the keyring the site chose (the store's trusted
 * keys), never against anything the bundle carries. The public key named in manifest.json is only a
 * claim: it can tell "signed by a key we don't know" from "a signature that matches nothing", but it
 * never makes a bundle trusted.
 *
 *   trusted        SIGNATURE verifies SHA256SUMS with a key in the keyring
 *   unknown-key    SIGNATURE verifies only with the key manifest.json names, which is not in the keyring
 *   bad-signature  SIGNATURE verifies with no key at all (tampered, or signed over other sums)
 *   unsigned       no SIGNATURE file
 */
import type { KeyObject } from 'node:crypto';
import { keyFingerprint, parsePublicKey, shortFingerprint, verifyBase64 } from './signing';

export type TrustVerdict = 'trusted' | 'unknown-key' | 'unsigned' | 'bad-signature';

/** A key of the keyring. */
export interface TrustedKey {
  /** the fingerprint: SHA-256 of the SPKI DER, hex */
  readonly keyId: string;
  readonly name: string;
  /** SPKI PEM */
  readonly publicKeyPem: string;
}

export interface BundleTrust {
  readonly verdict: TrustVerdict;
  /** the key that verified the signature (trusted or unknown), else null */
  readonly keyId: string | null;
  /** the keyring's name for the key (trusted only), else null */
  readonly keyName: string | null;
  /** the fingerprint of the key manifest.json names, when it names a readable one */
  readonly claimedKeyId: string | null;
  /** what was proven, in one sentence */
  readonly summary: string;
}

function fingerprintOf(pem: string | undefined): { key: KeyObject; id: string } | null {
  if (pem === undefined) return null;
  const key = parsePublicKey(pem);
  if (key === null || key.asymmetricKeyType !== 'ed25519') return null;
  return { key, id: keyFingerprint(key) };
}

/** One sentence saying what the verdict proves. */
export function trustSummary(t: Pick<BundleTrust, 'verdict' | 'keyId' | 'keyName' | 'claimedKeyId'>): string {
  switch (t.verdict) {
    case 'trusted':
      return `signed by trusted key "${t.keyName ?? ''}" (${shortFingerprint(t.keyId ?? '')})`;
    case 'unknown-key':
      return `signed by an unknown key ${shortFingerprint(t.keyId ?? '')} (not in the keyring)`;
    case 'unsigned':
      return 'unsigned';
    case 'bad-signature':
      return `bad signature: SIGNATURE does not verify SHA256SUMS with any key${t.claimedKeyId === null ? '' : ` (claims to be signed by ${shortFingerprint(t.claimedKeyId)})`}`;
  }
}

/**
 * Judges a bundle's signature. `sums` is SHA256SUMS as stored, `signature` the SIGNATURE file (if
 * any), `claimedKeyPem` the public key manifest.json names (if any), `keyring` the trusted keys.
 */
export function assessTrust(
  sums: Uint8Array | undefined,
  signature: Uint8Array | undefined,
  claimedKeyPem: string | undefined,
  keyring: readonly TrustedKey[],
): BundleTrust {
  const claimed = fingerprintOf(claimedKeyPem);
  const claimedKeyId = claimed?.id ?? null;
  const make = (verdict: TrustVerdict, keyId: string | null, keyName: string | null): BundleTrust => ({
    verdict,
    keyId,
    keyName,
    claimedKeyId,
    summary: trustSummary({ verdict, keyId, keyName, claimedKeyId }),
  });
  if (signature === undefined) return make('unsigned', null, null);
  const text = Buffer.from(signature).toString('utf8');
  if (sums !== undefined) {
    for (const k of keyring) {
      const key = parsePublicKey(k.publicKeyPem);
      if (key !== null && verifyBase64(sums, text, key)) return make('trusted', keyFingerprint(key), k.name);
    }
    if (claimed !== null && verifyBase64(sums, text, claimed.key)) return make('unknown-key', claimed.id, null);
  }
  return make('bad-signature', null, null);
}
