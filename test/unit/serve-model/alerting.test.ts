import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ServeAlerting, type ServeAlertMessage } from '../../../src/main/serve-model/alerting';
import { createServeMetrics } from '../../../src/main/serve-model/metrics';
import type { FeatureDrift, OnlineDriftResult } from '../../../src/main/serve-model/online-drift';

interface Receiver {
  url: string;
  got: ServeAlertMessage[];
  requests: number;
  close(): Promise<void>;
}

/** A local webhook receiver; `statuses` are answered in turn (then 200). */
async function receiver(statuses: number[] = []): Promise<Receiver> {
  const r = { got: [] as ServeAlertMessage[], requests: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      r.requests++;
      const status = statuses.shift() ?? 200;
      if (status === 200) r.got.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as ServeAlertMessage);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/secret`,
    get got() {
      return r.got;
    },
    get requests() {
      return r.requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const fast = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20, timeoutMs: 2000, random: () => 0.5 };

function feature(name: string, drifted: boolean): FeatureDrift {
  const scores = { psi: 0.3, ks: 0.2, ksPValue: 0.001, wasserstein: drifted ? 1.5 : 0.02, jsd: 0.1, hellinger: 0.1 };
  return {
    feature: name,
    method: 'wasserstein',
    score: scores.wasserstein,
    threshold: 0.1,
    drifted,
    scores,
    referenceMean: 1,
    currentMean: drifted ? 3 : 1,
  };
}

function drift(drifted: Record<string, boolean>, ready = true): OnlineDriftResult {
  const features = Object.entries(drifted).map(([n, d]) => feature(n, d));
  const share = features.filter((f) => f.drifted).length / features.length;
  return {
    at: 0,
    windowRows: 5000,
    ready,
    features,
    driftedShare: share,
    datasetDrift: ready && share >= 0.5,
    datasetDriftShare: 0.5,
  };
}

let rx: Receiver | undefined;
afterEach(async () => {
  await rx?.close();
  rx = undefined;
});

describe('serve-model alerting', () => {
  it('posts a Slack-compatible message when a feature starts drifting, once per episode', async () => {
    rx = await receiver();
    let now = 1_000_000;
    const metrics = createServeMetrics({ defaultMetrics: false });
    const a = new ServeAlerting({
      webhookUrl: rx.url,
      modelLabel: 'run r1',
      cooldownMs: 60_000,
      retry: fast,
      metrics,
      now: () => now,
    });
    a.onDrift(drift({ s2_mean_5: false, s3_max_10: false, s4_ewma: false }));
    a.onDrift(drift({ s2_mean_5: true, s3_max_10: false, s4_ewma: false }));
    await a.idle();
    expect(rx.got).toHaveLength(1);
    const m = rx.got[0]!;
    expect(m.text).toBe('[Warning] Feature s2_mean_5 drifts in the last 5000 scored rows');
    expect(m.blocks[0]).toMatchObject({ type: 'header' });
    expect(m.prognos.kind).toBe('feature_drift');
    expect(m.prognos.model).toBe('run r1');
    // the episode lasts: nothing more
    now += 30_000;
    a.onDrift(drift({ s2_mean_5: true, s3_max_10: false, s4_ewma: false }));
    // it clears and starts again within the cool-down: quiet
    now += 10_000;
    a.onDrift(drift({ s2_mean_5: false, s3_max_10: false, s4_ewma: false }));
    a.onDrift(drift({ s2_mean_5: true, s3_max_10: false, s4_ewma: false }));
    await a.idle();
    expect(rx.got).toHaveLength(1);
    // a new episode after the cool-down alerts again
    now += 120_000;
    a.onDrift(drift({ s2_mean_5: false, s3_max_10: false, s4_ewma: false }));
    a.onDrift(drift({ s2_mean_5: true, s3_max_10: false, s4_ewma: false }));
    await a.idle();
    expect(rx.got).toHaveLength(2);
    expect(await metrics.render()).toMatch(
      /^prognos_alert_notifications_total\{kind="feature_drift",outcome="delivered"\} 2$/m,
    );
    await a.close();
  });

  it('dataset drift sends its own message, listing several features in one', async () => {
    rx = await receiver();
    const a = new ServeAlerting({ webhookUrl: rx.url, modelLabel: 'run r1', retry: fast });
    a.onDrift(drift({ a: true, b: true, c: false }));
    await a.idle();
    const kinds = rx.got.map((m) => m.prognos.kind).sort();
    expect(kinds).toEqual(['dataset_drift', 'feature_drift']);
    const f = rx.got.find((m) => m.prognos.kind === 'feature_drift')!;
    expect(f.text).toContain('2 features drift');
    expect((f.prognos.details.features as { feature: string }[]).map((x) => x.feature)).toEqual(['a', 'b']);
    const d = rx.got.find((m) => m.prognos.kind === 'dataset_drift')!;
    expect(d.text).toContain('66.7% of the features drift');
    await a.close();
  });

  it('a window too small for verdicts alerts nothing', async () => {
    rx = await receiver();
    const a = new ServeAlerting({ webhookUrl: rx.url, modelLabel: 'm', retry: fast });
    a.onDrift(drift({ a: true, b: true }, false));
    await a.idle();
    expect(rx.requests).toBe(0);
    await a.close();
  });

  it('alerts when the share of alerting predictions over the window passes the rate, and again only after it cleared and cooled down', async () => {
    rx = await receiver();
    let now = 5_000_000;
    const a = new ServeAlerting({
      webhookUrl: rx.url,
      modelLabel: 'm',
      alertRate: { rate: 0.2, windowSeconds: 60, minPredictions: 50 },
      cooldownMs: 0,
      retry: fast,
      now: () => now,
    });
    // 40 predictions, all alerting: below minPredictions, no evidence yet
    a.observePredictions(40, 40);
    a.checkAlertRate();
    // 100 predictions, 10 alerting → 50 of 140 = 35.7%
    now += 10_000;
    a.observePredictions(100, 10);
    expect(a.alertRate().predictions).toBe(140);
    a.checkAlertRate();
    a.checkAlertRate();
    await a.idle();
    expect(rx.got).toHaveLength(1);
    expect(rx.got[0]!.prognos.kind).toBe('alert_rate');
    expect(rx.got[0]!.text).toBe('[Warning] 35.7% of predictions alert (above 20.0%)');
    // a minute later the old buckets left the window; a calm fleet clears the episode
    now += 70_000;
    a.observePredictions(200, 10);
    expect(a.alertRate()).toEqual({ rate: 0.05, predictions: 200 });
    a.checkAlertRate();
    now += 10_000;
    a.observePredictions(200, 150);
    a.checkAlertRate();
    await a.idle();
    expect(rx.got).toHaveLength(2);
    await a.close();
  });

  it('retries a failing receiver and counts a delivery given up on', async () => {
    rx = await receiver([503, 200]);
    const metrics = createServeMetrics({ defaultMetrics: false });
    const a = new ServeAlerting({ webhookUrl: rx.url, modelLabel: 'm', retry: fast, metrics });
    a.onDrift(drift({ a: true, b: false, c: false }));
    await a.idle();
    expect(rx.requests).toBe(2);
    expect(rx.got).toHaveLength(1);
    await rx.close();
    rx = await receiver([500, 500, 500]);
    const b = new ServeAlerting({ webhookUrl: rx.url, modelLabel: 'm', retry: fast, metrics });
    b.onDrift(drift({ a: true, b: false, c: false }));
    await b.idle();
    expect(rx.requests).toBe(3);
    expect(await metrics.render()).toMatch(
      /^prognos_alert_notifications_total\{kind="feature_drift",outcome="failed"\} 1$/m,
    );
    await a.close();
    await b.close();
  });

  it('refuses a bad webhook URL or rule naming the option', () => {
    expect(() => new ServeAlerting({ webhookUrl: 'ftp://x/y', modelLabel: 'm' })).toThrow(
      /--alert-webhook: the URL must be an http or https URL/,
    );
    expect(() => new ServeAlerting({ webhookUrl: 'https://u:p@hooks.example/x', modelLabel: 'm' })).toThrow(
      /user name or password/,
    );
    expect(
      () => new ServeAlerting({ webhookUrl: 'https://hooks.example/x', modelLabel: 'm', alertRate: { rate: 1.5 } }),
    ).toThrow(/--alert-rate: 1.5/);
  });
});
