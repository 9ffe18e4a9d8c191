// @ts-check
/**
 * End-to-end: the operating regimes of a dataset in the Datasets view. A six-regime synthetic fleet
 * (written by `prognos synth --regimes 6`) shows "6 operating regimes", its centroids and a scatter
 * of the settings coloured by regime; FD001 shows one regime.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { chartState } from './pages/chart.mjs';
import { DatasetsPage } from './pages/datasets-page.mjs';

/** @typedef {import('./run.mjs').E2eContext} E2eContext */

/** @type {Array<{ name: string, run: (ctx: E2eContext) => Promise<void> }>} */
export const tests = [
  {
    name: 'a six-regime fleet shows 6 operating regimes and a scatter of its settings coloured by regime',
    async run(ctx) {
      const file = join(ctx.tmpDir, 'six_regimes.txt');
      const synth = spawnSync(process.execPath, [join(ctx.repoRoot, 'bin/prognos.js'), 'synth', '--units', '30', '--seed', '3', '--regimes', '6', '--out', file], { encoding: 'utf8' });
      assert.equal(synth.status, 0, synth.stderr);
      const app = new DatasetsPage(ctx.page);
      await app.open(ctx.url);
      const { outcome } = await app.importFile(file);
      assert.equal(outcome, 'done', outcome === 'error' ? await app.importErrorText() : 'import did not finish');
      assert.equal(await app.byTestId('dataset-regimes').innerText(), '6 operating regimes');

      await app.showTab('regimes');
      await app.byTestId('regimes-panel').waitFor();
      assert.equal(await app.byTestId('regimes-count').innerText(), '6 operating regimes');
      assert.equal(await app.page.locator('[data-testid="regimes-table"] tbody tr').count(), 6);
      const chart = await chartState(ctx.page, 'regime-chart');
      assert.ok(chart.canvases >= 1, 'the scatter has a canvas');
      assert.ok(chart.painted > 3000, `the scatter is drawn on (painted pixels: ${chart.painted})`);
      assert.match(chart.label ?? '', /setting1 against setting2/);
      const rows = Number((chart.label ?? '').replace(/,/g, '').match(/of (\d+) rows/)?.[1]);
      assert.ok(rows > 0 && rows <= 5000, `at most 5,000 points (got ${rows})`);
      await app.byTestId('regime-chart').scrollIntoViewIfNeeded();
      await ctx.screenshot('regimes.png');
    },
  },
  {
    name: 'FD001 shows one operating regime',
    async run(ctx) {
      const app = new DatasetsPage(ctx.page);
      const { outcome } = await app.importFile(resolve(ctx.repoRoot, '../shared/data/cmapss', 'train_FD001.txt'));
      assert.equal(outcome, 'done');
      assert.equal(await app.byTestId('dataset-regimes').innerText(), '1 operating regime');
      await app.showTab('regimes');
      await app.byTestId('regimes-panel').waitFor();
      assert.equal(await app.byTestId('regimes-count').innerText(), '1 operating regime');
      const chart = await chartState(ctx.page, 'regime-chart');
      assert.ok(chart.painted > 1000, `the scatter is drawn on (painted pixels: ${chart.painted})`);
      await app.byTestId('regime-chart').scrollIntoViewIfNeeded();
      await ctx.screenshot('regimes-fd001.png');
    },
  },
];
