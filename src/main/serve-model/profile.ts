/**
 * Where a request's time goes, for finding the latency tail: per-stage durations of POST /predict
 * (receive, parse, validate, table, features, each model's batch wait + onnxruntime call, serialise,
 * log, the handler as a whole), the event loop's delay (perf_hooks.monitorEventLoopDelay at 1 ms
 * resolution) and the garbage collector's pauses (PerformanceObserver 'gc').
 *
 * Off by default: `PROGNOS_SERVE_PROFILE=1` turns it on, and the server then answers
 * `GET /admin/profile` (the admin key when there are keys; `?reset=1` starts a new period after
 * answering). The bench (`npm run bench -- serve`) reads it around its load run.
 */
import { constants, monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';

/** Log-spaced buckets from 10 µs to ~30 s, 20 per decade: a quantile is read within ~12%. */
const PER_DECADE = 20;
const MIN_MS = 0.01;
const BUCKETS = PER_DECADE * 7;

class Durations {
  private readonly counts = new Uint32Array(BUCKETS + 1);
  count = 0;
  sum = 0;
  max = 0;

  add(ms: number): void {
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
    const b = ms <= MIN_MS ? 0 : Math.min(BUCKETS, Math.ceil(Math.log10(ms / MIN_MS) * PER_DECADE));
    this.counts[b]!++;
  }

  /** the upper edge of the bucket holding quantile q (ms), capped by the maximum */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let b = 0; b <= BUCKETS; b++) {
      seen += this.counts[b]!;
      if (seen >= rank) return Math.min(this.max, MIN_MS * 10 ** (b / PER_DECADE));
    }
    return this.max;
  }

  summary(): StageSummary {
    return { count: this.count, meanMs: this.count === 0 ? 0 : this.sum / this.count, p50Ms: this.quantile(0.5), p99Ms: this.quantile(0.99), maxMs: this.max, totalMs: this.sum };
  }
}

export interface StageSummary {
  readonly count: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly totalMs: number;
}

export interface ProfileReport {
  /** milliseconds the period covers */
  readonly periodMs: number;
  readonly stages: Record<string, StageSummary>;
  readonly eventLoopDelay: { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number; readonly meanMs: number };
  readonly gc: Record<string, StageSummary>;
}

/** perf_hooks.constants.NODE_PERFORMANCE_GC_*: scavenge, mark-compact, incremental marking, weak callbacks */
const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

export class ServeProfile {
  private stages = new Map<string, Durations>();
  private gc = new Map<string, Durations>();
  private readonly loop: IntervalHistogram;
  private readonly observer: PerformanceObserver;
  private since = performance.now();

  constructor() {
    this.loop = monitorEventLoopDelay({ resolution: 1 });
    this.loop.enable();
    this.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = GC_KINDS[(e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0] ?? 'other';
        this.durations(this.gc, kind).add(e.duration);
      }
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  private durations(map: Map<string, Durations>, name: string): Durations {
    let d = map.get(name);
    if (d === undefined) map.set(name, (d = new Durations()));
    return d;
  }

  /** Records one duration of a stage (ms). */
  add(stage: string, ms: number): void {
    this.durations(this.stages, stage).add(ms);
  }

  report(): ProfileReport {
    const ns = (v: number): number => (Number.isFinite(v) ? v / 1e6 : 0);
    return {
      periodMs: performance.now() - this.since,
      stages: Object.fromEntries([...this.stages].map(([k, d]) => [k, d.summary()])),
      eventLoopDelay: { p50Ms: ns(this.loop.percentile(50)), p99Ms: ns(this.loop.percentile(99)), maxMs: ns(this.loop.max), meanMs: ns(this.loop.mean) },
      gc: Object.fromEntries([...this.gc].map(([k, d]) => [k, d.summary()])),
    };
  }

  reset(): void {
    this.stages = new Map();
    this.gc = new Map();
    this.loop.reset();
    this.since = performance.now();
  }

  close(): void {
    this.loop.disable();
    this.observer.disconnect();
  }
}

/** The profile when `PROGNOS_SERVE_PROFILE=1` (one per process), else undefined. */
let shared: ServeProfile | undefined;
export function serveProfile(): ServeProfile | undefined {
  if (process.env.PROGNOS_SERVE_PROFILE !== '1') return undefined;
  shared ??= new ServeProfile();
  return shared;
}
