/**
 * A search space: the training config's JSON in which any value may be a range —
 * `{ "int": [lo, hi] }`, `{ "float": [lo, hi] }`, `{ "logFloat": [lo, hi] }` or `{ "choice": [a, b, …] }`
 * (`"step"` on an int or float range, `"steps"` on a logFloat range: the points a grid search takes).
 * Parsing checks the space against the training config's schema and names every problem by file,
 * JSON path, line and reason.
 */
import { badFile, type FileIssue } from '../../../shared/errors';
import { parseTrainConfig, trainConfigJsonSchema, trainConfigSchema, type TrainConfig } from '../pipeline/config';
import { JsonSyntaxError, parseLocatedJson, pathKey, type JsonLocation, type JsonPath } from './json-locate';

export type ParamSpec =
  | Readonly<{ kind: 'int'; lo: number; hi: number; step: number }>
  | Readonly<{ kind: 'float'; lo: number; hi: number; step?: number }>
  | Readonly<{ kind: 'logFloat'; lo: number; hi: number; steps?: number }>
  | Readonly<{ kind: 'choice'; options: readonly unknown[] }>;

export interface SearchParam {
  /** the JSON path as text, e.g. `gbdt.maxDepth` */
  name: string;
  path: JsonPath;
  spec: ParamSpec;
}

export interface SearchSpace {
  /** the space with every range still in place (ranges are replaced per trial) */
  template: unknown;
  params: SearchParam[];
}

export type ParamValues = Record<string, unknown>;

const RANGE_KINDS = ['int', 'float', 'logFloat', 'choice'] as const;
type RangeKind = (typeof RANGE_KINDS)[number];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function rangeKindOf(v: Record<string, unknown>): RangeKind[] {
  return RANGE_KINDS.filter((k) => Object.prototype.hasOwnProperty.call(v, k));
}

type SchemaNode = Record<string, unknown>;

/** The JSON Schema nodes a path can reach (through anyOf/oneOf). */
function schemaNodesAt(root: SchemaNode, path: JsonPath): SchemaNode[] {
  let nodes: SchemaNode[] = [root];
  for (const p of path) {
    const next: SchemaNode[] = [];
    const expand = (n: SchemaNode): SchemaNode[] => {
      const alts = [...((n.anyOf as SchemaNode[] | undefined) ?? []), ...((n.oneOf as SchemaNode[] | undefined) ?? [])];
      return alts.length === 0 ? [n] : alts.flatMap(expand);
    };
    for (const n of nodes.flatMap(expand)) {
      if (typeof p === 'string' && isObject(n.properties) && isObject(n.properties[p])) next.push(n.properties[p]);
      if (typeof p === 'number' && isObject(n.items)) next.push(n.items);
    }
    nodes = next;
  }
  const flat = (n: SchemaNode): SchemaNode[] => {
    const alts = [...((n.anyOf as SchemaNode[] | undefined) ?? []), ...((n.oneOf as SchemaNode[] | undefined) ?? [])];
    return alts.length === 0 ? [n] : alts.flatMap(flat);
  };
  return nodes.flatMap(flat);
}

function setAt(target: unknown, path: JsonPath, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(target)) {
    const copy = target.slice();
    copy[head as number] = setAt(copy[head as number], rest, value);
    return copy;
  }
  const obj = target as Record<string, unknown>;
  return { ...obj, [head as string]: setAt(obj[head as string], rest, value) };
}

function getAt(target: unknown, path: JsonPath): unknown {
  let v = target;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

/** The config of one trial: the space's template with every range replaced by its value. */
export function configJsonFor(space: SearchSpace, values: ParamValues): unknown {
  let out = space.template;
  for (const p of space.params) {
    if (!Object.prototype.hasOwnProperty.call(values, p.name)) throw new Error(`no value for ${p.name}`);
    out = setAt(out, p.path, values[p.name]);
  }
  return out;
}

export function configFor(space: SearchSpace, values: ParamValues): TrainConfig {
  return parseTrainConfig(configJsonFor(space, values));
}

/** The smallest value of every parameter (the first option of a choice). */
export function lowValues(space: SearchSpace): ParamValues {
  return Object.fromEntries(space.params.map((p) => [p.name, p.spec.kind === 'choice' ? p.spec.options[0] : p.spec.lo]));
}

function inRange(spec: ParamSpec, v: unknown): boolean {
  if (spec.kind === 'choice') return spec.options.some((o) => JSON.stringify(o) === JSON.stringify(v));
  if (typeof v !== 'number' || v < spec.lo || v > spec.hi) return false;
  return spec.kind !== 'int' || Number.isInteger(v);
}

/**
 * The baseline trial: each range at the training config's default where that default lies in the
 * range (or is one of the choices), else the middle of the range (geometric for logFloat) or the
 * first choice.
 */
export function baselineValues(space: SearchSpace): ParamValues {
  const defaults = trainConfigSchema.parse({});
  return Object.fromEntries(
    space.params.map((p) => {
      const d = getAt(defaults, p.path);
      if (d !== undefined && inRange(p.spec, d)) return [p.name, d];
      const s = p.spec;
      switch (s.kind) {
        case 'choice':
          return [p.name, s.options[0]];
        case 'int':
          return [p.name, s.lo + s.step * Math.round((s.hi - s.lo) / s.step / 2)];
        case 'float':
          return [p.name, (s.lo + s.hi) / 2];
        case 'logFloat':
          return [p.name, Math.sqrt(s.lo * s.hi)];
      }
    }),
  );
}

interface Collected {
  params: SearchParam[];
  issues: FileIssue[];
}

/** Parses a search space file's text. `file` names the file in errors. */
export function parseSearchSpace(text: string, file: string): SearchSpace {
  let located;
  try {
    located = parseLocatedJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw badFile([{ file, line: e.line, column: String(e.column), reason: `not valid JSON: ${e.message}` }]);
    throw e;
  }
  const where = (path: JsonPath): JsonLocation | undefined => {
    // the nearest located prefix (a zod path may name a key the file does not have)
    for (let n = path.length; n >= 0; n--) {
      const l = located.locations.get(pathKey(path.slice(0, n)));
      if (l !== undefined) return l;
    }
    return undefined;
  };
  const issue = (path: JsonPath, reason: string): FileIssue => {
    const l = where(path);
    return { file, ...(l === undefined ? {} : { line: l.line, column: String(l.column) }), reason: `${pathKey(path)}: ${reason}` };
  };
  if (!isObject(located.value)) throw badFile([issue([], 'a search space is a JSON object (a training config in which values may be ranges)')]);

  const c: Collected = { params: [], issues: [] };
  const schema = trainConfigJsonSchema as SchemaNode;
  const walk = (v: unknown, path: (string | number)[]): void => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (isObject(v)) {
      const kinds = rangeKindOf(v);
      if (kinds.length === 0) {
        for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
        return;
      }
      const spec = rangeSpec(v, kinds, path, schema, (reason) => c.issues.push(issue(path, reason)));
      if (spec !== undefined) c.params.push({ name: pathKey(path), path, spec });
    }
  };
  walk(located.value, []);
  if (c.issues.length > 0) throw badFile(c.issues);
  const space: SearchSpace = { template: located.value, params: c.params };

  // every bound and every choice must make a valid training config
  const low = lowValues(space);
  const tryValues = (values: ParamValues, what: string | null): void => {
    const r = trainConfigSchema.safeParse(configJsonFor(space, values));
    if (r.success) return;
    for (const e of r.error.issues) {
      const path = e.path.filter((p): p is string | number => typeof p !== 'symbol');
      const atParam = what === null ? space.params.find((p) => pathKey(p.path) === pathKey(path)) : undefined;
      const lower = atParam === undefined ? null : atParam.spec.kind === 'choice' ? `choice ${JSON.stringify(atParam.spec.options[0])} of ${atParam.name}` : `lower bound ${atParam.spec.lo} of ${atParam.name}`;
      const prefix = what !== null ? `${what}: ` : lower !== null ? `${lower}: ` : '';
      const msg = e.code === 'unrecognized_keys' ? `unknown key${e.keys.length > 1 ? 's' : ''} ${e.keys.map((k) => `"${k}"`).join(', ')} (not in the training config's schema)` : e.message;
      const reason = `${prefix}${msg}`;
      const full = e.code === 'unrecognized_keys' && e.keys.length === 1 ? [...path, e.keys[0]!] : path;
      const it = issue(full, reason);
      if (!c.issues.some((x) => x.reason === it.reason && x.line === it.line)) c.issues.push(it);
    }
  };
  tryValues(low, null);
  if (c.issues.length === 0) {
    for (const p of space.params) {
      const s = p.spec;
      if (s.kind === 'choice') s.options.forEach((o, i) => i > 0 && tryValues({ ...low, [p.name]: o }, `choice ${JSON.stringify(o)} of ${p.name}`));
      else if (s.hi !== s.lo) tryValues({ ...low, [p.name]: s.hi }, `upper bound ${s.hi} of ${p.name}`);
    }
  }
  if (c.issues.length > 0) throw badFile(c.issues);
  return space;
}

function rangeSpec(v: Record<string, unknown>, kinds: RangeKind[], path: JsonPath, schema: SchemaNode, report: (reason: string) => void): ParamSpec | undefined {
  if (kinds.length > 1) return void report(`a range has one of int, float, logFloat or choice, not ${kinds.join(' and ')}`);
  const kind = kinds[0]!;
  const article = kind === 'int' ? 'an' : 'a';
  const allowed = kind === 'int' || kind === 'float' ? ['step'] : kind === 'logFloat' ? ['steps'] : [];
  const extra = Object.keys(v).filter((k) => k !== kind && !allowed.includes(k));
  if (extra.length > 0) return void report(`${article} ${kind} range takes ${[kind, ...allowed].map((k) => `"${k}"`).join(' and ')} only, not ${extra.map((k) => `"${k}"`).join(', ')}`);
  const body = v[kind];
  const nodes = schemaNodesAt(schema, path);
  if (nodes.length === 0) return void report('not a key of the training config');
  if (kind === 'choice') {
    if (!Array.isArray(body) || body.length === 0) return void report('a choice takes a non-empty array of values: { "choice": [a, b, …] }');
    return { kind, options: body };
  }
  if (!Array.isArray(body) || body.length !== 2 || typeof body[0] !== 'number' || typeof body[1] !== 'number') {
    return void report(`${article} ${kind} range takes two numbers: { "${kind}": [lo, hi] }`);
  }
  const [lo, hi] = body as [number, number];
  const types = new Set(nodes.map((n) => n.type));
  if (!types.has('number') && !types.has('integer')) {
    const t = [...types].filter((x) => typeof x === 'string').join(' or ') || 'not a number';
    return void report(`${article} ${kind} range on a key that is not numeric (${t}); use { "choice": [...] }`);
  }
  if (kind !== 'int' && !types.has('number')) return void report(`${article} ${kind} range on an integer key; use { "int": [lo, hi] }`);
  if (lo > hi) return void report(`lo ${lo} is greater than hi ${hi}`);
  if (kind === 'int') {
    if (!Number.isInteger(lo) || !Number.isInteger(hi)) return void report(`an int range takes whole numbers, not [${lo}, ${hi}]`);
    const step = v.step ?? 1;
    if (typeof step !== 'number' || !Number.isInteger(step) || step < 1) return void report('"step" of an int range is a whole number of 1 or more');
    return { kind, lo, hi, step };
  }
  if (kind === 'logFloat') {
    if (lo <= 0) return void report(`a logFloat range needs lo > 0 (got ${lo})`);
    if (v.steps !== undefined && (typeof v.steps !== 'number' || !Number.isInteger(v.steps) || v.steps < 2)) return void report('"steps" of a logFloat range is a whole number of 2 or more');
    return v.steps === undefined ? { kind, lo, hi } : { kind, lo, hi, steps: v.steps };
  }
  if (v.step !== undefined && (typeof v.step !== 'number' || !(v.step > 0))) return void report('"step" of a float range is a number greater than 0');
  return v.step === undefined ? { kind, lo, hi } : { kind, lo, hi, step: v.step };
}

/** A value of the parameter from a uniform u in [0, 1) (random search). */
export function paramFromUniform(spec: ParamSpec, u: number): unknown {
  switch (spec.kind) {
    case 'choice':
      return spec.options[Math.min(spec.options.length - 1, Math.floor(u * spec.options.length))];
    case 'int': {
      const n = Math.floor((spec.hi - spec.lo) / spec.step) + 1;
      return spec.lo + spec.step * Math.min(n - 1, Math.floor(u * n));
    }
    case 'float':
      return snapFloat(spec, spec.lo + (spec.hi - spec.lo) * u);
    case 'logFloat':
      return snapLog(spec, Math.exp(Math.log(spec.lo) + (Math.log(spec.hi) - Math.log(spec.lo)) * u));
  }
}

export function snapFloat(spec: Extract<ParamSpec, { kind: 'float' }>, x: number): number {
  const c = Math.min(spec.hi, Math.max(spec.lo, x));
  if (spec.step === undefined) return c;
  const k = Math.round((c - spec.lo) / spec.step);
  return Math.min(spec.hi, roundNice(spec.lo + k * spec.step));
}

export function snapLog(spec: Extract<ParamSpec, { kind: 'logFloat' }>, x: number): number {
  const c = Math.min(spec.hi, Math.max(spec.lo, x));
  if (spec.steps === undefined) return c;
  const grid = logGrid(spec.lo, spec.hi, spec.steps);
  let best = grid[0]!;
  for (const g of grid) if (Math.abs(Math.log(g) - Math.log(c)) < Math.abs(Math.log(best) - Math.log(c))) best = g;
  return best;
}

function roundNice(x: number): number {
  return Number(x.toPrecision(12));
}

export function logGrid(lo: number, hi: number, steps: number): number[] {
  if (lo === hi) return [lo];
  return Array.from({ length: steps }, (_, i) => roundNice(Math.exp(Math.log(lo) + ((Math.log(hi) - Math.log(lo)) * i) / (steps - 1))));
}

/** The values a grid search takes for the parameter; undefined for a float range without a step. */
export function gridValues(spec: ParamSpec): readonly unknown[] | undefined {
  switch (spec.kind) {
    case 'choice':
      return spec.options;
    case 'int': {
      const out: number[] = [];
      for (let x = spec.lo; x <= spec.hi; x += spec.step) out.push(x);
      return out;
    }
    case 'float': {
      if (spec.step === undefined) return undefined;
      const out: number[] = [];
      for (let k = 0; spec.lo + k * spec.step <= spec.hi + 1e-12 * Math.max(1, Math.abs(spec.hi)); k++) out.push(roundNice(spec.lo + k * spec.step));
      return out;
    }
    case 'logFloat':
      return spec.steps === undefined ? undefined : logGrid(spec.lo, spec.hi, spec.steps);
  }
}
