/**
 * Exact, fast decimal parsing straight from bytes.
 *
 * The fast path is Clinger's: an integer mantissa below 2^53 (every token with at most 15 significant
 * digits, and many with 16) is an exact double, and so is every power of ten up to 1e22, so one IEEE division or multiplication gives the correctly rounded
 * result — the same double `Number(text)` returns. Anything else (exponents, longer mantissas, very
 * small fractions) falls back to `Number()` on the token text after a strict grammar check.
 */

/** Exact powers of ten 1e0..1e22 (all representable as doubles). */
export const POW10 = Float64Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/** 2^53: a mantissa accumulated as m·10 + d is exact while it stays below this. */
export const EXACT_MANTISSA_LIMIT = 9007199254740992;

const DECIMAL_GRAMMAR = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parses the decimal number in `bytes[start, end)`. Returns the same double as `Number(token)` for
 * every token matching `[+-]?(digits[.digits] | .digits)([eE][+-]?digits)?`, and NaN for anything else
 * (empty, hex, `Infinity`, `NaN`, stray characters) and for values that overflow to ±Infinity.
 */
export function parseDecimal(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  let neg = false;
  let c = bytes[i];
  if (c === 45) {
    neg = true;
    i++;
  } else if (c === 43) {
    i++;
  }
  let mantissa = 0;
  let frac = 0;
  let sawDigit = false;
  let sawDot = false;
  for (; i < end; i++) {
    c = bytes[i]!;
    if (c >= 48 && c <= 57) {
      sawDigit = true;
      if (sawDot) frac++;
      mantissa = mantissa * 10 + (c - 48);
    } else if (c === 46 && !sawDot) {
      sawDot = true;
    } else {
      break;
    }
  }
  if (i === end && sawDigit && mantissa < EXACT_MANTISSA_LIMIT && frac <= 22) {
    const v = frac === 0 ? mantissa : mantissa / POW10[frac]!;
    return neg ? -v : v;
  }
  return slowParse(bytes, start, end);
}

function slowParse(bytes: Uint8Array, start: number, end: number): number {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
  if (!DECIMAL_GRAMMAR.test(text)) return NaN;
  const v = Number(text);
  return Number.isFinite(v) ? v : NaN;
}

/** true when `text` has the shape of a decimal number (whatever its magnitude). */
export function looksDecimal(text: string): boolean {
  return DECIMAL_GRAMMAR.test(text);
}

/** `parseDecimal` on a string (ASCII tokens; anything else is NaN). */
export function parseNumberToken(text: string): number {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 127) return NaN;
    bytes[i] = code;
  }
  return parseDecimal(bytes, 0, bytes.length);
}
