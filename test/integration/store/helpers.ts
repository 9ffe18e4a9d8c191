/** Fixtures for the store tests: temp folders, small fleet tables, and a content snapshot of a store. */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect } from 'vitest';
import { CMAPSS_VALUE_COLUMNS, type ColumnInfo, type FleetTable } from '../../../src/main/core/data/table';
import type { DatasetSummary } from '../../../src/shared/schemas';
import type { NewDataset } from '../../../src/main/core/store/store';

const dirs: string[] = [];

/** A fresh temp folder, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'prognos-store-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Deterministic values in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface TableOptions {
  seed?: number;
  columns?: readonly ColumnInfo[];
  rulAtEnd?: Map<number, number>;
  /** sprinkle NaN, -0 and extremes into the first value column */
  specials?: boolean;
}

/** A fleet with units 1..k having `unitLengths[k-1]` cycles each. */
export function makeTable(unitLengths: readonly number[], opts: TableOptions = {}): FleetTable {
  const rand = lcg(opts.seed ?? 7);
  const columns = opts.columns ?? CMAPSS_VALUE_COLUMNS;
  const n = unitLengths.reduce((a, b) => a + b, 0);
  const unit = new Int32Array(n);
  const cycle = new Int32Array(n);
  let r = 0;
  unitLengths.forEach((len, u) => {
    for (let c = 1; c <= len; c++, r++) {
      unit[r] = u + 1;
      cycle[r] = c;
    }
  });
  const values = columns.map((_, j) => {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = (rand() - 0.5) * 10 ** (j % 5) + j;
    return v;
  });
  if (opts.specials === true && n >= 4 && values[0] !== undefined) {
    values[0][0] = Number.NaN;
    values[0][1] = -0;
    values[0][2] = 1e150;
    values[0][3] = Number.MIN_VALUE;
  }
  const table: FleetTable = { rowCount: n, unit, cycle, columns, values };
  return opts.rulAtEnd === undefined ? table : { ...table, rulAtEnd: opts.rulAtEnd };
}

export function summarize(t: FleetTable): DatasetSummary {
  const lengths = new Map<number, number>();
  for (const u of t.unit) lengths.set(u, (lengths.get(u) ?? 0) + 1);
  const sorted = [...lengths.values()].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median =
    sorted.length === 0
      ? 0
      : sorted.length % 2 === 1
        ? sorted[Math.floor(mid)]!
        : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const columns = t.columns.map((c, j) => {
    const v = [...t.values[j]!].filter(Number.isFinite);
    const mean = v.length === 0 ? 0 : v.reduce((a, b) => a + b, 0) / v.length;
    const std = v.length === 0 ? 0 : Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    const min = v.length === 0 ? 0 : Math.min(...v);
    const max = v.length === 0 ? 0 : Math.max(...v);
    return { ...c, min, max, mean, std, constant: max - min <= 1e-9 * Math.max(1, Math.abs(mean)) };
  });
  return {
    rows: t.rowCount,
    units: lengths.size,
    minCycles: sorted[0] ?? 0,
    medianCycles: median,
    maxCycles: sorted[sorted.length - 1] ?? 0,
    columns,
    constantColumns: columns.filter((c) => c.constant).map((c) => c.name),
    hasRul: t.rulAtEnd !== undefined,
  };
}

export function newDataset(table: FleetTable, over: Partial<NewDataset> = {}): NewDataset {
  return {
    name: 'FD001 train',
    format: 'cmapss',
    sourceFile: '/data/train_FD001.txt',
    rulFile: null,
    fingerprint: 'sha256:aaaa',
    summary: summarize(table),
    table,
    ...over,
  };
}

function bytes(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Table equality by bytes (fast for big tables, and exact for NaN and -0). */
export function expectSameTable(actual: FleetTable, expected: FleetTable): void {
  expect(actual.rowCount).toBe(expected.rowCount);
  expect(actual.columns).toEqual(expected.columns);
  expect(actual.unit).toBeInstanceOf(Int32Array);
  expect(actual.cycle).toBeInstanceOf(Int32Array);
  expect(bytes(actual.unit).equals(bytes(expected.unit))).toBe(true);
  expect(bytes(actual.cycle).equals(bytes(expected.cycle))).toBe(true);
  expect(actual.values).toHaveLength(expected.values.length);
  actual.values.forEach((v, j) => {
    expect(v).toBeInstanceOf(Float64Array);
    expect(bytes(v).equals(bytes(expected.values[j]!)), `column ${expected.columns[j]?.name}`).toBe(true);
  });
  expect(actual.rulAtEnd).toEqual(expected.rulAtEnd);
}

export interface StoreSnapshot {
  counts: Record<string, number>;
  hash: string;
}

/** Row counts of every table and a SHA-256 over all their content, read through a separate connection. */
export function snapshot(dbPath: string): StoreSnapshot {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all()
      .map((r) => r.name);
    const hash = createHash('sha256');
    const counts: Record<string, number> = {};
    for (const t of tables) {
      const rows = db.prepare(`SELECT * FROM "${t}" ORDER BY rowid`).raw(true).all() as unknown[][];
      counts[t] = rows.length;
      hash.update(`table ${t}\n`);
      for (const row of rows) {
        for (const cell of row) {
          hash.update(Buffer.isBuffer(cell) ? `x'${cell.toString('hex')}'` : JSON.stringify(cell));
          hash.update('\t');
        }
        hash.update('\n');
      }
    }
    return { counts, hash: hash.digest('hex') };
  } finally {
    db.close();
  }
}

/** A second connection to the store's file, for looking under the hood. */
export function rawConnection(dbPath: string): Database.Database {
  const db = new Database(dbPath, { fileMustExist: true });
  db.pragma('foreign_keys = ON');
  return db;
}

export function tableNames(db: Database.Database): string[] {
  return db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all()
    .map((r) => r.name);
}

export function columnNames(db: Database.Database, table: string): string[] {
  return db
    .prepare<[string], { name: string }>('SELECT name FROM pragma_table_info(?) ORDER BY cid')
    .all(table)
    .map((r) => r.name);
}

export function indexNames(db: Database.Database, table: string): string[] {
  return db
    .prepare<[string], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name",
    )
    .all(table)
    .map((r) => r.name);
}

export function indexColumns(db: Database.Database, index: string): string[] {
  return db
    .prepare<[string], { name: string }>('SELECT name FROM pragma_index_info(?) ORDER BY seqno')
    .all(index)
    .map((r) => r.name);
}
