/** Worker thread: runs the training pipeline off the main thread, reporting progress and losses. */
import { parentPort } from 'node:worker_threads';
import { assertNever } from '../../shared/brand';
import { toErrorValue } from '../../shared/errors';
import { toOutcome } from '../core/pipeline/outcome';
import { encodeOutcome, savedRunTransfer } from '../core/pipeline/saved-run';
import { runTrainingPipeline } from '../core/pipeline/train';
import type { FleetTable } from '../core/data/table';
import { fromWire } from './import-protocol';
import type { FromTrainWorker, ToTrainWorker } from './train-protocol';

/**
 * The table to train on, in this thread's own memory: the services send the columns they keep for
 * previews and scoring (in shared memory), and copying them here costs the thread that serves the UI
 * nothing. Nobody else then sees what training does with its table.
 */
function privateCopy(t: FleetTable): FleetTable {
  return {
    rowCount: t.rowCount,
    unit: t.unit.slice(),
    cycle: t.cycle.slice(),
    columns: t.columns,
    values: t.values.map((v) => v.slice()),
    ...(t.rulAtEnd === undefined ? {} : { rulAtEnd: t.rulAtEnd }),
  };
}

const port = parentPort;
if (port === null) throw new Error('train-worker must run in a worker thread');
const controller = new AbortController();
const post = (m: FromTrainWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

port.on('message', (m: ToTrainWorker) => {
  switch (m.type) {
    case 'start':
      runTrainingPipeline(privateCopy(fromWire(m.table)), m.config, {
        signal: controller.signal,
        onProgress: (p) => post({ type: 'progress', ...p }),
        onIteration: (model, e) => post({ type: 'iteration', model, ...e }),
      }).then(
        (r) => {
          const saved = encodeOutcome(toOutcome(r));
          post({ type: 'done', saved }, savedRunTransfer(saved));
        },
        (e: unknown) => post({ type: 'error', error: toErrorValue(e) }),
      );
      break;
    case 'cancel':
      controller.abort();
      break;
    default:
      assertNever(m, 'worker message');
  }
});
