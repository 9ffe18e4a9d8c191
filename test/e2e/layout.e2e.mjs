// @ts-check
/**
 * End-to-end: every view of the registry (src/renderer/src/views/registry.ts) at 1024×700 and
 * 1440×900 with realistic content — two fleets, a small GBDT + LSTM run, a bundle, a drift report, a
 * PDF report and fleet scores. Nothing in the main content may overflow sideways without a scroll
 * container of its own (support/overflow.mjs), the page never scrolls sideways, and each view is
 * saved as a screenshot (test-results/e2e/layout-<view>-<size>.png) to be looked at.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { screenshotView } from './pages/chart.mjs';
import { DatasetsPage } from './pages/datasets-page.mjs';
import { ExportPage } from './pages/export-page.mjs';
import { mainOverflows, pageOverflow } from './support/overflow.mjs';
import { SEED_STEPS, cliJson, openView, openViewWithContent, registryViewIds } from './support/workbench-content.mjs';

/** @typedef {import('./run.mjs').E2eContext} E2eContext */

const SIZES = [
  { width: 1024, height: 700 },
  { width: 1440, height: 900 },
];

/** @typedef {import('./support/workbench-content.mjs').WorkbenchContent} Content */
/** @type {{ content?: Content, views: string[] }} */
const state = { views: [] };

/**
 * @param {E2eContext} ctx
 * @param {string} id
 * @param {{ width: number, height: number }} size
 */
async function checkView(ctx, id, size) {
  await openViewWithContent(ctx, id, state.content);
  const overflows = await mainOverflows(ctx.page);
  const wide = await pageOverflow(ctx.page);
  await screenshotView(ctx, `layout-${id}-${size.width}x${size.height}.png`);
  /** @type {string[]} */
  const problems = overflows.map((o) => `${o.element} overflows by ${o.by} px: ${o.widest} — "${o.text}"`);
  if (wide > 0) problems.push(`the page scrolls sideways by ${wide} px`);
  return problems;
}

/** @type {Array<{ name: string, run: (ctx: E2eContext) => Promise<void> }>} */
export const tests = [
  ...SEED_STEPS.map((step, i) => ({
    name: step.name,
    /** @param {E2eContext} ctx */
    async run(ctx) {
      if (i === 0) state.views = await registryViewIds(ctx.repoRoot);
      state.content = /** @type {Content} */ (await step.run(ctx, state.content ?? {}));
      if (i === 0) {
        const nav = await ctx.page.locator('nav [data-testid^="nav-"]').evaluateAll((els) => els.map((e) => (e.getAttribute('data-testid') ?? '').slice(4)));
        assert.deepEqual(nav, state.views, 'the navigation lists the views of the registry, in order');
      }
    },
  })),
  ...SIZES.map((size) => ({
    name: `every view at ${size.width}×${size.height}: nothing overflows sideways outside a scroll container`,
    /** @param {E2eContext} ctx */
    async run(ctx) {
      assert.ok(state.views.length > 0 && state.content?.bundleId !== undefined, 'the set-up ran');
      await ctx.page.setViewportSize(size);
      /** @type {string[]} */
      const failures = [];
      for (const id of state.views) {
        const problems = await checkView(ctx, id, size);
        ctx.log(`${id} at ${size.width}×${size.height}: ${problems.length === 0 ? 'fits' : `${problems.length} overflow(s)`}`);
        for (const p of problems) failures.push(`${id}: ${p}`);
      }
      assert.deepEqual(failures, [], `overflow at ${size.width}×${size.height}:\n${failures.join('\n')}`);
    },
  })),
  {
    name: 'sensor names in Results and Drift; the Export view shows the model card; a bundle is renamed and deleted',
    async run(ctx) {
      const { page } = ctx;
      assert.ok(state.content?.bundleId !== undefined, 'the set-up ran');
      const { bundleId, runId } = state.content;
      await page.setViewportSize({ width: 1440, height: 900 });

      // Results follows the working context's run
      await openView(page, 'results');
      assert.equal(await page.getByTestId('results-run').getAttribute('data-run-id'), runId);
      // Drift: the stored report's column table reads sensor names, its rows keep the ids
      await openViewWithContent(ctx, 'drift', state.content);
      const rows = page.locator('[data-testid="drift-features-row"]');
      await rows.first().waitFor();
      const shown = await rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-name') ?? '', (tr.querySelector('th')?.textContent ?? '').trim()]));
      assert.ok(shown.length > 0);
      for (const [id, text] of shown) assert.ok(!/^s\d+_/.test(text), `drift row ${id} shows the id "${text}", not the sensor name`);
      assert.ok(shown.some(([id, text]) => id !== text), 'no drift row shows a sensor name');

      await openView(page, 'export');
      await page.locator(`[data-testid="bundle-row"][data-bundle-id="${bundleId}"] [data-testid="bundle-select"]`).click();
      const card = page.getByTestId('model-card');
      await card.locator(`[data-run-id="${runId}"]`).waitFor();
      assert.match(await page.getByTestId('model-card-purpose').innerText(), /fail/i);
      const metrics = await page.locator('[data-testid="model-card-metric"]').evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-model')}:${tr.getAttribute('data-split')}`));
      assert.ok(metrics.includes('gbdt:validation') && metrics.includes('ensemble:test'), `model card metrics: ${metrics.join(', ')}`);
      // inputs with their names and units; settings are settings, not sensors
      const inputs = await page.locator('[data-testid="model-card-inputs"] li').evaluateAll((lis) => lis.map((li) => ({ column: li.getAttribute('data-column'), role: li.getAttribute('data-role'), text: li.textContent ?? '' })));
      assert.equal(inputs.filter((i) => i.role === 'setting').length, 3, JSON.stringify(inputs));
      assert.equal(inputs.filter((i) => i.role === 'sensor').length, 21);
      const s2 = inputs.find((i) => i.column === 's2');
      assert.ok(s2 !== undefined && /°R/.test(s2.text), `s2 shows no unit: ${s2?.text}`);
      await screenshotView(ctx, 'layout-export-model-card-1440x900.png');

      // rename: the library and the detail show the name; delete: the impact dialog first, then gone
      await page.getByTestId('bundle-rename').click();
      await page.getByTestId('bundle-input').fill('Engines 2026 — weekly bundle');
      await page.getByTestId('bundle-save').click();
      await page.getByTestId('bundle-detail-name').filter({ hasText: 'Engines 2026 — weekly bundle' }).waitFor();
      await page.locator(`[data-testid="bundle-row"][data-bundle-id="${bundleId}"]`, { hasText: 'Engines 2026 — weekly bundle' }).waitFor();
      const listed = await cliJson(ctx, state.content.store, 'bundles', 'list');
      assert.equal(listed.find((/** @type {{ bundleId: string }} */ b) => b.bundleId === bundleId)?.name, 'Engines 2026 — weekly bundle');
      await page.getByTestId('bundle-delete').click();
      const dialog = page.locator('dialog[open][data-testid="confirm-dialog"]').filter({ has: page.getByTestId('delete-impact') });
      await dialog.waitFor();
      assert.match(await dialog.getByTestId('delete-impact').innerText(), /weekly bundle|layout/);
      await dialog.getByTestId('confirm-dialog-confirm').click();
      await page.locator(`[data-testid="bundle-row"][data-bundle-id="${bundleId}"]`).waitFor({ state: 'detached' });
      const after = await cliJson(ctx, state.content.store, 'bundles', 'list');
      assert.ok(!after.some((/** @type {{ bundleId: string }} */ b) => b.bundleId === bundleId), 'the bundle is still in the library');
    },
  },
  {
    name: 'a dataset\'s names and units are edited after import (Datasets, "Names and units")',
    async run(ctx) {
      const { page } = ctx;
      assert.ok(state.content !== undefined, 'the set-up ran');
      const { trainingId } = state.content;
      await openView(page, 'datasets');
      await page.locator(`[data-testid="dataset-row"][data-dataset-id="${trainingId}"] [data-testid="dataset-select"]`).click();
      await page.locator(`[data-testid="dataset-detail"][data-dataset-id="${trainingId}"]`).waitFor();
      await page.getByRole('tab', { name: 'Names and units' }).click();
      const row = page.locator('[data-testid="catalogue-row"][data-column="s2"]');
      assert.equal(await row.getByTestId('catalogue-name').inputValue(), 'T24');
      // a name another column has is refused by main, naming the problem; nothing is saved
      await row.getByTestId('catalogue-name').fill('T30');
      await page.getByTestId('catalogue-save').click();
      await page.getByTestId('catalogue-error').waitFor();
      assert.match(await page.getByTestId('catalogue-error').innerText(), /T30/);
      await row.getByTestId('catalogue-name').fill('LPC outlet T');
      await row.getByTestId('catalogue-unit').fill('K');
      await page.getByTestId('catalogue-save').click();
      await page.getByTestId('catalogue-saved').waitFor();
      // the Columns tab reads the new name at once
      await page.getByRole('tab', { name: 'Columns' }).click();
      await page.getByTestId('dataset-detail').getByText('LPC outlet T').first().waitFor();
      await screenshotView(ctx, 'layout-datasets-names-1440x900.png');
      // stored: a reload reads it back from the store. The dataset is chosen at once, while the context
      // bar is still loading (its lists held back until then): the click holds at once, and still holds
      // once the bar has loaded, over the stored choice (the other fleet) and the bar's preselection
      await page.locator(`[data-testid="dataset-row"][data-dataset-id="${state.content.testId}"] [data-testid="dataset-select"]`).click();
      await page.locator(`[data-testid="dataset-detail"][data-dataset-id="${state.content.testId}"]`).waitFor();
      /** @type {() => void} */
      let release = () => {};
      const held = new Promise((resolve) => {
        release = () => resolve(undefined);
      });
      /** @param {import('playwright-core').Route} route */
      const hold = async (route) => {
        await held;
        await route.continue();
      };
      await page.route('**/api/rpc/bundles:list', hold);
      try {
        await page.reload();
        await page.locator(`[data-testid="dataset-row"][data-dataset-id="${trainingId}"] [data-testid="dataset-select"]`).click();
        assert.match(await page.getByTestId('context-dataset').innerText(), /Loading…/, 'the context bar had loaded before the click');
        await page.locator(`[data-testid="dataset-detail"][data-dataset-id="${trainingId}"]`).waitFor();
      } finally {
        release();
        // the held requests go on before the handler is removed
        await page.unrouteAll({ behavior: 'wait' });
      }
      await page.locator('[data-testid="context-dataset-select"]:not([disabled])').waitFor();
      assert.equal(await page.getByTestId('context-dataset').getAttribute('data-value'), trainingId);
      await page.locator(`[data-testid="dataset-detail"][data-dataset-id="${trainingId}"]`).waitFor();
      await page.getByRole('tab', { name: 'Names and units' }).click();
      const again = page.locator('[data-testid="catalogue-row"][data-column="s2"]');
      assert.equal(await again.getByTestId('catalogue-name').inputValue(), 'LPC outlet T');
      assert.equal(await again.getByTestId('catalogue-unit').inputValue(), 'K');
    },
  },
  {
    name: 'a bad upload\'s errors name the uploaded file, never a folder on this machine (a data file and a bundle)',
    async run(ctx) {
      const { page } = ctx;
      assert.ok(state.content !== undefined, 'the set-up ran');
      const { store } = state.content;
      /** @param {string} text @param {string} file */
      const namesOnlyTheFile = (text, file) => {
        assert.match(text, new RegExp(file.replace('.', '\\.')), `the error does not name ${file}: ${text}`);
        for (const leak of [store, ctx.tmpDir, '/tmp/', 'uploads/', 'upload-']) assert.ok(!text.includes(leak), `the error shows "${leak}": ${text}`);
      };
      const badData = join(ctx.tmpDir, 'engines-bad-cell.txt');
      await writeFile(badData, '1 1 0.0 0.0 100.0 518.67 641.82 1589.70 1400.60 14.62 21.61 554.36 2388.06 9046.19 1.30 47.47 521.66 2388.02 8138.62 8.4195 0.03 392 2388 100.00 39.06 23.4190\n1 2 0.0 0.0 100.0 518.67 oops 1591.82 1403.14 14.62 21.61 553.75 2388.04 9044.07 1.30 47.49 522.28 2388.07 8131.49 8.4318 0.03 392 2388 100.00 39.00 23.4236\n');
      await openView(page, 'datasets');
      const datasets = new DatasetsPage(page);
      const r = await datasets.importFile(badData);
      assert.equal(r.outcome, 'error');
      namesOnlyTheFile(await datasets.importErrorText(), 'engines-bad-cell.txt');

      const badBundle = join(ctx.tmpDir, 'engines-broken-bundle.zip');
      await writeFile(badBundle, Buffer.from('PK\u0003\u0004 this is not a zip archive at all'));
      await openView(page, 'export');
      const exportPage = new ExportPage(page);
      const b = await exportPage.importFile(badBundle);
      assert.equal(b.outcome, 'refused');
      namesOnlyTheFile(await page.getByTestId('bundle-import-error').innerText(), 'engines-broken-bundle.zip');
    },
  },
  {
    name: 'the check catches a wide table that has no scroll container (the check itself can fail)',
    async run(ctx) {
      await ctx.page.setViewportSize({ width: 1024, height: 700 });
      await openView(ctx.page, state.views[0] ?? 'datasets');
      // a table too wide for the view, put straight into the view's frame
      await ctx.page.evaluate(() => {
        const frame = document.querySelector('.app-main__view > *');
        const probe = document.createElement('div');
        probe.setAttribute('data-testid', 'overflow-probe');
        probe.innerHTML = `<table><tr>${'<td>1234567.891</td>'.repeat(40)}</tr></table>`;
        frame?.appendChild(probe);
      });
      try {
        const caught = await mainOverflows(ctx.page);
        assert.ok(
          caught.some((o) => o.element.includes('overflow-probe') || o.widest.includes('overflow-probe')),
          `the probe was not reported: ${JSON.stringify(caught)}`,
        );
        // in a scroll container it is fine
        await ctx.page.evaluate(() => {
          const probe = /** @type {HTMLElement} */ (document.querySelector('[data-testid="overflow-probe"]'));
          probe.style.overflowX = 'auto';
        });
        const after = await mainOverflows(ctx.page);
        assert.ok(!after.some((o) => o.element.includes('overflow-probe')), `a scrolling probe was reported: ${JSON.stringify(after)}`);
      } finally {
        await ctx.page.evaluate(() => document.querySelector('[data-testid="overflow-probe"]')?.remove());
      }
    },
  },
];
