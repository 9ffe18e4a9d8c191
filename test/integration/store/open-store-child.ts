/**
 * Opens the store in STORE_DIR (argv) as any process does, saying `opening` first, and prints, as
 * JSON, how long the open took, the journal mode it left the connection in and the datasets it lists.
 */
import { ExperimentStore } from '../../../src/main/core/store/store';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: open-store-child STORE_DIR');
process.stdout.write('opening\n');
const started = Date.now();
const store = ExperimentStore.open(dir, { recoverInterruptedRuns: false });
const ms = Date.now() - started;
process.stdout.write(`${JSON.stringify({ ms, journalMode: store.connectionSettings().journalMode, names: store.listDatasets().map((d) => d.name) })}\n`);
store.close();
