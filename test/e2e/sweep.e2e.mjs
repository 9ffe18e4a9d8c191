// @ts-check
/**
 * End-to-end: a hyperparameter sweep from the Sweep view. A space with a bad key is underlined in
 * the editor and refused by main with its line; a small space runs as a job whose trials appear
 * live, the parallel-coordinates chart draws the finished trials, and the best config goes to Train.
 */
import assert from 'node:assert/strict';
import { chartState, screenshotView } from './pages/chart.mjs';
import { DatasetsPage } from './pages/datasets-page.mjs';
import { SweepPage } from './pages/sweep-page.mjs';

/** @typedef {import('./run.mjs').E2eContext} E2eContext */

const SMALL = '"models": ["gbdt"], "features": { "windows": [10], "stats": ["mean"] }, "rankWithGain": false, "rul": { "enabled": false }, "calibration": { "method": "none" }';

/** @type {Array<{ name: string, run: (ctx: E2eContext) => Promise<void> }>} */
export const tests = [
  {
    name: 'a bad key in the space is underlined and refused with its line',
    async run(ctx) {
      const datasets = new DatasetsPage(ctx.page);
      await datasets.open(ctx.url);
      const { outcome } = await datasets.generateSample({ units: 12, seed: 5 });
      assert.equal(outcome, 'done');
      const sweep = new SweepPage(ctx.page);
      await sweep.open();
      await sweep.replaceSpace(`{ ${SMALL}, "gbdt": { "maxDept": { "int": [2, 5] } } }`);
      await ctx.page.waitForFunction(() => Number(document.querySelector('[data-testid="sweep-space-editor"]')?.getAttribute('data-markers')) > 0);
      assert.ok((await sweep.markers()) > 0);
      await sweep.start();
      const text = await sweep.errorText();
      assert.match(text, /search space:1/);
      assert.match(text, /gbdt\.maxDept: not a key of the training config/);
    },
  },
  {
    name: 'a small sweep shows its trials live, the parallel chart and the best config promoted to Train',
    async run(ctx) {
      const sweep = new SweepPage(ctx.page);
      await sweep.replaceSpace(`{ ${SMALL}, "gbdt": { "nEstimators": 30, "maxDepth": { "int": [2, 5] }, "eta": { "logFloat": [0.05, 0.3] } } }`);
      await ctx.page.waitForFunction(() => Number(document.querySelector('[data-testid="sweep-space-editor"]')?.getAttribute('data-markers')) === 0);
      await sweep.setTrials(5);
      await sweep.start();
      await sweep.byTestId('sweep-job').waitFor();
      await sweep.waitForRunningTrial();
      assert.equal(await sweep.waitForEnd(), 'done');
      const statuses = await sweep.trialStatuses();
      assert.equal(statuses.length, 5);
      for (const s of statuses) assert.ok(['done', 'pruned', 'failed'].includes(s), s);
      assert.ok(statuses.filter((s) => s === 'done').length >= 1);
      const chart = await chartState(ctx.page, 'sweep-parallel-chart');
      assert.ok(chart.canvases > 0 && chart.painted > 0, 'the parallel chart drew');
      assert.match(await sweep.bestText(), /^Best: trial \d+, run run_\w+, validation F2 \d\.\d{4}/);
      // at 1024×700 the view's content does not overflow sideways (the trials table scrolls in its own box)
      await ctx.page.setViewportSize({ width: 1024, height: 700 });
      const overflow = await ctx.page.locator('.app-main').evaluate((el) => el.scrollWidth - el.clientWidth);
      assert.ok(overflow <= 1, `the Sweep view overflows by ${overflow}px at 1024×700`);
      await screenshotView(ctx, 'sweep-1024x700.png');
      await ctx.page.setViewportSize({ width: 1440, height: 900 });
      await sweep.promote();
      await ctx.page.getByTestId('train-start').waitFor();
      assert.match(ctx.page.url(), /#\/train/);
    },
  },
];
