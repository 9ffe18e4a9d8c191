/**
 * Alerts against a local receiver on 127.0.0.1 (a node:http server in the test): the delivered
 * payload, retries with back-off, timeouts, a receiver that never answers, a disabled webhook (no
 * request at all), refused URLs and redirects, closing and resuming.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ExperimentStore } from '../../../src/main/core/store/store';
import { AlertService } from '../../../src/main/services/alerts';
import { EventBus, type AnyEvent } from '../../../src/main/services/events';
import { backoffDelay } from '../../../src/main/services/webhook';
import { channels } from '../../../src/shared/contract';
import { driftReportFixture } from '../../helpers/drift-report-fixture';
import { tempDir } from '../store/helpers';

interface Received {
  readonly at: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
}

type Reply = (req: IncomingMessage, res: ServerResponse, n: number) => void;

const servers: Server[] = [];
const stores: ExperimentStore[] = [];
const services: AlertService[] = [];

afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
  for (const s of stores.splice(0)) s.close();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A receiver on 127.0.0.1; `reply` answers the n-th request (1-based). */
async function receiver(reply: Reply): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      received.push({ at: performance.now(), headers: req.headers, body: JSON.parse(text) as unknown });
      reply(req, res, received.length);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T000/B000/secret`, received };
}

const ok: Reply = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok');
};

function setup(retry: { maxAttempts?: number; baseDelayMs?: number; timeoutMs?: number; random?: () => number } = {}) {
  const store = ExperimentStore.open(tempDir(), { sweepIntervalMs: 0 });
  stores.push(store);
  const bus = new EventBus();
  const events: AnyEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const alerts = new AlertService(store.alerts(), bus, {
    validationOf: () => ({ f2: 0.85, precision: 0.6, recall: 0.95 }),
    retry: { maxAttempts: 5, baseDelayMs: 20, maxDelayMs: 1000, timeoutMs: 2000, ...retry },
  });
  services.push(alerts);
  const h = alerts.handlers();
  return { store, alerts, h, events };
}

/** A report on which exactly one default rule (dataset drift) fires. */
const drifting = () =>
  driftReportFixture({ reportId: 'rep_drift000000000001', wasserstein: [0.3, 0.25, 0.01, 0.12], estimatedF2: 0.84 });

describe('webhook deliveries', () => {
  it('is off by default, and a disabled webhook sends nothing while notifications are still raised', async () => {
    const rx = await receiver(ok);
    const { alerts, h } = setup();
    expect(await h['alerts:webhook']({})).toEqual({ enabled: false, url: null });
    // a URL kept but turned off
    await h['alerts:webhook']({ setting: { enabled: false, url: rx.url } });
    const { notifications } = await alerts.onDriftReport(drifting());
    expect(notifications.map((n) => n.title)).toEqual(['Dataset drift: 3 of 4 features drift']);
    expect(notifications[0]!.delivery).toBeUndefined();
    await alerts.idle();
    await new Promise((r) => setTimeout(r, 300));
    expect(rx.received).toHaveLength(0);
    const list = await h['notifications:list']({});
    expect(list.unread).toBe(1);
    expect(list.notifications[0]!.attempts).toEqual([]);
    expect(list.notifications[0]!.delivery).toBeUndefined();
  });

  it('delivers a Slack-compatible message: { text, blocks } as JSON, one attempt recorded', async () => {
    const rx = await receiver(ok);
    const { alerts, h, events } = setup();
    await h['alerts:webhook']({ setting: { enabled: true, url: rx.url } });
    const started = performance.now();
    const { notifications } = await alerts.onDriftReport(drifting());
    const raisedMs = performance.now() - started;
    expect(notifications).toHaveLength(1);
    expect(notifications[0]!.delivery).toEqual({ state: 'pending', attempts: 0, lastError: null, deliveredAt: null });
    await alerts.idle();
    expect(rx.received).toHaveLength(1);
    const got = rx.received[0]!;
    expect(got.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = got.body as { text: string; blocks: { type: string; text?: { type: string; text: string } }[] };
    expect(Object.keys(body).sort()).toEqual(['blocks', 'text']);
    expect(body.text).toBe('[Warning] Dataset drift: 3 of 4 features drift');
    expect(body.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);
    expect(body.blocks[0]!.text).toEqual({
      type: 'plain_text',
      text: 'Dataset drift: 3 of 4 features drift',
      emoji: false,
    });
    expect(body.blocks[1]!.text!.text).toContain(
      'test fleet compared with run run_fixture (seed 1) (life-stage matched).',
    );
    const n = alerts.notification(notifications[0]!.notificationId)!;
    expect(n.delivery).toMatchObject({ state: 'delivered', attempts: 1, lastError: null });
    expect(n.delivery!.deliveredAt).not.toBeNull();
    expect(n.attempts).toHaveLength(1);
    expect(n.attempts[0]).toMatchObject({ attempt: 1, status: 200, error: null });
    expect(n.reportId).toBe('rep_drift000000000001');
    // the UI hears of the new notification and of the delivery
    const changed = events.filter((e) => e.name === 'notifications:changed');
    expect(changed.length).toBeGreaterThanOrEqual(3);
    expect(changed[0]!.payload).toEqual({ unread: 1, notificationId: n.notificationId });
    process.stdout.write(`alerts: notification raised in ${raisedMs.toFixed(1)} ms; delivered in 1 attempt\n`);
  });

  it('a receiver failing twice then answering: 3 attempts recorded, delivered, with growing waits between them', async () => {
    const rx = await receiver((_req, res, n) => {
      res.writeHead(n <= 2 ? 503 : 200);
      res.end(n <= 2 ? 'busy' : 'ok');
    });
    // random = 0: each wait is exactly half the exponential step (40 ms, then 80 ms)
    const { alerts, h } = setup({ baseDelayMs: 80, random: () => 0 });
    await h['alerts:webhook']({ setting: { enabled: true, url: rx.url } });
    const { notifications } = await alerts.onDriftReport(drifting());
    await alerts.idle();
    expect(rx.received).toHaveLength(3);
    const n = alerts.notification(notifications[0]!.notificationId)!;
    expect(n.attempts.map((a) => [a.attempt, a.status, a.error])).toEqual([
      [1, 503, 'HTTP 503 Service Unavailable'],
      [2, 503, 'HTTP 503 Service Unavailable'],
      [3, 200, null],
    ]);
    expect(n.delivery).toMatchObject({ state: 'delivered', attempts: 3 });
    const gap1 = rx.received[1]!.at - rx.received[0]!.at;
    const gap2 = rx.received[2]!.at - rx.received[1]!.at;
    expect(gap1).toBeGreaterThanOrEqual(38);
    expect(gap2).toBeGreaterThanOrEqual(78);
    // the same three messages, byte for byte
    expect(rx.received[2]!.body).toEqual(rx.received[0]!.body);
    process.stdout.write(`alerts: retries after ${gap1.toFixed(0)} ms and ${gap2.toFixed(0)} ms\n`);
  });

  it('a receiver that never answers: each attempt times out, the delivery fails after the last, and the report was never held up', async () => {
    const rx = await receiver(() => undefined); // reads the request, never responds
    const { alerts, h, store } = setup({ maxAttempts: 3, timeoutMs: 150, baseDelayMs: 10 });
    await h['alerts:webhook']({ setting: { enabled: true, url: rx.url } });
    const started = performance.now();
    const { notifications } = await alerts.onDriftReport(drifting());
    const raisedMs = performance.now() - started;
    // the caller (the drift job's completion) got its answer before the first attempt could time out
    expect(raisedMs).toBeLessThan(150);
    expect(store.alerts().listNotifications().notifications).toHaveLength(1);
    // the event loop stays free while the deliveries wait on the receiver
    const tick = performance.now();
    await new Promise((r) => setTimeout(r, 5));
    expect(performance.now() - tick).toBeLessThan(100);
    await alerts.idle();
    const total = performance.now() - started;
    expect(rx.received).toHaveLength(3);
    const n = alerts.notification(notifications[0]!.notificationId)!;
    expect(n.attempts.map((a) => [a.attempt, a.status, a.error])).toEqual([
      [1, null, 'no answer within 150 ms (timed out)'],
      [2, null, 'no answer within 150 ms (timed out)'],
      [3, null, 'no answer within 150 ms (timed out)'],
    ]);
    for (const a of n.attempts) expect(a.durationMs).toBeGreaterThanOrEqual(145);
    expect(n.delivery).toMatchObject({
      state: 'failed',
      attempts: 3,
      lastError: 'no answer within 150 ms (timed out) (after 3 attempts)',
    });
    expect(total).toBeGreaterThanOrEqual(450);
    process.stdout.write(
      `alerts: raised in ${raisedMs.toFixed(1)} ms; 3 timed-out attempts over ${total.toFixed(0)} ms, then failed\n`,
    );
  });

  it('a refused connection is retried to the limit; a 404 is not retried', async () => {
    const rx = await receiver(ok);
    const deadUrl = rx.url;
    servers[0]!.closeAllConnections();
    await new Promise((r) => servers[0]!.close(r));
    servers.splice(0);
    const { alerts, h } = setup({ maxAttempts: 4, baseDelayMs: 5 });
    await h['alerts:webhook']({ setting: { enabled: true, url: deadUrl } });
    const { notifications } = await alerts.onDriftReport(drifting());
    await alerts.idle();
    const refused = alerts.notification(notifications[0]!.notificationId)!;
    expect(refused.attempts).toHaveLength(4);
    expect(refused.attempts.every((a) => a.status === null && a.error === 'connection refused (ECONNREFUSED)')).toBe(
      true,
    );
    expect(refused.delivery!.state).toBe('failed');

    const gone = await receiver((_req, res) => {
      res.writeHead(404);
      res.end('no such hook');
    });
    await h['alerts:webhook']({ setting: { enabled: true, url: gone.url } });
    const second = await alerts.onDriftReport(drifting());
    await alerts.idle();
    expect(gone.received).toHaveLength(1);
    const n = alerts.notification(second.notifications[0]!.notificationId)!;
    expect(n.attempts.map((a) => a.status)).toEqual([404]);
    expect(n.delivery).toMatchObject({
      state: 'failed',
      attempts: 1,
      lastError: 'HTTP 404 Not Found; not retried (after 1 attempts)',
    });
  });

  it('a redirect is not followed: the other address gets nothing', async () => {
    const elsewhere = await receiver(ok);
    const rx = await receiver((_req, res) => {
      res.writeHead(307, { location: elsewhere.url });
      res.end();
    });
    const { alerts, h } = setup({ maxAttempts: 3, baseDelayMs: 5 });
    await h['alerts:webhook']({ setting: { enabled: true, url: rx.url } });
    const { notifications } = await alerts.onDriftReport(drifting());
    await alerts.idle();
    expect(rx.received).toHaveLength(1);
    expect(elsewhere.received).toHaveLength(0);
    expect(alerts.notification(notifications[0]!.notificationId)!.delivery!.state).toBe('failed');
  });

  it('only http(s) URLs without credentials are accepted, by the contract and by the store', async () => {
    const { h } = setup();
    const input = channels['alerts:webhook'].input;
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'ftp://127.0.0.1/x',
      'data:text/plain,hi',
      'http://user:pw@127.0.0.1/x',
      'not a url',
    ]) {
      const parsed = input.safeParse({ setting: { enabled: true, url } });
      expect(parsed.success, url).toBe(false);
      await expect(h['alerts:webhook']({ setting: { enabled: true, url } })).rejects.toThrow(/webhook url: the URL/);
    }
    expect(input.safeParse({ setting: { enabled: true, url: null } }).success).toBe(false);
    expect(channels['alerts:testWebhook'].input.safeParse({ url: 'file:///etc/passwd' }).success).toBe(false);
    expect(await h['alerts:webhook']({})).toEqual({ enabled: false, url: null });
  });

  it('turning the webhook off while retrying stops the retries and fails the delivery', async () => {
    const rx = await receiver((_req, res) => {
      res.writeHead(500);
      res.end();
    });
    const { alerts, h } = setup({ maxAttempts: 5, baseDelayMs: 400, random: () => 0 });
    await h['alerts:webhook']({ setting: { enabled: true, url: rx.url } });
    const { notifications } = await alerts.onDriftReport(drifting());
    const id = notifications[0]!.notificationId;
    // the first attempt's answer recorded: the delivery now waits 200 ms before the second
    while (alerts.notification(id)!.attempts.length < 1) await new Promise((r) => setTimeout(r, 10));
    await h['alerts:webhook']({ setting: { enabled: false, url: rx.url } });
    await new Promise((r) => setTimeout(r, 600));
    expect(rx.received).toHaveLength(1);
    expect(alerts.notification(notifications[0]!.notificationId)!.delivery).toMatchObject({
      state: 'failed',
      attempts: 1,
      lastError: 'not delivered: the webhook was turned off',
    });
  });

  it('closing keeps an unfinished delivery pending; the next open continues it', async () => {
    const dir = tempDir();
    let fail = true;
    const rx = await receiver((_req, res) => {
      res.writeHead(fail ? 503 : 200);
      res.end();
    });
    const store = ExperimentStore.open(dir, { sweepIntervalMs: 0 });
    const first = new AlertService(store.alerts(), new EventBus(), { retry: { baseDelayMs: 5000, timeoutMs: 1000 } });
    await first.handlers()['alerts:webhook']({ setting: { enabled: true, url: rx.url } });
    const { notifications } = await first.onDriftReport(drifting());
    const id = notifications[0]!.notificationId;
    while (first.notification(id)!.attempts.length < 1) await new Promise((r) => setTimeout(r, 10));
    await first.close();
    expect(store.alerts().getNotification(id)!.delivery).toMatchObject({ state: 'pending', attempts: 1 });
    store.close();

    fail = false;
    const reopened = ExperimentStore.open(dir, { sweepIntervalMs: 0 });
    stores.push(reopened);
    const second = new AlertService(reopened.alerts(), new EventBus(), { retry: { baseDelayMs: 5, timeoutMs: 1000 } });
    services.push(second);
    second.resumePending();
    await second.idle();
    expect(rx.received).toHaveLength(2);
    const n = second.notification(id)!;
    expect(n.attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 503],
      [2, 200],
    ]);
    expect(n.delivery!.state).toBe('delivered');
  });

  it("as the drift service's listener: returns at once; closing still stores what the report raised", async () => {
    const rx = await receiver(ok);
    const { alerts, h, store } = setup();
    await h['alerts:webhook']({ setting: { enabled: true, url: rx.url } });
    const ret: unknown = alerts.listener(drifting());
    expect(ret).toBeUndefined();
    await alerts.idle();
    expect(rx.received).toHaveLength(1);
    alerts.listener(driftReportFixture({ reportId: 'rep_second0000000001', wasserstein: [0.3, 0.3] }));
    await alerts.close();
    const reports = store.alerts().listNotifications().notifications.map((n) => n.reportId);
    expect(reports).toEqual(['rep_second0000000001', 'rep_drift000000000001']);
  });

  it('the test button sends one message and reports the answer', async () => {
    const rx = await receiver((_req, res) => {
      res.writeHead(500);
      res.end();
    });
    const { h } = setup();
    const r = await h['alerts:testWebhook']({ url: rx.url });
    expect(r.delivered).toBe(false);
    expect(r.attempt).toMatchObject({ attempt: 1, status: 500, error: 'HTTP 500 Internal Server Error' });
    expect(rx.received).toHaveLength(1);
    expect((rx.received[0]!.body as { text: string }).text).toBe('[Info] Prognos test message');
    await expect(h['alerts:testWebhook']({})).rejects.toThrow(/no URL is set/);
  });

  it('back-off doubles up to its cap, with jitter between half and all of each step', () => {
    const policy = { baseDelayMs: 1000, maxDelayMs: 8000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, { ...policy, random: () => 0 }))).toEqual([
      500, 1000, 2000, 4000, 4000, 4000,
    ]);
    const high = [1, 2, 3, 4, 5].map((n) => backoffDelay(n, { ...policy, random: () => 0.999999 }));
    [1000, 2000, 4000, 8000, 8000].forEach((x, i) => expect(high[i]).toBeCloseTo(x, -1));
  });
});
