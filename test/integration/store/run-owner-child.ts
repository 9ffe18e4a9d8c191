/**
 * A process that starts a run through the store API and keeps running it until killed.
 * argv: STORE_DIR DATASET_ID. Prints the run id on stdout once the run is recorded.
 */
import { ExperimentStore } from '../../../src/main/core/store/store';

const [dir, datasetId] = process.argv.slice(2);
if (dir === undefined || datasetId === undefined) throw new Error('usage: run-owner-child STORE_DIR DATASET_ID');
const store = ExperimentStore.open(dir, { sweepIntervalMs: 200 });
const runId = store.createRun({ datasetId, kind: 'train', config: {}, seed: 1, datasetFingerprint: 'fp' });
process.stdout.write(`${runId}\n`);
// the store's timer keeps the heartbeat; this one keeps the process alive
setInterval(() => undefined, 1000);
