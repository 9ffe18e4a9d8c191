/** A worker's read-only connections to stores, and a run reader (run-artifacts.ts) over one. */
import { getArtifact, getRun } from '../core/store/runs';
import { openDatabase, type Db } from '../core/store/sqlite';
import type { RunReader } from './run-artifacts';

/** this thread's read-only connections, one a store, open while the worker lives */
const connections = new Map<string, Db>();

/** The read-only connection of this thread to the store at `dbPath`, opened on first use. */
export function readOnlyStore(dbPath: string): Db {
  let db = connections.get(dbPath);
  if (db === undefined) {
    db = openDatabase(dbPath, { readonly: true, fileMustExist: true, timeout: 5000 });
    connections.set(dbPath, db);
  }
  return db;
}

export function closeReadOnlyStores(): void {
  for (const db of connections.values()) db.close();
  connections.clear();
}

export function readOnlyRuns(dbPath: string): RunReader {
  const db = readOnlyStore(dbPath);
  return { getRun: (runId) => getRun(db, runId), getArtifact: (runId, name) => getArtifact(db, runId, name, dbPath) };
}
