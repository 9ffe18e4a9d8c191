/**
 * Ed25519 signatures over SHA256SUMS (node:crypto). The signature file holds the base64 signature;
 * the signer's public key (SPKI PEM) goes into the manifest, which SHA256SUMS covers. That embedded
 * key only says who claims to have signed: trust comes from the store's keyring (see trust.ts).
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PrognosError } from '../../../shared/errors';

export const SIGNATURE_FILE = 'SIGNATURE';
export const SIGNATURE_ALGORITHM = 'Ed25519';

/** A PEM private key given as text, or the path of a file holding one. */
export function loadSigningKey(keyOrPath: string): KeyObject {
  let pem = keyOrPath;
  if (!keyOrPath.includes('-----BEGIN')) {
    try {
      pem = readFileSync(keyOrPath, 'utf8');
    } catch (e) {
      throw new PrognosError('INVALID_INPUT', `cannot read the signing key ${keyOrPath}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (e) {
    throw new PrognosError('INVALID_INPUT', `the signing key is not a PEM private key (${e instanceof Error ? e.message : String(e)})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new PrognosError('INVALID_INPUT', `the signing key is ${key.asymmetricKeyType ?? 'unknown'}, Ed25519 is needed`);
  }
  return key;
}

export function publicKeyPem(key: KeyObject): string {
  return createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
}

export function signBase64(data: Uint8Array, key: KeyObject): string {
  return sign(null, data, key).toString('base64');
}

/** A public key as PEM (SPKI) text or a private key from which it derives; null when unreadable. */
export function parsePublicKey(pem: string): KeyObject | null {
  try {
    return createPublicKey(pem);
  } catch {
    return null;
  }
}

export function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  return a.export({ type: 'spki', format: 'der' }).equals(b.export({ type: 'spki', format: 'der' }));
}

export function verifyBase64(data: Uint8Array, signature: string, key: KeyObject): boolean {
  const text = signature.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return false;
  try {
    return verify(null, data, key, Buffer.from(text, 'base64'));
  } catch {
    return false;
  }
}

/** A key's fingerprint: SHA-256 of its SPKI DER encoding, 64 lowercase hex digits. */
export function keyFingerprint(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** The fingerprint as shown to people: its first 16 hex digits. */
export function shortFingerprint(fingerprint: string): string {
  return fingerprint.slice(0, 16);
}

export interface ParsedPublicKey {
  readonly key: KeyObject;
  readonly pem: string;
  readonly fingerprint: string;
  /** true when the text held a private key and the public key was derived from it */
  readonly fromPrivateKey: boolean;
}

/**
 * An Ed25519 public key from PEM text: an SPKI public key, or a private key from which the public
 * key is derived (the private key itself is not kept). Throws INVALID_INPUT naming `source`.
 */
export function parseEd25519PublicKey(text: string, source: string): ParsedPublicKey {
  if (!text.includes('-----BEGIN')) throw new PrognosError('INVALID_INPUT', `${source}: not a PEM key (no "-----BEGIN" line)`);
  let key: KeyObject;
  let fromPrivateKey = false;
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    try {
      key = createPublicKey(createPrivateKey(text));
      fromPrivateKey = true;
    } catch (e) {
      throw new PrognosError('INVALID_INPUT', `${source}: the private key cannot be read (${e instanceof Error ? e.message : String(e)})`);
    }
  } else {
    try {
      key = createPublicKey(text);
    } catch (e) {
      throw new PrognosError('INVALID_INPUT', `${source}: not a PEM public key (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new PrognosError('INVALID_INPUT', `${source}: the key is ${key.asymmetricKeyType ?? 'of an unknown type'}, Ed25519 is needed`);
  }
  return { key, pem: key.export({ type: 'spki', format: 'pem' }).toString(), fingerprint: keyFingerprint(key), fromPrivateKey };
}
