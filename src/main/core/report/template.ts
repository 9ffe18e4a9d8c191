/**
 * Report templates as text: parsing the JSON an analyst wrote (the app's editor, `prognos report
 * --template FILE`) with errors that say where, and the canonical form stored and hashed.
 *
 * Syntax errors name the line and column; schema errors name the key path (`actions[2].when`) and,
 * where the key or value is in the text, its line and column too. The schema is strict: an unknown
 * key is an error naming it, never silently dropped.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { PrognosError, type FileIssue } from '../../../shared/errors';
import { reportTemplateSchema, type ReportTemplate } from '../../../shared/report';

type PathPart = string | number;

/** `actions[2].when.rulAtMost`; `(root)` for the document itself. */
export function keyPath(path: readonly PathPart[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out === '' ? '(root)' : out;
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  const end = Math.max(0, Math.min(offset, text.length));
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: end - start + 1 };
}

/** Where the JSON parser stopped, from its message (V8 spells it "at position N" or "(line L column C)"). */
export function syntaxErrorAt(text: string, message: string): { line: number; column: number; reason: string } {
  const reason = message
    .replace(/\s*\(line \d+ column \d+\)/, '')
    .replace(/\s*in JSON at position \d+.*$/s, '')
    .replace(/^JSON\.parse: /, '')
    .trim();
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc !== null) return { line: Number(lc[1]), column: Number(lc[2]), reason };
  const pos = /at position (\d+)/.exec(message);
  const offset = pos !== null ? Number(pos[1]) : text.length; // "Unexpected end of JSON input"
  return { ...lineColumn(text, offset), reason };
}

/**
 * Offsets of every key and value in valid JSON text, by key path (`a.b[0]`): `key` is where the
 * property's name starts (absent for array items and the root), `value` where its value starts.
 */
export function jsonLocations(text: string): Map<string, { key?: number; value: number }> {
  const out = new Map<string, { key?: number; value: number }>();
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: PathPart[], key?: number): void => {
    ws();
    out.set(keyPath(path), key === undefined ? { value: i } : { key, value: i });
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        const at = i;
        const name = str();
        ws();
        i++; // ':'
        value([...path, name], at);
        ws();
        if (text[i++] === '}') return;
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        value([...path, n]);
        ws();
        if (text[i++] === ']') return;
      }
    } else if (c === '"') str();
    else while (i < text.length && !',}] \t\r\n'.includes(text[i]!)) i++;
  };
  value([]);
  return out;
}

export function issueText(issue: z.core.$ZodIssue): { path: PathPart[]; reason: string } {
  const path = issue.path.filter((p): p is PathPart => typeof p === 'string' || typeof p === 'number');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys;
    return {
      path: [...path, keys[0]!],
      reason: `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}`,
    };
  }
  return { path, reason: issue.message };
}

/**
 * The template in `text` with every default filled in; BAD_FILE otherwise, whose message names
 * `fileName` and the line and column of a syntax error, or the key path (and its line and column)
 * of each schema problem; `details.issues` holds each problem with its line.
 */
export function parseTemplateText(text: string, fileName: string): ReportTemplate {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const shift = body === text ? 0 : 1;
  if (body.trim() === '') throw new PrognosError('BAD_FILE', `${fileName}: the template is empty (a JSON object is expected).`, { issues: [{ file: fileName, reason: 'the template is empty' }] });
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    const at = syntaxErrorAt(body, e instanceof Error ? e.message : String(e));
    const reason = `not valid JSON: ${at.reason}`;
    const column = at.column + (at.line === 1 ? shift : 0);
    throw new PrognosError('BAD_FILE', `${fileName}: line ${at.line}, column ${column}: ${reason}`, {
      issues: [{ file: fileName, line: at.line, reason: `column ${column}: ${reason}` }],
    });
  }
  const parsed = reportTemplateSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const where = jsonLocations(body);
  const issues: FileIssue[] = [];
  const lines: string[] = [];
  for (const issue of parsed.error.issues.slice(0, 20)) {
    const { path, reason } = issueText(issue);
    const key = keyPath(path);
    // the key itself when it is in the text, else the nearest enclosing value that is
    let loc: { key?: number; value: number } | undefined;
    for (let n = path.length; n >= 0 && loc === undefined; n--) loc = where.get(keyPath(path.slice(0, n)));
    const lc = loc === undefined ? undefined : lineColumn(body, loc.key ?? loc.value);
    lines.push(`${key}${lc === undefined ? '' : ` (line ${lc.line}, column ${lc.column})`}: ${reason}`);
    issues.push({ file: fileName, ...(lc === undefined ? {} : { line: lc.line }), reason: `${key === '' ? 'the template' : `key ${key}`}${lc === undefined ? '' : ` (column ${lc.column})`}: ${reason}` });
  }
  const more = parsed.error.issues.length > 20 ? `; and ${parsed.error.issues.length - 20} more` : '';
  throw new PrognosError('BAD_FILE', `${fileName}: not a valid report template: ${lines.join('; ')}${more}`, { issues });
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort()
        .map((k) => [k, sortKeys(o[k])]),
    );
  }
  return v;
}

/** The template's canonical JSON: keys sorted at every level, no spaces, `$schema` left out. */
export function canonicalTemplateJson(t: ReportTemplate): string {
  const { $schema: _schema, ...rest } = t;
  return JSON.stringify(sortKeys(rest));
}

/** SHA-256 (hex) of the canonical JSON: the template's identity in a report's appendix. */
export function templateSha256(t: ReportTemplate): string {
  return createHash('sha256').update(canonicalTemplateJson(t), 'utf8').digest('hex');
}

/** The canonical JSON laid out for an editor (two-space indent, keys sorted). */
export function templateEditorText(t: ReportTemplate): string {
  return `${JSON.stringify(JSON.parse(canonicalTemplateJson(t)), null, 2)}\n`;
}
