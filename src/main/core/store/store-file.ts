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
 * SQLite, integrity_check ok, no broken foreign keys, and a migration history made of this build's
 * migrations. Opens the file read-only (SQLite may still create -wal/-shm next to it).
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
  } catch (e) {
    if (e instanceof PrognosError) throw e;
    if (e instanceof Database.SqliteError) throw badStoreFile(shownAs, `unreadable database (${e.message})`);
    throw e;
  } finally {
    db?.close();
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
