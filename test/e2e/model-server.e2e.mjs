// @ts-check
/**
 * End-to-end: the Export view starts a local model server (`prognos serve-model`, a child process of
 * browser mode) for the shipped demo bundle, shows it ready with its URL, sends one unit's history
 * through POST /predict ("Try it"), lists the prediction among the recent ones and in the metrics,
 * and stops it (the port is closed). A port already taken ends in "failed" with the server's own
 * message. Screenshots at 1440×900 and 1024×700.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { DatasetsPage } from './pages/datasets-page.mjs';
import { ExportPage } from './pages/export-page.mjs';
import { ModelServerPage } from './pages/model-server-page.mjs';

/** @typedef {import('./run.mjs').E2eContext} E2eContext */

/** @type {{ url?: string }} */
const state = {};

/** @param {string} url */
async function answers(url) {
  try {
    const r = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3000) });
    return r.status;
  } catch {
    return null;
  }
}

/**
 * @param {E2eContext} ctx
 * @param {string} name
 */
async function shotsAt(ctx, name) {
  const before = ctx.page.viewportSize();
  try {
    for (const [w, h] of [
      [1440, 900],
      [1024, 700],
    ]) {
      await ctx.page.setViewportSize({ width: w, height: h });
      await ctx.page.getByTestId('model-server').scrollIntoViewIfNeeded();
      await ctx.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await ctx.screenshot(`${name}-${w}x${h}.png`);
    }
  } finally {
    if (before !== null) await ctx.page.setViewportSize(before);
  }
}

/** @type {Array<{ name: string, run: (ctx: E2eContext) => Promise<void> }>} */
export const tests = [
  {
    name: 'model server: Start makes the demo bundle ready at a 127.0.0.1 URL',
    async run(ctx) {
      const datasets = new DatasetsPage(ctx.page);
      await datasets.open(ctx.url);
      const made = await datasets.generateSample({ units: 6, seed: 11 });
      assert.equal(made.outcome, 'done');
      const exportPage = new ExportPage(ctx.page);
      await exportPage.open();
      await exportPage.select('shipped:demo');
      const server = new ModelServerPage(ctx.page);
      assert.equal(await server.state(), 'stopped');
      assert.equal(await server.start(), 'ready');
      const url = await server.url();
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      // a real server answers there
      assert.equal(await answers(url), 200);
      state.url = url;
      await server.waitForPredictions(0);
    },
  },
  {
    name: 'model server: Try it sends a unit through POST /predict; the recent predictions and metrics show it',
    async run(ctx) {
      const server = new ModelServerPage(ctx.page);
      const first = await server.tryIt({ unit: 3 });
      assert.equal(first.status, 200, first.text);
      assert.equal(first.cache, 'miss');
      assert.equal(first.unit, 3);
      assert.ok(first.probability !== null && first.probability >= 0 && first.probability <= 1);
      await server.waitForRecentRows(1);
      const second = await server.tryIt({ unit: 3 });
      assert.equal(second.cache, 'hit');
      assert.equal(second.probability, first.probability);
      await server.waitForRecentRows(2);
      await server.waitForPredictions(2);
      const recent = await server.recent();
      assert.deepEqual(
        recent.map((r) => [r.unit, r.cacheHit]),
        [
          [3, true],
          [3, false],
        ],
      );
      const m = await server.metrics();
      assert.equal(m.requests, '2');
      assert.equal(m.cache, '50%');
      assert.equal(m.predictions, '2');
      assert.match(m.p50 ?? '', /^\d+(\.\d+)? ms$/);
      await shotsAt(ctx, 'model-server-ready');
    },
  },
  {
    name: 'model server: Stop closes the port',
    async run(ctx) {
      const server = new ModelServerPage(ctx.page);
      assert.equal(await server.stop(), 'stopped');
      assert.ok(state.url !== undefined);
      assert.equal(await answers(state.url), null);
      assert.equal(await ctx.page.getByTestId('model-server-url').count(), 0);
    },
  },
  {
    name: 'model server: a port already in use ends in "failed" with the server’s message',
    async run(ctx) {
      const blocker = createServer();
      await new Promise((resolve) => blocker.listen(0, '127.0.0.1', () => resolve(undefined)));
      const address = blocker.address();
      assert.ok(address !== null && typeof address === 'object');
      try {
        const server = new ModelServerPage(ctx.page);
        assert.equal(await server.start({ port: address.port }), 'failed');
        assert.match(
          await server.errorText(),
          new RegExp(`--port ${address.port}: already in use by another program\\.`),
        );
        await shotsAt(ctx, 'model-server-failed');
      } finally {
        blocker.close();
      }
    },
  },
];
