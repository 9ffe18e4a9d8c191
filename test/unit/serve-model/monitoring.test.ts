/**
 * The server with its monitoring wired as `prognos serve-model` wires it: requests scored through
 * POST /predict feed the online drift window, /metrics shows the drift gauges, and a drift episode
 * and a high alert rate reach a local Slack-compatible receiver.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeFleet } from '../../../src/main/core/data/synth';
import { unitSpans, type FleetTable } from '../../../src/main/core/data/table';
import { readBundle } from '../../../src/main/core/export/bundle';
import { createBackends, type Backends } from '../../../src/main/serve-model/backends';
import type { ServeAlertMessage } from '../../../src/main/serve-model/alerting';
import { createServeMetrics } from '../../../src/main/serve-model/metrics';
import { createServeMonitoring, type ServeMonitoring } from '../../../src/main/serve-model/monitoring';
import { createModelServer, type ModelServer } from '../../../src/main/serve-model/server';
import { REPO, tempDir } from '../../helpers/paths';

const BUNDLE = join(REPO, 'resources', 'models', 'demo');

let receiver: Server;
let hookUrl = '';
const got: ServeAlertMessage[] = [];
let backends: Backends;
let monitoring: ServeMonitoring;
let server: ModelServer;
let required: string[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as ServeAlertMessage);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const openapi = JSON.parse(Buffer.from((await readBundle(BUNDLE)).files.get('openapi.json')!).toString('utf8')) as {
    components: { schemas: { HistoryRow: { required: string[] } } };
  };
  required = openapi.components.schemas.HistoryRow.required.filter((c) => c !== 'cycle');
  backends = await createBackends({
    logFile: join(tempDir('prognos-monitoring-'), 'predictions.db'),
    maxRows: undefined,
  });
  monitoring = createServeMonitoring({
    bundlePath: BUNDLE,
    metrics: createServeMetrics({ defaultMetrics: false }),
    // a timer far in the future: the test computes when it wants
    drift: { windowRows: 2000, intervalMs: 3_600_000, maxQueued: 10_000 },
    alerts: {
      webhookUrl: hookUrl,
      alertRate: { rate: 0.5, minPredictions: 20 },
      retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10, timeoutMs: 2000, random: () => 0.5 },
    },
  });
  server = await createModelServer({
    bundlePath: BUNDLE,
    port: 0,
    cache: backends.cache,
    featureStore: backends.featureStore,
    log: backends.log,
    cacheTtlSeconds: 0,
    metrics: monitoring.metrics,
    onScored: monitoring.onScored,
  });
  monitoring.metrics.setReadiness(() => server.ready());
  await server.listen();
  expect(await monitoring.start()).toMatch(
    /^online drift of 40 features over the last 2000 scored rows; alerts to the webhook \(drift, alert rate above 50.0%\)$/,
  );
});

async function backendsAndServer(): Promise<{
  server: ModelServer;
  monitoring: ServeMonitoring;
  close(): Promise<void>;
}> {
  const b = await createBackends({
    logFile: join(tempDir('prognos-monitoring-'), 'predictions.db'),
    maxRows: undefined,
  });
  const mon = createServeMonitoring({
    bundlePath: BUNDLE,
    metrics: createServeMetrics({ defaultMetrics: false }),
    drift: false,
    alerts: {
      webhookUrl: hookUrl,
      alertRate: { rate: 0.5, minPredictions: 20 },
      retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10, timeoutMs: 2000, random: () => 0.5 },
    },
  });
  const s = await createModelServer({
    bundlePath: BUNDLE,
    port: 0,
    cache: b.cache,
    featureStore: b.featureStore,
    log: b.log,
    cacheTtlSeconds: 0,
    metrics: mon.metrics,
    onScored: mon.onScored,
  });
  await s.listen();
  await mon.start();
  return {
    server: s,
    monitoring: mon,
    async close() {
      await s.close();
      await mon.close();
      await b.close();
    },
  };
}

afterAll(async () => {
  await server?.close();
  await monitoring?.close();
  await backends?.close();
  await new Promise<void>((r) => receiver.close(() => r()));
});

/**
 * POST /predict bodies: one per cut k, holding every unit of `fleet` cut at point k of `cuts` across
 * its life (≥ 30 cycles; unit id = unit · 100 + k), with s11 read `shift` high.
 */
function bodies(fleet: FleetTable, cuts: number, shift = 0): string[] {
  const col = new Map(fleet.columns.map((c, j) => [c.name, j]));
  const out: string[] = [];
  for (let k = 0; k < cuts; k++) {
    const units = unitSpans(fleet).map((s) => {
      const end = s.start + 30 + Math.floor(((k + 0.5) / cuts) * (s.end - s.start - 30));
      const rows = [];
      for (let i = s.start; i < end; i++) {
        const row: Record<string, number> = { cycle: fleet.cycle[i]! };
        for (const c of required) row[c] = fleet.values[col.get(c)!]![i]! + (c === 's11' ? shift : 0);
        rows.push(row);
      }
      return { unit: s.unit * 100 + k, rows };
    });
    out.push(JSON.stringify({ units }));
  }
  return out;
}

async function post(body: string): Promise<{ units: { alert: boolean }[] }> {
  const r = await fetch(`${server.url}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  expect(r.status).toBe(200);
  return (await r.json()) as { units: { alert: boolean }[] };
}

describe('serve-model monitoring', () => {
  it('scored requests fill the drift window; a shifted sensor drifts on /metrics and alerts once', async () => {
    // another fleet from the generator the demo bundle learned from
    const fleet = synthesizeFleet({ units: 100, seed: 3 });
    for (const b of bodies(fleet, 12)) await post(b);
    let r = (await monitoring.computeDrift())!;
    expect(r.windowRows).toBe(1200);
    expect(r.ready).toBe(true);
    expect(r.datasetDrift).toBe(false);
    let metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^prognos_drift_window_rows 1200$/m);
    expect(metrics).toMatch(/^prognos_feature_drifted\{feature="s11_min_5"\} 0$/m);
    expect(metrics).toMatch(/^prognos_feature_drifted\{feature="s11_max_20"\} 0$/m);
    expect(metrics).toMatch(/^prognos_ready 1$/m);
    await monitoring.alertsIdle();
    // 100 new units are not the 70 the bundle learned from: a feature may sit near its threshold, but s11's do not
    const before = got.filter((g) => g.prognos.kind === 'feature_drift').length;

    // the same fleet with s11 read 1.5 psia high (about 5 sd of the sensor): its level features drift
    for (const b of bodies(fleet, 8, 1.5)) await post(b);
    r = (await monitoring.computeDrift())!;
    expect(r.windowRows).toBe(2000);
    const drifted = r.features.filter((f) => f.drifted).map((f) => f.feature);
    expect(drifted).toContain('s11_min_5');
    expect(drifted).toContain('s11_max_20');
    expect(drifted).not.toContain('s11_slope_30');
    metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^prognos_feature_drifted\{feature="s11_min_5"\} 1$/m);
    await monitoring.alertsIdle();
    const drift = got.filter((g) => g.prognos.kind === 'feature_drift');
    expect(drift).toHaveLength(before + 1);
    const names = (drift[drift.length - 1]!.prognos.details.features as { feature: string }[]).map((f) => f.feature);
    expect(names).toContain('s11_min_5');
    expect(names).toContain('s11_max_20');
    expect(drift[drift.length - 1]!.prognos.model).toMatch(/^run run_01m92qrc7bhp4wc1xg \(bundle [0-9a-f]{12}\)$/);
    // still drifting: the episode goes on, no further message
    await monitoring.computeDrift();
    await monitoring.alertsIdle();
    expect(got.filter((g) => g.prognos.kind === 'feature_drift')).toHaveLength(before + 1);
    expect(await (await fetch(`${server.url}/metrics`)).text()).toMatch(
      new RegExp(
        `^prognos_alert_notifications_total\\{kind="feature_drift",outcome="delivered"\\} ${before + 1}$`,
        'm',
      ),
    );
  });

  it('counts every prediction toward the alert rate and alerts when most of them alert', async () => {
    // a server of its own, so the predictions of the test above are not in its window
    const own = await backendsAndServer();
    const post = async (body: string): Promise<{ units: { alert: boolean }[] }> => {
      const r = await fetch(`${own.server.url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(r.status).toBe(200);
      return (await r.json()) as { units: { alert: boolean }[] };
    };
    const before = got.length;
    // units near the end of their lives alert; the rule is "more than 50% of predictions"
    const fleet = synthesizeFleet({ units: 40, seed: 4 });
    const col = new Map(fleet.columns.map((c, j) => [c.name, j]));
    let alerts = 0;
    let n = 0;
    for (const s of unitSpans(fleet)) {
      const rows = [];
      for (let i = s.start; i < s.end; i++) {
        const row: Record<string, number> = { cycle: fleet.cycle[i]! };
        for (const c of required) row[c] = fleet.values[col.get(c)!]![i]!;
        rows.push(row);
      }
      const p = await post(JSON.stringify({ units: [{ unit: s.unit, rows }] }));
      n++;
      if (p.units[0]!.alert) alerts++;
    }
    // whole lives end at failure: nearly every unit alerts at its last cycle
    expect(alerts / n).toBeGreaterThan(0.5);
    own.monitoring.checkAlertRate();
    await own.monitoring.alertsIdle();
    const rate = got.slice(before).filter((g) => g.prognos.kind === 'alert_rate');
    expect(rate).toHaveLength(1);
    expect(rate[0]!.prognos.details.predictions).toBe(n);
    expect(rate[0]!.prognos.details.rate).toBeCloseTo(alerts / n, 10);
    await own.close();
  });
});
