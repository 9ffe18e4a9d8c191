/**
 * A process that inserts a dataset large enough for the store to flush its write-ahead log early
 * (more than 96 MiB of columns), and is killed (SIGKILL, by itself) either in the middle of the insert
 * (`mid`: as the last column is written, after the early flushes), right after the insert returned
 * (`after`: committed, the store never closed), or with its columns written and the transaction left
 * open for the record (`open`: `beginDatasetInsert`, as the CLI's import writes while the table is
 * summarised). argv: STORE_DIR mid|after|open [alone|shared]: `shared` holds a second connection
 * to the store open, so the insert goes through the write-ahead log; `alone` (the default) lets it
 * take a rollback journal (src/main/core/store/bulk-journal.ts). Prints, before dying, the sizes of
 * the WAL, the rollback journal and the database file (`wal BYTES`, `journal BYTES`, `db BYTES`; 0:
 * no such file) and, after a commit, the dataset id (`dataset ID`).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { columnSha256 } from '../../../src/main/core/data/column-hash';
import { summarizeFleet } from '../../../src/main/core/data/summary';
import { ExperimentStore } from '../../../src/main/core/store/store';
import { largeTable } from './large-table';

const [dir, mode, company = 'alone'] = process.argv.slice(2);
if (dir === undefined || (mode !== 'mid' && mode !== 'after' && mode !== 'open') || (company !== 'alone' && company !== 'shared')) {
  throw new Error('usage: insert-kill-child STORE_DIR mid|after|open [alone|shared]');
}
const store = ExperimentStore.open(dir);
const other = company === 'shared' ? ExperimentStore.open(dir, { recoverInterruptedRuns: false }) : undefined;
other?.listDatasets();
const table = largeTable();
const hashes = columnSha256(table);
const size = (name: string): number => {
  try {
    return statSync(join(dir, name)).size;
  } catch {
    return 0;
  }
};
const die = (): never => {
  process.stdout.write(`wal ${size('prognos.db-wal')}\njournal ${size('prognos.db-journal')}\ndb ${size('prognos.db')}\n`);
  process.kill(process.pid, 'SIGKILL');
  throw new Error('not killed');
};
if (mode === 'open') {
  store.beginDatasetInsert(table, { name: 'large' });
  die();
}
// the insert reads each hash twice, to check it and to store it: the second read of the last column's dies
const last = hashes.length - 1;
let reads = 0;
const columnHashes = new Proxy(hashes, {
  get(target, key, receiver) {
    if (mode === 'mid' && key === String(last) && ++reads === 2) die();
    return Reflect.get(target, key, receiver) as unknown;
  },
});
const d = store.insertDataset({
  name: 'large',
  format: 'cmapss',
  sourceFile: 'large.txt',
  rulFile: null,
  fingerprint: 'fp-large',
  summary: summarizeFleet(table),
  table,
  columnSha256: columnHashes,
});
process.stdout.write(`dataset ${d.datasetId}\n`);
die();
