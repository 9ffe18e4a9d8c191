/**
 * Writes a bundle with a RUL model for the end-to-end tests: a small synthetic run (12 units, seed
 * 3) with regression trees, an LSTM RUL head and interval bins from test/helpers/rul-fixture.ts.
 *
 *   npx vite-node test/helpers/write-rul-bundle.ts OUT.zip
 */
import { writeBundle } from '../../src/main/core/export/bundle';
import { syntheticRun, truncateUnits } from './onnx-fixtures';
import { rulFor } from './rul-fixture';

const out = process.argv[2];
if (out === undefined) throw new Error('usage: write-rul-bundle.ts OUT.zip');
const run = await syntheticRun({ rul: true });
const inService = truncateUnits(run.table, (u, rows) => Math.max(8, rows - 9 * u));
const written = await writeBundle({ ...run.input, runId: 'run-rul-e2e', rul: rulFor(inService, run.input, run.rul) }, out, { zip: true });
process.stdout.write(`${JSON.stringify({ path: written.path, files: written.files })}\n`);
