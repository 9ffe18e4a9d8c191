// @ts-check
/**
 * End-to-end: from a trained run to a bundle and a scored fleet, in Chromium against browser mode.
 * Train on FD001, export the run as a .zip, verify it, refuse a tampered copy, then rank the 100
 * test units of FD001 by failure risk through the bundle (onnxruntime) and through the run's
 * in-app engines, which must agree. The tests share one server, store and page and run in order.
 */
import assert from 'node:assert/strict';
import { appendFile, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { screenshotView } from './pages/chart.mjs';
import { DatasetsPage } from './pages/datasets-page.mjs';
import { ExportPage } from './pages/export-page.mjs';
import { FleetPage } from './pages/fleet-page.mjs';
import { TrainPage } from './pages/train-page.mjs';
import { zipFolder } from './support/zip.mjs';

/** @typedef {import('./run.mjs').E2eContext} E2eContext */

/** The files every exported GBDT bundle holds (the RUL GBDT too: RUL is trained by default). */
const BUNDLE_FILES = [
  'SHA256SUMS',
  'drift/columns.f32',
  'drift/reference.json',
  'manifest.json',
  'model_card.md',
  'models/gbdt.onnx',
  'models/gbdt.xgboost.json',
  'models/gbdt-rul.onnx',
  'models/gbdt-rul.xgboost.json',
  'models/pipeline.onnx',
  'openapi.json',
];

/**
 * @type {{ trainId?: string, testId?: string, runId?: string, zip?: { bundleId: string, path: string, threshold: number },
 *   folder?: { bundleId: string, path: string }, topUnit?: number, topProbability?: number, topRul?: number, alerts?: number }}
 */
const state = {};

/**
 * @param {E2eContext} ctx
 * @param {string} name
 */
function data(ctx, name) {
  return resolve(ctx.repoRoot, '../shared/data/cmapss', name);
}

/** @param {number} v */
function inUnitInterval(v) {
  return Number.isFinite(v) && v >= 0 && v <= 1;
}

/** @type {Array<{ name: string, run: (ctx: E2eContext) => Promise<void> }>} */
export const tests = [
  {
    name: 'imports train_FD001, and test_FD001 with its RUL file',
    async run(ctx) {
      const datasets = new DatasetsPage(ctx.page);
      await datasets.open(ctx.url);
      const train = await datasets.importFile(data(ctx, 'train_FD001.txt'));
      assert.equal(train.outcome, 'done', train.outcome === 'error' ? await datasets.importErrorText() : 'no import');
      const test = await datasets.importFile(data(ctx, 'test_FD001.txt'), { rulPath: data(ctx, 'RUL_FD001.txt') });
      assert.equal(test.outcome, 'done', test.outcome === 'error' ? await datasets.importErrorText() : 'no import');
      assert.equal((await datasets.summaryFigure('units')).value, 100);
      assert.ok(train.datasetId && test.datasetId);
      state.trainId = train.datasetId;
      state.testId = test.datasetId;
    },
  },
  {
    name: 'trains a small GBDT on train_FD001',
    async run(ctx) {
      assert.ok(state.trainId);
      const train = new TrainPage(ctx.page);
      await train.open();
      await train.selectDataset(state.trainId);
      await train.setModels('gbdt');
      await train.setField('gbdt.nEstimators', '30');
      await train.setField('gbdt.maxDepth', '4');
      const { outcome, runId } = await train.train();
      assert.equal(outcome, 'done', outcome === 'error' ? await train.errorText() : 'training did not finish');
      assert.ok(runId);
      state.runId = runId;
      await train.waitForRunRow(runId, 'done');
    },
  },
  {
    name: 'exports the run as a .zip and verifies it',
    async run(ctx) {
      assert.ok(state.runId);
      const page = new ExportPage(ctx.page);
      await page.open();
      assert.deepEqual(await page.exportableRuns(), [state.runId]);
      await page.chooseRun(state.runId);
      const bundle = await page.exportRun('zip');
      assert.match(bundle.path, /\.zip$/);
      assert.deepEqual(bundle.files.map((f) => f.file).sort(), [...BUNDLE_FILES].sort());
      for (const f of bundle.files) assert.ok(f.note.length > 10, `${f.file} has a note: ${f.note}`);
      assert.ok(inUnitInterval(bundle.threshold), `threshold ${bundle.threshold}`);
      assert.match(bundle.thresholdText, /^0\.\d{4}$/);
      assert.equal(bundle.weight, 1);
      assert.equal(bundle.signed, 'Unsigned');
      assert.equal(bundle.models, 'GBDT');
      const zip = await readFile(bundle.path);
      assert.equal(zip.readUInt32LE(0), 0x04034b50, 'the path shown is a zip file on disk');

      const verdict = await page.verify();
      assert.equal(verdict.state, 'ok', JSON.stringify(verdict.problems));
      const listed = await page.bundles();
      assert.ok(listed.some((b) => b.bundleId === bundle.bundleId && b.origin === 'exported'));
      state.zip = { bundleId: bundle.bundleId, path: bundle.path, threshold: bundle.threshold };
      await screenshotView(ctx, 'export.png');
    },
  },
  {
    name: 'Download in Chromium: the bundle arrives as a .zip that imports again with every checksum matching',
    async run(ctx) {
      assert.ok(state.zip);
      const page = new ExportPage(ctx.page);
      await page.select(state.zip.bundleId);
      const [download] = await Promise.all([ctx.page.waitForEvent('download'), page.byTestId('bundle-download').click()]);
      const expectedName = `${state.zip.path.split('/').pop()}`;
      assert.equal(download.suggestedFilename(), expectedName, 'named after the library entry');
      const saved = join(ctx.tmpDir, `downloaded-${expectedName}`);
      await download.saveAs(saved);
      const bytes = await readFile(saved);
      assert.equal(bytes.readUInt32LE(0), 0x04034b50, 'a zip archive arrived');
      await page.byTestId('bundle-downloaded').waitFor();
      assert.equal(await page.byTestId('bundle-downloaded').getAttribute('data-file'), expectedName);
      // the same bundle as the library's: importing it asks first; opening the existing one adds nothing
      const before = await page.bundles();
      const asked = await page.importFile(saved);
      assert.equal(asked.outcome, 'duplicate', 'a bundle already in the library asks first');
      assert.equal(asked.bundleId, state.zip.bundleId, 'the dialog names the library bundle');
      await ctx.screenshot('export-reimport-dialog.png');
      assert.equal(await page.reimportOpenExisting(), state.zip.bundleId);
      assert.equal((await page.bundles()).length, before.length, 'nothing was imported');
      // imported again as a named copy: the same files, each checked again on import
      assert.equal((await page.importFile(saved)).outcome, 'duplicate');
      assert.match(await page.byTestId('bundle-reimport-name').inputValue(), / \(2\)$/, 'a free name is proposed, as for a dataset');
      const imported = await page.reimportAgain('Downloaded copy');
      assert.equal(imported.outcome, 'imported');
      assert.equal((await page.bundles()).length, before.length + 1);
      const detail = await page.detail();
      ctx.log(`downloaded ${bytes.length} bytes; re-imported as ${imported.bundleId}`);
      assert.deepEqual(detail.files.map((f) => f.file).sort(), [...BUNDLE_FILES].sort());
      assert.equal((await page.verify()).state, 'ok');
    },
  },
  {
    name: 'a tampered bundle names its file: refused on import, flagged by Verify',
    async run(ctx) {
      assert.ok(state.runId && state.zip);
      const page = new ExportPage(ctx.page);
      await page.chooseRun(state.runId);
      const folder = await page.exportRun('folder');
      assert.doesNotMatch(folder.path, /\.zip$/);
      state.folder = { bundleId: folder.bundleId, path: folder.path };
      const before = await page.bundles();

      // a copy with one changed byte in the GBDT model, zipped by hand
      const tampered = await zipFolder(folder.path, join(ctx.tmpDir, 'tampered-bundle.zip'), (name, bytes) => {
        if (name !== 'models/gbdt.onnx') return bytes;
        const copy = new Uint8Array(bytes);
        copy[copy.length - 1] = (copy[copy.length - 1] ?? 0) ^ 0xff;
        return copy;
      });
      const refused = await page.importFile(tampered);
      assert.equal(refused.outcome, 'refused');
      assert.match(await page.importErrorTitle(), /refused/i);
      const issues = await page.importIssues();
      assert.ok(
        issues.some((i) => i.includes('tampered-bundle.zip/models/gbdt.onnx') && /checksum/.test(i)),
        issues.join('\n'),
      );
      await screenshotView(ctx, 'export-refused.png');
      await page.dismissImportError();
      await page.reload();
      assert.deepEqual(await page.bundles(), before, 'nothing was added');

      // the sound .zip, dropped onto the view (already in the library: imported again as a copy), is a new library entry
      assert.equal((await page.dropFile(state.zip.path)).outcome, 'duplicate');
      const imported = await page.reimportAgain('Dropped copy');
      assert.equal(imported.outcome, 'imported');
      const after = await page.bundles();
      assert.equal(after.length, before.length + 1);
      assert.ok(after.some((b) => b.bundleId === imported.bundleId && b.origin === 'imported'));
      assert.equal((await page.verify()).state, 'ok');

      // the folder bundle changed on disk after it was listed
      await appendFile(join(folder.path, 'models/gbdt.onnx'), 'x');
      const chip = await page.verifyRow(folder.bundleId);
      assert.equal(chip.state, 'problems', chip.text);
      await page.select(folder.bundleId);
      const verdict = await page.readVerdict();
      assert.equal(verdict.state, 'problems');
      assert.ok(
        verdict.problems.some((p) => p.file === 'models/gbdt.onnx' && /checksum mismatch/.test(p.text)),
        JSON.stringify(verdict.problems),
      );
      assert.equal((await page.verifyRow(state.zip.bundleId)).state, 'ok', 'the .zip is untouched');
      await screenshotView(ctx, 'export-tampered.png');
    },
  },
  {
    name: 'scores test_FD001 with the bundle: 100 units ranked, alerts, the top units plotted',
    async run(ctx) {
      assert.ok(state.testId && state.zip);
      const fleet = new FleetPage(ctx.page);
      await fleet.open();
      await fleet.chooseDataset(state.testId);
      await fleet.chooseScorer({ bundleId: state.zip.bundleId });
      const { outcome, engine } = await fleet.score();
      assert.equal(outcome, 'done', outcome === 'error' ? await fleet.errorText() : 'no scores');
      assert.match(engine ?? '', /onnxruntime/);

      assert.equal((await fleet.figure('units')).value, 100);
      const threshold = await fleet.figure('threshold');
      assert.equal(threshold.text, state.zip.threshold.toFixed(4), 'the bundle threshold');
      const alerts = (await fleet.figure('alerts')).value;
      assert.ok(alerts > 0 && alerts < 100, `alerts counted: ${alerts}`);
      state.alerts = alerts;
      const trueAlerts = (await fleet.figure('true-alerts')).value;
      const falseAlarms = (await fleet.figure('false-alarms')).value;
      assert.equal(trueAlerts + falseAlarms, alerts, 'every alert is a true alert or a false alarm');
      assert.ok(trueAlerts > falseAlarms, `${trueAlerts} true alerts, ${falseAlarms} false alarms`);

      const rows = await fleet.visibleRows();
      assert.ok(rows.length > 5 && rows.length < 100, `the table is virtualised (${rows.length} rows in the page)`);
      rows.forEach((r, i) => {
        assert.equal(r.rank, i + 1, 'ranked top to bottom');
        assert.ok(inUnitInterval(r.probability), `probability ${r.probability}`);
        assert.equal(r.probabilityText, r.probability.toFixed(4));
        assert.equal(r.badge, r.probability >= state.zip.threshold, `alert badge of unit ${r.unit}`);
        assert.match(r.rul, /^\d+$/, 'the true RUL is shown');
        assert.match(r.predictedRul ?? '', /^\d+ \(\d+–\d+\)$/, 'the predicted RUL is shown with its interval');
        if (i > 0) assert.ok(rows[i - 1].probability >= r.probability, 'by probability, highest first');
      });
      assert.deepEqual(
        rows.map((r) => r.plotted),
        rows.map((_, i) => i < 5),
        'the top 5 are plotted',
      );
      state.topUnit = rows[0].unit;
      state.topProbability = rows[0].probability;
      state.topRul = rows[0].rulValue;

      assert.equal(await fleet.plottedCount(), 5);
      const chart = await fleet.chart();
      assert.ok(chart.painted > 3000, `the risk chart is drawn (${chart.painted} px)`);
      const top5 = rows.slice(0, 5).map((r) => r.unit);
      assert.ok(chart.label?.endsWith(`units ${top5.join(', ')}`), `the chart plots the top 5: ${chart.label}`);
      await screenshotView(ctx, 'fleet.png');

      await fleet.setChartAxis('rul');
      const byRul = await fleet.chart();
      await screenshotView(ctx, 'fleet-rul.png');
      assert.ok(byRul.painted > 3000, `the chart on the RUL axis is drawn (${byRul.painted} px)`);
      await fleet.setChartAxis('cycle');
    },
  },
  {
    name: "the run's in-app engines give the bundle's probabilities",
    async run(ctx) {
      assert.ok(state.runId && state.testId && state.topUnit !== undefined && state.topProbability !== undefined);
      const fleet = new FleetPage(ctx.page);
      await fleet.chooseScorer({ runId: state.runId });
      const { outcome, engine } = await fleet.score();
      assert.equal(outcome, 'done', outcome === 'error' ? await fleet.errorText() : 'no scores');
      assert.match(engine ?? '', /in-app/);
      const rows = await fleet.visibleRows();
      assert.equal(rows[0]?.unit, state.topUnit, 'the same unit is at the top');
      assert.equal(
        rows[0].probability.toFixed(4),
        state.topProbability.toFixed(4),
        `in-app ${rows[0].probability} vs onnxruntime ${state.topProbability}`,
      );
      assert.equal((await fleet.figure('alerts')).value, state.alerts, 'the same alerts');
      assert.ok(state.topRul !== undefined && Math.abs(rows[0].rulValue - state.topRul) <= 1e-3 * Math.max(1, state.topRul), `RUL in-app ${rows[0].rulValue} vs onnxruntime ${state.topRul}`);
      const chart = await fleet.chart();
      assert.ok(chart.painted > 3000, `the risk chart is drawn (${chart.painted} px)`);
    },
  },
  {
    name: 'at 1024×700 the fleet table scrolls sideways under its plot, rank and unit columns',
    async run(ctx) {
      await ctx.page.setViewportSize({ width: 1024, height: 700 });
      try {
        const table = ctx.page.locator('[data-testid="fleet-table"]');
        await table.scrollIntoViewIfNeeded();
        const sizes = await table.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
        assert.ok(sizes.scroll > sizes.client, `the table is wider than its box at 1024 px (${sizes.scroll} vs ${sizes.client})`);
        const firstRow = ctx.page.locator('[data-testid="fleet-row"]').first();
        const where = () =>
          firstRow.evaluate((row) => {
            const unit = row.querySelector('[data-testid="fleet-unit"]');
            const rank = row.querySelector('[data-testid="fleet-rank"]');
            const gbdt = row.querySelector('[data-testid="fleet-part-gbdt"]');
            const x = (/** @type {Element | null} */ e) => (e === null ? NaN : e.getBoundingClientRect().left);
            const hit = unit === null ? null : document.elementFromPoint(unit.getBoundingClientRect().left + 8, unit.getBoundingClientRect().top + 8);
            return { unit: x(unit), rank: x(rank), gbdt: x(gbdt), unitOnTop: hit !== null && unit !== null && unit.contains(hit) };
          });
        const before = await where();
        const shift = Math.min(240, sizes.scroll - sizes.client);
        await table.evaluate((el, dx) => {
          el.scrollLeft = dx;
        }, shift);
        await ctx.page.waitForFunction((dx) => (document.querySelector('[data-testid="fleet-table"]')?.scrollLeft ?? 0) >= dx - 1, shift);
        const after = await where();
        ctx.log(`fleet table ${sizes.scroll}/${sizes.client} px, scrolled ${shift}: unit ${before.unit}→${after.unit}, GBDT ${before.gbdt}→${after.gbdt}`);
        assert.equal(after.unit, before.unit, 'the unit column stays in place');
        assert.equal(after.rank, before.rank, 'the rank column stays in place');
        assert.ok(Math.abs(before.gbdt - shift - after.gbdt) < 1.5, 'the other columns scroll');
        assert.ok(after.unitOnTop, 'the unit cell is not covered by the scrolled columns');
        const header = await ctx.page.locator('[data-testid="fleet-sort-unit"]').evaluate((b) => b.getBoundingClientRect().left);
        assert.ok(Math.abs(header - after.unit) < 12, `the Unit header stays above its column (${header} vs ${after.unit})`);
        await screenshotView(ctx, 'fleet-1024-scrolled.png');
      } finally {
        await ctx.page.setViewportSize({ width: 1280, height: 800 });
      }
    },
  },
];
