/**
 * Timing of the default feature spec on FD001 train + test (all features, state fitted on train).
 * Run: npx vite-node test/unit/features/time-fd001.ts
 * The first pass runs on a cold engine (what a fresh worker pays); the following ones are warm.
 */
import { engineerFeatures } from '../../../src/main/core/features/engineer';
import { loadCmapss } from './load-cmapss';

const train = loadCmapss('train_FD001.txt');
const test = loadCmapss('test_FD001.txt', 'RUL_FD001.txt');
const times: number[] = [];
let count = 0;
for (let rep = 0; rep < 6; rep++) {
  const t0 = performance.now();
  const a = engineerFeatures(train);
  const b = engineerFeatures(test, {}, { state: a.state });
  times.push(performance.now() - t0);
  if (b.names.length !== a.names.length) throw new Error('train and test feature sets differ');
  count = a.names.length;
}
const warm = times.slice(1).sort((x, y) => x - y);
console.log(
  `features-fd001: ${count} features, ${train.rowCount + test.rowCount} rows; ` +
    `cold ${times[0]!.toFixed(0)} ms, warm median ${warm[Math.floor(warm.length / 2)]!.toFixed(0)} ms`,
);
