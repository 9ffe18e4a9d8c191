/** Float32 helpers: XGBoost stores every threshold, leaf value and the base score as float32. */

const fround = Math.fround;

/**
 * The decimal with the fewest significant digits (6 to 9) that reads back as the same float32,
 * so exported JSON stays compact and parses to the exact value in XGBoost and in JavaScript.
 */
export function compactF32(x: number): number {
  const v = fround(x);
  if (v === 0 || !Number.isFinite(v)) return v;
  for (let p = 6; p < 9; p++) {
    const d = Number(v.toPrecision(p));
    if (fround(d) === v) return d;
  }
  return Number(v.toPrecision(9));
}

/**
 * A double that reads back (in float32) as the float32 value of `x` but that JSON.stringify never
 * prints as an integer: XGBoost's JSON reader rejects integer literals where it expects floats, so
 * an integral threshold such as 100 is given as 100.00000009313226 and a zero as 1e-46 (both
 * parse to exactly 100.0f and 0.0f). Magnitudes of 2^52 and beyond have no such double.
 */
export function jsonSafeF32(x: number): number {
  const c = compactF32(x);
  if (!Number.isInteger(c)) return c;
  if (c === 0) return 1e-46;
  const a = Math.abs(c);
  if (a < 2 ** 30) return c * (1 + 2 ** -30);
  if (a < 2 ** 52) return c + Math.sign(c) * 0.5;
  return c;
}

/** XGBoost's margin for a binary:logistic base_score (a probability), computed in float32. */
export function baseMarginOf(baseScore: number): number {
  const inv = fround(fround(1 / fround(baseScore)) - 1);
  return fround(-Math.log(inv));
}

export function sigmoid(m: number): number {
  return 1 / (1 + Math.exp(-m));
}
