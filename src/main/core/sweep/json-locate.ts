/**
 * JSON parsed with the line and column of every value, so a problem in a search space can be named
 * by its JSON path and where it sits in the file. Strict JSON (RFC 8259): no comments, no trailing commas.
 */

export type JsonPath = readonly (string | number)[];

export interface JsonLocation {
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
}

export interface LocatedJson {
  value: unknown;
  /** where each value starts, by pathKey(path) */
  locations: Map<string, JsonLocation>;
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/** `gbdt.maxDepth`, `features.windows[1]`; the root is `(root)`. */
export function pathKey(path: JsonPath): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
  return s === '' ? '(root)' : s;
}

export function parseLocatedJson(text: string): LocatedJson {
  const locations = new Map<string, JsonLocation>();
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const here = (): JsonLocation => ({ line, column: i - lineStart + 1 });
  const fail = (reason: string): never => {
    const at = here();
    throw new JsonSyntaxError(reason, at.line, at.column);
  };
  const skip = (): void => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 10) {
        line++;
        i++;
        lineStart = i;
      } else if (c === 32 || c === 9 || c === 13) i++;
      else break;
    }
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    let out = '';
    while (true) {
      if (i >= text.length) {
        i = start;
        return fail('unterminated string');
      }
      const c = text[i]!;
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\n') return fail('line break inside a string');
      if (c === '\\') {
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && simple[e] !== undefined) {
          out += simple[e];
          i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else return fail('bad escape in a string');
      } else {
        out += c;
        i++;
      }
    }
  };
  const value = (path: (string | number)[]): unknown => {
    skip();
    locations.set(pathKey(path), here());
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      skip();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      while (true) {
        skip();
        if (text[i] !== '"') return fail('expected a property name in double quotes');
        const key = str();
        if (Object.prototype.hasOwnProperty.call(obj, key)) return fail(`duplicate key "${key}"`);
        skip();
        if (text[i] !== ':') return fail(`expected ':' after "${key}"`);
        i++;
        obj[key] = value([...path, key]);
        skip();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        return fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      skip();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      while (true) {
        arr.push(value([...path, arr.length]));
        skip();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        return fail("expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
    if (m !== null) {
      i += m[0].length;
      return Number(m[0]);
    }
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    return i >= text.length ? fail('unexpected end of the file') : fail(`unexpected character ${JSON.stringify(c)}`);
  };
  const v = value([]);
  skip();
  if (i < text.length) fail('unexpected text after the JSON value');
  return { value: v, locations };
}
