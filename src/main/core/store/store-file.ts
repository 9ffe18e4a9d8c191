/**
 * Backup files: checking that a file is a healthy Prognos store, and swapping one in for the store
 * of a folder atomically.
 */
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from './sqlite';
import { PrognosError } from '../../../shared/errors';
import { appliedMigrations, hasMigrationsTable } from './migrate';
import { MIGRATIONS, LATEST_SCHEMA_VERSION } from './migrations';
import { sha256Hex } from './blobs';

export const STORE_FILE = 'prognos.db';
const SQLITE_HEADER = 'SQLite format 3\0';

function badStoreFile(file: string, reason: string): PrognosError {
  return new PrognosError('BAD_FILE', `${file}: ${reason}`, { issues: [{ file, reason }], totalIssues: 1 });
}

/** Removes a database file together with its -wal and -shm companions. */
export function removeDatabaseFiles(path: string): void {
  for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
}

function readHeader(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(SQLITE_HEADER.length);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('latin1');
  } finally {
    closeSync(fd);
  }
}

/** Cheap checks on the file as given: exists, is a file, starts like a SQLite database. */
function checkHeader(file: string, shownAs: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch {
    throw badStoreFile(shownAs, 'file not found');
  }
  if (!isFile) throw badStoreFile(shownAs, 'not a file');
  if (readHeader(file) !== SQLITE_HEADER) throw badStoreFile(shownAs, 'not a SQLite database');
}

/**
 * Throws BAD_FILE (naming `shownAs`) unless `file` is a healthy Prognos store this build can open:
 * SQLite, integrity_check ok, no broken foreign keys, and a migration history whose every entry is one of
 * this build's. Opens the file read-only (SQLite may still create -wal/-shm next to it).
 */
export function validateStoreFile(file: string, shownAs: string = file): void {
  checkHeader(file, shownAs);
  let db: Database.Database | undefined;
  try {
    db = openDatabase(file, { readonly: true, fileMustExist: true });
    const integrity = db.prepare<[], { integrity_check: string }>('PRAGMA integrity_check').all();
    if (integrity.length !== 1 || integrity[0]!.integrity_check !== 'ok') {
      const shown = integrity
        .slice(0, 3)
        .map((r) => r.integrity_check)
        .join('; ');
      throw badStoreFile(shownAs, `the database failed its integrity check (${shown})`);
    }
    if (!hasMigrationsTable(db)) throw badStoreFile(shownAs, 'not a Prognos store (no schema_migrations table)');
    const applied = appliedMigrations(db);
    if (applied.length === 0) throw badStoreFile(shownAs, 'not a Prognos store (no migrations applied)');
    const newest = applied[applied.length - 1]!.version;
    if (newest > LATEST_SCHEMA_VERSION) {
      throw badStoreFile(
        shownAs,
        `written by a newer Prognos (schema version ${newest}; this build knows up to ${LATEST_SCHEMA_VERSION})`,
      );
    }
    applied.forEach((m) => {
      const ours = MIGRATIONS.find((k) => k.version === m.version);
      if (ours === undefined || m.name !== ours.name) {
        throw badStoreFile(shownAs, `unknown schema history (migration ${m.version} "${m.name}")`);
      }
    });
    const brokenKeys = db.prepare('PRAGMA foreign_key_check').all();
    if (brokenKeys.length > 0) throw badStoreFile(shownAs, `${brokenKeys.length} rows point at missing records`);
    checkStoredHashes(db, shownAs);
  } catch (e) {
    if (e instanceof PrognosError) throw e;
    if (e instanceof Database.SqliteError) throw badStoreFile(shownAs, `unreadable database (${e.message})`);
    throw e;
  } finally {
    db?.close();
  }
}

function hasColumn(db: Database.Database, table: string, column: string): boolean {
  return db.prepare<[string, string]>('SELECT 1 FROM pragma_table_info(?) WHERE name = ?').get(table, column) !== undefined;
}

/**
 * Every stored blob that carries a SHA-256 (dataset columns from schema 4 on, artifacts, reports,
 * maintenance reports)
 * is hashed again, one blob in memory at a time; the first mismatch is BAD_FILE naming what it is.
 * Stores older than schema 4 have no column hashes: migration 4 computes them from the bytes as found.
 */
function checkStoredHashes(db: Database.Database, shownAs: string): void {
  if (hasColumn(db, 'dataset_columns', 'sha256')) {
    const keys = db
      .prepare<[], { dataset_id: string; position: number }>('SELECT dataset_id, position FROM dataset_columns ORDER BY dataset_id, position')
      .all();
    const read = db.prepare<[string, number], { name: string; data: Buffer; sha256: string }>(
      'SELECT name, data, sha256 FROM dataset_columns WHERE dataset_id = ? AND position = ?',
    );
    for (const k of keys) {
      const c = read.get(k.dataset_id, k.position)!;
      if (sha256Hex(c.data) !== c.sha256) {
        throw badStoreFile(shownAs, `dataset ${k.dataset_id}, column ${c.name}: the stored bytes do not match their SHA-256`);
      }
    }
  }
  const blobTables: [string, string, (id: string, name: string) => string][] = [
    ['artifacts', 'artifact_id', (id, name) => `artifact "${name}" of run ${id}`],
    ['reports', 'report_id', (id) => `report ${id}`],
    ['fleet_reports', 'report_id', (id) => `maintenance report ${id}`],
  ];
  for (const [table, key, what] of blobTables) {
    if (!hasColumn(db, table, 'sha256')) continue;
    const nameOf = table === 'artifacts' ? 'run_id, name' : "'' AS run_id, title AS name";
    const ids = db.prepare<[], { id: string }>(`SELECT ${key} AS id FROM ${table} ORDER BY ${key}`).all();
    const read = db.prepare<[string], { run_id: string; name: string; data: Buffer; sha256: string; size: number }>(
      `SELECT ${nameOf}, data, sha256, size FROM ${table} WHERE ${key} = ?`,
    );
    for (const { id } of ids) {
      const r = read.get(id)!;
      if (sha256Hex(r.data) !== r.sha256 || r.data.byteLength !== r.size) {
        throw badStoreFile(shownAs, `${what(table === 'artifacts' ? r.run_id : id, r.name)}: the stored bytes do not match their SHA-256`);
      }
    }
  }
}

/**
 * Lets go of the store about to be replaced: checkpoints its WAL into the main file so that its
 * -wal can be removed without loss. A -wal that survives closing means another connection still has
 * the store open: replacing the file under it would corrupt what it sees.
 */
function releaseStore(dbPath: string): void {
  if (!existsSync(dbPath)) return;
  let opened = false;
  let db: Database.Database | undefined;
  try {
    db = openDatabase(dbPath, { fileMustExist: true });
    db.pragma('wal_checkpoint(TRUNCATE)');
    opened = true;
  } catch {
    // an unreadable store is being replaced anyway
  } finally {
    db?.close();
  }
  if (opened && existsSync(`${dbPath}-wal`)) {
    throw new PrognosError('CONFLICT', `${dbPath} is open in another connection; close it before restoring`);
  }
}

/**
 * Replaces `${dir}/prognos.db` with a copy of `file`. The copy is made in `dir` and validated
 * there, then renamed over the store (atomic on one file system); stale -wal/-shm files of the old
 * store are removed. When `file` fails validation, the existing store is not touched.
 */
export function restoreStoreFile(dir: string, file: string): void {
  const source = resolve(file);
  const dbPath = resolve(dir, STORE_FILE);
  if (source === dbPath) throw new PrognosError('INVALID_INPUT', `${file} is the store itself`);
  checkHeader(source, file);
  mkdirSync(dir, { recursive: true });
  const temp = join(dir, `.${STORE_FILE}.restore-${randomBytes(6).toString('hex')}`);
  try {
    copyFileSync(source, temp);
    validateStoreFile(temp, file);
    releaseStore(dbPath);
    rmSync(`${dbPath}-wal`, { force: true });
    rmSync(`${dbPath}-shm`, { force: true });
    renameSync(temp, dbPath);
  } finally {
    removeDatabaseFiles(temp);
  }
}
