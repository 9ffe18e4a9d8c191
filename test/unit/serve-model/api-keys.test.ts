/** API key files and the per-key token bucket, attacked with the files and requests a careless or hostile operator would make. */
import { describe, expect, it } from 'vitest';
import { ApiKeys, presentedKey, RateLimiter } from '../../../src/main/serve-model/api-keys';

const K1 = 'k1-0123456789abcdef';
const K2 = 'k2-0123456789abcdef';

describe('API key files', () => {
  it('reads NAME:KEY and NAME:KEY:admin lines, skipping comments and blank lines', () => {
    const keys = ApiKeys.parse(`# keys\n\nalpha:${K1}\nbeta:${K2}:admin\n`, 'keys.txt');
    expect(keys.size).toBe(2);
    expect(keys.match(K1)).toEqual({ name: 'alpha', admin: false });
    expect(keys.match(K2)).toEqual({ name: 'beta', admin: true });
    expect(keys.match(`${K1} `)).toBeUndefined();
    expect(keys.match(K1.slice(0, -1))).toBeUndefined();
    expect(keys.match('')).toBeUndefined();
  });

  it('keeps a key containing ":" whole', () => {
    const keys = ApiKeys.parse('gamma:abc:def:0123456789abcdef\n', 'keys.txt');
    expect(keys.match('abc:def:0123456789abcdef')).toEqual({ name: 'gamma', admin: false });
  });

  it('refuses short keys, duplicate names, lines without a key and empty files, naming the file and line', () => {
    expect(() => ApiKeys.parse('a:short\n', 'keys.txt')).toThrow(/keys\.txt:1.*shorter than 16/);
    expect(() => ApiKeys.parse(`a:${K1}\na:${K2}\n`, 'keys.txt')).toThrow(/keys\.txt:2.*used twice/);
    expect(() => ApiKeys.parse(`# only\nnokey\n`, 'keys.txt')).toThrow(/keys\.txt:2.*NAME:KEY/);
    expect(() => ApiKeys.parse('# nothing\n', 'keys.txt')).toThrow(/keys\.txt.*no keys/);
    expect(() => ApiKeys.parse(`bad name:${K1}\n`, 'keys.txt')).toThrow(/keys\.txt:1.*name/);
  });

  it('refuses JSON that is malformed, has a hashed key without a salt, or a digest that is not SHA-256 hex', () => {
    expect(() => ApiKeys.parse('{"keys": [', 'keys.json')).toThrow(/keys\.json.*not valid JSON/);
    expect(() => ApiKeys.parse(JSON.stringify({ keys: [{ name: 'a', sha256: 'ab'.repeat(32) }] }), 'keys.json')).toThrow(/needs the file's "salt"/);
    expect(() => ApiKeys.parse(JSON.stringify({ salt: '00'.repeat(16), keys: [{ name: 'a', sha256: 'xyz' }] }), 'keys.json')).toThrow(/64 lowercase hex/);
    expect(() => ApiKeys.parse(JSON.stringify({ keys: [{ name: 'a', key: K1, admin: 'yes' }] }), 'keys.json')).toThrow(/admin must be true or false/);
  });

  it('takes the key from Authorization: Bearer or X-API-Key only', () => {
    expect(presentedKey({ authorization: `Bearer ${K1}` })).toBe(K1);
    expect(presentedKey({ authorization: `bearer ${K1}` })).toBe(K1);
    expect(presentedKey({ authorization: `Basic ${K1}` })).toBeUndefined();
    expect(presentedKey({ 'x-api-key': K2 })).toBe(K2);
    expect(presentedKey({})).toBeUndefined();
  });
});

describe('RateLimiter', () => {
  it('allows a burst, then one request per refill, each key on its own', () => {
    let now = 0;
    const r = new RateLimiter(2, 4, () => now);
    expect([1, 2, 3, 4].map(() => r.take('a'))).toEqual([0, 0, 0, 0]);
    expect(r.take('a')).toBe(1);
    expect(r.take('b')).toBe(0);
    now += 500; // one token back
    expect(r.take('a')).toBe(0);
    expect(r.take('a')).toBe(1);
    now += 10_000; // refills to the burst, no further
    expect([1, 2, 3, 4, 5].map(() => r.take('a'))).toEqual([0, 0, 0, 0, 1]);
  });

  it('is off at 0 per second', () => {
    const r = new RateLimiter(0, 0);
    for (let i = 0; i < 1000; i++) expect(r.take('a')).toBe(0);
  });
});
