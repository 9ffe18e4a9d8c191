/**
 * The import worker's work (loaded by import-worker.ts): parses and validates a fleet file (or
 * generates a synthetic fleet) off the main thread.
 */
import { parentPort } from 'node:worker_threads';
import { takePrestartedHelper } from './import-range-prestart';
import { PrognosError, toErrorValue } from '../../shared/errors';
import { assertNever } from '../../shared/brand';
import { PARALLEL_MIN_BYTES, parseFleetFile, type CountRequest } from '../core/data/import-file';
import { columnSha256, inSharedMemory } from '../core/data/column-hash';
import { detectRegimes } from '../core/data/regimes';
import { guessDatasetRole } from '../core/data/role-guess';
import { summarizeFleet } from '../core/data/summary';
import { synthesizeFleet } from '../core/data/synth';
import type { FleetTable } from '../core/data/table';
import type { DatasetSummary } from '../../shared/schemas';
import { createHash } from 'node:crypto';
import type { FromImportWorker, ImportWorkerRequest, ToImportWorker } from './import-protocol';
import { toWire, transferList } from './import-protocol';
import { RangeWorker, parseRangeInWorker } from './import-range';
import { stat } from 'node:fs/promises';

const port = parentPort;
if (port === null) throw new Error('import-worker must run in a worker thread');

const controller = new AbortController();
const post = (m: FromImportWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

/**
 * The helper thread for a file large enough to be parsed in two parts: the one started ahead for this
 * file (see import-range-prestart.ts), else one started now; it loads while this thread counts the
 * lines (a CSV file, or one that cannot be read, gets none; the parse says why).
 */
async function rangeWorkerFor(request: Extract<ImportWorkerRequest, { type: 'parse' }>): Promise<RangeWorker | undefined> {
  const ahead = takePrestartedHelper(request.format === 'csv' ? undefined : request.path);
  if (ahead !== undefined) return new RangeWorker(ahead);
  if (request.format === 'csv') return undefined;
  const size = await stat(request.path).then(
    (s) => s.size,
    () => 0,
  );
  return size >= PARALLEL_MIN_BYTES ? new RangeWorker() : undefined;
}

async function run(request: ImportWorkerRequest): Promise<void> {
  let table: FleetTable;
  let fingerprint: string;
  let format: 'cmapss' | 'csv';
  let summarising: Promise<{ summary: DatasetSummary; columnSha256: string[] | null } | undefined> | undefined;
  /** the table went out before it was summarised (`tableFirst`): its receiver hashes the columns */
  let postedFirst = false;
  switch (request.type) {
    case 'parse': {
      const helper = await rangeWorkerFor(request);
      try {
        const parsed = await parseFleetFile(request.path, {
          displayName: request.displayName,
          ...(request.rulPath === undefined ? {} : { rulPath: request.rulPath }),
          ...(request.rulDisplayName === undefined ? {} : { rulDisplayName: request.rulDisplayName }),
          ...(request.format === undefined ? {} : { format: request.format }),
          ...(request.map === undefined ? {} : { map: request.map }),
          signal: controller.signal,
          // a large C-MAPSS file is parsed in two parts at once, the second on a helper thread
          parseRange: (range, signal) => (helper === undefined ? parseRangeInWorker(range, signal) : helper.parse(range, signal)),
          ...(helper === undefined ? {} : { countRange: (range: CountRequest, signal: AbortSignal) => helper.count(range, signal) }),
          onProgress: (fraction, message) => post({ type: 'progress', fraction: fraction * 0.95, message }),
        });
        ({ table, fingerprint, format } = parsed);
        // C-MAPSS text has fixed columns: the analyst's roles re-cut them after the parse
        // (column-mapping.ts loads zod through the shared column roles: only when asked)
        if (request.map !== undefined && format === 'cmapss') {
          const { applyCmapssRoles } = await import('../core/data/column-mapping');
          table = applyCmapssRoles(table, request.map, request.displayName);
        }
      } catch (e) {
        helper?.stop();
        throw e;
      }
      // the helper hashes and summarises the table (its columns in shared memory when both parts went
      // in place) while this thread detects the regimes; should it fail, this thread does it after all.
      // Asked so, the table goes out first (shared, not copied), and its receiver writes and hashes the
      // columns meanwhile.
      if (helper !== undefined && inSharedMemory(table)) {
        if (request.tableFirst === true) {
          post({ type: 'table', table: toWire(table), fingerprint, format });
          postedFirst = true;
        }
        summarising = helper
          .summarise(table, controller.signal, !postedFirst)
          .catch(() => undefined)
          .finally(() => helper.stop());
      } else helper?.stop();
      break;
    }
    case 'synth': {
      takePrestartedHelper(undefined);
      post({ type: 'progress', fraction: 0.1, message: `Generating ${request.units} synthetic units…` });
      table = synthesizeFleet({ units: request.units, seed: request.seed });
      fingerprint = createHash('sha256').update(`synth:v1:units=${request.units}:seed=${request.seed}`).digest('hex');
      format = 'cmapss';
      break;
    }
    default:
      assertNever(request, 'import request');
  }
  if (controller.signal.aborted) throw new PrognosError('CANCELLED', 'Import cancelled.');
  post({ type: 'progress', fraction: 0.96, message: 'Detecting operating regimes…' });
  const regimes = detectRegimes(table);
  const { role } = guessDatasetRole(table, regimes);
  post({ type: 'progress', fraction: 0.97, message: 'Summarising columns…' });
  const helped = await summarising;
  if (controller.signal.aborted) throw new PrognosError('CANCELLED', 'Import cancelled.');
  const summary = helped?.summary ?? summarizeFleet(table);
  if (postedFirst) {
    post({ type: 'done', table: null, fingerprint, format, summary, columnSha256: null, regimes, role });
    return;
  }
  const wire = toWire(table);
  post({ type: 'done', table: wire, fingerprint, format, summary, columnSha256: helped?.columnSha256 ?? columnSha256(table), regimes, role }, transferList(wire));
}

port.on('message', (m: ToImportWorker) => {
  switch (m.type) {
    case 'start':
      run(m.request).catch((e: unknown) => post({ type: 'error', error: toErrorValue(e) }));
      break;
    case 'cancel':
      controller.abort();
      break;
    default:
      assertNever(m, 'worker message');
  }
});
