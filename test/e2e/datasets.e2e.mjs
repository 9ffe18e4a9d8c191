// @ts-check
/**
 * End-to-end: the Datasets view in Chromium against browser mode (`prognos serve`).
 * The tests share one server, store and page and run in the order listed: later ones build on the
 * datasets imported by earlier ones.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DatasetsPage } from './pages/datasets-page.mjs';

/** @typedef {import('./run.mjs').E2eContext} E2eContext */

/** FD001 sensors that carry no information (constant over the whole file). */
const FD001_CONSTANT = ['s1', 's5', 's10', 's16', 's18', 's19'];

/**
 * @param {E2eContext} ctx
 * @param {string} name
 */
function cmapssFile(ctx, name) {
  return resolve(ctx.repoRoot, '../shared/data/cmapss', name);
}

/** @type {Map<string, string>} */
const ids = new Map();

/** @type {Array<{ name: string, run: (ctx: E2eContext) => Promise<void> }>} */
export const tests = [
  {
    name: 'imports train_FD001 through the file input and shows its summary',
    async run(ctx) {
      const app = new DatasetsPage(ctx.page);
      await app.open(ctx.url);
      const { outcome, datasetId } = await app.importFile(cmapssFile(ctx, 'train_FD001.txt'));
      assert.equal(outcome, 'done', outcome === 'error' ? await app.importErrorText() : 'import did not finish');
      assert.ok(datasetId);
      ids.set('train', datasetId);

      assert.deepEqual(await app.summaryFigure('rows'), { text: '20,631', value: 20631 });
      assert.equal((await app.summaryFigure('units')).value, 100);
      assert.equal((await app.summaryFigure('cycles-min')).value, 128);
      assert.equal((await app.summaryFigure('cycles-max')).value, 362);
      assert.equal((await app.summaryFigure('has-rul')).text, 'No');
      assert.equal(await app.datasetRows().count(), 1);
      const url = ctx.page.url();
      assert.ok(!url.includes('token='), `the token must leave the visible address, got ${url}`);
    },
  },
  {
    name: 'flags constant sensors in the column table',
    async run(ctx) {
      const app = new DatasetsPage(ctx.page);
      const constant = await app.constantColumns();
      for (const s of FD001_CONSTANT)
        assert.ok(constant.includes(s), `${s} should be flagged constant (got ${constant.join(', ')})`);
      assert.ok(!constant.includes('s2') && !constant.includes('s11'), 's2 and s11 degrade and are not constant');
    },
  },
  {
    name: 'plots picked sensors for the first units against cycle and RUL',
    async run(ctx) {
      const app = new DatasetsPage(ctx.page);
      await app.selectSensors(['s2', 's4', 's11']);
      const byCycle = await app.chartState();
      assert.ok(byCycle.canvases >= 1, 'the chart has a canvas');
      assert.ok(byCycle.painted > 5000, `the chart canvas is drawn on (painted pixels: ${byCycle.painted})`);
      assert.match(byCycle.label ?? '', /s2, s4, s11/);
      assert.match(byCycle.label ?? '', /units 1, 2, 3 /);
      await app.setXAxis('rul');
      const byRul = await app.chartState();
      assert.ok(byRul.painted > 5000, 'the RUL chart is drawn on');
      assert.match(byRul.label ?? '', /against RUL/);
      await app.setXAxis('cycle');
      await app.chartState();
      await ctx.screenshot('datasets.png');
    },
  },
  {
    name: 'scrolls the virtualised row preview to the last row (unit 100, cycle 200)',
    async run(ctx) {
      const app = new DatasetsPage(ctx.page);
      const started = Date.now();
      assert.deepEqual(await app.lastPreviewRow(), { unit: 100, cycle: 200 });
      const rendered = await ctx.page.locator('[data-row-index]').count();
      assert.ok(rendered < 200, `only the visible rows are in the page (found ${rendered})`);
      ctx.log(`last row reached in ${Date.now() - started} ms`);
      await ctx.screenshot('datasets-rows.png');
      await app.showTab('sensors');
    },
  },
  {
    name: 're-importing the same file asks: open the existing one, or import again under a new name',
    async run(ctx) {
      const app = new DatasetsPage(ctx.page);
      const count = async () => ctx.page.locator('[data-testid="dataset-row"]').count();
      const before = await count();
      const asked = await app.importFile(cmapssFile(ctx, 'train_FD001.txt'));
      assert.equal(asked.outcome, 'duplicate', 'a dialog asks before anything is imported');
      const dialog = await app.reimportDialog();
      assert.equal(dialog.existingId, ids.get('train'));
      assert.match(dialog.text, /train_FD001\.txt has the same content as/);
      assert.match(dialog.text, /Nothing has been imported yet/);
      assert.equal(await count(), before, 'nothing was added while the dialog asks');
      await ctx.screenshot('datasets-reimport-dialog.png');
      // open the existing one: selected, nothing imported
      const opened = await app.reimportOpenExisting();
      assert.equal(opened.outcome, 'done');
      assert.equal(opened.datasetId, ids.get('train'));
      assert.equal(await app.byTestId('import-done').getAttribute('data-reused'), 'true');
      assert.equal(await count(), before);
      // again, and this time a new copy under a new name
      assert.equal((await app.importFile(cmapssFile(ctx, 'train_FD001.txt'))).outcome, 'duplicate');
      assert.match((await app.reimportDialog()).proposedName, / \(2\)$/, 'a free name is proposed');
      const { outcome, datasetId } = await app.reimportAgain('FD001 again');
      assert.equal(outcome, 'done');
      assert.ok(datasetId !== null && datasetId !== ids.get('train'));
      assert.equal(await count(), before + 1);
      const notice = await app.duplicateNoticeText();
      assert.ok(notice !== null, 'a duplicate notice is shown');
      const first = await ctx.page
        .locator(`[data-testid="dataset-row"][data-dataset-id="${ids.get('train')}"] .dataset-item__name`)
        .innerText();
      assert.ok(notice.includes(first), `the notice names "${first}": ${notice}`);
      if (datasetId !== null && datasetId !== ids.get('train')) ids.set('again', datasetId);
    },
  },
  {
    name: 'imports a second file and selects it',
    async run(ctx) {
      const app = new DatasetsPage(ctx.page);
      const { outcome, datasetId } = await app.importFile(cmapssFile(ctx, 'test_FD001.txt'));
      assert.equal(outcome, 'done');
      assert.ok(datasetId);
      ids.set('test', datasetId);
      assert.equal((await app.summaryFigure('rows')).text, '13,096');
      assert.equal((await app.summaryFigure('units')).value, 100);
      assert.equal(
        await app.page.locator('[data-testid="dataset-row"][data-selected="true"]').getAttribute('data-dataset-id'),
        datasetId,
      );
    },
  },
  {
    name: 'a test file with its RUL file plots against RUL',
    async run(ctx) {
      const app = new DatasetsPage(ctx.page);
      const { outcome } = await app.importFile(cmapssFile(ctx, 'test_FD001.txt'), {
        rulPath: cmapssFile(ctx, 'RUL_FD001.txt'),
        name: 'FD001 test with RUL',
      });
      assert.equal(outcome, 'done');
      assert.equal((await app.summaryFigure('has-rul')).text, 'Yes');
      await app.chartState();
      await app.setXAxis('rul');
      const state = await app.chartState();
      assert.match(state.label ?? '', /against RUL/);
    },
  },
  {
    name: 'a malformed file shows the issue list',
    async run(ctx) {
      const app = new DatasetsPage(ctx.page);
      const lines = [];
      for (let cycle = 1; cycle <= 60; cycle++) {
        const values = Array.from({ length: 24 }, (_, i) =>
          i === 7 && cycle % 2 === 0 ? 'n/a' : (i + cycle / 10).toFixed(2),
        );
        lines.push(['1', String(cycle), ...values].join(' '));
      }
      const bad = join(ctx.tmpDir, 'broken_fleet.txt');
      await writeFile(bad, `${lines.join('\n')}\n`);
      const { outcome } = await app.importFile(bad, { format: 'cmapss' });
      assert.equal(outcome, 'error');
      const issues = await app.importIssues();
      assert.ok(issues.length >= 1 && issues.length <= 20, `1..20 issues listed, got ${issues.length}`);
      assert.match(issues[0] ?? '', /broken_fleet\.txt:\d+/);
      const text = await app.importErrorText();
      assert.match(text, /and \d+ more/);
      await ctx.screenshot('datasets-bad-file.png');
    },
  },
  {
    name: 'generates the sample fleet',
    async run(ctx) {
      const app = new DatasetsPage(ctx.page);
      const { outcome, datasetId } = await app.generateSample();
      assert.equal(outcome, 'done');
      assert.ok(datasetId);
      assert.equal((await app.summaryFigure('units')).value, 100);
      const chart = await app.chartState();
      assert.ok(chart.painted > 5000);
    },
  },
  {
    name: 'imports files dropped onto the view, pairing the RUL file by name',
    async run(ctx) {
      const app = new DatasetsPage(ctx.page);
      const all = (await readFile(cmapssFile(ctx, 'test_FD001.txt'), 'utf8')).split('\n');
      // units 1 and 2 only, with their two RUL values
      const rows = all.filter((line) => /^\s*[12]\s/.test(line));
      const rul = (await readFile(cmapssFile(ctx, 'RUL_FD001.txt'), 'utf8')).split('\n').slice(0, 2);
      const { outcome } = await app.dropFiles([
        { name: 'RUL_two_units.txt', text: `${rul.join('\n')}\n` },
        { name: 'test_two_units.txt', text: `${rows.join('\n')}\n` },
      ]);
      assert.equal(outcome, 'done', outcome === 'error' ? await app.importErrorText() : 'drop import did not finish');
      assert.equal((await app.summaryFigure('units')).value, 2);
      assert.equal((await app.summaryFigure('rows')).value, rows.length);
      assert.equal((await app.summaryFigure('has-rul')).text, 'Yes');
    },
  },
  {
    name: 'cancels a long sample-data job',
    async run(ctx) {
      const app = new DatasetsPage(ctx.page);
      const before = await app.datasetRows().count();
      const { outcome } = await app.generateSampleAndCancel(10000);
      assert.equal(outcome, 'cancelled');
      assert.equal(await app.datasetRows().count(), before);
      await app.byTestId('synth-units').fill('100');
    },
  },
  {
    name: 'deletes a dataset after confirmation',
    async run(ctx) {
      const app = new DatasetsPage(ctx.page);
      const target = ids.get('test');
      assert.ok(target);
      const before = await app.datasetRows().count();
      await app.deleteDataset(target);
      assert.equal(await app.datasetRows().count(), before - 1);
    },
  },
];
