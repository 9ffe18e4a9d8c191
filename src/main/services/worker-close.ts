import type { Worker } from 'node:worker_threads';

/**
 * Stops a long-lived worker that speaks the close handshake (the scoring and store workers): asks it
 * to release what it holds (`{ type: 'close' }`), waits for its `{ type: 'closed' }` — at most
 * `graceMs`, a busy or stuck worker is not waited for — then terminates it.
 */
export async function closeLongLivedWorker(w: Worker, graceMs = 2000): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, graceMs);
    timer.unref();
    w.on('message', (m: { type: string }) => {
      if (m.type === 'closed') {
        clearTimeout(timer);
        resolve();
      }
    });
    w.postMessage({ type: 'close' });
  });
  await w.terminate();
}
