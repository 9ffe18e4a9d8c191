/**
 * Worker thread of `prognos serve-model`: the local prediction log's writer (src/main/serve-model/
 * sqlite-log.ts), so no commit runs on the thread that answers requests. Records arrive a turn of the
 * serving loop at a time; the queue is committed in one transaction when it reaches `batchSize`
 * records or `flushMs` after its first record. A commit that fails keeps its records at the head of
 * the queue and is retried after 5 × flushMs. The thread runs at the lowest priority
 * (background-thread.ts): a commit waits for a free core rather than take a serving loop's.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { inserter, PRAGMAS, type WriterData, type WriterReply, type WriterRequest } from '../serve-model/sqlite-log-protocol';
import type { PredictionRecord } from '../serve-model/types';
import { runInBackground } from '../serve-model/background-thread';

runInBackground();
const port = parentPort!;
const w = workerData as WriterData;
const post = (m: WriterReply): void => port.postMessage(m);
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

const db = new Database(w.file);
for (const p of PRAGMAS) db.pragma(p);
const insertMany = inserter(db);
let queue: PredictionRecord[] = [];
let timer: NodeJS.Timeout | undefined;

/** Commits the queue; on failure the records stay queued (a retry is scheduled) and the error is thrown. */
function commit(): void {
  clearTimeout(timer);
  timer = undefined;
  if (queue.length === 0) return;
  const batch = queue;
  queue = [];
  const t0 = performance.now();
  try {
    insertMany(batch);
  } catch (e) {
    queue = batch.concat(queue);
    timer = setTimeout(tick, w.flushMs * 5);
    throw e;
  }
  post({ type: 'committed', count: batch.length, ms: performance.now() - t0 });
}

function tick(): void {
  try {
    commit();
  } catch (e) {
    post({ type: 'failed', message: message(e) });
  }
}

port.on('message', (m: WriterRequest) => {
  switch (m.type) {
    case 'records':
      for (const r of m.records) queue.push(r);
      if (queue.length >= w.batchSize) tick();
      else timer ??= setTimeout(tick, w.flushMs);
      return;
    case 'flush':
      try {
        commit();
        post({ type: 'flushed', id: m.id });
      } catch (e) {
        post({ type: 'flushed', id: m.id, error: message(e) });
      }
      return;
    case 'close':
      tick();
      db.close();
      post({ type: 'closed' });
      port.close();
      return;
  }
});
