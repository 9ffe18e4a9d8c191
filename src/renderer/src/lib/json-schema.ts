/**
 * A small JSON Schema (draft-07) checker for the keywords the config schemas use: type, enum, const,
 * anyOf / oneOf / allOf, properties, additionalProperties, required, items, min/maxItems,
 * min/maxLength, pattern, minimum / maximum / exclusiveMinimum / exclusiveMaximum, multipleOf and
 * local $ref. The same schema drives Monaco's diagnostics; main validates again before use.
 */
import { isJsonObject, type JsonPath } from './json-value';

export type JsonSchema = { readonly [keyword: string]: unknown };

export interface SchemaIssue {
  readonly path: JsonPath;
  readonly message: string;
}

const numberFormat = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 10, useGrouping: false });
const SAFE = Number.MAX_SAFE_INTEGER;

function num(n: number): string {
  return numberFormat.format(n);
}

function asSchema(v: unknown): JsonSchema | undefined {
  return isJsonObject(v) ? v : undefined;
}

function numberOf(schema: JsonSchema, key: string): number | undefined {
  const v = schema[key];
  return typeof v === 'number' ? v : undefined;
}

function typeNames(schema: JsonSchema): string[] {
  const t = schema.type;
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string');
  return [];
}

function typeOfValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function matchesType(v: unknown, type: string): boolean {
  const actual = typeOfValue(v);
  if (type === 'number') return actual === 'number' || actual === 'integer';
  return actual === type;
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  null: 'null',
};

function describeValue(v: unknown): string {
  if (typeof v === 'string') return `"${v}"`;
  return JSON.stringify(v) ?? String(v);
}

/** A short phrase for what a schema accepts ("a number > 0", "\"balanced\""). */
function accepts(schema: JsonSchema): string {
  if ('const' in schema) return describeValue(schema.const);
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map(describeValue).join(', ')}`;
  const types = typeNames(schema);
  const base = types.map((t) => TYPE_WORDS[t] ?? t).join(' or ') || 'a value';
  const bounds = numericBounds(schema);
  return bounds === '' ? base : `${base} ${bounds}`;
}

function numericBounds(schema: JsonSchema): string {
  const parts: string[] = [];
  const min = numberOf(schema, 'minimum');
  const xmin = numberOf(schema, 'exclusiveMinimum');
  const max = numberOf(schema, 'maximum');
  const xmax = numberOf(schema, 'exclusiveMaximum');
  if (xmin !== undefined) parts.push(`> ${num(xmin)}`);
  else if (min !== undefined && min > -SAFE) parts.push(`≥ ${num(min)}`);
  if (xmax !== undefined) parts.push(`< ${num(xmax)}`);
  else if (max !== undefined && max < SAFE) parts.push(`≤ ${num(max)}`);
  return parts.join(' and ');
}

function resolveRef(root: JsonSchema, ref: string): JsonSchema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let cur: unknown = root;
  for (const raw of ref
    .slice(1)
    .split('/')
    .filter((s) => s !== '')) {
    const key = decodeURIComponent(raw.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (!isJsonObject(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return asSchema(cur);
}

class Checker {
  readonly issues: SchemaIssue[] = [];
  constructor(private readonly root: JsonSchema) {}

  private add(path: JsonPath, message: string): void {
    this.issues.push({ path, message });
  }

  check(schema: JsonSchema, value: unknown, path: JsonPath, depth = 0): void {
    if (depth > 64) return;
    if (typeof schema.$ref === 'string') {
      const target = resolveRef(this.root, schema.$ref);
      if (target !== undefined) this.check(target, value, path, depth + 1);
      return;
    }
    if (Array.isArray(schema.allOf)) {
      for (const s of schema.allOf) {
        const sub = asSchema(s);
        if (sub !== undefined) this.check(sub, value, path, depth + 1);
      }
    }
    const alternatives = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : null;
    if (alternatives !== null) {
      this.checkAlternatives(
        alternatives.map(asSchema).filter((s): s is JsonSchema => s !== undefined),
        value,
        path,
        depth,
      );
    }

    const types = typeNames(schema);
    if (types.length > 0 && !types.some((t) => matchesType(value, t))) {
      this.add(path, `must be ${accepts(schema)}`);
      return;
    }
    if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) {
      this.add(path, `must be ${describeValue(schema.const)}`);
      return;
    }
    if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
      this.add(path, `must be one of ${schema.enum.map(describeValue).join(', ')}`);
      return;
    }
    if (typeof value === 'number') this.checkNumber(schema, value, path);
    else if (typeof value === 'string') this.checkString(schema, value, path);
    else if (Array.isArray(value)) this.checkArray(schema, value, path, depth);
    else if (isJsonObject(value)) this.checkObject(schema, value, path, depth);
  }

  private checkAlternatives(options: JsonSchema[], value: unknown, path: JsonPath, depth: number): void {
    const results = options.map((option) => {
      const sub = new Checker(this.root);
      sub.check(option, value, path, depth + 1);
      return { option, issues: sub.issues };
    });
    if (results.some((r) => r.issues.length === 0)) return;
    // the branch of the value's own type explains best what is wrong; otherwise list what is accepted
    const sameType = results.filter((r) => {
      const types = typeNames(r.option);
      return types.length > 0 && types.some((t) => matchesType(value, t));
    });
    if (sameType.length === 1 && sameType[0] !== undefined && !('const' in sameType[0].option)) {
      this.issues.push(...sameType[0].issues);
      return;
    }
    this.add(path, `must be ${options.map(accepts).join(', or ')}`);
  }

  private checkNumber(schema: JsonSchema, v: number, path: JsonPath): void {
    if (!Number.isFinite(v)) {
      this.add(path, 'must be a finite number');
      return;
    }
    const min = numberOf(schema, 'minimum');
    const max = numberOf(schema, 'maximum');
    const xmin = numberOf(schema, 'exclusiveMinimum');
    const xmax = numberOf(schema, 'exclusiveMaximum');
    if (min !== undefined && v < min) this.add(path, `must be ≥ ${num(min)}`);
    if (xmin !== undefined && v <= xmin) this.add(path, `must be > ${num(xmin)}`);
    if (max !== undefined && v > max) this.add(path, `must be ≤ ${num(max)}`);
    if (xmax !== undefined && v >= xmax) this.add(path, `must be < ${num(xmax)}`);
    const step = numberOf(schema, 'multipleOf');
    if (step !== undefined && step > 0) {
      const q = v / step;
      if (Math.abs(q - Math.round(q)) > 1e-9) this.add(path, `must be a multiple of ${num(step)}`);
    }
  }

  private checkString(schema: JsonSchema, v: string, path: JsonPath): void {
    const minLength = numberOf(schema, 'minLength');
    const maxLength = numberOf(schema, 'maxLength');
    if (minLength !== undefined && v.length < minLength) {
      this.add(path, minLength === 1 ? 'must not be empty' : `must have at least ${minLength} characters`);
    }
    if (maxLength !== undefined && v.length > maxLength) this.add(path, `must have at most ${maxLength} characters`);
    if (typeof schema.pattern === 'string') {
      let re: RegExp | null = null;
      try {
        re = new RegExp(schema.pattern, 'u');
      } catch {
        re = null;
      }
      if (re !== null && !re.test(v)) this.add(path, `must match ${schema.pattern}`);
    }
  }

  private checkArray(schema: JsonSchema, v: unknown[], path: JsonPath, depth: number): void {
    const minItems = numberOf(schema, 'minItems');
    const maxItems = numberOf(schema, 'maxItems');
    if (minItems !== undefined && v.length < minItems) {
      this.add(path, minItems === 1 ? 'must list at least one item' : `must list at least ${minItems} items`);
    }
    if (maxItems !== undefined && v.length > maxItems) this.add(path, `must list at most ${maxItems} items`);
    const items = asSchema(schema.items);
    if (items !== undefined) v.forEach((item, i) => this.check(items, item, [...path, i], depth + 1));
    if (schema.uniqueItems === true) {
      const seen = new Set<string>();
      for (const item of v) {
        const key = JSON.stringify(item);
        if (seen.has(key)) {
          this.add(path, `lists ${describeValue(item)} twice`);
          break;
        }
        seen.add(key);
      }
    }
  }

  private checkObject(schema: JsonSchema, v: Record<string, unknown>, path: JsonPath, depth: number): void {
    const properties = asSchema(schema.properties) ?? {};
    if (Array.isArray(schema.required)) {
      for (const key of schema.required) {
        if (typeof key === 'string' && !(key in v)) this.add([...path, key], 'is required');
      }
    }
    for (const [key, child] of Object.entries(v)) {
      const sub = asSchema(properties[key]);
      if (sub !== undefined) {
        this.check(sub, child, [...path, key], depth + 1);
      } else if (schema.additionalProperties === false) {
        const known = Object.keys(properties);
        const near = known.find((k) => k.toLowerCase() === key.toLowerCase());
        this.add(
          [...path, key],
          near === undefined ? 'is not a known setting' : `is not a known setting (did you mean "${near}"?)`,
        );
      } else {
        const extra = asSchema(schema.additionalProperties);
        if (extra !== undefined) this.check(extra, child, [...path, key], depth + 1);
      }
    }
  }
}

/** Every place where `value` breaks `schema`, in document order. */
export function validateJson(schema: JsonSchema, value: unknown): SchemaIssue[] {
  const checker = new Checker(schema);
  checker.check(schema, value, []);
  return checker.issues;
}

/** The schema that applies at `path` (following properties and items), if the schema says. */
export function schemaAt(schema: JsonSchema, path: JsonPath): JsonSchema | undefined {
  let cur: JsonSchema | undefined = schema;
  for (const key of path) {
    if (cur === undefined) return undefined;
    if (typeof cur.$ref === 'string') cur = resolveRef(schema, cur.$ref);
    if (cur === undefined) return undefined;
    cur = typeof key === 'number' ? asSchema(cur.items) : asSchema(asSchema(cur.properties)?.[key]);
  }
  return cur;
}

/**
 * A copy of `value` whose object keys follow the order the schema lists its properties in (keys the
 * schema does not know last), so a document edited in pieces still reads in the schema's order.
 */
export function orderLikeSchema<T>(schema: JsonSchema, value: T): T {
  if (Array.isArray(value)) {
    const items = asSchema(schema.items);
    return (items === undefined ? value : value.map((v: unknown) => orderLikeSchema(items, v))) as T;
  }
  if (!isJsonObject(value)) return value;
  const properties = asSchema(schema.properties) ?? {};
  const known = Object.keys(properties).filter((k) => k in value);
  const rest = Object.keys(value).filter((k) => !(k in properties));
  const out: Record<string, unknown> = {};
  for (const k of [...known, ...rest]) {
    const sub = asSchema(properties[k]);
    out[k] = sub === undefined ? value[k] : orderLikeSchema(sub, value[k]);
  }
  return out as T;
}

/** `["gbdt", "eta"]` → `gbdt.eta`; list positions in brackets. */
export function formatPath(path: JsonPath): string {
  return path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s === '' ? k : `${s}.${k}`), '');
}
