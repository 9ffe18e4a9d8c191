/**
 * The PostgreSQL schema of the prediction log, as numbered migrations recorded in
 * `prognos_schema_version`. Every replica runs them at start; an advisory lock held for the
 * transaction makes concurrent starts apply each migration once.
 */
import type { Pool } from 'pg';

export interface PostgresMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'prediction log',
    sql: `
CREATE TABLE prognos_predictions (
  -- the idempotency key: a record replayed from the spool twice is stored once
  id            uuid PRIMARY KEY,
  -- insertion order (replays keep the order the predictions were made in)
  seq           bigint GENERATED ALWAYS AS IDENTITY,
  time          timestamptz NOT NULL,
  bundle_sha256 text NOT NULL,
  unit          integer NOT NULL,
  cycle         integer NOT NULL,
  probability   double precision NOT NULL,
  gbdt          double precision NOT NULL,
  lstm          double precision,
  rul           double precision,
  rul_low       double precision,
  rul_high      double precision,
  alert         boolean NOT NULL,
  latency_ms    double precision NOT NULL,
  cache_hit     boolean NOT NULL,
  route         text NOT NULL,
  key_id        text,
  logged_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX prognos_predictions_time ON prognos_predictions (time);
CREATE INDEX prognos_predictions_unit_time ON prognos_predictions (unit, time);
`,
  },
];

/** any constant shared by all replicas; 'prog' in ASCII */
const MIGRATION_LOCK = 0x70726f67;

/** Applies the migrations the database lacks; returns the schema version now in place. */
export async function migratePostgres(pool: Pool): Promise<number> {
  const client = await pool.connect();
  let failed: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS prognos_schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const res = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM prognos_schema_version');
    let current = res.rows[0]?.v ?? 0;
    for (const m of POSTGRES_MIGRATIONS) {
      if (m.version <= current) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO prognos_schema_version (version, name) VALUES ($1, $2)', [m.version, m.name]);
      current = m.version;
    }
    await client.query('COMMIT');
    return current;
  } catch (e) {
    failed = e instanceof Error ? e : new Error(String(e));
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    // a connection that failed mid-transaction is dropped, not returned to the pool
    client.release(failed);
  }
}
