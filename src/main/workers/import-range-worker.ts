/**
 * Worker thread: parses a later part of a large C-MAPSS file while the import worker parses the first,
 * then (when asked) hashes and summarises the joined table while the import worker detects its regimes.
 */
import { parentPort } from 'node:worker_threads';
import { assertNever } from '../../shared/brand';
import { toErrorValue } from '../../shared/errors';
import { columnSha256 } from '../core/data/column-hash';
import { countFileLines, parseCmapssRange } from '../core/data/import-file';
import { summarizeFleet } from '../core/data/summary';
import type { FromImportRangeWorker, ToImportRangeWorker } from './import-protocol';

const port = parentPort;
if (port === null) throw new Error('import-range-worker must run in a worker thread');

const controller = new AbortController();
const post = (m: FromImportRangeWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

port.on('message', (m: ToImportRangeWorker) => {
  switch (m.type) {
    case 'count':
      countFileLines(m.request, controller.signal).then(
        (lines) => post({ type: 'counted', lines }),
        (e: unknown) => post({ type: 'error', error: toErrorValue(e) }),
      );
      break;
    case 'start':
      parseCmapssRange(m.request, controller.signal).then(
        (result) => {
          const buffers = [result.unit.buffer, result.cycle.buffer, ...result.values.map((v) => v.buffer)];
          post({ type: 'done', result }, [...new Set(buffers)].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer));
        },
        (e: unknown) => post({ type: 'error', error: toErrorValue(e) }),
      );
      break;
    case 'summarise':
      try {
        post({ type: 'summarised', columnSha256: m.hash ? columnSha256(m.table) : null, summary: summarizeFleet(m.table) });
      } catch (e) {
        post({ type: 'error', error: toErrorValue(e) });
      }
      break;
    case 'cancel':
      controller.abort();
      break;
    default:
      assertNever(m, 'worker message');
  }
});
