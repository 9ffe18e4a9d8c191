/** A worker's read-only connection to the store, as the run reader (run-artifacts.ts) reads it. */
import { getArtifact, getRun } from '../core/store/runs';
import type { Db } from '../core/store/sqlite';
import type { RunReader } from './run-artifacts';

export function readOnlyRuns(db: Db, dbPath: string): RunReader {
  return { getRun: (runId) => getRun(db, runId), getArtifact: (runId, name) => getArtifact(db, runId, name, dbPath) };
}
