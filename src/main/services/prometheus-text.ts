/**
 * Reads the Prometheus text exposition format (what GET /metrics answers) into samples, and sums
 * what the workbench's model-server panel shows: requests, latency quantiles, cache hits, predictions.
 */
import type { ModelServerMetrics } from '../../shared/model-server';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/g;

function unescapeLabel(v: string): string {
  return v.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/** Every sample line; comments, blank lines and lines that are not samples are skipped. */
export function parsePrometheusText(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (m === null) continue;
    const labels: Record<string, string> = {};
    if (m[2] !== undefined) for (const l of m[2].matchAll(LABEL)) labels[l[1]!] = unescapeLabel(l[2]!);
    out.push({ name: m[1]!, labels, value: parseValue(m[3]!) });
  }
  return out;
}

/**
 * The q-quantile of a cumulative histogram (`le` upper bounds with counts), interpolated linearly
 * inside the bucket it falls in, as Prometheus' histogram_quantile does (the first bucket starts at
 * 0; a quantile in the +Inf bucket is the largest finite bound). null when the histogram is empty.
 */
export function histogramQuantile(q: number, buckets: readonly { le: number; count: number }[]): number | null {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of sorted) {
    if (b.count >= rank) {
      if (b.le === Infinity) return prevLe;
      const inBucket = b.count - prevCount;
      return inBucket === 0 ? b.le : prevLe + ((b.le - prevLe) * (rank - prevCount)) / inBucket;
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}

/** Routes the workbench itself polls, left out of the request counts and latencies. */
export const PANEL_ROUTES: ReadonlySet<string> = new Set(['/metrics', '/readyz', '/healthz', '/predictions/recent', '/model']);

/** The panel's summary from the server's metrics text. */
export function summariseServeMetrics(text: string): ModelServerMetrics {
  const samples = parsePrometheusText(text);
  const counted = (s: Sample): boolean => !PANEL_ROUTES.has(s.labels.route ?? '');
  let requests = 0;
  const byStatus: Record<string, number> = {};
  const buckets = new Map<number, number>();
  let cacheHits = 0;
  let cacheMisses = 0;
  let predictions = 0;
  let alerts = 0;
  for (const s of samples) {
    switch (s.name) {
      case 'prognos_http_requests_total':
        if (!counted(s)) break;
        requests += s.value;
        {
          const cls = `${(s.labels.status ?? '?').charAt(0)}xx`;
          byStatus[cls] = (byStatus[cls] ?? 0) + s.value;
        }
        break;
      case 'prognos_http_request_duration_seconds_bucket': {
        if (!counted(s)) break;
        const le = parseValue(s.labels.le ?? '');
        if (!Number.isNaN(le)) buckets.set(le, (buckets.get(le) ?? 0) + s.value);
        break;
      }
      case 'prognos_cache_requests_total':
        if (s.labels.result === 'hit') cacheHits += s.value;
        else if (s.labels.result === 'miss') cacheMisses += s.value;
        break;
      case 'prognos_predictions_total':
        predictions += s.value;
        break;
      case 'prognos_alerts_total':
        alerts += s.value;
        break;
    }
  }
  const hist = [...buckets].map(([le, count]) => ({ le, count }));
  const ms = (v: number | null): number | null => (v === null ? null : v * 1000);
  return {
    requests,
    byStatus,
    p50Ms: ms(histogramQuantile(0.5, hist)),
    p99Ms: ms(histogramQuantile(0.99, hist)),
    cacheHits,
    cacheMisses,
    cacheHitRatio: cacheHits + cacheMisses === 0 ? null : cacheHits / (cacheHits + cacheMisses),
    predictions,
    alerts,
  };
}
