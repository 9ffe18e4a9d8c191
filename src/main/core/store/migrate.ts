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

/** Versions are positive integers in increasing order; a gap (a number kept for a later merge) is allowed. */
function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    const previous = i === 0 ? 0 : migrations[i - 1]!.version;
    if (!Number.isInteger(m.version) || m.version <= previous) {
      throw new PrognosError('INTERNAL', `migration "${m.name}" has version ${m.version}, expected a whole number above ${previous}`);
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

/**
 * Brings `db` up to the last of `migrations` (numbered in increasing order, gaps allowed). Versions
 * already in `schema_migrations` are skipped, so running it again changes nothing; a version that
 * fills a gap below the applied ones (merged later) is applied too. Each migration takes the
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
  const known = migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
  const current = schemaVersionOf(db);
  if (current > known) {
    throw new PrognosError(
      'BAD_FILE',
      `${db.name}: the store was written by a newer Prognos (schema version ${current}; this build knows up to ${known})`,
    );
  }
  const ours = new Set(migrations.map((m) => m.version));
  const foreign = appliedMigrations(db).find((a) => !ours.has(a.version));
  if (foreign !== undefined) {
    throw new PrognosError('BAD_FILE', `${db.name}: unknown schema history (migration ${foreign.version} "${foreign.name}" is not one this build knows)`);
  }
  const isApplied = db.prepare<[number], { version: number }>(
    'SELECT version FROM schema_migrations WHERE version = ?',
  );
  const record = db.prepare<[number, string, string]>(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  const applied: number[] = [];
  for (const m of migrations) {
    if (isApplied.get(m.version) !== undefined) continue;
    const apply = db.transaction(() => {
      if (isApplied.get(m.version) !== undefined) return;
      m.up(db);
      record.run(m.version, m.name, now());
      applied.push(m.version);
    });
    apply.immediate();
  }
  return applied;
}
