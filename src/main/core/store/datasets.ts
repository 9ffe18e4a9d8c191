/**
 * Datasets in the store: metadata in `datasets`, the table itself columnar in `dataset_columns`
 * (one typed-array BLOB per column) and the RUL file of a test set in `rul_at_end`.
 */
import { close, fdatasync, openSync } from 'node:fs';
import type { ColumnInfo, ColumnRole, FleetTable } from '../data/table';
import { PrognosError } from '../../../shared/errors';
import {
  datasetRegimesSchema,
  datasetSummarySchema,
  type DatasetFormat,
  type DatasetRegimes,
  type DatasetRecord,
  type DatasetSummary,
} from '../../../shared/schemas';
import { blobOf, float64FromBlob, int32FromBlob, sha256Hex, type ColumnType } from './blobs';
import { sortableId } from './ids';
import { isConstraintError, nowIso, type Db } from './sqlite';
import { z } from 'zod';
import { datasetRoleSchema, type DatasetRole } from '../../../shared/housekeeping';

export interface NewDataset {
  name: string;
  format: DatasetFormat;
  sourceFile: string;
  rulFile: string | null;
  /** content hash of the source (and RUL) file, used to spot re-imports */
  fingerprint: string;
  summary: DatasetSummary;
  table: FleetTable;
  /**
   * SHA-256 (hex) of each column's bytes in stored order (unit, cycle, then the values), when the
   * caller computed them off this thread (the import worker does); absent: hashed here
   */
  columnSha256?: readonly string[];
  /** the operating regimes detected at import (null or absent: not detected) */
  regimes?: DatasetRegimes | null;
  /** what the dataset is for (absent: test with a RUL file, else training — as migration 010 reads older data) */
  role?: DatasetRole;
}

/** Whole columns of a dataset, for charts: unit and cycle always, values by name. */
export interface ColumnSelection {
  unit: Int32Array;
  cycle: Int32Array;
  values: Record<string, Float64Array>;
}

/** A range of rows of a dataset, for previews. */
export interface RowRange {
  /** first row of the range (clamped to the table) */
  offset: number;
  totalRows: number;
  unit: Int32Array;
  cycle: Int32Array;
  /** value columns in file order; `values[i]` belongs to `columns[i]` */
  columns: ColumnInfo[];
  values: Float64Array[];
}

interface DatasetRow {
  dataset_id: string;
  name: string;
  format: string;
  source_file: string;
  rul_file: string | null;
  fingerprint: string;
  created_at: string;
  row_count: number;
  unit_count: number;
  min_cycles: number;
  max_cycles: number;
  has_rul_at_end: number;
  summary_json: string;
  regimes_json: string | null;
  role: string;
}

interface ColumnRow {
  position: number;
  name: string;
  original: string;
  role: string;
  dtype: string;
  length: number;
  data: Buffer;
  sha256: string;
}

const DATASET_COLUMNS =
  'dataset_id, name, format, source_file, rul_file, fingerprint, created_at, row_count, unit_count, min_cycles, max_cycles, has_rul_at_end, summary_json, regimes_json, role';

function toRecord(row: DatasetRow): DatasetRecord {
  return {
    datasetId: row.dataset_id,
    name: row.name,
    format: row.format === 'csv' ? 'csv' : 'cmapss',
    sourceFile: row.source_file,
    rulFile: row.rul_file,
    fingerprint: row.fingerprint,
    createdAt: row.created_at,
    rows: row.row_count,
    units: row.unit_count,
    minCycles: row.min_cycles,
    maxCycles: row.max_cycles,
    summary: JSON.parse(row.summary_json) as DatasetSummary,
    regimes: regimesOf(row),
    role: roleOf(row.role),
  };
}

/** The stored regimes; a stored value that does not read as regimes counts as not detected. */
function regimesOf(row: Pick<DatasetRow, 'regimes_json'>): DatasetRegimes | null {
  if (row.regimes_json === null) return null;
  const parsed = datasetRegimesSchema.safeParse(JSON.parse(row.regimes_json));
  return parsed.success ? parsed.data : null;
}

function roleOf(role: string): DatasetRole {
  const r = datasetRoleSchema.safeParse(role);
  return r.success ? r.data : 'unlabeled';
}

function notFound(id: string): PrognosError {
  return new PrognosError('NOT_FOUND', `no dataset with id "${id}"`);
}

function datasetRow(db: Db, id: string): DatasetRow | undefined {
  return db.prepare<[string], DatasetRow>(`SELECT ${DATASET_COLUMNS} FROM datasets WHERE dataset_id = ?`).get(id);
}

function requireDataset(db: Db, id: string): DatasetRow {
  const row = datasetRow(db, id);
  if (row === undefined) throw notFound(id);
  return row;
}

/** Checks everything that can be checked before writing; returns the summary as the schema reads it. */
function validate(d: NewDataset): DatasetSummary {
  const problems: string[] = [];
  const t = d.table;
  const n = t.rowCount;
  if (!Number.isSafeInteger(n) || n < 0) problems.push(`rowCount ${n} is not a row count`);
  if (!(t.unit instanceof Int32Array) || t.unit.length !== n)
    problems.push(`unit must be an Int32Array of ${n} values`);
  if (!(t.cycle instanceof Int32Array) || t.cycle.length !== n)
    problems.push(`cycle must be an Int32Array of ${n} values`);
  if (t.values.length !== t.columns.length) {
    problems.push(`${t.columns.length} columns but ${t.values.length} value arrays`);
  }
  t.values.forEach((v, i) => {
    if (!(v instanceof Float64Array) || v.length !== n) {
      problems.push(`column ${t.columns[i]?.name ?? i} must be a Float64Array of ${n} values`);
    }
  });
  if (d.columnSha256 !== undefined && (d.columnSha256.length !== t.values.length + 2 || !d.columnSha256.every((h) => /^[0-9a-f]{64}$/.test(h)))) {
    problems.push(`columnSha256 must hold ${t.values.length + 2} SHA-256 hex digests (unit, cycle and each value column)`);
  }
  if (!['cmapss', 'csv'].includes(d.format)) problems.push(`unknown format "${String(d.format)}"`);
  if (d.fingerprint.length === 0) problems.push('the fingerprint is empty');
  const parsed = datasetSummarySchema.safeParse(d.summary);
  if (!parsed.success) {
    problems.push(`invalid summary: ${z.prettifyError(parsed.error)}`);
  } else if (parsed.data.rows !== n) {
    problems.push(`the summary counts ${parsed.data.rows} rows, the table has ${n}`);
  }
  if (d.regimes !== undefined && d.regimes !== null) {
    const r = datasetRegimesSchema.safeParse(d.regimes);
    if (!r.success) problems.push(`invalid regimes: ${z.prettifyError(r.error)}`);
    else if (r.data.rows.reduce((a, b) => a + b, 0) !== n) problems.push(`the regimes count ${r.data.rows.reduce((a, b) => a + b, 0)} rows, the table has ${n}`);
  }
  if (problems.length > 0 || !parsed.success) {
    throw new PrognosError('INVALID_INPUT', `dataset "${d.name}" cannot be stored: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/**
 * SQLite copies a bound blob, and copies it again into the row's record, so inserting a column holds
 * two blocks of the column's size at once. glibc's malloc returns blocks of its mmap threshold or more
 * straight to the system and trims a free heap top larger than twice that threshold; the threshold
 * follows the largest such block freed so far (up to 32 MiB). After the first column it is one
 * column's size, the two freed blocks exceed twice that by a few KiB, and the heap is trimmed after
 * every column, so each column faults its two blocks in afresh (the 1M-row fleet's commit: 1.6–2.2 s
 * of CPU, 0.5–0.6 s without the trimming). One scratch blob a little larger than a column, expanded
 * and freed before the commit, lifts the threshold past that, and the two blocks are reused from one
 * column to the next. Other allocators ignore it; it costs one allocation of that size.
 */
function primeBlobMemory(db: Db, columnBytes: number): void {
  const scratch = columnBytes + (1 << 20);
  if (columnBytes < 1 << 20 || scratch > (32 << 20) - (64 << 10)) return;
  db.prepare<[number]>('SELECT length(substr(zeroblob(?), 1, 1))').get(scratch);
}

/** Column bytes written between two early flushes of the write-ahead log (see `walFlusher`). */
const WAL_FLUSH_BYTES = 48 << 20;

/**
 * Early flushes of the write-ahead log while a large dataset is inserted. A dataset is written
 * twice: into the WAL during the transaction, then by the checkpoint that the commit triggers (the
 * WAL holds far more than wal_autocheckpoint's 1000 pages) into the database file. That checkpoint
 * first syncs the WAL to disk, so the whole WAL (the 1M-row fleet: 200 MiB) went to disk at once,
 * after the last column, with this thread waiting: ~0.3 s. Instead, after every WAL_FLUSH_BYTES of
 * columns an fdatasync of the WAL starts on libuv's thread pool (a descriptor of its own, opened
 * without creating; nothing is written through it), so the disk takes the frames already in the WAL
 * while this thread goes on inserting, and the checkpoint's own sync then has little left to write.
 * Durability is SQLite's as before: the commit and the checkpoint sync as the connection's
 * synchronous setting says (not changed here); these flushes only write earlier what those syncs
 * would write, and a flush that fails is ignored (the sync that counts reports its own errors). The
 * descriptor is closed on the pool once the last flush has returned (the WAL's blocks, when SQLite
 * has deleted it meanwhile, are then freed on the pool too, not on this thread). Not on Windows: a
 * file deleted there while another handle holds it stays in the way of the next WAL of the same
 * name until that handle closes.
 */
function walFlusher(db: Db, totalBytes: number): { wrote(bytes: number): void; done(): void } | undefined {
  if (totalBytes < 2 * WAL_FLUSH_BYTES || db.memory || process.platform === 'win32') return undefined;
  if (String(db.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return undefined;
  let fd: number | undefined;
  let pending = 0;
  let finished = false;
  let since = 0;
  const release = (): void => {
    if (finished && pending === 0 && fd !== undefined) {
      close(fd, () => undefined);
      fd = undefined;
    }
  };
  return {
    wrote(bytes: number): void {
      since += bytes;
      if (since < WAL_FLUSH_BYTES) return;
      since = 0;
      try {
        fd ??= openSync(`${db.name}-wal`, 'r+');
      } catch {
        return; // no WAL to flush yet: the commit syncs it
      }
      pending++;
      fdatasync(fd, () => {
        pending--;
        release();
      });
    },
    done(): void {
      finished = true;
      release();
    },
  };
}

/** Stores a dataset in one transaction: on any error nothing of it is left in the store. */
export function insertDataset(db: Db, d: NewDataset, now: number = Date.now()): DatasetRecord {
  const summary = validate(d);
  const t = d.table;
  const n = t.rowCount;
  const id = sortableId('ds', now);
  const record: DatasetRecord = {
    datasetId: id,
    name: d.name,
    format: d.format,
    sourceFile: d.sourceFile,
    rulFile: d.rulFile,
    fingerprint: d.fingerprint,
    createdAt: nowIso(now),
    rows: n,
    units: summary.units,
    minCycles: summary.minCycles,
    maxCycles: summary.maxCycles,
    summary,
    regimes: d.regimes ?? null,
    role: d.role ?? (t.rulAtEnd === undefined ? 'training' : 'test'),
  };
  const insertDs = db.prepare(
    `INSERT INTO datasets (${DATASET_COLUMNS}) VALUES (${DATASET_COLUMNS.split(',').fill('?').join(', ')})`,
  );
  const insertColumnRow = db.prepare<[string, number, string, string, ColumnRole, ColumnType, number, Buffer, string]>(
    'INSERT INTO dataset_columns (dataset_id, position, name, original, role, dtype, length, data, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const flusher = walFlusher(db, t.values.length * n * Float64Array.BYTES_PER_ELEMENT);
  const insertColumn = {
    run(dsId: string, position: number, name: string, original: string, role: ColumnRole, dtype: ColumnType, length: number, data: Buffer): void {
      insertColumnRow.run(dsId, position, name, original, role, dtype, length, data, d.columnSha256?.[position] ?? sha256Hex(data));
      flusher?.wrote(data.byteLength);
    },
  };
  const insertRul = db.prepare<[string, number, number]>(
    'INSERT INTO rul_at_end (dataset_id, unit, rul) VALUES (?, ?, ?)',
  );
  const write = db.transaction(() => {
    insertDs.run(
      id,
      d.name,
      d.format,
      d.sourceFile,
      d.rulFile,
      d.fingerprint,
      record.createdAt,
      n,
      record.units,
      record.minCycles,
      record.maxCycles,
      t.rulAtEnd === undefined ? 0 : 1,
      JSON.stringify(summary),
      d.regimes === undefined || d.regimes === null ? null : JSON.stringify(d.regimes),
      record.role,
    );
    insertColumn.run(id, 0, 'unit', 'unit', 'unit', 'int32', n, blobOf(t.unit));
    insertColumn.run(id, 1, 'cycle', 'cycle', 'cycle', 'int32', n, blobOf(t.cycle));
    t.columns.forEach((c, i) => {
      insertColumn.run(id, i + 2, c.name, c.original, c.role, 'float64', n, blobOf(t.values[i]!));
    });
    for (const [unit, rul] of t.rulAtEnd ?? []) insertRul.run(id, unit, rul);
  });
  primeBlobMemory(db, n * Float64Array.BYTES_PER_ELEMENT);
  try {
    write.immediate();
  } catch (e) {
    if (isConstraintError(e)) {
      throw new PrognosError('INVALID_INPUT', `dataset "${d.name}" cannot be stored: ${e.message}`);
    }
    throw e;
  } finally {
    flusher?.done();
  }
  return record;
}

/**
 * Records the regimes of a dataset that has none yet (one imported before detection existed);
 * a dataset's detection is never replaced. True when it was recorded.
 */
export function setDatasetRegimes(db: Db, id: string, regimes: DatasetRegimes): boolean {
  const r = datasetRegimesSchema.safeParse(regimes);
  if (!r.success) throw new PrognosError('INVALID_INPUT', `dataset ${id}: invalid regimes: ${z.prettifyError(r.error)}`);
  return (
    db
      .prepare<[string, string]>('UPDATE datasets SET regimes_json = ? WHERE dataset_id = ? AND regimes_json IS NULL')
      .run(JSON.stringify(r.data), id).changes > 0
  );
}

/** Newest first. */
export function listDatasets(db: Db): DatasetRecord[] {
  return db
    .prepare<[], DatasetRow>(`SELECT ${DATASET_COLUMNS} FROM datasets ORDER BY created_at DESC, dataset_id DESC`)
    .all()
    .map(toRecord);
}

export function getDataset(db: Db, id: string): DatasetRecord | undefined {
  const row = datasetRow(db, id);
  return row === undefined ? undefined : toRecord(row);
}

/** Datasets imported from the same content, newest first. */
export function findByFingerprint(db: Db, fingerprint: string): DatasetRecord[] {
  return db
    .prepare<[string], DatasetRow>(
      `SELECT ${DATASET_COLUMNS} FROM datasets WHERE fingerprint = ? ORDER BY created_at DESC, dataset_id DESC`,
    )
    .all(fingerprint)
    .map(toRecord);
}

function describe(id: string, c: Pick<ColumnRow, 'name'>): string {
  return `dataset ${id}, column ${c.name}`;
}

/**
 * Columns whose blobs were checked against their SHA-256 on this connection. Only another
 * connection can change a stored column (this one inserts and deletes whole datasets), and SQLite's
 * `data_version` changes exactly when another connection commits: then everything is checked again.
 * Lets a preview read a few rows of a column (a slice of its blob) without re-hashing it every time.
 */
export class CheckedColumns {
  private version: number | undefined;
  private readonly checked = new Set<string>();

  private sync(db: Db): void {
    const v = Number(db.pragma('data_version', { simple: true }));
    if (v !== this.version) {
      this.checked.clear();
      this.version = v;
    }
  }

  /** The connection's data version now; pass it to `add` for columns read after this call. */
  begin(db: Db): number {
    this.sync(db);
    return this.version!;
  }

  has(db: Db, id: string, position: number): boolean {
    this.sync(db);
    return this.checked.has(`${id}\u0000${position}`);
  }

  /**
   * Remembers columns as checked, unless another connection wrote since `seen` (then the bytes
   * checked may already be stale). Call outside an iteration over the connection (it runs a pragma).
   */
  add(db: Db, id: string, positions: readonly number[], seen: number): void {
    this.sync(db);
    if (this.version !== seen) return;
    for (const p of positions) this.checked.add(`${id}\u0000${p}`);
  }
}

/** A column whose bytes no longer match the SHA-256 recorded at insert. */
export function corruptColumn(id: string, column: string, expected: string, actual: string, dbPath: string): PrognosError {
  const reason = `dataset ${id}, column ${column}: the stored bytes do not match their SHA-256 (recorded ${expected}, found ${actual}); the store is damaged, restore it from a backup`;
  return new PrognosError('BAD_FILE', `${dbPath}: ${reason}`, {
    issues: [{ file: dbPath, reason }],
    datasetId: id,
    column,
  });
}

/** Throws BAD_FILE naming the dataset and column unless the blob matches its recorded SHA-256. */
function checkColumn(db: Db, id: string, c: Pick<ColumnRow, 'name' | 'data' | 'sha256'>): void {
  const actual = sha256Hex(c.data);
  if (actual !== c.sha256) throw corruptColumn(id, c.name, c.sha256, actual, db.name);
}

function asValueRole(role: string, id: string, name: string): 'setting' | 'sensor' {
  if (role === 'setting' || role === 'sensor') return role;
  throw new PrognosError('BAD_FILE', `dataset ${id}, column ${name}: unexpected role "${role}"`);
}

function rulAtEndOf(db: Db, id: string): Map<number, number> {
  const rows = db
    .prepare<[string], { unit: number; rul: number }>(
      'SELECT unit, rul FROM rul_at_end WHERE dataset_id = ? ORDER BY unit',
    )
    .all(id);
  return new Map(rows.map((r) => [r.unit, r.rul]));
}

/** The whole table as it was inserted. */
export function loadTable(db: Db, id: string, checked?: CheckedColumns): FleetTable {
  const ds = requireDataset(db, id);
  const n = ds.row_count;
  let unit: Int32Array | undefined;
  let cycle: Int32Array | undefined;
  const columns: ColumnInfo[] = [];
  const values: Float64Array[] = [];
  const verified: number[] = [];
  const seen = checked?.begin(db);
  // iterate: each BLOB becomes garbage as soon as its typed array exists
  const rows = db
    .prepare<[string], ColumnRow>(
      'SELECT position, name, original, role, dtype, length, data, sha256 FROM dataset_columns WHERE dataset_id = ? ORDER BY position',
    )
    .iterate(id);
  for (const c of rows) {
    checkColumn(db, id, c);
    verified.push(c.position);
    if (c.role === 'unit') unit = int32FromBlob(c.data, n, describe(id, c));
    else if (c.role === 'cycle') cycle = int32FromBlob(c.data, n, describe(id, c));
    else {
      columns.push({ name: c.name, original: c.original, role: asValueRole(c.role, id, c.name) });
      values.push(float64FromBlob(c.data, n, describe(id, c)));
    }
  }
  if (unit === undefined || cycle === undefined) {
    throw new PrognosError('BAD_FILE', `dataset ${id}: the unit or cycle column is missing from the store`);
  }
  if (seen !== undefined) checked?.add(db, id, verified, seen);
  const table: FleetTable = { rowCount: n, unit, cycle, columns, values };
  return ds.has_rul_at_end === 1 ? { ...table, rulAtEnd: rulAtEndOf(db, id) } : table;
}

/** Unit, cycle and the named value columns; a name the dataset lacks is NOT_FOUND. */
export function loadColumns(db: Db, id: string, names: readonly string[], checked?: CheckedColumns): ColumnSelection {
  const ds = requireDataset(db, id);
  const n = ds.row_count;
  const wanted = [...new Set(names)];
  let unit: Int32Array | undefined;
  let cycle: Int32Array | undefined;
  const found = new Map<string, Float64Array>();
  const verified: number[] = [];
  const seen = checked?.begin(db);
  const rows = db
    .prepare<[string, string], Pick<ColumnRow, 'position' | 'name' | 'role' | 'data' | 'sha256'>>(
      `SELECT position, name, role, data, sha256 FROM dataset_columns
       WHERE dataset_id = ? AND (role IN ('unit', 'cycle') OR name IN (SELECT value FROM json_each(?)))`,
    )
    .iterate(id, JSON.stringify(wanted));
  for (const c of rows) {
    checkColumn(db, id, c);
    verified.push(c.position);
    if (c.role === 'unit') unit = int32FromBlob(c.data, n, describe(id, c));
    else if (c.role === 'cycle') cycle = int32FromBlob(c.data, n, describe(id, c));
    else found.set(c.name, float64FromBlob(c.data, n, describe(id, c)));
  }
  if (unit === undefined || cycle === undefined) {
    throw new PrognosError('BAD_FILE', `dataset ${id}: the unit or cycle column is missing from the store`);
  }
  if (seen !== undefined) checked?.add(db, id, verified, seen);
  const missing = wanted.filter((name) => !found.has(name));
  if (missing.length > 0) {
    throw new PrognosError('NOT_FOUND', `dataset ${id} has no column ${missing.map((m) => `"${m}"`).join(', ')}`, {
      missing,
    });
  }
  return { unit, cycle, values: Object.fromEntries(wanted.map((name) => [name, found.get(name)!])) };
}

/**
 * Checks every column of the dataset against its SHA-256, one blob in memory at a time, skipping
 * those `checked` has seen since the last write by another connection.
 */
function checkAllColumns(db: Db, id: string, checked?: CheckedColumns): void {
  const positions = db
    .prepare<[string], { position: number }>('SELECT position FROM dataset_columns WHERE dataset_id = ? ORDER BY position')
    .all(id)
    .map((r) => r.position)
    .filter((p) => checked?.has(db, id, p) !== true);
  const read = db.prepare<[string, number], { position: number; name: string; data: Buffer; sha256: string }>(
    'SELECT position, name, data, sha256 FROM dataset_columns WHERE dataset_id = ? AND position = ?',
  );
  for (const p of positions) {
    const c = read.get(id, p);
    if (c === undefined) continue;
    const seen = checked?.begin(db);
    checkColumn(db, id, c);
    if (seen !== undefined) checked?.add(db, id, [p], seen);
  }
}

/**
 * Rows [offset, offset + limit) of every column; SQLite slices the BLOBs, so only the range reaches
 * JS. The whole columns are checked against their SHA-256 first (once per connection until another
 * connection writes, see CheckedColumns), so a preview never shows bytes that changed behind the store.
 */
export function loadRows(db: Db, id: string, offset: number, limit: number, checked?: CheckedColumns): RowRange {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(limit) || limit < 0) {
    throw new PrognosError('INVALID_INPUT', `invalid row range: offset ${offset}, limit ${limit}`);
  }
  const ds = requireDataset(db, id);
  const total = ds.row_count;
  const start = Math.min(offset, total);
  const count = Math.min(limit, total - start);
  checkAllColumns(db, id, checked);
  const rows = db
    .prepare<[number, number, number, number, string], Omit<ColumnRow, 'length' | 'sha256'>>(
      `SELECT position, name, original, role, dtype,
              CASE dtype WHEN 'int32' THEN substr(data, ? * 4 + 1, ? * 4) ELSE substr(data, ? * 8 + 1, ? * 8) END AS data
       FROM dataset_columns WHERE dataset_id = ? ORDER BY position`,
    )
    .all(start, count, start, count, id);
  let unit: Int32Array | undefined;
  let cycle: Int32Array | undefined;
  const columns: ColumnInfo[] = [];
  const values: Float64Array[] = [];
  for (const c of rows) {
    if (c.role === 'unit') unit = int32FromBlob(c.data, count, describe(id, c));
    else if (c.role === 'cycle') cycle = int32FromBlob(c.data, count, describe(id, c));
    else {
      columns.push({ name: c.name, original: c.original, role: asValueRole(c.role, id, c.name) });
      values.push(float64FromBlob(c.data, count, describe(id, c)));
    }
  }
  if (unit === undefined || cycle === undefined) {
    throw new PrognosError('BAD_FILE', `dataset ${id}: the unit or cycle column is missing from the store`);
  }
  return { offset: start, totalRows: total, unit, cycle, columns, values };
}

/** Deletes the dataset with its columns, RUL values and runs (and theirs). */
export function deleteDataset(db: Db, id: string): boolean {
  return db.prepare<[string]>('DELETE FROM datasets WHERE dataset_id = ?').run(id).changes > 0;
}
