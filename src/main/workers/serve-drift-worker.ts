/**
 * Worker thread of `prognos serve-model`: the online drift window (src/main/serve-model/online-drift.ts)
 * off the thread that answers requests. It reads the bundle's drift reference, computes the features
 * of the scored histories the server samples (a second's worth at a time) into the window, and
 * recomputes the scores when asked; the server publishes them (drift-thread.ts). The thread runs at
 * the lowest priority (background-thread.ts), below the threads that answer requests.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PrognosError } from '../../shared/errors';
import { readBundle } from '../core/export/bundle';
import type { DriftThreadInit, DriftThreadReply, DriftThreadRequest } from '../serve-model/drift-protocol';
import { OnlineDrift, onlineDriftReference } from '../serve-model/online-drift';
import { runInBackground } from '../serve-model/background-thread';

runInBackground();
const port = parentPort!;
const post = (m: DriftThreadReply): void => port.postMessage(m);
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function main(init: DriftThreadInit): Promise<void> {
  let drift: OnlineDrift;
  try {
    const bundle = await readBundle(init.bundlePath);
    const reference = onlineDriftReference(bundle, 'the bundle');
    drift = new OnlineDrift(reference, {
      ...(init.windowRows === undefined ? {} : { windowRows: init.windowRows }),
      ...(init.windowSeconds === undefined ? {} : { windowSeconds: init.windowSeconds }),
      ...(init.minRows === undefined ? {} : { minRows: init.minRows }),
      ...(init.method === undefined ? {} : { method: init.method }),
      ...(init.thresholds === undefined ? {} : { thresholds: init.thresholds }),
      ...(init.datasetDriftShare === undefined ? {} : { datasetDriftShare: init.datasetDriftShare }),
      // the server samples what it sends: every history that arrives here is used
      maxQueued: Number.MAX_SAFE_INTEGER,
    });
    post({ type: 'ready', features: reference.features.length, runId: bundle.manifest.runId });
  } catch (e) {
    post({ type: 'failed', message: message(e), code: e instanceof PrognosError ? e.code : 'INTERNAL' });
    return;
  }
  port.on('message', (m: DriftThreadRequest) => {
    switch (m.type) {
      case 'tables':
        try {
          for (const t of m.tables) drift.observe(t);
          drift.drainQueue();
        } catch (e) {
          // a history the recipe cannot read is dropped; the window keeps the rest
          post({ type: 'warn', message: `computing the features of a scored history failed: ${message(e)}` });
        }
        return;
      case 'features': {
        const rows: Float32Array[] = [];
        for (let at = 0; at + m.width <= m.rows.length; at += m.width) rows.push(m.rows.subarray(at, at + m.width));
        try {
          drift.observeFeatures(rows);
        } catch (e) {
          post({ type: 'warn', message: message(e) });
        }
        return;
      }
      case 'compute':
        try {
          post({ type: 'result', id: m.id, result: drift.compute() });
        } catch (e) {
          post({ type: 'computeFailed', id: m.id, message: message(e) });
        }
        return;
    }
  });
}

void main(workerData as DriftThreadInit);
