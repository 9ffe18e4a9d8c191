/** The worker side of the one-shot job protocol (job-protocol.ts). */
import { parentPort } from 'node:worker_threads';
import { assertNever } from '../../shared/brand';
import { toErrorValue } from '../../shared/errors';
import type { FromJobWorker, ToJobWorker, WorkerTask } from './job-protocol';

export interface JobOutput<V> {
  readonly value: V;
  readonly transfer?: ArrayBuffer[];
}

/**
 * Serves one request: `run` does the work, checking `task.signal` between steps. `tensors` reports
 * how many tfjs tensors the worker still holds at the end (0 where tfjs is never loaded).
 */
export function serveJob<S, V>(name: string, run: (request: S, task: WorkerTask) => Promise<JobOutput<V>>, tensors: () => number = () => 0): void {
  const port = parentPort;
  if (port === null) throw new Error(`${name} must run in a worker thread`);
  const controller = new AbortController();
  const post = (m: FromJobWorker<V>, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
  const task: WorkerTask = { signal: controller.signal, progress: (fraction, message) => post({ type: 'progress', fraction, message }) };
  port.on('message', (m: ToJobWorker<S>) => {
    switch (m.type) {
      case 'start':
        Promise.resolve()
          .then(() => run(m.request, task))
          .then(
          (out) => post({ type: 'done', value: out.value, tensors: tensors() }, out.transfer ?? []),
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
}
