/**
 * POST /predict's usual body read straight from its bytes into the fleet table the scorer reads, with
 * no JSON objects in between: `{"units":[{"unit":N,"rows":[{"cycle":N,"s2":x,…},…]},…]}`.
 *
 * It takes only bodies it can answer exactly as the general path would (JSON.parse, the openapi.json
 * schema, tableOf): keys in any order, JSON whitespace, every number as JSON.parse reads it. Anything
 * else — a key it does not know or that appears twice, a string or null value, an escape, a missing
 * required column, a cycle out of order, a repeated unit, text after the body — makes it answer
 * undefined, and the request then takes the general path, which gives the error (or the answer) it
 * always gave. So it changes what a request costs, never what it gets.
 */
import type { ColumnInfo, FleetTable } from '../core/data/table';
import type { BundleManifest } from '../core/export';

const INT32_MAX = 2 ** 31 - 1;
/** 10^0 … 10^22: every one exact in a double */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const BACKSLASH = 0x5c;

/** The table of a body, and what the cache key needs. */
export interface ParsedBody {
  readonly table: FleetTable;
  /** units in the request */
  readonly unitCount: number;
  /** the canonical JSON of the request's units (request.ts canonicalJson of `units`): the cache key's input */
  canonicalUnits(): string;
}

class Fallback extends Error {}
const FALLBACK = new Fallback();
const EMPTY = new Uint8Array(0);
const BUCKETS = 1024;
const BUCKET_SLOTS = 4;

/**
 * The reader for one bundle: its columns (settings then sensors, as tableOf lays them out) and the
 * row keys its openapi.json requires.
 */
export class PredictBodyReader {
  private readonly columns: ColumnInfo[];
  /** key bytes per slot: slot 0 is `cycle`, slot k + 1 is columns[k] */
  private readonly keys: Uint8Array[];
  /** slots by key hash: BUCKET_SLOTS per bucket of the hash's low bits, −1 when free (collisions are told apart by their bytes) */
  private readonly buckets = new Int32Array(BUCKETS * BUCKET_SLOTS).fill(-1);
  private readonly requiredMask: number;
  /** the slots in the order canonicalJson writes a row's keys (sorted) */
  private readonly sortedSlots: number[];
  private readonly keyText: string[];

  // the body being read
  private b: Uint8Array = EMPTY;
  private i = 0;
  // rows read so far: values column by column (column k at k × capacity), cycles, keys present
  private vals = new Float64Array(1024 * 31);
  private cycles = new Int32Array(1024);
  private present = new Int32Array(1024);
  private rows = 0;

  private constructor(m: BundleManifest, required: readonly string[]) {
    this.columns = m.rawInput.columns.filter((c) => c.role === 'setting' || c.role === 'sensor').map((c) => ({ name: c.name, original: c.original, role: c.role }));
    const names = ['cycle', ...this.columns.map((c) => c.name)];
    this.keyText = names;
    this.keys = names.map((n) => Buffer.from(n, 'utf8'));
    names.forEach((_, slot) => {
      const base = (hashOf(this.keys[slot]!, 0, this.keys[slot]!.length) & (BUCKETS - 1)) * BUCKET_SLOTS;
      let k = 0;
      while (k < BUCKET_SLOTS && this.buckets[base + k] !== -1) k++;
      this.buckets[base + k] = slot;
    });
    let mask = 0;
    for (const r of required) mask |= 1 << names.indexOf(r);
    this.requiredMask = mask;
    this.sortedSlots = names.map((_, k) => k).sort((a, b) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0));
  }

  /**
   * The reader for a bundle, or undefined when its bodies are not of the usual shape (more than 31
   * value columns, a required key that is not a column, a non-ASCII name): the general path then reads every body.
   */
  static of(m: BundleManifest, openapi: Record<string, unknown>): PredictBodyReader | undefined {
    const row = (openapi.components as { schemas?: Record<string, { required?: unknown; additionalProperties?: unknown }> } | undefined)?.schemas?.HistoryRow;
    const required = row?.required;
    if (!Array.isArray(required) || !required.every((r): r is string => typeof r === 'string')) return undefined;
    const names = ['cycle', ...m.rawInput.columns.filter((c) => c.role === 'setting' || c.role === 'sensor').map((c) => c.name)];
    if (names.length > 31 || new Set(names).size !== names.length) return undefined;
    if (!names.every((n) => /^[A-Za-z0-9_]+$/.test(n))) return undefined;
    if (!required.includes('cycle') || !required.every((r) => names.includes(r))) return undefined;
    const buckets = new Map<number, number>();
    for (const n of names) {
      const h = hashOf(Buffer.from(n, 'utf8'), 0, n.length) & (BUCKETS - 1);
      buckets.set(h, (buckets.get(h) ?? 0) + 1);
    }
    if ([...buckets.values()].some((k) => k > BUCKET_SLOTS)) return undefined;
    return new PredictBodyReader(m, required);
  }

  /** The body's table, or undefined when the general path must read it. */
  read(body: Uint8Array): ParsedBody | undefined {
    this.b = body;
    this.i = 0;
    this.rows = 0;
    try {
      return this.body();
    } catch (e) {
      if (e === FALLBACK) return undefined;
      throw e;
    } finally {
      this.b = EMPTY;
    }
  }

  private body(): ParsedBody {
    this.ws();
    this.expect(LBRACE);
    this.ws();
    // the one key: "units"
    if (!this.literalKey('units')) throw FALLBACK;
    this.ws();
    this.expect(COLON);
    this.ws();
    this.expect(LBRACKET);
    const unitIds: number[] = [];
    const unitEnds: number[] = [];
    const seen = new Set<number>();
    this.ws();
    if (this.b[this.i] === RBRACKET) throw FALLBACK; // minItems 1
    for (;;) {
      this.ws();
      const unit = this.unit();
      if (seen.has(unit)) throw FALLBACK;
      seen.add(unit);
      unitIds.push(unit);
      unitEnds.push(this.rows);
      this.ws();
      const c = this.b[this.i++];
      if (c === COMMA) continue;
      if (c === RBRACKET) break;
      throw FALLBACK;
    }
    this.ws();
    this.expect(RBRACE);
    this.ws();
    if (this.i !== this.b.length) throw FALLBACK;
    return this.result(unitIds, unitEnds);
  }

  /** one `{"unit": N, "rows": [...]}`; its rows are appended; returns the unit id */
  private unit(): number {
    this.expect(LBRACE);
    let unit: number | undefined;
    let hadRows = false;
    const first = this.rows;
    this.ws();
    if (this.b[this.i] === RBRACE) throw FALLBACK;
    for (;;) {
      this.ws();
      if (this.literalKey('unit')) {
        if (unit !== undefined) throw FALLBACK;
        this.ws();
        this.expect(COLON);
        this.ws();
        unit = this.number();
        if (!Number.isInteger(unit) || Math.abs(unit) > INT32_MAX) throw FALLBACK;
      } else if (this.literalKey('rows')) {
        if (hadRows) throw FALLBACK;
        hadRows = true;
        this.ws();
        this.expect(COLON);
        this.ws();
        this.rowsOf();
      } else throw FALLBACK;
      this.ws();
      const c = this.b[this.i++];
      if (c === COMMA) continue;
      if (c === RBRACE) break;
      throw FALLBACK;
    }
    if (unit === undefined || !hadRows || this.rows === first) throw FALLBACK;
    return unit;
  }

  /**
   * `[ {row}, … ]` (cycles strictly increasing), each row's values into the column buffer. The
   * hot loop of the reader: the position, the key's hash and the number are kept in locals.
   */
  private rowsOf(): void {
    const b = this.b;
    const W = this.keys.length - 1;
    const required = this.requiredMask;
    /** every value column's bit (slot 0, the cycle, is required) */
    const all = ((1 << (W + 1)) - 1) & ~1;
    const buckets = this.buckets;
    const keys = this.keys;
    let i = this.i;
    if (b[i++] !== LBRACKET) throw FALLBACK;
    while (isWs(b[i])) i++;
    if (b[i] === RBRACKET) throw FALLBACK;
    let prev = -Infinity;
    for (;;) {
      while (isWs(b[i])) i++;
      if (b[i++] !== LBRACE) throw FALLBACK;
      const r = this.rows;
      if (r === this.cycles.length) this.grow();
      const v = this.vals;
      const cap = this.cycles.length;
      let mask = 0;
      let cycle = 0;
      for (;;) {
        while (isWs(b[i])) i++;
        // the key: plain ASCII, no escapes
        if (b[i++] !== QUOTE) throw FALLBACK;
        const start = i;
        let h = 0;
        let c = b[i];
        while (c !== QUOTE) {
          if (c === undefined || c === BACKSLASH || c >= 0x80 || c < 0x20) throw FALLBACK;
          h = (Math.imul(h, 31) + c) | 0;
          c = b[++i];
        }
        const end = i++;
        const at = (h & (BUCKETS - 1)) * BUCKET_SLOTS;
        let slot = -1;
        for (let k = 0; k < BUCKET_SLOTS; k++) {
          const s = buckets[at + k]!;
          if (s < 0) break;
          if (sameBytes(keys[s]!, b, start, end)) {
            slot = s;
            break;
          }
        }
        if (slot < 0) throw FALLBACK;
        const bit = 1 << slot;
        if ((mask & bit) !== 0) throw FALLBACK;
        mask |= bit;
        while (isWs(b[i])) i++;
        if (b[i++] !== COLON) throw FALLBACK;
        while (isWs(b[i])) i++;
        // the number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
        const numStart = i;
        let neg = false;
        if (b[i] === MINUS) {
          neg = true;
          i++;
        }
        let mant = 0;
        let digits = 0;
        c = b[i];
        if (c === ZERO) {
          c = b[++i];
          if (c !== undefined && c >= ZERO && c <= NINE) throw FALLBACK; // a leading zero
        } else if (c !== undefined && c > ZERO && c <= NINE) {
          do {
            mant = mant * 10 + (c - ZERO);
            digits++;
            c = b[++i];
          } while (c !== undefined && c >= ZERO && c <= NINE);
        } else throw FALLBACK;
        let scale = 0;
        if (c === DOT) {
          c = b[++i];
          if (c === undefined || c < ZERO || c > NINE) throw FALLBACK;
          do {
            mant = mant * 10 + (c - ZERO);
            if (mant !== 0) digits++;
            scale--;
            c = b[++i];
          } while (c !== undefined && c >= ZERO && c <= NINE);
        }
        let x: number;
        if (c === 0x65 || c === 0x45) {
          // an exponent: the general number reader
          this.i = numStart;
          x = this.number();
          i = this.i;
          c = b[i];
        } else if (digits <= 15 && scale >= -22) {
          // at most 15 significant digits: the mantissa is an exact integer, and one division by an
          // exact power of ten rounds correctly (as JSON.parse does)
          x = scale === 0 ? mant : mant / POW10[-scale]!;
          if (neg) x = -x;
        } else x = Number(Buffer.from(b.buffer, b.byteOffset + numStart, i - numStart).toString('latin1'));
        if (slot === 0) {
          if (!Number.isInteger(x) || Math.abs(x) > INT32_MAX) throw FALLBACK;
          cycle = x;
        } else v[(slot - 1) * cap + r] = x;
        while (isWs(c)) c = b[++i];
        i++;
        if (c === COMMA) continue;
        if (c === RBRACE) break;
        throw FALLBACK;
      }
      if ((mask & required) !== required) throw FALLBACK;
      // the columns the row leaves out are NaN, as in tableOf
      for (let missing = ~mask & all; missing !== 0; missing &= missing - 1) v[(30 - Math.clz32(missing & -missing)) * cap + r] = Number.NaN;
      if (cycle <= prev) throw FALLBACK;
      prev = cycle;
      this.cycles[r] = cycle;
      this.present[r] = mask;
      this.rows = r + 1;
      while (isWs(b[i])) i++;
      const c = b[i++];
      if (c === COMMA) continue;
      if (c === RBRACKET) break;
      throw FALLBACK;
    }
    this.i = i;
  }

  private grow(): void {
    const cap = this.cycles.length;
    const n = cap * 2;
    const W = this.keys.length - 1;
    const vals = new Float64Array(n * W);
    for (let k = 0; k < W; k++) vals.set(this.vals.subarray(k * cap, (k + 1) * cap), k * n);
    this.vals = vals;
    const cycles = new Int32Array(n);
    cycles.set(this.cycles);
    this.cycles = cycles;
    const present = new Int32Array(n);
    present.set(this.present);
    this.present = present;
  }

  /** true (and past it) when the next token is the quoted key `name` */
  private literalKey(name: string): boolean {
    const b = this.b;
    if (b[this.i] !== QUOTE || b[this.i + name.length + 1] !== QUOTE) return false;
    for (let k = 0; k < name.length; k++) if (b[this.i + 1 + k] !== name.charCodeAt(k)) return false;
    this.i += name.length + 2;
    return true;
  }

  /** a JSON number, as JSON.parse reads it */
  private number(): number {
    const b = this.b;
    const start = this.i;
    let neg = false;
    if (b[this.i] === MINUS) {
      neg = true;
      this.i++;
    }
    let mant = 0;
    let digits = 0;
    let c = b[this.i];
    if (c === ZERO) {
      this.i++;
      c = b[this.i];
      if (c !== undefined && c >= ZERO && c <= NINE) throw FALLBACK; // a leading zero
    } else if (c !== undefined && c > ZERO && c <= NINE) {
      while (c !== undefined && c >= ZERO && c <= NINE) {
        mant = mant * 10 + (c - ZERO);
        digits++;
        c = b[++this.i];
      }
    } else throw FALLBACK;
    let scale = 0;
    if (c === DOT) {
      c = b[++this.i];
      if (c === undefined || c < ZERO || c > NINE) throw FALLBACK;
      while (c !== undefined && c >= ZERO && c <= NINE) {
        mant = mant * 10 + (c - ZERO);
        if (mant !== 0) digits++;
        scale--;
        c = b[++this.i];
      }
    }
    let exact = true;
    if (c === 0x65 || c === 0x45) {
      c = b[++this.i];
      let eneg = false;
      if (c === MINUS || c === PLUS) {
        eneg = c === MINUS;
        c = b[++this.i];
      }
      if (c === undefined || c < ZERO || c > NINE) throw FALLBACK;
      let e = 0;
      while (c !== undefined && c >= ZERO && c <= NINE) {
        if (e < 1e6) e = e * 10 + (c - ZERO);
        c = b[++this.i];
      }
      scale += eneg ? -e : e;
      exact = false;
    }
    // at most 15 significant digits: the mantissa is an exact integer, and one multiplication or
    // division by an exact power of ten rounds correctly (what JSON.parse gives); else the text
    if (exact && digits <= 15 && scale >= -22) {
      const x = scale === 0 ? mant : mant / POW10[-scale]!;
      return neg ? -x : x;
    }
    if (digits <= 15 && scale >= -22 && scale <= 22) {
      const x = scale < 0 ? mant / POW10[-scale]! : mant * POW10[scale]!;
      return neg ? -x : x;
    }
    return Number(Buffer.from(b.buffer, b.byteOffset + start, this.i - start).toString('latin1'));
  }

  private ws(): void {
    const b = this.b;
    let c = b[this.i];
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = b[++this.i];
  }

  private expect(ch: number): void {
    if (this.b[this.i] !== ch) throw FALLBACK;
    this.i++;
  }

  private result(unitIds: readonly number[], unitEnds: readonly number[]): ParsedBody {
    const n = this.rows;
    const W = this.keys.length - 1;
    const unit = new Int32Array(n);
    let from = 0;
    unitIds.forEach((u, k) => {
      unit.fill(u, from, unitEnds[k]);
      from = unitEnds[k]!;
    });
    const cycle = this.cycles.slice(0, n);
    // the columns are views of one buffer: one allocation a request instead of one a column
    const values: Float64Array[] = [];
    const cap = this.cycles.length;
    const all = new Float64Array(W * n);
    for (let c = 0; c < W; c++) {
      all.set(this.vals.subarray(c * cap, c * cap + n), c * n);
      values.push(all.subarray(c * n, (c + 1) * n));
    }
    const present = this.present.slice(0, n);
    const table: FleetTable = { rowCount: n, unit, cycle, columns: this.columns, values };
    const sorted = this.sortedSlots;
    const names = this.keyText;
    return {
      table,
      unitCount: unitIds.length,
      canonicalUnits: () => {
        // canonicalJson(units): `[{"rows":[{sorted keys}],"unit":N},…]`, numbers as JSON.stringify writes them
        const parts: string[] = [];
        let r = 0;
        unitIds.forEach((u, k) => {
          const rows: string[] = [];
          for (; r < unitEnds[k]!; r++) {
            const fields: string[] = [];
            for (const s of sorted) {
              if ((present[r]! & (1 << s)) === 0) continue;
              fields.push(`"${names[s]!}":${JSON.stringify(s === 0 ? cycle[r]! : values[s - 1]![r]!)}`);
            }
            rows.push(`{${fields.join(',')}}`);
          }
          parts.push(`{"rows":[${rows.join(',')}],"unit":${JSON.stringify(u)}}`);
        });
        return `[${parts.join(',')}]`;
      },
    };
  }
}

function isWs(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function hashOf(b: Uint8Array, start: number, end: number): number {
  let h = 0;
  for (let i = start; i < end; i++) h = (Math.imul(h, 31) + b[i]!) | 0;
  return h;
}

function sameBytes(key: Uint8Array, b: Uint8Array, start: number, end: number): boolean {
  if (end - start !== key.length) return false;
  for (let k = 0; k < key.length; k++) if (key[k] !== b[start + k]) return false;
  return true;
}
