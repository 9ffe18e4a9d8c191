/**
 * The column roles `prognos import` takes: `--map FILE.json` (roles, and optionally the sensor
 * catalogue, from a file), `--map col=role,...` or `--columns role=col,...`. Bad input is refused
 * naming the file or option, the column and the reason.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type z } from 'zod';
import { badFile, PrognosError } from '../../shared/errors';
import { COLUMN_ROLES, type ImportColumnRole } from '../../shared/column-roles';
import { sensorEntrySchema, type SensorCatalogue } from '../../shared/sensor-catalogue';

export interface CliMapping {
  map?: Record<string, ImportColumnRole>;
  catalogue?: SensorCatalogue;
}

const ROLE_WORDS = COLUMN_ROLES.join(', ');

function isRole(r: string): r is ImportColumnRole {
  return (COLUMN_ROLES as readonly string[]).includes(r);
}

/** line (1-based) of a character offset in a text */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

class JsonSyntaxAt extends Error {
  constructor(readonly at: number) {
    super(`JSON syntax error at ${at}`);
  }
}

/** The offset of the first character where `text` stops being JSON (a small recursive-descent scan). */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw new JsonSyntaxAt(i);
  };
  const lit = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const str = (): void => {
    if (text[i] !== '"') fail();
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      i += text[i] === '\\' ? 2 : 1;
    }
    if (i >= text.length) fail();
    i++;
  };
  const num = (): void => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (m === null) fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        str();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    }
    if (c === '"') return str();
    if (c === 't') return lit('true');
    if (c === 'f') return lit('false');
    if (c === 'n') return lit('null');
    return num();
  };
  try {
    value();
    ws();
    return i < text.length ? i : text.length;
  } catch (e) {
    return e instanceof JsonSyntaxAt ? Math.min(e.at, text.length) : 0;
  }
}

/** where in the text a JSON key first appears, for messages */
function lineOfKey(text: string, key: string): number | undefined {
  const at = text.indexOf(JSON.stringify(key));
  return at < 0 ? undefined : lineAt(text, at);
}

/**
 * A mapping file: `{ "columns": { "engine_id": "unit", "t": "cycle", "alt": "setting", … },
 * "sensors": [ { "column": "T24_sensor", "name": "T24", "quantity": "…", "unit": "°R" } ] }`,
 * or just the `columns` object.
 */
export function readMapFile(path: string): CliMapping {
  const file = basename(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT') throw new PrognosError('NOT_FOUND', `--map: ${file}: file not found`);
    throw badFile([{ file, reason: `cannot be read (${code ?? String(e)})` }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const at = jsonErrorOffset(text);
    const what = at >= text.length ? 'the text ends too early' : `unexpected ${JSON.stringify(text[at])}`;
    throw badFile([{ file, line: lineAt(text, at), reason: `not valid JSON (${what})` }]);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw badFile([{ file, line: 1, reason: 'expected an object: { "columns": { "header": "role", … }, "sensors": [ … ] }' }]);
  const obj = json as Record<string, unknown>;
  const structured = 'columns' in obj || 'sensors' in obj;
  const columns = structured ? obj.columns : obj;
  const issues: { file: string; line?: number; column?: string; reason: string }[] = [];
  const map: Record<string, ImportColumnRole> = {};
  if (columns !== undefined) {
    if (typeof columns !== 'object' || columns === null || Array.isArray(columns)) {
      issues.push({ file, ...lineOpt(lineOfKey(text, 'columns')), reason: '"columns" must be an object of header → role' });
    } else {
      for (const [header, role] of Object.entries(columns as Record<string, unknown>)) {
        if (typeof role === 'string' && isRole(role)) map[header] = role;
        else issues.push({ file, ...lineOpt(lineOfKey(text, header)), column: header, reason: `role must be one of ${ROLE_WORDS}, found ${JSON.stringify(role)}` });
      }
    }
  }
  if (structured) for (const key of Object.keys(obj)) if (key !== 'columns' && key !== 'sensors') issues.push({ file, ...lineOpt(lineOfKey(text, key)), reason: `unknown key "${key}" (expected "columns" and "sensors")` });
  let catalogue: SensorCatalogue | undefined;
  if (structured && obj.sensors !== undefined) {
    if (!Array.isArray(obj.sensors)) issues.push({ file, ...lineOpt(lineOfKey(text, 'sensors')), reason: '"sensors" must be a list of { column, name, quantity, unit }' });
    else {
      catalogue = [];
      obj.sensors.forEach((entry: unknown, i) => {
        const withDefaults = typeof entry === 'object' && entry !== null ? { quantity: '', unit: '', ...(entry) } : entry;
        const parsed = sensorEntrySchema.safeParse(withDefaults);
        const column = typeof entry === 'object' && entry !== null && typeof (entry as { column?: unknown }).column === 'string' ? (entry as { column: string }).column : undefined;
        if (parsed.success) catalogue!.push(parsed.data);
        else issues.push({ file, ...lineOpt(column === undefined ? undefined : lineOfKey(text, column)), ...(column === undefined ? {} : { column }), reason: `sensors[${i}]: ${zodReason(parsed.error)}` });
      });
    }
  }
  if (issues.length > 0) throw badFile(issues);
  return { ...(Object.keys(map).length === 0 ? {} : { map }), ...(catalogue === undefined ? {} : { catalogue }) };
}

function lineOpt(line: number | undefined): { line?: number } {
  return line === undefined ? {} : { line };
}

function zodReason(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.join('.') || 'entry'}: ${i.message}`).join('; ');
}

/** `--map engine=unit,t=cycle` (header=role) */
export function parseMapPairs(spec: string): Record<string, ImportColumnRole> {
  const map: Record<string, ImportColumnRole> = {};
  for (const pair of spec.split(',')) {
    const eq = pair.lastIndexOf('=');
    if (eq <= 0) throw new PrognosError('INVALID_INPUT', `--map expects a FILE.json or col=role pairs, got "${pair}".`);
    const col = pair.slice(0, eq).trim();
    const role = pair.slice(eq + 1).trim();
    if (!isRole(role)) throw new PrognosError('INVALID_INPUT', `--map: column "${col}": role must be one of ${ROLE_WORDS}, got "${role}".`);
    map[col] = role;
  }
  return map;
}

/** `--columns unit=engine_id,cycle=t,setting=alt,setting=mach` (role=header; a role may repeat) */
export function parseColumnsOption(spec: string): Record<string, ImportColumnRole> {
  const map: Record<string, ImportColumnRole> = {};
  for (const pair of spec.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new PrognosError('INVALID_INPUT', `--columns expects role=column pairs, got "${pair}".`);
    const role = pair.slice(0, eq).trim();
    const col = pair.slice(eq + 1).trim();
    if (!isRole(role)) throw new PrognosError('INVALID_INPUT', `--columns: "${pair}": the role must be one of ${ROLE_WORDS}, got "${role}".`);
    if (col === '') throw new PrognosError('INVALID_INPUT', `--columns: "${pair}" names no column.`);
    if (map[col] !== undefined && map[col] !== role) throw new PrognosError('INVALID_INPUT', `--columns: column "${col}" is given two roles (${map[col]} and ${role}).`);
    map[col] = role;
  }
  return map;
}

/** What `--map` and `--columns` ask for together (a file's roles, then the pairs over them). */
export function cliMapping(mapOption: string | undefined, columnsOption: string | undefined): CliMapping {
  let out: CliMapping = {};
  if (mapOption !== undefined) {
    const looksLikeFile = mapOption.toLowerCase().endsWith('.json') || !mapOption.includes('=');
    out = looksLikeFile ? readMapFile(mapOption) : { map: parseMapPairs(mapOption) };
  }
  if (columnsOption !== undefined) out = { ...out, map: { ...(out.map ?? {}), ...parseColumnsOption(columnsOption) } };
  return out;
}
