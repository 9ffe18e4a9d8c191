import { describe, expect, it } from 'vitest';
import { createServeMetrics, SERVE_METRIC_NAMES } from '../../../src/main/serve-model/metrics';
import type { FeatureStore, PredictionLog } from '../../../src/main/serve-model/types';

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('serve metrics registry', () => {
  it('names every metric with the prognos_ prefix, in its own registry', async () => {
    const a = createServeMetrics();
    const b = createServeMetrics();
    a.observePredictions(3, 1);
    const names = (await a.registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names.length).toBeGreaterThan(SERVE_METRIC_NAMES.length);
    for (const n of names) expect(n.startsWith('prognos_')).toBe(true);
    for (const n of SERVE_METRIC_NAMES) expect(names).toContain(n);
    expect(names).toContain('prognos_process_cpu_seconds_total');
    // b is untouched by a
    expect(value(await b.render(), 'prognos_predictions_total')).toBe(0);
    expect(value(await a.render(), 'prognos_predictions_total')).toBe(3);
    expect(value(await a.render(), 'prognos_alerts_total')).toBe(1);
  });

  it('counts requests by route, method and status, with latency buckets between 1 and 100 ms', async () => {
    const m = createServeMetrics({ defaultMetrics: false });
    m.observeRequest('/predict', 'POST', 200, 0.004);
    m.observeRequest('/predict', 'POST', 200, 0.012);
    m.observeRequest('/predict', 'POST', 400, 0.001);
    m.observeCache(true);
    m.observeCache(false);
    m.observeCache(false);
    const t = await m.render();
    expect(value(t, 'prognos_http_requests_total{route="/predict",method="POST",status="200"}')).toBe(2);
    expect(value(t, 'prognos_http_requests_total{route="/predict",method="POST",status="400"}')).toBe(1);
    expect(value(t, 'prognos_http_request_duration_seconds_bucket{le="0.005",route="/predict"}')).toBe(2);
    expect(value(t, 'prognos_http_request_duration_seconds_bucket{le="0.01",route="/predict"}')).toBe(2);
    expect(value(t, 'prognos_http_request_duration_seconds_bucket{le="0.015",route="/predict"}')).toBe(3);
    expect(value(t, 'prognos_http_request_duration_seconds_count{route="/predict"}')).toBe(3);
    expect(value(t, 'prognos_cache_requests_total{result="hit"}')).toBe(1);
    expect(value(t, 'prognos_cache_requests_total{result="miss"}')).toBe(2);
  });

  it('replaces the model series on reload and reads the store and log at scrape time', async () => {
    const m = createServeMetrics({ defaultMetrics: false });
    m.setModel({ runId: 'r1', bundleSha256: 'aa', signature: 'unsigned', loadedAtMs: 1_000_000 });
    m.setModel({ runId: 'r2', bundleSha256: 'bb', signature: 'signed:k1', loadedAtMs: 2_000_000 });
    let rows = 10;
    let pending = 4;
    const store = { size: () => Promise.resolve({ units: 2, rows }) } as unknown as FeatureStore;
    const log = { pending: () => pending } as unknown as PredictionLog;
    m.setSources({ featureStore: store, predictionLog: log });
    let ready = true;
    m.setReadiness(() => Promise.resolve(ready));
    let t = await m.render();
    expect(value(t, 'prognos_ready')).toBe(1);
    expect(t).not.toContain('run_id="r1"');
    expect(value(t, 'prognos_model_info{run_id="r2",bundle_sha256="bb",signature="signed:k1"}')).toBe(1);
    expect(value(t, 'prognos_model_loaded_timestamp_seconds')).toBe(2000);
    expect(value(t, 'prognos_feature_store_units')).toBe(2);
    expect(value(t, 'prognos_feature_store_rows')).toBe(10);
    expect(value(t, 'prognos_prediction_log_pending')).toBe(4);
    rows = 25;
    pending = 0;
    ready = false;
    t = await m.render();
    expect(value(t, 'prognos_ready')).toBe(0);
    expect(value(t, 'prognos_feature_store_rows')).toBe(25);
    expect(value(t, 'prognos_prediction_log_pending')).toBe(0);
  });

  it('keeps the last known store size when the backend is down', async () => {
    const m = createServeMetrics({ defaultMetrics: false });
    let up = true;
    const store = {
      size: () => (up ? Promise.resolve({ units: 3, rows: 30 }) : Promise.reject(new Error('down'))),
    } as unknown as FeatureStore;
    m.setSources({ featureStore: store });
    expect(value(await m.render(), 'prognos_feature_store_rows')).toBe(30);
    up = false;
    expect(value(await m.render(), 'prognos_feature_store_rows')).toBe(30);
  });

  it('exports drift gauges per feature and replaces them on each computation', async () => {
    const m = createServeMetrics({ defaultMetrics: false });
    const scores = { psi: 0.5, ks: 0.4, wasserstein: 1.9, jsd: 0.3, hellinger: 0.35 };
    m.setDrift({
      features: [
        { feature: 's2_mean', scores, drifted: true },
        { feature: 'gone', scores, drifted: false },
      ],
      share: 0.5,
      windowRows: 4000,
    });
    m.setDrift({ features: [{ feature: 's2_mean', scores, drifted: true }], share: 1, windowRows: 5000 });
    m.observeNotification('feature_drift', 'delivered');
    const t = await m.render();
    expect(value(t, 'prognos_feature_drift_score{feature="s2_mean",method="wasserstein"}')).toBe(1.9);
    expect(value(t, 'prognos_feature_drifted{feature="s2_mean"}')).toBe(1);
    expect(t).not.toContain('feature="gone"');
    expect(value(t, 'prognos_dataset_drift_share')).toBe(1);
    expect(value(t, 'prognos_drift_window_rows')).toBe(5000);
    expect(value(t, 'prognos_alert_notifications_total{kind="feature_drift",outcome="delivered"}')).toBe(1);
  });
});
