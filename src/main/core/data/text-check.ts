/** Detects files that are not text: NUL bytes or malformed UTF-8. */

export interface NonText {
  /** offset of the offending byte within the inspected bytes */
  readonly offset: number;
  readonly what: 'NUL byte' | 'invalid UTF-8';
}

/**
 * Finds the first NUL byte or malformed UTF-8 sequence in `bytes[start, end)`. When `final` is false a
 * multi-byte sequence cut by `end` is accepted (the rest is in the next chunk).
 */
export function findNonText(bytes: Uint8Array, start: number, end: number, final: boolean): NonText | null {
  let i = start;
  while (i < end) {
    const b = bytes[i]!;
    if (b < 0x80) {
      if (b === 0) return { offset: i, what: 'NUL byte' };
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b === 0xe0) {
      need = 2;
      lo = 0xa0;
    } else if ((b >= 0xe1 && b <= 0xec) || b === 0xee || b === 0xef) need = 2;
    else if (b === 0xed) {
      need = 2;
      hi = 0x9f;
    } else if (b === 0xf0) {
      need = 3;
      lo = 0x90;
    } else if (b >= 0xf1 && b <= 0xf3) need = 3;
    else if (b === 0xf4) {
      need = 3;
      hi = 0x8f;
    } else return { offset: i, what: 'invalid UTF-8' };
    for (let k = 1; k <= need; k++) {
      if (i + k >= end) {
        if (final) return { offset: i, what: 'invalid UTF-8' };
        return null;
      }
      const c = bytes[i + k]!;
      const min = k === 1 ? lo : 0x80;
      const max = k === 1 ? hi : 0xbf;
      if (c < min || c > max) return { offset: i, what: 'invalid UTF-8' };
    }
    i += need + 1;
  }
  return null;
}

/** 1-based line number of `offset` in `bytes[start, …)`. */
export function lineOfOffset(bytes: Uint8Array, start: number, offset: number): number {
  let line = 1;
  for (let i = start; i < offset; i++) if (bytes[i] === 10) line++;
  return line;
}
