/**
 * API keys for the model server. The file (`--api-keys FILE`) is either JSON or lines:
 *
 *   # comment
 *   NAME:KEY            a key
 *   NAME:KEY:admin      a key that may also reload the bundle (POST /admin/reload)
 *
 *   { "salt": "HEX", "keys": [ { "name": "NAME", "sha256": "HEX", "admin": true }, { "name": "N2", "key": "KEY" } ] }
 *
 * In JSON a key is given as `key` (the key itself) or `sha256` (hex SHA-256 of the salt's bytes
 * followed by the key's UTF-8 bytes, so the file need not hold the key at all). The server keeps only
 * salted SHA-256 digests in memory (plain keys are hashed with a random salt on load) and compares
 * digests in constant time. Keys are at least 16 characters; names are unique.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { badFile, PrognosError, type FileIssue } from '../../shared/errors';

export interface ApiKey {
  /** the key's id in logs and the prediction log (never the key) */
  readonly name: string;
  readonly admin: boolean;
}

interface StoredKey extends ApiKey {
  readonly salt: Buffer;
  readonly digest: Buffer;
}

export const MIN_KEY_LENGTH = 16;

function digestOf(salt: Buffer, key: string): Buffer {
  return createHash('sha256').update(salt).update(key, 'utf8').digest();
}

export class ApiKeys {
  private constructor(private readonly keys: readonly StoredKey[]) {}

  get size(): number {
    return this.keys.length;
  }

  /** The key the presented secret matches, or undefined. Every stored key is compared (constant time each). */
  match(presented: string): ApiKey | undefined {
    let found: StoredKey | undefined;
    for (const k of this.keys) {
      if (timingSafeEqual(digestOf(k.salt, presented), k.digest) && found === undefined) found = k;
    }
    return found === undefined ? undefined : { name: found.name, admin: found.admin };
  }

  /** Reads and checks a key file; bad entries are BAD_FILE naming the file, line and reason. */
  static load(file: string): ApiKeys {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new PrognosError('NOT_FOUND', `--api-keys ${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)}).`);
    }
    return ApiKeys.parse(text, basename(file));
  }

  static parse(text: string, fileName: string): ApiKeys {
    const issues: FileIssue[] = [];
    const keys: StoredKey[] = [];
    const fileSalt = randomBytes(16);
    const add = (line: number | undefined, name: unknown, key: unknown, sha256: unknown, admin: unknown, salt: Buffer | undefined): void => {
      const at = line === undefined ? {} : { line };
      if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
        issues.push({ file: fileName, ...at, reason: 'a key needs a name of 1-64 letters, digits, "_", "." or "-"' });
        return;
      }
      if (keys.some((k) => k.name === name)) {
        issues.push({ file: fileName, ...at, column: name, reason: `the name ${name} is used twice` });
        return;
      }
      if (admin !== undefined && typeof admin !== 'boolean') {
        issues.push({ file: fileName, ...at, column: name, reason: 'admin must be true or false' });
        return;
      }
      if (typeof key === 'string') {
        if (key.length < MIN_KEY_LENGTH) {
          issues.push({ file: fileName, ...at, column: name, reason: `the key is shorter than ${MIN_KEY_LENGTH} characters` });
          return;
        }
        keys.push({ name, admin: admin === true, salt: fileSalt, digest: digestOf(fileSalt, key) });
      } else if (typeof sha256 === 'string' && salt !== undefined) {
        if (!/^[0-9a-f]{64}$/.test(sha256)) {
          issues.push({ file: fileName, ...at, column: name, reason: 'sha256 must be 64 lowercase hex digits' });
          return;
        }
        keys.push({ name, admin: admin === true, salt, digest: Buffer.from(sha256, 'hex') });
      } else {
        issues.push({ file: fileName, ...at, column: name, reason: salt === undefined && sha256 !== undefined ? 'sha256 needs the file\'s "salt"' : 'a key needs "key" or "sha256"' });
      }
    };

    const trimmed = text.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      let doc: unknown;
      try {
        doc = JSON.parse(trimmed);
      } catch (e) {
        throw badFile([{ file: fileName, reason: `not valid JSON: ${(e as Error).message}` }]);
      }
      const obj = Array.isArray(doc) ? { keys: doc } : (doc as Record<string, unknown>);
      const saltHex = obj.salt;
      let salt: Buffer | undefined;
      if (saltHex !== undefined) {
        if (typeof saltHex !== 'string' || !/^([0-9a-f]{2}){8,}$/.test(saltHex)) throw badFile([{ file: fileName, column: 'salt', reason: 'salt must be at least 16 lowercase hex digits' }]);
        salt = Buffer.from(saltHex, 'hex');
      }
      if (!Array.isArray(obj.keys)) throw badFile([{ file: fileName, column: 'keys', reason: 'expected "keys": an array of { name, key | sha256, admin? }' }]);
      for (const entry of obj.keys as unknown[]) {
        const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
        add(undefined, e.name, e.key, e.sha256, e.admin, salt);
      }
    } else {
      text.split(/\r?\n/).forEach((raw, i) => {
        const line = raw.trim();
        if (line === '' || line.startsWith('#')) return;
        const first = line.indexOf(':');
        if (first < 0) {
          issues.push({ file: fileName, line: i + 1, reason: 'expected NAME:KEY or NAME:KEY:admin' });
          return;
        }
        const name = line.slice(0, first);
        let key = line.slice(first + 1);
        let admin = false;
        if (key.endsWith(':admin')) {
          key = key.slice(0, -':admin'.length);
          admin = true;
        }
        add(i + 1, name, key, undefined, admin, undefined);
      });
    }
    if (issues.length > 0) throw badFile(issues);
    if (keys.length === 0) throw badFile([{ file: fileName, reason: 'the file holds no keys' }]);
    return new ApiKeys(keys);
  }
}

/** The key a request presents: `Authorization: Bearer KEY` or `X-API-Key: KEY`. */
export function presentedKey(headers: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m !== null) return m[1];
  }
  const x = headers['x-api-key'];
  return typeof x === 'string' && x !== '' ? x : undefined;
}

/** Per-key token buckets: `perSecond` tokens refill each second up to `burst`. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** 0 when the request may go ahead (a token is taken), else the seconds until a token is free */
  take(id: string): number {
    if (this.perSecond <= 0) return 0;
    const t = this.now();
    const b = this.buckets.get(id) ?? { tokens: this.burst, at: t };
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.perSecond);
    b.at = t;
    this.buckets.set(id, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond));
  }
}
