// @ts-check
/**
 * End-to-end: the Compare view. Two small GBDT runs that differ in one config value are trained
 * through the CLI on the store browser mode serves; the view lists them, compares them, marks the
 * best run of each metric (higher F2, lower Brier), shows exactly the one differing config path and
 * draws the overlaid ROC, precision–recall and loss curves.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chartState, screenshotView } from './pages/chart.mjs';

/** @typedef {import('./run.mjs').E2eContext} E2eContext */

/** @type {{ base?: string, deep?: string }} */
const state = {};

/**
 * @param {E2eContext} ctx
 * @param {string[]} args
 */
async function prognos(ctx, ...args) {
  const { stdout } = await promisify(execFile)(process.execPath, [join(ctx.repoRoot, 'bin/prognos.js'), ...args, '--store', join(ctx.tmpDir, 'store'), '--json'], {
    encoding: 'utf8',
    env: { ...process.env, PROGNOS_HOME: '' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout);
}

/**
 * The cells of one metric row, in run order.
 * @param {import('playwright-core').Page} page
 * @param {string} key
 */
async function metricCells(page, key) {
  return page.getByTestId(`compare-metric-${key}`).locator('td').evaluateAll((tds) =>
    tds.map((td) => ({ text: (td.textContent ?? '').replace(' ★', '').trim(), best: td.getAttribute('data-best') === 'true' })),
  );
}

/** @type {Array<{ name: string, run: (ctx: E2eContext) => Promise<void> }>} */
export const tests = [
  {
    name: 'trains two small runs that differ in one config value (CLI, same store)',
    async run(ctx) {
      const fleet = join(ctx.tmpDir, 'fleet.txt');
      await prognos(ctx, 'synth', '--units', '12', '--seed', '3', '--out', fleet);
      const { datasetId } = await prognos(ctx, 'import', fleet);
      const base = join(ctx.tmpDir, 'base.json');
      const deep = join(ctx.tmpDir, 'deep.json');
      await writeFile(base, JSON.stringify({ models: ['gbdt'], gbdt: { nEstimators: 8 }, rul: { enabled: false } }));
      await writeFile(deep, JSON.stringify({ models: ['gbdt'], gbdt: { nEstimators: 8, maxDepth: 2 }, rul: { enabled: false } }));
      state.base = (await prognos(ctx, 'train', '--dataset', datasetId, '--config', base)).runId;
      state.deep = (await prognos(ctx, 'train', '--dataset', datasetId, '--config', deep, '--experiment', 'depth study')).runId;
    },
  },
  {
    name: 'compares the two runs: best per metric highlighted, the config diff, overlaid curves',
    async run(ctx) {
      assert.ok(state.base && state.deep);
      const { page } = ctx;
      await page.goto(ctx.url);
      await page.getByTestId('nav-compare').click();
      await page.getByTestId('compare-view').waitFor();
      // the experiment filter narrows the list to the run trained into "depth study"
      const filter = page.getByTestId('compare-experiment');
      await filter.selectOption({ label: 'depth study (1)' });
      await page.getByTestId(`compare-pick-${state.deep}`).waitFor();
      assert.equal(await page.getByTestId(`compare-pick-${state.base}`).count(), 0);
      await filter.selectOption({ label: 'All runs' });
      assert.equal(await page.getByTestId('compare-start').isDisabled(), true);
      await page.getByTestId(`compare-pick-${state.base}`).check();
      await page.getByTestId(`compare-pick-${state.deep}`).check();
      await page.getByTestId('compare-start').click();
      await page.getByTestId('compare-metrics').waitFor();

      // the same comparison from the CLI decides which cells must be marked
      const c = await prognos(ctx, 'runs', 'compare', state.base, state.deep);
      for (const key of ['gbdt.validation.f2', 'gbdt.validation.brier', 'gbdt.test.rocAuc']) {
        const row = c.metricTable.find((/** @type {{ key: string }} */ r) => r.key === key);
        assert.ok(row, `the CLI compares ${key}`);
        const cells = await metricCells(page, key);
        assert.deepEqual(cells.map((x) => x.best), row.values.map((/** @type {unknown} */ _v, /** @type {number} */ i) => row.best.includes(i)), `best marked for ${key}`);
        const present = row.values.filter((/** @type {number|null} */ v) => v !== null);
        const want = row.direction === 'higher' ? Math.max(...present) : Math.min(...present);
        if (new Set(present).size > 1) assert.deepEqual(row.best, row.values.flatMap((/** @type {number} */ v, /** @type {number} */ i) => (v === want ? [i] : [])), `${key} best is the ${row.direction} value`);
      }
      const brier = c.metricTable.find((/** @type {{ key: string }} */ r) => r.key === 'gbdt.validation.brier');
      assert.equal(brier.direction, 'lower');

      // exactly one config path differs
      const rows = await page.getByTestId('compare-config').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => (td.textContent ?? '').trim())));
      assert.deepEqual(rows, [['gbdt.maxDepth', '8', '2']]);

      for (const id of ['compare-roc', 'compare-pr', 'compare-loss']) {
        const chart = await chartState(page, id);
        assert.ok(chart.canvases > 0 && chart.painted > 1000, `${id} drawn (${chart.painted} painted pixels)`);
      }
      assert.match((await page.getByTestId('compare-features-common').textContent()) ?? '', /\d+ features selected by every run/);
      await screenshotView(ctx, 'compare.png');
    },
  },
];
