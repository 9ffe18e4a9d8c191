/** Small helpers shared by the store's modules. */
import Database from 'better-sqlite3';
import { PrognosError } from '../../../shared/errors';

export type Db = Database.Database;

/**
 * Opens a database. Under Electron the module must be built for Electron's ABI; the app points
 * PROGNOS_SQLITE_BINDING at that build (kept beside the Node build that the CLI and tests use).
 */
export function openDatabase(file: string, options: Database.Options = {}): Db {
  const binding = process.env.PROGNOS_SQLITE_BINDING;
  return new Database(file, binding === undefined || binding === '' ? options : { ...options, nativeBinding: binding });
}
export type SqliteError = InstanceType<typeof Database.SqliteError>;

/** A constraint (unique, check, foreign key, not null, datatype) rejected the write. */
export function isConstraintError(e: unknown): e is SqliteError {
  return e instanceof Database.SqliteError && e.code.startsWith('SQLITE_CONSTRAINT');
}

export function nowIso(now: number = Date.now()): string {
  return new Date(now).toISOString();
}

/** JSON text for a TEXT column; undefined is stored as null. */
export function toJson(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw new PrognosError(
      'INVALID_INPUT',
      `${what} cannot be stored as JSON: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return text ?? 'null';
}

export function fromJson(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}
