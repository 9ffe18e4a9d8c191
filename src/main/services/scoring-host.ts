import { Worker } from 'node:worker_threads';
import { PrognosError } from '../../shared/errors';
import { closeLongLivedWorker } from './worker-close';
import type { FromScoreWorker, ScoreReplies, ScoreRequest, ToScoreWorker } from '../workers/score-protocol';
import type { WorkerCallContext } from './worker-call';

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  progress?: (fraction: number, message: string) => void;
}

/** how long a cancelled request may take to notice before the worker is stopped outright */
const CANCEL_GRACE_MS = 3000;

/**
 * The services' side of the scoring worker (score-worker.ts): started on first use, kept while the
 * services live (so its model cache pays off), restarted if it dies or ignores a cancel, and closed
 * with the services, releasing every cached model.
 */
export class ScoringHost {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly script: string) {}

  private start(): Worker {
    if (this.worker !== null) return this.worker;
    const w = new Worker(this.script);
    // an idle scorer never keeps a process (the CLI) alive
    w.unref();
    w.on('message', (m: FromScoreWorker) => {
      if (m.type === 'closed') return;
      const p = this.pending.get(m.id);
      if (p === undefined) return;
      if (m.type === 'progress') {
        p.progress?.(m.fraction, m.message);
        return;
      }
      this.pending.delete(m.id);
      if (m.type === 'done') p.resolve(m.value);
      else p.reject(PrognosError.fromValue(m.error));
    });
    const lost = (why: string): void => {
      if (this.worker !== w) return;
      this.worker = null;
      for (const p of this.pending.values()) p.reject(new PrognosError('INTERNAL', `The scoring worker stopped (${why}); try again.`));
      this.pending.clear();
    };
    w.on('error', (e) => lost(e.message));
    w.on('exit', (code) => lost(`exit code ${code}`));
    this.worker = w;
    return w;
  }

  request<K extends ScoreRequest['type']>(request: Extract<ScoreRequest, { type: K }>, ctx: WorkerCallContext): Promise<ScoreReplies[K]> {
    if (ctx.signal.aborted) return Promise.reject(new PrognosError('CANCELLED', 'Cancelled.'));
    const w = this.start();
    const id = this.nextId++;
    return new Promise<ScoreReplies[K]>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => {
        w.postMessage({ type: 'cancel', id } satisfies ToScoreWorker);
        timer = setTimeout(() => {
          if (!this.pending.has(id)) return;
          // the worker is stuck in one long step: stop it (its cache goes with it)
          this.pending.delete(id);
          reject(new PrognosError('CANCELLED', 'Cancelled.'));
          if (this.worker === w) void w.terminate();
        }, CANCEL_GRACE_MS);
        timer.unref();
      };
      const settle = (): void => {
        ctx.signal.removeEventListener('abort', onAbort);
        if (timer !== undefined) clearTimeout(timer);
      };
      this.pending.set(id, {
        resolve: (v) => {
          settle();
          resolve(v as ScoreReplies[K]);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
        ...(ctx.progress === undefined ? {} : { progress: ctx.progress.bind(ctx) }),
      });
      ctx.signal.addEventListener('abort', onAbort);
      w.postMessage({ ...request, id });
    });
  }

  /** Releases the worker's models and stops it. */
  async close(): Promise<void> {
    const w = this.worker;
    if (w === null) return;
    this.worker = null;
    await closeLongLivedWorker(w);
    for (const p of this.pending.values()) p.reject(new PrognosError('CANCELLED', 'The services closed.'));
    this.pending.clear();
  }
}
