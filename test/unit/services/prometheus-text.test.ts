/**
 * The model-server panel's summary of GET /metrics: samples parsed from real prom-client text, the
 * latency quantiles interpolated as Prometheus' histogram_quantile does, the panel's own polling left
 * out of the request counts.
 */
import { describe, expect, it } from 'vitest';
import { createServeMetrics } from '../../../src/main/serve-model/metrics';
import { histogramQuantile, parsePrometheusText, summariseServeMetrics } from '../../../src/main/services/prometheus-text';

describe('parsePrometheusText', () => {
  it('reads names, escaped labels and special values, skipping comments', () => {
    const s = parsePrometheusText('# HELP x y\n# TYPE x counter\nx{a="1",b="q\\"uote\\\\"} 3\ny 1.5e3 1700000000\nz{le="+Inf"} +Inf\n\n');
    expect(s).toEqual([
      { name: 'x', labels: { a: '1', b: 'q"uote\\' }, value: 3 },
      { name: 'y', labels: {}, value: 1500 },
      { name: 'z', labels: { le: '+Inf' }, value: Infinity },
    ]);
  });
});

describe('histogramQuantile', () => {
  it('interpolates inside the bucket the rank falls in', () => {
    const b = [
      { le: 0.01, count: 10 },
      { le: 0.02, count: 30 },
      { le: Infinity, count: 40 },
    ];
    expect(histogramQuantile(0.25, b)).toBeCloseTo(0.01, 12); // rank 10: the top of the first bucket
    expect(histogramQuantile(0.5, b)).toBeCloseTo(0.015, 12); // rank 20: half-way through the second
    expect(histogramQuantile(0.99, b)).toBe(0.02); // in +Inf: the largest finite bound
    expect(histogramQuantile(0.5, [{ le: Infinity, count: 0 }])).toBeNull();
  });
});

describe('summariseServeMetrics', () => {
  it('sums the scoring routes, cache and predictions from the server registry', async () => {
    const m = createServeMetrics({ defaultMetrics: false });
    m.observeRequest('/predict', 'POST', 200, 0.004);
    m.observeRequest('/predict', 'POST', 200, 0.004);
    m.observeRequest('/predict', 'POST', 422, 0.001);
    m.observeRequest('/units/:unit/risk', 'GET', 200, 0.004);
    // the panel's own polling
    for (let i = 0; i < 50; i++) m.observeRequest('/metrics', 'GET', 200, 0.9);
    m.observeRequest('/predictions/recent', 'GET', 200, 0.9);
    m.observeCache(true);
    m.observeCache(false);
    m.observeCache(false);
    m.observeCache(false);
    m.observePredictions(5, 2);
    const s = summariseServeMetrics(await m.render());
    expect(s.requests).toBe(4);
    expect(s.byStatus).toEqual({ '2xx': 3, '4xx': 1 });
    // 4 requests: 1 in (0.0005, 0.001], 3 in (0.003, 0.005]; rank 2 of the median is a third into the latter bucket
    expect(s.p50Ms).toBeCloseTo(3 + 2 / 3, 9);
    expect(s.p99Ms).toBeCloseTo(3 + (2 * (3.96 - 1)) / 3, 9);
    expect(s.cacheHits).toBe(1);
    expect(s.cacheMisses).toBe(3);
    expect(s.cacheHitRatio).toBe(0.25);
    expect(s.predictions).toBe(5);
    expect(s.alerts).toBe(2);
  });

  it('gives null quantiles and ratio before any request', async () => {
    const s = summariseServeMetrics(await createServeMetrics({ defaultMetrics: false }).render());
    expect(s).toMatchObject({ requests: 0, p50Ms: null, p99Ms: null, cacheHitRatio: null, predictions: 0 });
  });
});
