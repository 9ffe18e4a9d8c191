// @ts-check
/**
 * End-to-end: alerts. The bell starts with no notifications and the three built-in rules; a rule
 * added in the rule editor and the webhook (pointed at a receiver this test runs on 127.0.0.1) are
 * set in the panel; a drift report computed for a small synthetic run then raises a notification that
 * appears on the bell without a reload, links to its report, and is delivered to the receiver as
 * Slack-compatible JSON, which the panel shows. The fleets and the run are made through the same
 * HTTP contract the page uses (the Drift view has its own end-to-end test).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { AlertsPage } from './pages/alerts-page.mjs';

/** @typedef {import('./run.mjs').E2eContext} E2eContext */

/** @type {{ receiver?: import('node:http').Server, hookUrl?: string, received: unknown[], runId?: string, currentId?: string, reportId?: string }} */
const state = { received: [] };

/**
 * Calls one channel of browser mode's contract, as the page does.
 * @param {E2eContext} ctx
 * @param {string} channel
 * @param {unknown} input
 * @returns {Promise<any>}
 */
async function rpc(ctx, channel, input) {
  const url = new URL(ctx.url);
  const token = url.searchParams.get('token') ?? '';
  const res = await fetch(new URL(`/api/rpc/${encodeURIComponent(channel)}`, url.origin), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = /** @type {{ ok: boolean, value?: unknown, error?: { message: string } }} */ (await res.json());
  if (!body.ok) throw new Error(`${channel}: ${body.error?.message ?? res.status}`);
  return body.value;
}

/**
 * Waits for a job to finish and returns its result.
 * @param {E2eContext} ctx
 * @param {string} jobId
 * @param {number} timeoutMs
 */
async function finished(ctx, jobId, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = await rpc(ctx, 'jobs:get', { jobId });
    if (s.state === 'done') return s.result;
    if (s.state !== 'running') throw new Error(`job ${jobId} ${s.state}: ${s.error?.message ?? ''}`);
    if (Date.now() > end) throw new Error(`job ${jobId} still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** @type {Array<{ name: string, run: (ctx: E2eContext) => Promise<void> }>} */
export const tests = [
  {
    name: 'alerts: no notifications yet; the built-in rules are listed, the webhook is off',
    async run(ctx) {
      await ctx.page.goto(ctx.url);
      const alerts = new AlertsPage(ctx.page);
      await alerts.byTestId('notification-bell').waitFor();
      assert.equal(await alerts.unread(), 0);
      await alerts.openPanel();
      await alerts.byTestId('notifications-empty').waitFor();
      const rules = await alerts.rules();
      assert.deepEqual(
        rules.map((r) => [r.id, r.enabled]),
        [
          ['default-dataset-drift', true],
          ['default-estimated-f2', true],
          ['default-prediction-drift', true],
        ],
      );
      assert.match(rules[1]?.text ?? '', /Estimated F2 ≤ validation − 0\.1/);
      await alerts.tab('webhook');
      assert.equal(await alerts.byTestId('webhook-enabled').isChecked(), false);
      assert.equal(await alerts.byTestId('webhook-url').inputValue(), '');
    },
  },
  {
    name: 'alerts: a rule is added in the editor and the webhook is pointed at a local receiver',
    async run(ctx) {
      state.receiver = createServer((req, res) => {
        const chunks = /** @type {Buffer[]} */ ([]);
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
          state.received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          res.writeHead(200);
          res.end('ok');
        });
      });
      await new Promise((r) => state.receiver?.listen(0, '127.0.0.1', () => r(undefined)));
      const address = /** @type {import('node:net').AddressInfo} */ (state.receiver.address());
      state.hookUrl = `http://127.0.0.1:${address.port}/hooks/e2e`;
      const alerts = new AlertsPage(ctx.page);
      // refused first: only http(s)
      await alerts.tab('webhook');
      await alerts.byTestId('webhook-url').fill('file:///etc/passwd');
      await alerts.byTestId('webhook-enabled').check();
      await alerts.byTestId('webhook-save').click();
      const refused = alerts.byTestId('webhook-settings').getByTestId('error-message');
      await refused.waitFor();
      assert.match((await refused.textContent()) ?? '', /http or https/);
      assert.match(await alerts.setWebhook(state.hookUrl, true), /the webhook is on/);
      assert.deepEqual(await rpc(ctx, 'alerts:webhook', {}), { enabled: true, url: state.hookUrl });

      await alerts.addRule({
        name: 'Every report',
        metric: 'driftedShare',
        when: 'above',
        value: '0',
        severity: 'info',
      });
      const rules = await alerts.rules();
      const added = rules.find((r) => r.name === 'Every report');
      assert.ok(added, JSON.stringify(rules));
      assert.equal(added.enabled, true);
      assert.match(added.text, /Share of features drifting ≥ 0/);
      await ctx.screenshot('alerts-rules.png');
    },
  },
  {
    name: 'alerts: a reference fleet, a small GBDT run on it and a new fleet (through the contract)',
    async run(ctx) {
      const alerts = new AlertsPage(ctx.page);
      const reference = await finished(
        ctx,
        (await rpc(ctx, 'datasets:synth', { units: 40, seed: 3, name: 'reference fleet' })).jobId,
        120_000,
      );
      const current = await finished(
        ctx,
        (await rpc(ctx, 'datasets:synth', { units: 20, seed: 4, name: 'new fleet' })).jobId,
        120_000,
      );
      state.currentId = current.dataset.datasetId;
      const config = { models: ['gbdt'], gbdt: { nEstimators: 30 }, rul: { enabled: false } };
      const started = await rpc(ctx, 'train:start', { datasetId: reference.dataset.datasetId, config });
      state.runId = started.runId;
      await finished(ctx, started.jobId, 240_000);
      assert.equal(await alerts.unread(), 0);
    },
  },
  {
    name: 'alerts: a stored drift report raises a notification on the bell, live, linked to its report and delivered to the webhook',
    async run(ctx) {
      const alerts = new AlertsPage(ctx.page);
      if ((await alerts.byTestId('notification-panel').count()) > 0) await alerts.byTestId('notification-bell').click(); // closed: the badge must update by itself
      await alerts.byTestId('notification-panel').waitFor({ state: 'detached' });
      assert.ok(
        state.runId !== undefined && state.currentId !== undefined,
        'the run and the new fleet come from the test before',
      );
      const drift = await rpc(ctx, 'drift:start', { source: { runId: state.runId }, datasetId: state.currentId });
      const result = await finished(ctx, drift.jobId, 240_000);
      state.reportId = result.reportId;
      assert.ok(typeof state.reportId === 'string' && state.reportId.length > 0, JSON.stringify(result));
      const report = await rpc(ctx, 'drift:get', { reportId: state.reportId });

      await alerts.waitForUnread(1);
      const unread = await alerts.unread();
      await alerts.openPanel();
      const list = await alerts.notifications();
      assert.equal(list.length, unread, JSON.stringify(list));
      const mine = list.find((n) => n.title.startsWith('Every report: share of features drifting'));
      assert.ok(mine, JSON.stringify(list));
      assert.equal(mine.severity, 'info');
      assert.equal(mine.read, false);
      assert.equal(mine.link, `#/drift?report=${encodeURIComponent(state.reportId)}`);
      assert.ok(
        mine.body.includes(
          `${report.features.filter((/** @type {{ drifted: boolean }} */ f) => f.drifted).length} of ${report.features.length} features drift`,
        ),
        mine.body,
      );
      // the built-in rules judged the same report: dataset drift fires exactly when the report says so
      assert.equal(
        list.some((n) => n.title.startsWith('Dataset drift:')),
        report.datasetDrift === true,
      );

      await alerts.waitForDelivery(/** @type {string} */ (mine.id));
      const delivered = (await alerts.notifications()).find((n) => n.id === mine.id);
      assert.match(delivered?.delivery ?? '', /Webhook: delivered \(1 attempt\)/);
      const message = /** @type {{ text: string, blocks: Array<{ type: string }> } | undefined} */ (
        state.received.find((m) => /** @type {{ text: string }} */ (m).text.includes('Every report'))
      );
      assert.ok(message, JSON.stringify(state.received));
      assert.equal(message.text, `[Info] ${mine.title}`);
      assert.deepEqual(
        message.blocks.map((b) => b.type),
        ['header', 'section', 'context'],
      );
      await ctx.screenshot('alerts-notifications.png');

      // reading it lowers the count
      await alerts
        .byTestId('notification-panel')
        .locator(`[data-notification-id="${mine.id}"] >> text=Mark read`)
        .click();
      await ctx.page.waitForFunction(
        (n) => Number(document.querySelector('[data-testid="notification-unread"]')?.textContent ?? '0') === n,
        unread - 1,
      );
      state.receiver?.close();
    },
  },
];
