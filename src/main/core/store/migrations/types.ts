import type Database from 'better-sqlite3';

/**
 * One numbered schema change. `up` runs inside a transaction that also records the version in
 * `schema_migrations`, so a migration is applied completely or not at all. A migration is frozen
 * once released: it holds literal SQL and imports nothing that may change later.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /**
   * Foreign keys off while `up` runs (a table rebuild: dropping a table referenced by others would
   * cascade); they are checked (`foreign_key_check`) before the migration commits.
   */
  readonly foreignKeysOff?: boolean;
  up(db: Database.Database): void;
}
