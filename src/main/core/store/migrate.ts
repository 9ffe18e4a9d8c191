/** Applies numbered migrations, each in its own transaction, recording them in `schema_migrations`. */
import type Database from 'better-sqlite3';
import { PrognosError } from '../../../shared/errors';
import type { Migration } from './migrations/types';

export interface AppliedMigration {
  readonly version: number;
  readonly name: string;
  readonly appliedAt: string;
}

const CREATE_MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`;

/** Versions start at 1 and increase; a gap is a number reserved for a migration merged later. */
function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    const after = i === 0 ? 0 : migrations[i - 1]!.version;
    if (!Number.isInteger(m.version) || m.version <= after) {
      throw new PrognosError('INTERNAL', `migration "${m.name}" has version ${m.version}, expected a version above ${after}`);
    }
  });
}

export function hasMigrationsTable(db: Database.Database): boolean {
  return (
    db
      .prepare<[], { n: number }>(
        "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
      )
      .get()!.n > 0
  );
}

export function appliedMigrations(db: Database.Database): AppliedMigration[] {
  if (!hasMigrationsTable(db)) return [];
  return db
    .prepare<[], AppliedMigration>(
      'SELECT version, name, applied_at AS appliedAt FROM schema_migrations ORDER BY version',
    )
    .all();
}

/** The highest applied version, 0 for an empty database. */
export function schemaVersionOf(db: Database.Database): number {
  if (!hasMigrationsTable(db)) return 0;
  return db.prepare<[], { v: number | null }>('SELECT max(version) AS v FROM schema_migrations').get()!.v ?? 0;
}

function checkForeignKeys(db: Database.Database, m: Migration): void {
  const broken = db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[];
  if (broken.length > 0) {
    const b = broken[0]!;
    throw new PrognosError('BAD_FILE', `${db.name}: migration ${m.version} (${m.name}) would leave ${broken.length} row(s) referring to missing rows (first: ${b.table} row ${b.rowid} → ${b.parent})`);
  }
}

/**
 * Brings `db` up to the last of `migrations` (which must be numbered 1, 2, 3, …). Versions already
 * in `schema_migrations` are skipped, so running it again changes nothing. Each migration takes the
 * write lock first and re-checks, so two processes opening one store at once apply it once.
 * A database with a version beyond `migrations` (written by a newer build) is refused.
 * Returns the versions applied now.
 */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[],
  now: () => string = () => new Date().toISOString(),
): number[] {
  checkOrder(migrations);
  db.exec(CREATE_MIGRATIONS_TABLE);
  const known = migrations.at(-1)?.version ?? 0;
  const current = schemaVersionOf(db);
  const versions = new Set(migrations.map((m) => m.version));
  const unknown = appliedMigrations(db).find((m) => !versions.has(m.version));
  if (current > known || unknown !== undefined) {
    throw new PrognosError(
      'BAD_FILE',
      `${db.name}: the store was written by a newer Prognos (schema version ${unknown?.version ?? current}; this build knows up to ${known})`,
    );
  }
  const isApplied = db.prepare<[number], { version: number }>(
    'SELECT version FROM schema_migrations WHERE version = ?',
  );
  const record = db.prepare<[number, string, string]>(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  const applied: number[] = [];
  for (const m of migrations) {
    // by version, not by the highest one applied: a migration numbered into a gap is applied when it arrives
    if (isApplied.get(m.version) !== undefined) continue;
    const apply = db.transaction(() => {
      if (isApplied.get(m.version) !== undefined) return;
      m.up(db);
      if (m.foreignKeysOff === true) checkForeignKeys(db, m);
      record.run(m.version, m.name, now());
      applied.push(m.version);
    });
    // the pragma is a no-op inside a transaction, so it is set around it
    const keysWereOn = m.foreignKeysOff === true && db.pragma('foreign_keys', { simple: true }) === 1;
    if (keysWereOn) db.pragma('foreign_keys = OFF');
    try {
      apply.immediate();
    } finally {
      if (keysWereOn) db.pragma('foreign_keys = ON');
    }
  }
  return applied;
}
