import { describe, expect, it } from 'vitest';
import { parseDecimal, parseNumberToken } from '../../../src/main/core/data/number';
import { Rng } from '../../../src/main/core/data/prng';

function expectSame(token: string): void {
  const got = parseNumberToken(token);
  const want = Number(token);
  if (!Object.is(got, want)) throw new Error(`${JSON.stringify(token)}: got ${got}, Number() gives ${want}`);
}

describe('parseDecimal equals Number(token)', () => {
  it('on edge tokens', () => {
    const tokens = [
      '0',
      '-0',
      '+0',
      '0.0',
      '-0.0',
      '00',
      '007',
      '.5',
      '-.5',
      '5.',
      '-5.',
      '+1.25',
      '100.0',
      '518.67',
      '-0.0007',
      '23.4190',
      '2388',
      '0.1',
      '0.2',
      '0.3',
      '1.1',
      '9.95',
      '123456789012345',
      '999999999999999',
      '1234567890123456',
      '9007199254740991',
      '9007199254740992',
      '9007199254740993',
      '18014398509481985',
      '0.1234567890123456789',
      '3.141592653589793238462643383279',
      '1e5',
      '1E-5',
      '-2.5e+3',
      '1.7976931348623157e308',
      '4.9e-324',
      '5e-324',
      '2.2250738585072014e-308',
      '2.2250738585072011e-308',
      '0.0000000000000000000001',
      '0.00000000000000000000001',
      '0.000000000000000000000000000123',
      '1000000000000000000000',
      '10000000000000000000000',
      '100000000000000000000000',
      '00000000000000000000001.5',
      '1.00000000000000000000000001',
      '123.456e-2',
      '8.4195',
      '-0.00000',
      '47.47',
      '9046.19',
    ];
    for (const t of tokens) expectSame(t);
  });

  it('on random decimal tokens', () => {
    const rng = new Rng(20240601);
    for (let k = 0; k < 200_000; k++) {
      const nDigits = 1 + rng.int(20);
      let digits = '';
      for (let i = 0; i < nDigits; i++) digits += String(rng.int(10));
      const dot = rng.int(nDigits + 2) - 1; // -1: no point
      let token = dot < 0 ? digits : `${digits.slice(0, dot)}.${digits.slice(dot)}`;
      if (token === '.') token = '0.';
      if (rng.float() < 0.3) token = `-${token}`;
      if (rng.float() < 0.05) token = `${token}e${rng.int(60) - 30}`;
      expectSame(token);
    }
  });

  it('on tokens printed from random doubles', () => {
    const rng = new Rng(7);
    for (let k = 0; k < 100_000; k++) {
      const x = (rng.float() - 0.5) * Math.pow(10, rng.int(16) - 6);
      expectSame(String(x));
      expectSame(x.toFixed(rng.int(8)));
      expectSame(x.toPrecision(1 + rng.int(21)));
    }
  });

  it('returns NaN for non-numbers and non-finite values', () => {
    for (const t of [
      '',
      '-',
      '+',
      '.',
      '-.',
      'abc',
      '1.2.3',
      '1e',
      '1e+',
      '0x10',
      'Infinity',
      '-Infinity',
      'NaN',
      '1,5',
      '--1',
      '1 2',
      '1e999',
      '١',
    ]) {
      expect(parseNumberToken(t)).toBeNaN();
    }
  });

  it('parses a token inside a larger buffer', () => {
    const bytes = Buffer.from('xx 641.82 yy');
    expect(parseDecimal(bytes, 3, 9)).toBe(641.82);
  });
});
