/**
 * The online drift recompute never holds the thread that answers requests: a window of a million
 * rows × 40 features (sorting every feature's million values, seconds of work) is recomputed while
 * GET /healthz is probed every 10 ms; every probe answers, and the slowest within a bound far below
 * the recompute's own duration — which is what a request would have waited when the recompute ran
 * on the request thread.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServeMetrics } from '../../../src/main/serve-model/metrics';
import { createServeMonitoring, type ServeMonitoring } from '../../../src/main/serve-model/monitoring';
import { DEMO_BUNDLE, startServer, type Started } from './serve-helpers';

const ROWS = 1_000_000;
/**
 * The slowest /healthz answer allowed while the recompute runs: a quarter of the recompute's own
 * duration (on the request thread every probe sent during it would have waited for all of it), and
 * never more than a second. On a quiet machine the recompute takes over a second and probes answer
 * in milliseconds; on a loaded one both stretch, the recompute far more.
 */
const boundMs = (recomputeMs: number): number => Math.min(1000, recomputeMs / 4);

let monitoring: ServeMonitoring;
let s: Started;

beforeAll(async () => {
  monitoring = createServeMonitoring({
    bundlePath: DEMO_BUNDLE,
    metrics: createServeMetrics({ defaultMetrics: false }),
    // the timer far away: the test recomputes when it wants
    drift: { windowRows: ROWS, intervalMs: 3_600_000 },
  });
  s = await startServer({ cacheTtlSeconds: 0, metrics: monitoring.metrics, onScored: monitoring.onScored });
  expect(await monitoring.start()).toMatch(/^online drift of 40 features over the last 1000000 scored rows/);
}, 120_000);

afterAll(async () => {
  await s?.stop();
  await monitoring?.close();
});

describe('online drift off the request thread', () => {
  it('GET /healthz answers within the bound while a million-row window is recomputed', async () => {
    const F = 40;
    // a million rows in chunks of 100,000, handed to the drift thread (the values: a smooth spread per feature)
    for (let at = 0; at < ROWS; at += 100_000) {
      const rows = new Float32Array(100_000 * F);
      for (let i = 0; i < rows.length; i++) rows[i] = Math.sin(at + i) * 3 + (i % F);
      expect(monitoring.observeDriftFeatures(rows, F)).toBe(true);
    }
    const probes = { done: false, count: 0, failed: 0, slowest: 0 };
    const probing = (async () => {
      while (!probes.done) {
        const t0 = performance.now();
        const r = await fetch(`${s.url}/healthz`).catch(() => undefined);
        if (r?.status !== 200) probes.failed++;
        await r?.text();
        probes.count++;
        probes.slowest = Math.max(probes.slowest, performance.now() - t0);
        await new Promise((res) => setTimeout(res, 10));
      }
    })();
    const t0 = performance.now();
    const result = await monitoring.computeDrift();
    const recomputeMs = performance.now() - t0;
    probes.done = true;
    await probing;
    process.stdout.write(`drift recompute of ${ROWS} rows: ${recomputeMs.toFixed(0)} ms; ${probes.count} /healthz probes, slowest ${probes.slowest.toFixed(1)} ms\n`);
    expect(result?.windowRows).toBe(ROWS);
    expect(result?.features).toHaveLength(F);
    expect(probes.failed).toBe(0);
    expect(probes.count).toBeGreaterThan(5);
    // the attack is real: the recompute takes long enough that a blocked thread would fail the bound
    expect(recomputeMs).toBeGreaterThan(500);
    expect(probes.slowest).toBeLessThan(boundMs(recomputeMs));
    // and its result reached the metrics
    expect(await (await fetch(`${s.url}/metrics`)).text()).toMatch(/^prognos_drift_window_rows 1000000$/m);
  }, 300_000);
});
