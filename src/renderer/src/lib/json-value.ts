/** Plain JSON values and immutable updates by path, for documents edited as a form and as text. */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
export type JsonPath = readonly (string | number)[];

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at `path`, or undefined where the path leads nowhere. */
export function getAt(root: unknown, path: JsonPath): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (typeof key === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[key];
    } else {
      if (!isJsonObject(cur)) return undefined;
      cur = Object.prototype.hasOwnProperty.call(cur, key) ? cur[key] : undefined;
    }
  }
  return cur;
}

/**
 * A copy of `root` with `value` at `path` (objects created on the way); `undefined` removes the key.
 * Untouched branches are shared with the original.
 */
export function setAt(root: JsonObject, path: JsonPath, value: JsonValue | undefined): JsonObject {
  const [head, ...rest] = path;
  if (head === undefined) return root;
  const key = String(head);
  if (rest.length === 0) {
    const copy = { ...root };
    if (value === undefined) delete copy[key];
    else copy[key] = value;
    return copy;
  }
  const child = root[key];
  return { ...root, [key]: setAt(isJsonObject(child) ? child : {}, rest, value) };
}

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return (
      ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]))
    );
  }
  return false;
}

/** The listed keys of an object (those present), in the listed order. */
export function pick(obj: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const k of keys) {
    const v = obj[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** Converts an unknown value (e.g. a parsed answer) into a JSON object, or null when it is not one. */
export function toJsonObject(v: unknown): JsonObject | null {
  if (!isJsonObject(v)) return null;
  try {
    const copy: unknown = JSON.parse(JSON.stringify(v));
    return isJsonObject(copy) ? copy : null;
  } catch {
    return null;
  }
}

export function formatJson(v: unknown): string {
  return `${JSON.stringify(v, null, 2)}\n`;
}

export type JsonParse = { ok: true; value: unknown } | { ok: false; message: string };

/** Parses text; the failure names the line and column where the browser's message gives a position. */
export function parseJsonText(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(message);
    if (pos?.[1] === undefined) return { ok: false, message };
    const offset = Number(pos[1]);
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    return {
      ok: false,
      message: `${message.replace(/\s*\(line \d+ column \d+\)/, '')} (line ${line}, column ${column})`,
    };
  }
}
