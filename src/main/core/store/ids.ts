/**
 * Sortable identifiers for store records: `<prefix>_<10 chars of time><8 chars of randomness>` in
 * lowercase Crockford base32, e.g. `ds_01k2m9x7qe5h3w0c2d9f`. Ids made later sort after ids made
 * earlier (within one process also inside the same millisecond), so id order is creation order.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const TIME_CHARS = 10; // 50 bits: milliseconds since 1970 until the year 37648
const RANDOM_CHARS = 8; // 40 bits
const RANDOM_LIMIT = 2 ** (RANDOM_CHARS * 5);

let lastTime = -1;
let lastRandom = 0;

export type IdPrefix = 'ds' | 'exp' | 'run' | 'art' | 'rep' | 'drift' | 'alr' | 'ntf' | 'tpl';

function encode(value: number, chars: number): string {
  let out = '';
  let v = value;
  for (let i = 0; i < chars; i++) {
    out = ALPHABET[v % 32]! + out;
    v = Math.floor(v / 32);
  }
  return out;
}

function freshRandom(): number {
  const b = randomBytes(5);
  return b.readUIntBE(0, 5);
}

/** A new id; `now` is the creation time in ms (the record's createdAt uses the same instant). */
export function sortableId(prefix: IdPrefix, now: number = Date.now()): string {
  let time = Math.max(0, Math.floor(now));
  let random: number;
  if (time <= lastTime) {
    // same millisecond (or the clock went back): keep the last time and count up
    time = lastTime;
    random = lastRandom + 1;
    if (random >= RANDOM_LIMIT) {
      time += 1;
      random = freshRandom();
    }
  } else {
    random = freshRandom();
  }
  lastTime = time;
  lastRandom = random;
  return `${prefix}_${encode(time, TIME_CHARS)}${encode(random, RANDOM_CHARS)}`;
}
