import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countOption, intOption, parseCommandArgs, portOption, storeDirOption } from '../../../src/main/cli/args';
import { PrognosError } from '../../../src/shared/errors';
import { tempDir } from '../../helpers/paths';

/** The error a call throws: a PrognosError with the code INVALID_INPUT and a one-line message. */
function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(PrognosError);
    expect((e as PrognosError).code).toBe('INVALID_INPUT');
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('numeric options', () => {
  it('accepts whole numbers in range and falls back when absent', () => {
    expect(intOption('42', 'seed')).toBe(42);
    expect(intOption('-7', 'seed')).toBe(-7);
    expect(intOption(undefined, 'seed', 1)).toBe(1);
    expect(countOption('3', 'units')).toBe(3);
    expect(portOption('8080')).toBe(8080);
    expect(portOption(undefined)).toBe(0);
  });

  it('names the option and the reason for each bad value', () => {
    expect(refusal(() => countOption('-5', 'units'))).toBe('--units must be a positive whole number (1 or more), got -5.');
    expect(refusal(() => countOption('0', 'top'))).toBe('--top must be a positive whole number (1 or more), got 0.');
    expect(refusal(() => countOption('2000000', 'units', 100, 1_000_000))).toBe('--units must be from 1 to 1000000, got 2000000.');
    expect(refusal(() => intOption('1.5', 'seed'))).toBe('--seed must be a whole number, got "1.5".');
    for (const v of ['abc', '1e3', '', '0x10', '12abc', ' ']) expect(refusal(() => intOption(v, 'seed'))).toMatch(/^--seed must be a whole number/);
    expect(refusal(() => intOption('99999999999999999999', 'seed'))).toMatch(/^--seed is too large/);
    expect(refusal(() => portOption('70000'))).toBe('--port must be from 0 to 65535, got 70000.');
    expect(refusal(() => portOption('-1'))).toBe('--port must be from 0 to 65535, got -1.');
    expect(refusal(() => portOption('abc'))).toBe('--port must be a whole number, got "abc".');
    expect(refusal(() => intOption(undefined, 'units'))).toBe('--units is required.');
  });

  it('reads a negative number after an option as its value, so the option can say what is wrong', () => {
    const opts = { units: { type: 'string' }, seed: { type: 'string' } } as const;
    expect(parseCommandArgs(['--units', '-5', '--seed', '-1'], opts).values).toMatchObject({ units: '-5', seed: '-1' });
    expect(refusal(() => countOption(parseCommandArgs(['--units', '-5'], opts).values.units, 'units'))).toMatch(/^--units must be a positive whole number/);
    // a flag after an option still means a missing value, in one line
    expect(refusal(() => parseCommandArgs(['--units', '--seed', '3'], opts))).toBe('--units needs a value.');
    expect(refusal(() => parseCommandArgs(['--seed'], opts))).toBe('--seed needs a value.');
    expect(refusal(() => parseCommandArgs(['--colour'], opts))).toMatch(/Unknown option '--colour'/);
  });
});

describe('store folder', () => {
  const env = {};
  it('uses or creates a folder it may write', () => {
    const root = tempDir();
    expect(storeDirOption(join(root, 'a', 'b'), env)).toBe(join(root, 'a', 'b'));
    expect(readdirSync(join(root, 'a'))).toEqual(['b']);
    expect(storeDirOption(root, env)).toBe(root);
  });

  it('refuses a file, a path through a file, and names where the path came from', () => {
    const root = tempDir();
    const file = join(root, 'store.txt');
    writeFileSync(file, 'not a store');
    expect(refusal(() => storeDirOption(file, env))).toBe(`--store ${file}: is a file, not a folder.`);
    expect(refusal(() => storeDirOption(join(file, 'sub'), env))).toMatch(/^--store .*store\.txt\/sub: cannot create the folder: .*store\.txt is a file\.$/);
    expect(refusal(() => storeDirOption(undefined, { PROGNOS_HOME: file }))).toBe(`PROGNOS_HOME ${file}: is a file, not a folder.`);
    expect(readFileSync(file, 'utf8')).toBe('not a store');
  });
});
