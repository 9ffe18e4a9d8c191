/**
 * The model server's Prometheus metrics: one registry per server (never prom-client's global one, so
 * two servers in one process, or a reload, never mix their series), every name starting `prognos_`.
 * deploy/prometheus/rules.yml and deploy/grafana/prognos-dashboard.json use exactly these names (a
 * test checks both ways).
 *
 * The server calls the typed helpers on its request path (counter and histogram updates are O(1));
 * the feature-store size and the prediction log's pending count are read when Prometheus scrapes.
 *
 * With `--workers N` each worker keeps this registry and GET /metrics answers the sum over the workers
 * (prom-client's AggregatorRegistry, cluster.ts): counters and histograms add up; each gauge says how
 * it combines (`aggregator`) where a sum would be wrong: ready is the minimum (ready when every worker
 * is), the model's info and load time the newest, the shared feature store's size the largest reading,
 * online drift the one worker that computes it.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FeatureStore, PredictionLog } from './types';

export const METRIC_PREFIX = 'prognos_';

/** Request latency buckets (seconds): fine between 1 and 100 ms, where the server is meant to answer. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5,
];

/** The metrics this module defines (the default process metrics come on top, with the same prefix). */
export const SERVE_METRIC_NAMES = [
  'prognos_http_requests_total',
  'prognos_http_request_duration_seconds',
  'prognos_cache_requests_total',
  'prognos_predictions_total',
  'prognos_alerts_total',
  'prognos_model_info',
  'prognos_model_loaded_timestamp_seconds',
  'prognos_feature_store_units',
  'prognos_feature_store_rows',
  'prognos_prediction_log_pending',
  'prognos_feature_drift_score',
  'prognos_feature_drifted',
  'prognos_dataset_drift_share',
  'prognos_drift_window_rows',
  'prognos_alert_notifications_total',
  'prognos_ready',
] as const;
export type ServeMetricName = (typeof SERVE_METRIC_NAMES)[number];

export interface ServeMetricsOptions {
  /** the default process and Node.js metrics (prefixed `prognos_`); default true */
  readonly defaultMetrics?: boolean;
  /** labels added to every series (e.g. { replica: hostname }) */
  readonly defaultLabels?: Readonly<Record<string, string>>;
}

export interface ModelInfo {
  readonly runId: string;
  readonly bundleSha256: string;
  /** 'signed:<key id>', 'unsigned', … as the server describes the bundle's trust */
  readonly signature: string;
  /** when the bundle was loaded (ms since the epoch); default now */
  readonly loadedAtMs?: number;
}

/** One feature's online drift, as online-drift.ts computes it. */
export interface FeatureDriftGauge {
  readonly feature: string;
  /** every effect size (and the KS statistic), by method */
  readonly scores: Readonly<Record<'psi' | 'ks' | 'wasserstein' | 'jsd' | 'hellinger', number>>;
  readonly drifted: boolean;
}

export interface DriftGauges {
  readonly features: readonly FeatureDriftGauge[];
  /** share of the features drifting */
  readonly share: number;
  /** rows in the sliding window */
  readonly windowRows: number;
}

export type AlertKind = 'feature_drift' | 'dataset_drift' | 'alert_rate';
export type NotificationOutcome = 'delivered' | 'failed';

export interface ServeMetrics {
  readonly registry: Registry;
  /** the Content-Type of `render()`'s text */
  readonly contentType: string;
  /** the Prometheus text format, for GET /metrics */
  render(): Promise<string>;
  /** one answered request; `route` is the route's template ("/units/:unit/risk"), never the raw URL */
  observeRequest(route: string, method: string, status: number, seconds: number): void;
  /** one cache look-up */
  observeCache(hit: boolean): void;
  /** predictions made (one per unit scored) and how many of them alert */
  observePredictions(predictions: number, alerts: number): void;
  /** the loaded bundle (replaces the previous one's series after a reload) */
  setModel(info: ModelInfo): void;
  /** where the feature-store size and the prediction log's backlog are read at scrape time */
  setSources(sources: { readonly featureStore?: FeatureStore; readonly predictionLog?: PredictionLog }): void;
  /** how readiness is read at scrape time (GET /readyz's answer: bundle loaded, required backends up) */
  setReadiness(ready: () => boolean | Promise<boolean>): void;
  /** the latest online-drift computation (replaces the previous one's series) */
  setDrift(drift: DriftGauges): void;
  /** one webhook notification sent (or given up on) by alerting.ts */
  observeNotification(kind: AlertKind, outcome: NotificationOutcome): void;
}

export function createServeMetrics(opts: ServeMetricsOptions = {}): ServeMetrics {
  const registry = new Registry();
  if (opts.defaultLabels !== undefined) registry.setDefaultLabels({ ...opts.defaultLabels });
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const registers = [registry];

  const requests = new Counter({
    name: 'prognos_http_requests_total',
    help: 'HTTP requests answered, by route template, method and status code',
    labelNames: ['route', 'method', 'status'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'prognos_http_request_duration_seconds',
    help: 'HTTP request latency in seconds, from the request received to the response sent, by route template',
    labelNames: ['route'] as const,
    buckets: [...LATENCY_BUCKETS_SECONDS],
    registers,
  });
  const cache = new Counter({
    name: 'prognos_cache_requests_total',
    help: 'Prediction cache look-ups, by result (hit or miss)',
    labelNames: ['result'] as const,
    registers,
  });
  cache.inc({ result: 'hit' }, 0);
  cache.inc({ result: 'miss' }, 0);
  const predictions = new Counter({
    name: 'prognos_predictions_total',
    help: 'Predictions made (one per unit scored, cached answers included)',
    registers,
  });
  const alerts = new Counter({
    name: 'prognos_alerts_total',
    help: 'Predictions at or above the bundle threshold (the unit alerts)',
    registers,
  });
  const modelInfo = new Gauge({
    name: 'prognos_model_info',
    help: 'The loaded bundle: 1 for its run, SHA-256 and signature status',
    labelNames: ['run_id', 'bundle_sha256', 'signature'] as const,
    aggregator: 'max',
    registers,
  });
  const loadedAt = new Gauge({
    name: 'prognos_model_loaded_timestamp_seconds',
    help: 'When the loaded bundle was loaded (Unix time in seconds)',
    aggregator: 'max',
    registers,
  });

  let featureStore: FeatureStore | undefined;
  let predictionLog: PredictionLog | undefined;
  let lastSize: { units: number; rows: number } | undefined;
  // both gauges read the store once per scrape: the first to collect asks, the second reuses the answer
  let sizeRead: Promise<{ units: number; rows: number } | undefined> | undefined;
  const readSize = (): Promise<{ units: number; rows: number } | undefined> => {
    if (sizeRead === undefined) {
      const store = featureStore;
      sizeRead =
        store === undefined
          ? Promise.resolve(undefined)
          : store.size().then(
              (s) => (lastSize = s),
              // a backend that is down keeps its last known size rather than failing the scrape
              () => lastSize,
            );
      const done = sizeRead;
      void done.finally(() => {
        if (sizeRead === done) sizeRead = undefined;
      });
    }
    return sizeRead;
  };
  new Gauge({
    name: 'prognos_feature_store_units',
    help: 'Units with a history in the feature store',
    aggregator: 'max',
    registers,
    async collect() {
      const s = await readSize();
      if (s !== undefined) this.set(s.units);
    },
  });
  new Gauge({
    name: 'prognos_feature_store_rows',
    help: 'History rows held in the feature store',
    aggregator: 'max',
    registers,
    async collect() {
      const s = await readSize();
      if (s !== undefined) this.set(s.rows);
    },
  });
  new Gauge({
    name: 'prognos_prediction_log_pending',
    help: 'Predictions queued or spooled on local disk, not yet in the prediction log backend',
    registers,
    collect() {
      this.set(predictionLog?.pending() ?? 0);
    },
  });

  let readiness: (() => boolean | Promise<boolean>) | undefined;
  new Gauge({
    name: 'prognos_ready',
    help: '1 when the server is ready for traffic (as GET /readyz answers), else 0',
    aggregator: 'min',
    registers,
    async collect() {
      let ready = false;
      try {
        ready = readiness === undefined ? false : await readiness();
      } catch {
        ready = false;
      }
      this.set(ready ? 1 : 0);
    },
  });

  const driftScore = new Gauge({
    name: 'prognos_feature_drift_score',
    help: 'Online drift of a feature over the sliding window against the bundle reference, by method (psi, ks statistic, wasserstein normalised, jsd, hellinger)',
    labelNames: ['feature', 'method'] as const,
    aggregator: 'max',
    registers,
  });
  const drifted = new Gauge({
    name: 'prognos_feature_drifted',
    help: '1 when the feature drifts under the configured method and threshold, else 0',
    labelNames: ['feature'] as const,
    aggregator: 'max',
    registers,
  });
  const driftShare = new Gauge({
    name: 'prognos_dataset_drift_share',
    help: 'Share of the features drifting over the sliding window',
    aggregator: 'max',
    registers,
  });
  const windowRows = new Gauge({
    name: 'prognos_drift_window_rows',
    help: 'Rows in the online drift sliding window',
    aggregator: 'max',
    registers,
  });
  const notifications = new Counter({
    name: 'prognos_alert_notifications_total',
    help: 'Webhook notifications sent for drift and alert-rate conditions, by kind and outcome',
    labelNames: ['kind', 'outcome'] as const,
    registers,
  });

  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    observeRequest(route, method, status, seconds) {
      requests.inc({ route, method, status: String(status) });
      duration.observe({ route }, seconds);
    },
    observeCache(hit) {
      cache.inc({ result: hit ? 'hit' : 'miss' });
    },
    observePredictions(n, a) {
      if (n > 0) predictions.inc(n);
      if (a > 0) alerts.inc(a);
    },
    setModel(info) {
      modelInfo.reset();
      modelInfo.set({ run_id: info.runId, bundle_sha256: info.bundleSha256, signature: info.signature }, 1);
      loadedAt.set((info.loadedAtMs ?? Date.now()) / 1000);
    },
    setSources(s) {
      featureStore = s.featureStore;
      predictionLog = s.predictionLog;
      lastSize = undefined;
    },
    setReadiness(r) {
      readiness = r;
    },
    setDrift(d) {
      driftScore.reset();
      drifted.reset();
      for (const f of d.features) {
        for (const [method, v] of Object.entries(f.scores)) driftScore.set({ feature: f.feature, method }, v);
        drifted.set({ feature: f.feature }, f.drifted ? 1 : 0);
      }
      driftShare.set(d.share);
      windowRows.set(d.windowRows);
    },
    observeNotification(kind, outcome) {
      notifications.inc({ kind, outcome });
    },
  };
}
