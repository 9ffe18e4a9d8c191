/**
 * The keyring (trusted Ed25519 public keys that vouch for bundles) and the trust policy setting.
 * Keys are stored as SPKI PEM under their fingerprint (SHA-256 of the SPKI DER); a private key given
 * to `addTrustedKey` is reduced to its public key first, so no private key ever reaches the store.
 */
import type Database from 'better-sqlite3';
import { PrognosError } from '../../../shared/errors';
import { parseEd25519PublicKey, shortFingerprint } from '../export/signing';
import type { TrustedKey } from '../export/trust';

export interface KeyRecord extends TrustedKey {
  readonly addedAt: string;
}

export const TRUST_POLICY_SETTINGS = ['default', 'require-signed', 'allow-unsigned'] as const;
export type TrustPolicySetting = (typeof TRUST_POLICY_SETTINGS)[number];

export interface TrustPolicy {
  /** what the store says: 'default' follows the keyring */
  readonly setting: TrustPolicySetting;
  /** in force now: only bundles signed by a trusted key are accepted */
  readonly requireSigned: boolean;
  readonly keys: number;
}

export interface AddedKey {
  readonly key: KeyRecord;
  /** the text held a private key; only the public key derived from it was stored */
  readonly fromPrivateKey: boolean;
}

const MAX_NAME = 200;

interface KeyRow {
  key_id: string;
  name: string;
  public_key_pem: string;
  added_at: string;
}

const toRecord = (r: KeyRow): KeyRecord => ({ keyId: r.key_id, name: r.name, publicKeyPem: r.public_key_pem, addedAt: r.added_at });

/** Oldest first. */
export function listTrustedKeys(db: Database.Database): KeyRecord[] {
  return db.prepare<[], KeyRow>('SELECT key_id, name, public_key_pem, added_at FROM trusted_keys ORDER BY added_at, key_id').all().map(toRecord);
}

/**
 * Adds the Ed25519 public key in `pem` (or the public key of a private key) under `name`.
 * INVALID_INPUT naming `source` for anything that is not an Ed25519 key; CONFLICT when the key
 * is in the keyring already.
 */
export function addTrustedKey(db: Database.Database, pem: string, name: string, source: string, now: () => string = () => new Date().toISOString()): AddedKey {
  const parsed = parseEd25519PublicKey(pem, source);
  const cleanName = name.trim();
  if (cleanName.length === 0) throw new PrognosError('INVALID_INPUT', `${source}: the key needs a name`);
  if (cleanName.length > MAX_NAME || [...cleanName].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    throw new PrognosError('INVALID_INPUT', `${source}: the key name must be one line of at most ${MAX_NAME} characters`);
  }
  const existing = db.prepare<[string], KeyRow>('SELECT key_id, name, public_key_pem, added_at FROM trusted_keys WHERE key_id = ?').get(parsed.fingerprint);
  if (existing !== undefined) {
    throw new PrognosError('CONFLICT', `${source}: this key (${shortFingerprint(parsed.fingerprint)}) is in the keyring already, as "${existing.name}"`);
  }
  const record: KeyRecord = { keyId: parsed.fingerprint, name: cleanName, publicKeyPem: parsed.pem, addedAt: now() };
  db.prepare('INSERT INTO trusted_keys (key_id, name, public_key_pem, added_at) VALUES (?, ?, ?, ?)').run(record.keyId, record.name, record.publicKeyPem, record.addedAt);
  return { key: record, fromPrivateKey: parsed.fromPrivateKey };
}

/** Finds one key by its fingerprint or a unique prefix of it (at least 4 hex digits). */
export function findTrustedKey(db: Database.Database, idOrPrefix: string): KeyRecord {
  const wanted = idOrPrefix.trim().toLowerCase();
  if (!/^[0-9a-f]{4,64}$/.test(wanted)) {
    throw new PrognosError('INVALID_INPUT', `"${idOrPrefix}" is not a key fingerprint (4 to 64 hex digits, as \`prognos keys list\` shows)`);
  }
  const hits = listTrustedKeys(db).filter((k) => k.keyId.startsWith(wanted));
  if (hits.length === 0) throw new PrognosError('NOT_FOUND', `No trusted key ${idOrPrefix}.`);
  if (hits.length > 1) {
    throw new PrognosError('INVALID_INPUT', `"${idOrPrefix}" matches ${hits.length} keys (${hits.map((k) => shortFingerprint(k.keyId)).join(', ')}); give more digits`);
  }
  return hits[0]!;
}

/** Removes one key (fingerprint or unique prefix) and returns it. */
export function removeTrustedKey(db: Database.Database, idOrPrefix: string): KeyRecord {
  const key = findTrustedKey(db, idOrPrefix);
  db.prepare('DELETE FROM trusted_keys WHERE key_id = ?').run(key.keyId);
  return key;
}

function isSetting(v: string): v is TrustPolicySetting {
  return (TRUST_POLICY_SETTINGS as readonly string[]).includes(v);
}

export function trustPolicy(db: Database.Database): TrustPolicy {
  const row = db.prepare<[], { value: string }>("SELECT value FROM settings WHERE key = 'trust_policy'").get();
  // an unknown value (written by hand) is read as the strictest choice, never as "allow"
  const setting: TrustPolicySetting = row === undefined ? 'default' : isSetting(row.value) ? row.value : 'require-signed';
  const keys = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM trusted_keys').get()!.n;
  const requireSigned = setting === 'require-signed' || (setting === 'default' && keys > 0);
  return { setting, requireSigned, keys };
}

export function setTrustPolicy(db: Database.Database, setting: TrustPolicySetting): TrustPolicy {
  if (!isSetting(setting)) throw new PrognosError('INVALID_INPUT', `trust policy must be one of ${TRUST_POLICY_SETTINGS.join(', ')}, got "${String(setting)}"`);
  db.prepare("INSERT INTO settings (key, value) VALUES ('trust_policy', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(setting);
  return trustPolicy(db);
}
