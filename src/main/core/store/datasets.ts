/**
 * Datasets in the store: metadata in `datasets`, the table itself columnar in `dataset_columns`
 * (one typed-array BLOB per column) and the RUL file of a test set in `rul_at_end`.
 */
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
import { rollbackJournalWhileAlone } from './bulk-journal';
import { SyncAhead } from './sync-ahead';
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

/** What is wrong with a table (and the column hashes given with it) as a dataset's columns; empty when nothing. */
function tableProblems(t: FleetTable, columnSha256: readonly string[] | undefined): string[] {
  const problems: string[] = [];
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
  if (columnSha256 !== undefined && (columnSha256.length !== t.values.length + 2 || !columnSha256.every((h) => /^[0-9a-f]{64}$/.test(h)))) {
    problems.push(`columnSha256 must hold ${t.values.length + 2} SHA-256 hex digests (unit, cycle and each value column)`);
  }
  return problems;
}

/** What is wrong with a dataset's record for its table; empty when nothing. Returns the summary as the schema reads it. */
function aboutProblems(d: DatasetAbout, t: FleetTable): { problems: string[]; summary: DatasetSummary | undefined } {
  const problems: string[] = [];
  const n = t.rowCount;
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
  return { problems, summary: parsed.success ? parsed.data : undefined };
}

/** The record checked against its table; throws naming every problem. */
function validateAbout(d: DatasetAbout, t: FleetTable): DatasetSummary {
  const { problems, summary } = aboutProblems(d, t);
  if (problems.length > 0 || summary === undefined) throw new PrognosError('INVALID_INPUT', `dataset "${d.name}" cannot be stored: ${problems.join('; ')}`);
  return summary;
}

/** Checks everything that can be checked before writing. */
function validate(d: NewDataset): void {
  const about = aboutProblems(d, d.table);
  const problems = [...tableProblems(d.table, d.columnSha256), ...about.problems];
  if (problems.length > 0 || about.summary === undefined) {
    throw new PrognosError('INVALID_INPUT', `dataset "${d.name}" cannot be stored: ${problems.join('; ')}`);
  }
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

/**
 * Datasets from this many bytes of columns on are written through a rollback journal when the
 * connection has the store to itself (bulk-journal.ts), and with a `SyncAhead` thread (smaller ones:
 * neither saves what it costs).
 */
const LARGE_INSERT_BYTES = 64 << 20;
/**
 * Datasets up to this many bytes of columns take the rollback journal. A process opening the store
 * waits for such an insert to end (up to its busy timeout, 5 s by default: see `walMode` in
 * store.ts), and 1 GiB is five times the 1M-row fleet's columns, which take about 0.5 s to write
 * here. Larger ones go through the WAL, which lets others open and read the store meanwhile.
 */
const BULK_JOURNAL_MAX_BYTES = 1 << 30;

/** Stores a dataset in one transaction: on any error nothing of it is left in the store. */
export function insertDataset(db: Db, d: NewDataset, now: number = Date.now()): DatasetRecord {
  validate(d); // everything checked before anything is written
  const { table, columnSha256, ...about } = d;
  return openInsert(db, table, { name: d.name, ...(columnSha256 === undefined ? {} : { columnSha256 }), now }).finish(about);
}

/** What a dataset's record needs besides its table: known once the table has been summarised. */
export type DatasetAbout = Omit<NewDataset, 'table' | 'columnSha256'>;

/** A dataset whose columns are written, in a transaction still open: `finish` commits it with its record, `abort` leaves the store as it was. */
export interface PendingDataset {
  readonly datasetId: string;
  /** Writes the record and commits; on any error rolls everything back and throws. */
  finish(about: DatasetAbout): DatasetRecord;
  /** Rolls back (nothing of the dataset stays); a no-op once finished or aborted. */
  abort(): void;
}

/**
 * The first half of an insert: opens a write transaction and writes the table's columns (and the
 * RUL at each unit's end), so that a caller still summarising the table in other threads has the
 * columns written meanwhile; `finish` then writes the record and commits. Nothing of the dataset is
 * visible to other connections before the commit, and an `abort`, an error or a killed process
 * leaves nothing of it. The record is written after its columns, so foreign keys are checked at the
 * commit (defer_foreign_keys). The connection must do nothing else until `finish` or `abort`.
 */
export function beginDatasetInsert(db: Db, t: FleetTable, opts: InsertOptions): PendingDataset {
  const problems = tableProblems(t, opts.columnSha256);
  if (problems.length > 0) throw new PrognosError('INVALID_INPUT', `dataset "${opts.name}" cannot be stored: ${problems.join('; ')}`);
  if (db.inTransaction) throw new PrognosError('INTERNAL', 'a dataset insert left open must start outside any transaction');
  return openInsert(db, t, opts);
}

export interface InsertOptions {
  /** the dataset's name, for messages (its record may name it otherwise) */
  name: string;
  /** SHA-256 of each column as stored (unit, cycle, then the values), when computed elsewhere; absent: hashed here */
  columnSha256?: readonly string[];
  now?: number;
}

/** `beginDatasetInsert` of a table already checked; inside a transaction already open, a savepoint of it. */
function openInsert(db: Db, t: FleetTable, opts: InsertOptions): PendingDataset {
  const nested = db.inTransaction;
  const n = t.rowCount;
  const now = opts.now ?? Date.now();
  const id = sortableId('ds', now);
  const insertColumnRow = db.prepare<[string, number, string, string, ColumnRole, ColumnType, number, Buffer, string]>(
    'INSERT INTO dataset_columns (dataset_id, position, name, original, role, dtype, length, data, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertColumn = (position: number, name: string, original: string, role: ColumnRole, dtype: ColumnType, data: Buffer): void => {
    insertColumnRow.run(id, position, name, original, role, dtype, n, data, opts.columnSha256?.[position] ?? sha256Hex(data));
  };
  const columnBytes = (t.values.length * Float64Array.BYTES_PER_ELEMENT + 2 * Int32Array.BYTES_PER_ELEMENT) * n;
  primeBlobMemory(db, n * Float64Array.BYTES_PER_ELEMENT);
  const large = columnBytes >= LARGE_INSERT_BYTES;
  const journal = large && !nested && columnBytes <= BULK_JOURNAL_MAX_BYTES ? rollbackJournalWhileAlone(db) : undefined;
  const syncAhead = large ? SyncAhead.start(db) : undefined;
  let open = true;
  let begun = false;
  const rollback = (): void => {
    if (!open) return;
    open = false;
    try {
      if (begun && db.inTransaction) db.exec(nested ? 'ROLLBACK TO dataset_insert; RELEASE dataset_insert' : 'ROLLBACK');
    } finally {
      syncAhead?.stop();
      journal?.restore();
    }
  };
  const failed = (e: unknown, name: string): Error => {
    rollback();
    return isConstraintError(e) ? new PrognosError('INVALID_INPUT', `dataset "${name}" cannot be stored: ${e.message}`) : e instanceof Error ? e : new Error(String(e));
  };
  try {
    // (a BEGIN that fails, the store locked past the busy timeout, still stops the thread and restores the journal)
    db.exec(nested ? 'SAVEPOINT dataset_insert' : 'BEGIN IMMEDIATE');
    begun = true;
    db.pragma('defer_foreign_keys = ON'); // reset by the commit or rollback
    // through the WAL, or (a rollback journal) straight into the database file
    syncAhead?.follow(journal === undefined ? 'wal' : 'db');
    insertColumn(0, 'unit', 'unit', 'unit', 'int32', blobOf(t.unit));
    insertColumn(1, 'cycle', 'cycle', 'cycle', 'int32', blobOf(t.cycle));
    t.columns.forEach((c, i) => insertColumn(i + 2, c.name, c.original, c.role, 'float64', blobOf(t.values[i]!)));
    if (t.rulAtEnd !== undefined) {
      const insertRul = db.prepare<[string, number, number]>('INSERT INTO rul_at_end (dataset_id, unit, rul) VALUES (?, ?, ?)');
      for (const [unit, rul] of t.rulAtEnd) insertRul.run(id, unit, rul);
    }
  } catch (e) {
    throw failed(e, opts.name);
  }
  return {
    datasetId: id,
    finish(about: DatasetAbout): DatasetRecord {
      if (!open) throw new PrognosError('INTERNAL', 'this dataset insert has already ended');
      let record: DatasetRecord;
      try {
        const summary = validateAbout(about, t);
        record = {
          datasetId: id,
          name: about.name,
          format: about.format,
          sourceFile: about.sourceFile,
          rulFile: about.rulFile,
          fingerprint: about.fingerprint,
          createdAt: nowIso(now),
          rows: n,
          units: summary.units,
          minCycles: summary.minCycles,
          maxCycles: summary.maxCycles,
          summary,
          regimes: about.regimes ?? null,
          role: about.role ?? (t.rulAtEnd === undefined ? 'training' : 'test'),
        };
        db.prepare(`INSERT INTO datasets (${DATASET_COLUMNS}) VALUES (${DATASET_COLUMNS.split(',').fill('?').join(', ')})`).run(
          id,
          about.name,
          about.format,
          about.sourceFile,
          about.rulFile,
          about.fingerprint,
          record.createdAt,
          n,
          record.units,
          record.minCycles,
          record.maxCycles,
          t.rulAtEnd === undefined ? 0 : 1,
          JSON.stringify(summary),
          about.regimes === undefined || about.regimes === null ? null : JSON.stringify(about.regimes),
          record.role,
        );
        // the commit's checkpoint copies the columns into the database file next (through the WAL)
        syncAhead?.follow('db');
        db.exec(nested ? 'RELEASE dataset_insert' : 'COMMIT');
      } catch (e) {
        throw failed(e, about.name);
      }
      open = false;
      syncAhead?.stop();
      journal?.restore();
      return record;
    },
    abort: rollback,
  };
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
