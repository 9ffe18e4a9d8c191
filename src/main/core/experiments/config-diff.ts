/**
 * The JSON-aware difference of several configs: every value path whose values are not all equal.
 * Objects are walked key by key (the union of the runs' keys, sorted); arrays are values, compared
 * element by element and reported whole; a key some configs lack is reported at its leaf paths, with
 * those configs listed as `absent` (an object one config lacks is walked in the others).
 */
import type { ConfigDiffEntry } from '../../../shared/experiments';

type Json = unknown;

const ABSENT: unique symbol = Symbol('absent');
/** a value, or ABSENT where the config has no such key */
type Slot = unknown;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep equality of JSON values (numbers by value, so 1 and 1.0 are equal; key order does not matter). */
export function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** `a.b`, or `a["odd key"]` for keys that are not plain identifiers. */
function childPath(parent: string, key: string): string {
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

function walk(slots: readonly Slot[], path: string, out: ConfigDiffEntry[]): void {
  const present = slots.filter((s): s is Json => s !== ABSENT);
  if (present.length > 0 && present.every(isPlainObject)) {
    const keys = new Set<string>();
    for (const o of present) for (const [k, v] of Object.entries(o)) if (v !== undefined) keys.add(k);
    for (const k of [...keys].sort()) {
      walk(
        slots.map((s) => (s === ABSENT || !isPlainObject(s) || s[k] === undefined ? ABSENT : s[k])),
        childPath(path, k),
        out,
      );
    }
    return;
  }
  const first = slots[0];
  const same = slots.every((s) => (s === ABSENT ? first === ABSENT : first !== ABSENT && jsonEqual(s, first)));
  if (same) return;
  out.push({
    path: path === '' ? '(config)' : path,
    values: slots.map((s) => (s === ABSENT ? null : s)),
    absent: slots.flatMap((s, i) => (s === ABSENT ? [i] : [])),
  });
}

/** The paths whose values differ between `configs` (in path order); empty when all are equal. */
export function configDiff(configs: readonly Json[]): ConfigDiffEntry[] {
  const out: ConfigDiffEntry[] = [];
  walk(configs.map((c) => (c === undefined ? ABSENT : c)), '', out);
  return out;
}
