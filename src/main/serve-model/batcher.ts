/**
 * Micro-batching for one onnxruntime model: the inputs of the requests that arrive together are
 * scored in one call (the batch dimension) and each request gets its own rows back.
 *
 * Nothing waits on a timer: the first input queued while the model is idle schedules a run with
 * setImmediate, after the event loop has read every request that has arrived meanwhile; inputs queued
 * while a run is going join the next one. A batch holds at most `maxRows` rows (a single larger input
 * runs alone).
 *
 * A batch of several inputs is copied into one input buffer the batcher keeps and reuses (a call at a
 * time, and onnxruntime has read it when the call returns), not into a new one per call: under load
 * those were tens of KiB of external memory a call (the LSTMs' windows), which drive the scavenges.
 *
 * The sessions are single-threaded, and onnxruntime's CPU kernels then compute each row of a batch
 * the same way whatever else the batch holds (tree ensembles sum their trees in order, matrix
 * products accumulate each row alike), with one exception: a batch of ONE row takes another path
 * through the LSTM's matrix products, whose results can differ in the last bit of a float32. So a
 * model given `minRows: 2` never runs a single row: a lone row is scored beside a copy of itself. A
 * unit's score then never depends on which requests arrived with it (test/unit/serve-model/batcher.test.ts).
 */
import { Tensor, type InferenceSession } from 'onnxruntime-node';
import { PrognosError } from '../../shared/errors';
import { serveProfile, type ServeProfile } from './profile';

interface Pending {
  readonly x: Float32Array;
  readonly rows: number;
  readonly resolve: (out: Float32Array) => void;
  readonly reject: (e: unknown) => void;
  /** performance.now() when queued (profiling only) */
  readonly queuedAt: number;
}

export interface BatcherOptions {
  /** the model's input and the output read */
  readonly input: string;
  readonly output: string;
  /** the input's shape after the batch dimension ([F], or [W, F]) */
  readonly rowShape: readonly number[];
  /** output values per row */
  readonly outputStride: number;
  /** most rows per call (default 64) */
  readonly maxRows?: number;
  /** fewest rows per call: smaller batches are padded with copies of their last row (default 1) */
  readonly minRows?: number;
  /** the model's name in the profile (PROGNOS_SERVE_PROFILE) */
  readonly name?: string;
}

export class ModelBatcher {
  private queue: Pending[] = [];
  private scheduled = false;
  private running = false;
  private readonly rowSize: number;
  private readonly maxRows: number;
  private readonly profile: ServeProfile | undefined = serveProfile();
  /** the batched input, reused by every call that batches several inputs (one call runs at a time) */
  private input = new Float32Array(0);
  /** onnxruntime calls made and rows scored (tests, the bench) */
  calls = 0;
  rowsScored = 0;

  constructor(
    private readonly session: InferenceSession,
    private readonly opts: BatcherOptions,
  ) {
    this.rowSize = opts.rowShape.reduce((a, b) => a * b, 1);
    this.maxRows = opts.maxRows ?? 64;
  }

  /** The model's output for `rows` rows of input (row-major, `rows × rowShape`), `outputStride` values per row. */
  run(x: Float32Array, rows: number): Promise<Float32Array> {
    if (x.length !== rows * this.rowSize) {
      return Promise.reject(new PrognosError('INTERNAL', `batcher: ${x.length} input values for ${rows} rows of ${this.rowSize}`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ x, rows, resolve, reject, queuedAt: this.profile === undefined ? 0 : performance.now() });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.running || this.queue.length === 0) return;
    this.running = true;
    let take = 0;
    let rows = 0;
    while (take < this.queue.length && (take === 0 || rows + this.queue[take]!.rows <= this.maxRows)) rows += this.queue[take++]!.rows;
    const batch = this.queue.slice(0, take);
    this.queue = this.queue.slice(take);
    const started = this.profile === undefined ? 0 : performance.now();
    if (this.profile !== undefined) for (const p of batch) this.profile.add(`wait:${this.opts.name ?? 'model'}`, started - p.queuedAt);
    try {
      const padded = Math.max(rows, this.opts.minRows ?? 1);
      let x: Float32Array;
      if (batch.length === 1 && padded === rows) x = batch[0]!.x;
      else {
        const size = padded * this.rowSize;
        if (this.input.length < size) this.input = new Float32Array(Math.max(size, 2 * this.input.length));
        x = this.input.subarray(0, size);
        let at = 0;
        for (const p of batch) {
          x.set(p.x, at);
          at += p.x.length;
        }
        for (; at < x.length; at += this.rowSize) x.copyWithin(at, at - this.rowSize, at);
      }
      const out = await this.session.run({ [this.opts.input]: new Tensor('float32', x, [padded, ...this.opts.rowShape]) });
      const data = out[this.opts.output]?.data;
      if (!(data instanceof Float32Array) || data.length !== padded * this.opts.outputStride) {
        throw new PrognosError('INTERNAL', `onnxruntime returned no float output ${this.opts.output} of ${padded * this.opts.outputStride} values`);
      }
      this.calls++;
      this.rowsScored += rows;
      if (this.profile !== undefined) {
        this.profile.add(`ort:${this.opts.name ?? 'model'}`, performance.now() - started);
        this.profile.add(`batch-rows:${this.opts.name ?? 'model'}`, rows);
      }
      let at = 0;
      for (const p of batch) {
        const n = p.rows * this.opts.outputStride;
        p.resolve(data.slice(at, at + n));
        at += n;
      }
    } catch (e) {
      for (const p of batch) p.reject(e);
    } finally {
      this.running = false;
      this.schedule();
    }
  }
}
