import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PrognosError } from '../../shared/errors';

type Options = NonNullable<ParseArgsConfig['options']>;

export const COMMON_OPTIONS = {
  store: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies Options;

/** Strict option parsing: an unknown flag is an error that names it. */
export function parseCommandArgs<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new PrognosError('INVALID_INPUT', (e as Error).message);
  }
}

export function intOption(value: string | undefined, name: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new PrognosError('INVALID_INPUT', `--${name} is required.`);
    return fallback;
  }
  if (!/^-?\d+$/.test(value)) throw new PrognosError('INVALID_INPUT', `--${name} must be an integer, got "${value}".`);
  return Number(value);
}

export function requireOption(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new PrognosError('INVALID_INPUT', `--${name} is required.`);
  return value;
}
