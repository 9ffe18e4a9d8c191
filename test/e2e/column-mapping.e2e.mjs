// @ts-check
/**
 * End-to-end: a CSV with its own column names (engine_id, t, alt, mach, tra, then sensors) goes
 * through the import's mapping step; its operating settings are kept out of the sensors (the sensor
 * list, the engineered features) and define the operating regimes; sensor names and units from the
 * step are shown; a second file with the same header comes back with the remembered mapping.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetsPage } from './pages/datasets-page.mjs';
import { FeaturesPage } from './pages/features-page.mjs';

/** @typedef {import('./run.mjs').E2eContext} E2eContext */

const SETTINGS = ['alt', 'mach', 'tra'];
const SENSORS = Array.from({ length: 21 }, (_, i) => `ch${String(i + 1).padStart(2, '0')}`);
const HEADER = ['engine_id', 't', ...SETTINGS, ...SENSORS];

/** @type {{ datasetId?: string }} */
const state = {};

/**
 * A six-regime synthetic fleet (C-MAPSS layout from `prognos synth`) written as CSV under custom names.
 * @param {E2eContext} ctx
 * @param {string} name
 * @param {number} seed
 */
function customCsv(ctx, name, seed) {
  const txt = join(ctx.tmpDir, `${name}.txt`);
  const synth = spawnSync(process.execPath, [join(ctx.repoRoot, 'bin/prognos.js'), 'synth', '--units', '24', '--seed', String(seed), '--regimes', '6', '--out', txt], { encoding: 'utf8' });
  assert.equal(synth.status, 0, synth.stderr);
  const rows = readFileSync(txt, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(/\s+/).join(','));
  const csv = join(ctx.tmpDir, `${name}.csv`);
  writeFileSync(csv, `${HEADER.join(',')}\n${rows.join('\n')}\n`);
  return csv;
}

/**
 * Every row of the mapping table: column, role and display name.
 * @param {import('playwright-core').Page} page
 */
async function mappingRows(page) {
  return page.locator('[data-testid="mapping-row"]').evaluateAll((els) =>
    els.map((e) => ({
      column: e.getAttribute('data-column') ?? '',
      role: e.getAttribute('data-role') ?? '',
      name: /** @type {HTMLInputElement | null} */ (e.querySelector('[data-testid="mapping-name"]'))?.value ?? null,
    })),
  );
}

/**
 * @param {import('playwright-core').Page} page
 * @param {string} column
 */
function mappingRow(page, column) {
  return page.locator(`[data-testid="mapping-row"][data-column="${column}"]`);
}

/** @type {Array<{ name: string, run: (ctx: E2eContext) => Promise<void> }>} */
export const tests = [
  {
    name: 'a CSV with custom column names imports through the mapping step, its settings as settings',
    async run(ctx) {
      const csv = customCsv(ctx, 'fleet_a', 3);
      const app = new DatasetsPage(ctx.page);
      await app.open(ctx.url);
      await app.byTestId('import-file-input').setInputFiles(csv);
      const step = app.byTestId('mapping-step');
      await step.waitFor();
      assert.equal(await step.getAttribute('data-source'), 'guessed');

      // the guess: engine_id is the unit, t the cycle, alt/mach/tra operating settings, the rest sensors
      const guessed = await mappingRows(ctx.page);
      assert.deepEqual(
        guessed.map((r) => [r.column, r.role]),
        HEADER.map((h) => [h, h === 'engine_id' ? 'unit' : h === 't' ? 'cycle' : SETTINGS.includes(h) ? 'setting' : 'sensor']),
      );
      assert.equal(await app.byTestId('mapping-counts').innerText(), '1 unit id · 1 cycle · 3 operating settings · 21 sensors');

      // edit: ch01 ignored, ch02 named T24 in °R
      await mappingRow(ctx.page, 'ch01').getByTestId('mapping-role').selectOption('ignore');
      await mappingRow(ctx.page, 'ch02').getByTestId('mapping-name').fill('T24');
      await mappingRow(ctx.page, 'ch02').getByTestId('mapping-unit').fill('°R');
      // a broken mapping cannot be imported, and says why
      await mappingRow(ctx.page, 't').getByTestId('mapping-role').selectOption('sensor');
      assert.match(await app.byTestId('mapping-problems').innerText(), /no column is the cycle/);
      assert.equal(await app.byTestId('mapping-import').isDisabled(), true);
      assert.equal(await app.byTestId('import-submit').isDisabled(), true);
      await mappingRow(ctx.page, 't').getByTestId('mapping-role').selectOption('cycle');
      assert.equal(await app.byTestId('mapping-problems').count(), 0);

      for (const [w, h] of [
        [1440, 900],
        [1024, 700],
      ]) {
        await ctx.page.setViewportSize({ width: w, height: h });
        await ctx.screenshot(`column-mapping-${w}x${h}.png`);
        // the mapping table scrolls inside its own box, never widening the page
        const overflow = await ctx.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `no horizontal page overflow at ${w}×${h} (${overflow} px)`);
      }
      await ctx.page.setViewportSize({ width: 1280, height: 800 });

      await app.byTestId('mapping-import').click();
      const { outcome, datasetId } = await app.waitForJobEnd();
      assert.equal(outcome, 'done', outcome === 'error' ? await app.importErrorText() : 'import did not finish');
      assert.ok(datasetId !== null);
      state.datasetId = datasetId;

      // regimes come from the three settings
      assert.equal(await app.byTestId('dataset-regimes').innerText(), '6 operating regimes');

      // the column table: settings are settings, ch01 is gone, T24 carries its name and unit
      await app.showTab('columns');
      const columns = await ctx.page.locator('[data-testid="column-stat-row"]').evaluateAll((els) =>
        els.map((e) => [e.getAttribute('data-column') ?? '', [...e.querySelectorAll('td')].map((c) => c.textContent ?? '')]),
      );
      const byName = new Map(columns.map(([n, cells]) => [n, cells]));
      for (const s of SETTINGS) assert.equal(byName.get(s)?.[2], 'operating setting', `${s} is an operating setting`);
      assert.equal(byName.has('ch01'), false, 'the ignored column was not imported');
      assert.deepEqual(byName.get('ch02')?.slice(0, 3), ['T24', '°R', 'sensor']);

      // the sensor picker lists sensors only, by display name
      await app.showTab('sensors');
      const picker = app.byTestId('sensor-picker');
      await picker.getByTestId('sensor-picker-button').click();
      const options = await picker.locator('input[type="checkbox"]').evaluateAll((els) => els.map((e) => (e.getAttribute('data-testid') ?? '').replace('sensor-picker-option-', '')));
      await ctx.page.keyboard.press('Escape');
      assert.deepEqual(options, SENSORS.slice(1));
      assert.match(await picker.innerText(), /T24 \(°R\)/);
      await ctx.screenshot('column-mapping-imported.png');
    },
  },
  {
    name: 'the engineered features use sensors only; the settings give the regime features',
    async run(ctx) {
      assert.ok(state.datasetId !== undefined, 'the import test ran first');
      const features = new FeaturesPage(ctx.page);
      await features.open();
      await features.chooseDataset(state.datasetId);
      const { outcome } = await features.rank();
      assert.equal(outcome, 'done', outcome === 'error' ? await features.rankErrorText() : 'ranking did not finish');
      for (const s of SETTINGS) {
        await features.filter(s);
        const rows = await features.visibleRows();
        assert.deepEqual(rows.map((r) => r.name).filter((n) => n === s || n.startsWith(`${s}_`)), [], `no feature is computed from the setting ${s}`);
      }
      await features.filter('regime');
      const regime = await features.visibleRows();
      assert.ok(regime.some((r) => /^regime\d+_(cycles|share)$/.test(r.name)), 'the operating regimes (from the settings) give features');
      await features.filter('ch02_mean');
      const t24 = await features.visibleRows();
      assert.ok(t24.length > 0, 'T24 has rolling means');
      assert.match(t24[0]?.cells.join(' ') ?? '', /T24 mean \(\d+ cycles\), °R/);
      await features.filter('');
    },
  },
  {
    name: 'a second file with the same header comes back with the remembered mapping',
    async run(ctx) {
      const csv = customCsv(ctx, 'fleet_b', 4);
      const app = new DatasetsPage(ctx.page);
      await app.byTestId('nav-datasets').click();
      await app.byTestId('datasets-view').waitFor();
      await app.byTestId('import-file-input').setInputFiles(csv);
      const step = app.byTestId('mapping-step');
      await step.waitFor();
      await ctx.page.locator('[data-testid="mapping-step"][data-source="remembered"]').waitFor();
      const rows = await mappingRows(ctx.page);
      const roles = new Map(rows.map((r) => [r.column, r.role]));
      assert.equal(roles.get('ch01'), 'ignore');
      for (const s of SETTINGS) assert.equal(roles.get(s), 'setting');
      assert.equal(rows.find((r) => r.column === 'ch02')?.name, 'T24');
      await ctx.screenshot('column-mapping-remembered.png');
      // no clicks on the mapping: import as it stands
      await app.byTestId('import-submit').click();
      const { outcome } = await app.waitForJobEnd();
      assert.equal(outcome, 'done', outcome === 'error' ? await app.importErrorText() : 'import did not finish');
      await app.showTab('columns');
      const names = await ctx.page.locator('[data-testid="column-stat-row"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-column')));
      assert.equal(names.includes('ch01'), false);
    },
  },
];
