/**
 * The model server's scoring in a worker thread (workers/serve-score-worker.ts): the features the
 * models read and every onnxruntime call run there, so the thread that answers requests only reads,
 * checks and answers them. The worker runs FastScorer, micro-batching as it does in-process (the
 * requests whose tables arrive together share one call per model), on sessions of its own with the
 * same single-threaded options: the answers are the same to the bit
 * (test/integration/serve-model/fast-path.test.ts).
 *
 * A table is copied to the worker (structured clone) and the scores come back; the caller keeps its
 * table (the online drift samples it afterwards).
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { ERROR_CODES, PrognosError, type ErrorCode } from '../../shared/errors';
import type { FleetTable } from '../core/data/table';
import type { BundleManifest } from '../core/export/manifest';
import type { UnitScore } from '../core/export/score';
import { SERVE_SCORE_WORKER } from '../paths';
import { logger } from '../services/logger';
import type { UnitScorer } from './model';
import type { ScoreThreadInit, ScoreThreadReply } from './score-protocol';

/** a code from the worker, if it is one of ours */
const codeOf = (code: string): ErrorCode => ((ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'INTERNAL');

const log = logger('serve-model:score');

/** The model files FastScorer reads. */
function modelFiles(m: BundleManifest): string[] {
  const files = [m.models.gbdt.file];
  if (m.models.lstm !== undefined) files.push(m.models.lstm.file);
  if (m.rul !== undefined) {
    files.push(m.rul.files.gbdt.file);
    if (m.rul.files.lstm !== undefined) files.push(m.rul.files.lstm.file);
  }
  return files;
}

export class ThreadScorer implements UnitScorer {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (s: UnitScore[]) => void; reject: (e: unknown) => void }>();
  private lastStats: Record<string, { calls: number; rows: number }> = {};
  private broken: PrognosError | undefined;
  private closing: Promise<void> | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: ScoreThreadReply) => this.receive(m));
    worker.on('error', (e) => {
      log.error('the scoring thread failed', e);
      this.fail(new PrognosError('INTERNAL', `the scoring thread failed: ${e.message}`));
    });
    worker.on('exit', (code) => {
      if (this.closing === undefined) this.fail(new PrognosError('INTERNAL', `the scoring thread exited (${code})`));
    });
    // a 'message' listener refs the worker's port again: the thread never keeps the process alive
    worker.unref();
  }

  /** Starts a worker that loads the bundle's models from `files` (already verified). */
  static async open(manifest: BundleManifest, files: ReadonlyMap<string, Uint8Array>, script = SERVE_SCORE_WORKER): Promise<ThreadScorer> {
    if (!existsSync(script)) throw new PrognosError('INTERNAL', `the scoring thread's script ${script} is missing (build the app: npm run build)`);
    const init: ScoreThreadInit = {
      manifest,
      files: modelFiles(manifest).map((f) => {
        const bytes = files.get(f);
        if (bytes === undefined) throw new PrognosError('BAD_FILE', `the bundle has no ${f}`);
        return [f, bytes] as const;
      }),
    };
    const worker = new Worker(script, { workerData: init });
    worker.unref();
    const first = await new Promise<ScoreThreadReply>((resolve, reject) => {
      const onExit = (code: number): void => reject(new PrognosError('INTERNAL', `the scoring thread exited (${code}) before it started`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (m: ScoreThreadReply) => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        resolve(m);
      });
    });
    if (first.type !== 'ready') {
      await worker.terminate();
      throw new PrognosError(first.type === 'failed' ? codeOf(first.code) : 'INTERNAL', first.type === 'failed' ? first.message : 'the scoring thread did not start');
    }
    return new ThreadScorer(worker);
  }

  scoreUnits(table: FleetTable): Promise<UnitScore[]> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    if (this.closing !== undefined) return Promise.reject(new PrognosError('CONFLICT', 'the scorer is closed'));
    const id = this.nextId++;
    return new Promise<UnitScore[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'score', id, table });
    });
  }

  /** onnxruntime calls and rows per model so far, as of the latest answer (tests, the bench) */
  stats(): Record<string, { calls: number; rows: number }> {
    return this.lastStats;
  }

  /** Releases the worker's sessions and ends it (the requests holding this scorer have finished: LoadedModel.retire). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.broken === undefined) {
        const closed = new Promise<void>((resolve) => {
          const done = (m: ScoreThreadReply): void => {
            if (m.type === 'closed') resolve();
          };
          this.worker.on('message', done);
          this.worker.once('exit', () => resolve());
        });
        // held while the sessions are released: an unref'd worker would let the process end mid-shutdown
        this.worker.ref();
        this.worker.postMessage({ type: 'close' });
        await closed;
      }
      await this.worker.terminate();
      this.fail(new PrognosError('CONFLICT', 'the scorer is closed'));
    })();
    return this.closing;
  }

  private receive(m: ScoreThreadReply): void {
    if (m.type === 'scored') {
      this.lastStats = m.stats;
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      p?.resolve(m.scores);
    } else if (m.type === 'scoreFailed') {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      p?.reject(new PrognosError(m.code as ErrorCode, m.message));
    }
  }

  private fail(e: PrognosError): void {
    this.broken ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
