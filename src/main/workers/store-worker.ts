/**
 * Worker thread: reads from the store what is too large to read on the thread that serves the UI —
 * a dataset's table (every column blob, its SHA-256 checked against the one recorded at insert) into
 * shared memory, or a finished run's artifacts (each checked the same way) — and writes an imported
 * dataset's columns, one transaction. It lives as long as the services, with a read-only connection
 * of its own to each store it reads (in WAL mode such a connection reads the last commit while the
 * serving thread's connection goes on writing) and a read-write one to each store it writes.
 */
import { parentPort } from 'node:worker_threads';
import { assertNever } from '../../shared/brand';
import { toErrorValue } from '../../shared/errors';
import { insertDataset, loadTable } from '../core/store/datasets';
import { openDatabase, type Db } from '../core/store/sqlite';
import { shareTable } from '../services/shared-table';
import { toWire } from './import-protocol';
import { readRunArtifacts } from './run-artifacts';
import { closeReadOnlyStores, readOnlyRuns, readOnlyStore } from './run-reader';
import type { FromStoreWorker, StoreRequest, StoreValue, ToStoreWorker } from './store-protocol';

const port = parentPort;
if (port === null) throw new Error('store-worker must run in a worker thread');

const writers = new Map<string, Db>();
function writer(dbPath: string): Db {
  let db = writers.get(dbPath);
  if (db === undefined) {
    // the store is open (and in WAL mode) already: the settings of every connection of its own
    db = openDatabase(dbPath, { fileMustExist: true, timeout: 5000 });
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    writers.set(dbPath, db);
  }
  return db;
}

function read(req: StoreRequest): { value: StoreValue; transfer: ArrayBuffer[] } {
  if (req.op === 'insertDataset') return { value: { op: 'insertDataset', dataset: insertDataset(writer(req.dbPath), req.dataset) }, transfer: [] };
  const db = readOnlyStore(req.dbPath);
  switch (req.op) {
    case 'table':
      return { value: { op: 'table', table: toWire(shareTable(loadTable(db, req.datasetId))) }, transfer: [] };
    case 'artifacts': {
      const artifacts = readRunArtifacts(readOnlyRuns(req.dbPath), req.runId);
      // the model texts are strings (copied); the weights' bytes are moved, not copied
      const transfer = [artifacts.lstm?.weights.buffer, artifacts.rul?.lstm?.weights.buffer].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
      return { value: { op: 'artifacts', artifacts }, transfer };
    }
    default:
      return assertNever(req, 'store read');
  }
}

port.on('message', (m: ToStoreWorker) => {
  switch (m.type) {
    case 'read': {
      let answer: FromStoreWorker;
      let transfer: ArrayBuffer[] = [];
      try {
        const r = read(m.request);
        answer = { type: 'done', id: m.id, value: r.value };
        transfer = r.transfer;
      } catch (e) {
        answer = { type: 'error', id: m.id, error: toErrorValue(e) };
      }
      port.postMessage(answer, transfer);
      break;
    }
    case 'close':
      closeReadOnlyStores();
      for (const db of writers.values()) db.close();
      writers.clear();
      port.postMessage({ type: 'closed' } satisfies FromStoreWorker);
      break;
    default:
      assertNever(m, 'store-read message');
  }
});
