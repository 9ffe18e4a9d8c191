// @ts-check
/**
 * End-to-end: a bundle with a RUL model in the Fleet view. A synthetic test fleet (with its RUL
 * file) is imported, a bundle with regression trees, an LSTM RUL head and conformal interval bins
 * is imported on the Export view, and the fleet is scored: each unit shows its predicted RUL with
 * its interval (a sortable column) beside the true RUL, and the plotted units list theirs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { screenshotView } from './pages/chart.mjs';
import { DatasetsPage } from './pages/datasets-page.mjs';
import { ExportPage } from './pages/export-page.mjs';
import { FleetPage } from './pages/fleet-page.mjs';

/** @typedef {import('./run.mjs').E2eContext} E2eContext */

/** @type {{ datasetId?: string, bundleId?: string }} */
const state = {};

/**
 * @param {E2eContext} ctx
 * @param {string} command
 * @param {string[]} args
 */
function run(ctx, command, args) {
  const r = spawnSync(command, args, { cwd: ctx.repoRoot, encoding: 'utf8' });
  assert.equal(r.status, 0, `${command} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** "87 (62–110)" */
const RUL_TEXT = /^(\d+) \((\d+)–(\d+)\)$/;

/** @type {Array<{ name: string, run: (ctx: E2eContext) => Promise<void> }>} */
export const tests = [
  {
    name: 'imports a synthetic test fleet with its RUL file and a bundle with a RUL model',
    async run(ctx) {
      const fleetFile = join(ctx.tmpDir, 'fleet.txt');
      const rulFile = join(ctx.tmpDir, 'fleet-rul.txt');
      run(ctx, process.execPath, ['bin/prognos.js', 'synth', '--units', '12', '--seed', '3', '--out', fleetFile, '--rul-out', rulFile]);
      const zip = join(ctx.tmpDir, 'rul-bundle.zip');
      const made = JSON.parse(run(ctx, 'npx', ['vite-node', 'test/helpers/write-rul-bundle.ts', zip]).trim().split('\n').pop() ?? '{}');
      assert.ok(made.files.includes('models/gbdt-rul.onnx') && made.files.includes('models/lstm-rul.onnx'), JSON.stringify(made.files));

      const datasets = new DatasetsPage(ctx.page);
      await datasets.open(ctx.url);
      const imported = await datasets.importFile(fleetFile, { rulPath: rulFile });
      assert.equal(imported.outcome, 'done', imported.outcome === 'error' ? await datasets.importErrorText() : 'no import');
      assert.ok(imported.datasetId);
      state.datasetId = imported.datasetId;

      const page = new ExportPage(ctx.page);
      await page.open();
      const bundle = await page.importFile(made.path);
      assert.equal(bundle.outcome, 'imported');
      assert.ok(bundle.bundleId);
      state.bundleId = bundle.bundleId;
    },
  },
  {
    name: 'the Fleet view shows each unit’s RUL with its interval, sortable, and the plotted units’ RUL',
    async run(ctx) {
      assert.ok(state.datasetId && state.bundleId);
      const fleet = new FleetPage(ctx.page);
      await fleet.open();
      await fleet.chooseDataset(state.datasetId);
      await fleet.chooseScorer({ bundleId: state.bundleId });
      const { outcome } = await fleet.score();
      assert.equal(outcome, 'done', outcome === 'error' ? await fleet.errorText() : 'no scores');
      assert.equal((await fleet.figure('units')).value, 12);

      const rows = await fleet.visibleRows();
      assert.equal(rows.length, 12);
      for (const r of rows) {
        const m = RUL_TEXT.exec(r.predictedRul ?? '');
        assert.ok(m, `unit ${r.unit}: RUL shown as "value (low–high)", got ${JSON.stringify(r.predictedRul)}`);
        const [value, low, high] = [Number(m[1]), Number(m[2]), Number(m[3])];
        assert.ok(low <= Math.max(0, value) && value <= high, `unit ${r.unit}: ${low} ≤ ${value} ≤ ${high}`);
        assert.match(r.rul, /^\d+$/, 'the true RUL is shown beside it');
      }
      const header = await ctx.page.getByTestId('fleet-sort-rul').getAttribute('title');
      assert.match(header ?? '', /90 % interval/);

      await ctx.page.getByTestId('fleet-sort-rul').click();
      const sorted = await ctx.page
        .locator('[data-testid="fleet-row"]')
        .evaluateAll((els) =>
          els
            .map((e) => ({ top: e.getBoundingClientRect().top, rul: Number(e.querySelector('[data-testid="fleet-rul"]')?.getAttribute('data-rul')) }))
            .sort((a, b) => a.top - b.top)
            .map((e) => e.rul),
        );
      assert.equal(sorted.length, 12);
      for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i - 1] <= sorted[i], `lowest RUL first: ${sorted.join(', ')}`);

      const detail = await ctx.page.locator('[data-testid="fleet-rul-detail-unit"]').allInnerTexts();
      assert.equal(detail.length, await fleet.plottedCount(), 'every plotted unit lists its RUL');
      for (const line of detail) assert.match(line, /^Unit \d+: \d+ \(\d+–\d+\) cycles · true \d+$/);
      await screenshotView(ctx, 'fleet-rul-predicted.png');
    },
  },
];
