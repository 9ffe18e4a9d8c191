// @ts-check
/**
 * End-to-end: nothing is lost on reload. A training run keeps going while the page reloads and a
 * second tab opens: both show its progress, its loss curve from the first tree and a Cancel that
 * works; a running run's Results page says it is running and shows no final numbers; a ranking and
 * a fleet's scores are shown again after a reload, saying when they were computed. A small
 * synthetic fleet keeps it quick. The tests share one server, store and page and run in order.
 */
import assert from 'node:assert/strict';
import { screenshotView } from './pages/chart.mjs';
import { DatasetsPage } from './pages/datasets-page.mjs';
import { FeaturesPage } from './pages/features-page.mjs';
import { FleetPage } from './pages/fleet-page.mjs';
import { TrainPage } from './pages/train-page.mjs';

/** @typedef {import('./run.mjs').E2eContext} E2eContext */

/** @type {{ datasetId?: string, runId?: string, doneRunId?: string, engineered?: number, computedAt?: string, fleetUnits?: string }} */
const state = {};

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
 * The trees drawn so far and the first one's iteration, as the live panel states them.
 * @param {import('playwright-core').Page} page
 */
async function drawnTrees(page) {
  const p = page.getByTestId('train-iterations');
  await p.waitFor();
  return { trees: Number(await p.getAttribute('data-trees')), first: Number(await p.getAttribute('data-first-iteration')) };
}

/**
 * Waits until the live panel shows at least `n` trees.
 * @param {import('playwright-core').Page} page
 * @param {number} n
 */
async function waitForTrees(page, n) {
  await page.waitForFunction(
    (min) => Number(document.querySelector('[data-testid="train-iterations"]')?.getAttribute('data-trees') ?? 0) >= min,
    n,
    { timeout: 60_000 },
  );
}

/**
 * Screenshots of the view at the two sizes the layout is checked at.
 * @param {E2eContext} ctx
 * @param {string} name
 */
async function shots(ctx, name) {
  const before = ctx.page.viewportSize() ?? { width: 1280, height: 800 };
  for (const [w, h] of [
    [1440, 900],
    [1024, 700],
  ]) {
    await ctx.page.setViewportSize({ width: w, height: h });
    await screenshotView(ctx, `live-${name}-${w}x${h}.png`);
  }
  await ctx.page.setViewportSize(before);
}

/** @type {Array<{ name: string, run: (ctx: E2eContext) => Promise<void> }>} */
export const tests = [
  {
    name: 'makes a small synthetic fleet',
    async run(ctx) {
      const datasets = new DatasetsPage(ctx.page);
      await datasets.open(ctx.url);
      const { outcome, datasetId } = await datasets.generateSample({ units: 80, seed: 13 });
      assert.equal(outcome, 'done', outcome === 'error' ? await datasets.importErrorText() : 'no sample fleet');
      assert.ok(datasetId);
      state.datasetId = datasetId;
    },
  },
  {
    name: 'a reload during training re-attaches: progress, the loss curve from the first tree, a disabled Start',
    async run(ctx) {
      assert.ok(state.datasetId);
      const train = new TrainPage(ctx.page);
      await train.open();
      await train.selectDataset(state.datasetId);
      // trees, then an LSTM of up to 1,000 epochs that never stops early: the run lasts long enough
      // (many minutes) to reload, open a tab and cancel it
      await train.setModels('both');
      await train.setField('gbdt.nEstimators', '400');
      await train.setField('gbdt.earlyStoppingRounds', '0');
      await train.setField('lstm.epochs', '1000');
      await train.setField('lstm.patience', '0');
      state.runId = await train.startOnly();
      await waitForTrees(ctx.page, 20);
      const before = await drawnTrees(ctx.page);
      assert.equal(before.first, 0, 'the curve starts at the first tree');

      await ctx.page.reload();
      await train.byTestId('train-progress').waitFor({ timeout: 15_000 });
      // the history comes with the job: the curve still starts at the first tree, and holds every tree drawn before
      const after = await drawnTrees(ctx.page);
      ctx.log(`trees before the reload ${before.trees}, right after it ${after.trees}`);
      assert.equal(after.first, 0, 'after the reload the curve starts at the first tree');
      assert.ok(after.trees >= before.trees, `the trees drawn before the reload are shown (${after.trees} ≥ ${before.trees})`);
      const start = train.byTestId('train-start');
      assert.equal(await start.isDisabled(), true, 'Start is disabled while the run trains');
      assert.equal(await start.getAttribute('data-running'), 'true');
      assert.match(await start.innerText(), /Training…/);
      const bar = ctx.page.getByTestId('train-progress-bar').getByRole('progressbar');
      assert.ok(Number(await bar.getAttribute('aria-valuenow')) > 0, 'the progress so far is shown');
      assert.equal(
        await ctx.page.locator(`[data-testid="run-row"][data-run-id="${state.runId}"]`).getAttribute('data-status'),
        'running',
      );
      await ctx.page.waitForTimeout(1000);
      await shots(ctx, 'train-reattached');
    },
  },
  {
    name: 'a second tab sees the running job and its curve',
    async run(ctx) {
      const second = await ctx.page.context().newPage();
      try {
        await second.goto(new URL('#/train', ctx.url).href);
        await second.getByTestId('train-progress').waitFor({ timeout: 15_000 });
        const seen = await drawnTrees(second);
        assert.equal(seen.first, 0);
        assert.ok(seen.trees >= 20, `the second tab shows the trees so far (${seen.trees})`);
        assert.equal(await second.getByTestId('train-start').isDisabled(), true);
        const jobs = await rpc(ctx, 'jobs:list', { kind: 'train' });
        assert.equal(jobs.length, 1);
        assert.equal(jobs[0].subject.runId, state.runId);
      } finally {
        await second.close();
      }
    },
  },
  {
    name: 'the running run’s Results page says it is running, links to its progress and shows no final numbers',
    async run(ctx) {
      assert.ok(state.runId);
      await ctx.page.goto(new URL(`#/results/${state.runId}`, ctx.url).href);
      const running = ctx.page.getByTestId('results-running');
      await running.waitFor();
      assert.match(await ctx.page.getByTestId('results-status').innerText(), /^running$/i);
      assert.equal(await ctx.page.getByTestId('results-live-link').getAttribute('href'), '#/train');
      for (const id of ['results-weight', 'metrics-table', 'results-lstm-best-epoch']) {
        assert.equal(await ctx.page.getByTestId(id).count(), 0, `${id} is not shown for a running run`);
      }
      await ctx.page.getByTestId('results-live-link').click();
      await ctx.page.getByTestId('train-progress').waitFor();
    },
  },
  {
    name: 'Cancel works after the reload: the run ends cancelled',
    async run(ctx) {
      const train = new TrainPage(ctx.page);
      await ctx.page.goto(new URL('#/train', ctx.url).href);
      await ctx.page.reload();
      await train.byTestId('train-progress-cancel').click();
      const end = await train.waitForRunEnd();
      assert.equal(end.outcome, 'cancelled');
      const run = await rpc(ctx, 'runs:get', { runId: state.runId });
      assert.equal(run.status, 'cancelled');
      await ctx.page.locator(`[data-testid="run-row"][data-run-id="${state.runId}"][data-status="cancelled"]`).waitFor();
      assert.deepEqual(await rpc(ctx, 'jobs:list', {}), []);
      // Start is enabled again once the page has its dataset list
      await ctx.page.locator('[data-testid="train-start"]:not([disabled]):not([data-running])').waitFor();
    },
  },
  {
    name: 'a ranking is shown again after a reload, saying when it was computed',
    async run(ctx) {
      const features = new FeaturesPage(ctx.page);
      await features.open();
      const { outcome } = await features.rank();
      assert.equal(outcome, 'done', outcome === 'error' ? await features.rankErrorText() : 'ranking did not finish');
      state.engineered = await features.engineeredCount();
      await ctx.page.reload();
      await ctx.page.getByTestId('ranking-summary').waitFor({ timeout: 15_000 });
      assert.equal(await features.engineeredCount(), state.engineered);
      const stamp = ctx.page.getByTestId('ranking-computed-at');
      assert.match(await stamp.innerText(), /computed/);
      const at = Date.parse((await stamp.getAttribute('data-computed-at')) ?? '');
      assert.ok(Math.abs(Date.now() - at) < 10 * 60_000, 'computed a moment ago');
      assert.equal(await ctx.page.getByTestId('rank-button').innerText(), 'Rank again');
      // which direction is better, in the column headers
      assert.match(await ctx.page.getByTestId('ranking-better-mutualInfo').innerText(), /↑/);
      assert.match(await ctx.page.getByTestId('ranking-better-combined').innerText(), /↓/);
      await shots(ctx, 'features-stored');
    },
  },
  {
    name: 'fleet scores are shown again after a reload; scoring again replaces them',
    async run(ctx) {
      assert.ok(state.datasetId);
      const train = new TrainPage(ctx.page);
      await train.open();
      await train.setModels('gbdt');
      await train.setField('gbdt.nEstimators', '10');
      await train.setField('gbdt.maxDepth', '3');
      const end = await train.train();
      assert.equal(end.outcome, 'done', end.outcome === 'error' ? await train.errorText() : 'no run');
      assert.ok(end.runId);
      state.doneRunId = end.runId;

      const fleet = new FleetPage(ctx.page);
      await fleet.open();
      await fleet.chooseDataset(state.datasetId);
      await fleet.chooseScorer({ runId: end.runId });
      const scored = await fleet.score();
      assert.equal(scored.outcome, 'done');
      state.fleetUnits = await ctx.page.getByTestId('fleet-units').innerText();
      const firstAt = await ctx.page.getByTestId('fleet-computed-at').getAttribute('data-computed-at');

      await ctx.page.reload();
      const results = ctx.page.locator(`[data-testid="fleet-results"][data-scorer="run:${end.runId}"][data-dataset-id="${state.datasetId}"]`);
      await results.waitFor({ timeout: 15_000 });
      assert.equal(await ctx.page.getByTestId('fleet-units').innerText(), state.fleetUnits);
      const stored = await ctx.page.getByTestId('fleet-computed-at').getAttribute('data-computed-at');
      assert.ok(stored !== null && firstAt !== null);
      assert.ok(Math.abs(Date.parse(stored) - Date.parse(firstAt)) < 60_000, `the stored time ${stored} is the scoring's ${firstAt}`);
      assert.equal(await ctx.page.getByTestId('fleet-empty').count(), 0);
      await shots(ctx, 'fleet-stored');

      await fleet.score();
      const again = await rpc(ctx, 'fleet:stored', { datasetId: state.datasetId, scorer: { kind: 'run', runId: end.runId } });
      assert.ok(Date.parse(again.computedAt) > Date.parse(stored), 'scoring again replaces the stored scores');
    },
  },
];
