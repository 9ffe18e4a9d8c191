/**
 * Tampering with a bundle folder exactly as an attacker with write access would: edit manifest.json,
 * recompute SHA256SUMS so every checksum matches again, and re-sign with a key of their own (putting
 * their public key into the manifest), or strip the signature altogether.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatSums, parseSums, sha256Hex } from '../../src/main/core/export/checksums';

export interface Ed25519Pair {
  readonly privateKey: KeyObject;
  /** PKCS#8 PEM */
  readonly privatePem: string;
  /** SPKI PEM */
  readonly publicPem: string;
}

export function ed25519Pair(): Ed25519Pair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

type Manifest = Record<string, unknown> & { threshold: number; alert?: string; signature?: { algorithm: string; publicKey: string; file: string; signs: string } };

function editManifest(dir: string, edit: (m: Manifest) => void): void {
  const path = join(dir, 'manifest.json');
  const m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  edit(m);
  writeFileSync(path, `${JSON.stringify(m, null, 2)}\n`);
}

/** Rewrites SHA256SUMS over the files it lists, as they are now. */
function recomputeSums(dir: string): Buffer {
  const listed = parseSums(readFileSync(join(dir, 'SHA256SUMS'), 'utf8')).entries.map((e) => e.path);
  const sums = Buffer.from(formatSums(listed.map((path) => ({ path, sha256: sha256Hex(readFileSync(join(dir, ...path.split('/')))) }))));
  writeFileSync(join(dir, 'SHA256SUMS'), sums);
  return sums;
}

/** A copy of `src` with the alert threshold changed, sums recomputed and re-signed by `attacker`. */
export function forgeResigned(src: string, dest: string, attacker: Ed25519Pair, threshold: number): string {
  cpSync(src, dest, { recursive: true });
  editManifest(dest, (m) => {
    m.threshold = threshold;
    m.alert = `probability ≥ ${threshold}`;
    m.signature = { algorithm: 'Ed25519', publicKey: attacker.publicPem, file: 'SIGNATURE', signs: 'SHA256SUMS' };
  });
  const sums = recomputeSums(dest);
  writeFileSync(join(dest, 'SIGNATURE'), `${sign(null, sums, attacker.privateKey).toString('base64')}\n`);
  return dest;
}

/** A copy of `src` with the threshold changed, SIGNATURE removed, the manifest's signature entry stripped and sums recomputed. */
export function forgeUnsigned(src: string, dest: string, threshold: number): string {
  cpSync(src, dest, { recursive: true });
  rmSync(join(dest, 'SIGNATURE'), { force: true });
  editManifest(dest, (m) => {
    m.threshold = threshold;
    m.alert = `probability ≥ ${threshold}`;
    delete m.signature;
  });
  recomputeSums(dest);
  return dest;
}
