import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PrognosError } from '../../shared/errors';
import { resolveStoreDir } from '../services/store-dir';

type Options = NonNullable<ParseArgsConfig['options']>;

export const COMMON_OPTIONS = {
  store: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies Options;

const bad = (message: string): PrognosError => new PrognosError('INVALID_INPUT', message);

/**
 * `--units -5` reads as the option `--units` given the value `-5`, not as a missing value and an
 * unknown option `-5`: a negative number after an option that takes a value is joined to it, so the
 * option's own check can say what is wrong with it.
 */
function joinNegativeValues(argv: string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** Strict option parsing: an unknown flag is an error that names it, in one line. */
export function parseCommandArgs<O extends Options>(argv: string[], options: O) {
  const all = { ...COMMON_OPTIONS, ...options };
  try {
    return parseArgs({ args: joinNegativeValues(argv, all), options: all, allowPositionals: true, strict: true });
  } catch (e) {
    const message = (e as Error).message.split('\n')[0]!.trim();
    const missing = /^Option '(-[^' ]+)(?: <value>)?' argument (?:is ambiguous|missing)/.exec(message);
    throw bad(missing !== null ? `${missing[1]} needs a value.` : message.replace(/\s*To specify .*$/, ''));
  }
}

export interface IntRange {
  min?: number;
  max?: number;
}

/**
 * A whole-number option: `--name` with the reason when the value is not a whole number (`1.5`, `abc`,
 * `1e3`, empty) or lies outside [min, max].
 */
export function intOption(value: string | undefined, name: string, fallback?: number, range: IntRange = {}): number {
  if (value === undefined) {
    if (fallback === undefined) throw bad(`--${name} is required.`);
    return fallback;
  }
  const text = value.trim();
  if (!/^[-+]?\d+$/.test(text)) throw bad(`--${name} must be a whole number, got "${value}".`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw bad(`--${name} is too large, got "${value}".`);
  const { min, max } = range;
  if (min !== undefined && n < min) {
    const rule = min === 1 ? 'a positive whole number (1 or more)' : max === undefined ? `at least ${min}` : `from ${min} to ${max}`;
    throw bad(`--${name} must be ${rule}, got ${n}.`);
  }
  if (max !== undefined && n > max) throw bad(`--${name} must be ${min === undefined ? `at most ${max}` : `from ${min} to ${max}`}, got ${n}.`);
  return n;
}

/** A count (units, top-K…): a whole number of at least 1. */
export function countOption(value: string | undefined, name: string, fallback?: number, max?: number): number {
  return intOption(value, name, fallback, max === undefined ? { min: 1 } : { min: 1, max });
}

/** A TCP port: 0 (any free port) to 65535. */
export function portOption(value: string | undefined, name = 'port', fallback = 0): number {
  return intOption(value, name, fallback, { min: 0, max: 65535 });
}

export function requireOption(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw bad(`--${name} is required.`);
  return value;
}

const reasonOf = (e: unknown): string => {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'the file system is read-only';
  if (code === 'ENOTDIR') return 'a file stands where a folder of its path should be';
  if (code === 'ENOSPC') return 'the disk is full';
  return (e as Error).message;
};

/**
 * The store folder (`--store`, else PROGNOS_HOME, else the app-data folder), checked before anything
 * opens it: it must be a folder (or creatable as one) that this user can read and write. Errors name
 * where the path came from and why it cannot be used; nothing is written when it cannot.
 */
export function storeDirOption(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const dir = resolveStoreDir(flag, env);
  const label = flag !== undefined && flag !== '' ? `--store ${flag}` : env.PROGNOS_HOME !== undefined && env.PROGNOS_HOME !== '' ? `PROGNOS_HOME ${env.PROGNOS_HOME}` : `store folder ${dir}`;
  let isDir: boolean | undefined;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw bad(`${label}: cannot use it as the store: ${reasonOf(e)}.`);
  }
  if (isDir === false) throw bad(`${label}: is a file, not a folder.`);
  if (isDir === undefined) {
    // a new store: its nearest existing parent must be a folder we may write in
    let parent = dirname(dir);
    for (;;) {
      try {
        if (!statSync(parent).isDirectory()) throw bad(`${label}: cannot create the folder: ${parent} is a file.`);
        break;
      } catch (e) {
        if (e instanceof PrognosError) throw e;
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(parent) === parent) throw bad(`${label}: cannot create the folder: ${reasonOf(e)}.`);
        parent = dirname(parent);
      }
    }
    try {
      accessSync(parent, constants.W_OK | constants.X_OK);
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw bad(`${label}: cannot create the folder: ${reasonOf(e)}.`);
    }
    return dir;
  }
  try {
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (e) {
    throw bad(`${label}: cannot read and write the folder: ${reasonOf(e)}.`);
  }
  return dir;
}
