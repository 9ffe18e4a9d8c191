/**
 * GET /predictions/recent?limit=N: the last predictions this server made, newest first, from an
 * in-memory ring buffer of at most 200 records — the same records the prediction log receives. It
 * is per process (each replica answers for itself) and behind the API key like every non-health route.
 */
import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../context';
import { HttpError } from '../http-errors';
import type { PredictionLog, PredictionRecord } from '../types';

export const RECENT_PREDICTIONS_MAX = 200;
export const RECENT_PREDICTIONS_DEFAULT = 50;

/** A fixed-size ring of the newest prediction records. */
export class RecentPredictions {
  private readonly ring: (PredictionRecord | undefined)[];
  private next = 0;
  private held = 0;

  constructor(readonly capacity: number = RECENT_PREDICTIONS_MAX) {
    this.ring = new Array<PredictionRecord | undefined>(capacity);
  }

  add(records: readonly PredictionRecord[]): void {
    for (const r of records) {
      this.ring[this.next] = r;
      this.next = (this.next + 1) % this.capacity;
      if (this.held < this.capacity) this.held++;
    }
  }

  /** up to `limit` records, newest first */
  latest(limit: number): PredictionRecord[] {
    const n = Math.min(limit, this.held);
    const out: PredictionRecord[] = [];
    for (let i = 1; i <= n; i++) out.push(this.ring[(this.next - i + this.capacity) % this.capacity]!);
    return out;
  }

  /** A prediction log that keeps every record here as it hands it on to `inner`. */
  tap(inner: PredictionLog): PredictionLog {
    return {
      kind: inner.kind,
      write: (records) => {
        this.add(records);
        inner.write(records);
      },
      flush: () => inner.flush(),
      pending: () => inner.pending(),
      healthy: () => inner.healthy(),
      close: () => inner.close(),
    };
  }
}

/** `limit` as a whole number 1–200 (default 50); anything else is a 400 naming the parameter. */
export function recentLimit(raw: unknown): number {
  if (raw === undefined) return RECENT_PREDICTIONS_DEFAULT;
  const first: unknown = Array.isArray(raw) ? raw[0] : raw;
  const text = typeof first === 'string' ? first : JSON.stringify(first);
  if (!/^\d{1,4}$/.test(text) || Number(text) < 1 || Number(text) > RECENT_PREDICTIONS_MAX) {
    throw new HttpError(400, 'INVALID_INPUT', `limit: a whole number from 1 to ${RECENT_PREDICTIONS_MAX}, not "${text}"`, 'limit');
  }
  return Number(text);
}

/**
 * Registers the route and taps the context's prediction log, so every record scoring hands to the
 * log (POST /predict, GET /units/{unit}/risk, KServe infer; cached answers included) lands in the ring.
 */
export function recentRoutes(app: FastifyInstance, ctx: ServeContext): RecentPredictions {
  const recent = new RecentPredictions();
  (ctx as { log: PredictionLog }).log = recent.tap(ctx.log);
  app.get('/predictions/recent', (req) => {
    const limit = recentLimit((req.query as Record<string, unknown> | undefined)?.limit);
    return { predictions: recent.latest(limit), capacity: recent.capacity };
  });
  return recent;
}
