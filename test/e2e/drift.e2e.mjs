// @ts-check
/**
 * End-to-end: the Drift view in Chromium against browser mode. A small GBDT is trained on a
 * synthetic fleet; a second fleet (another seed) has sensor s11 shifted, and drift of that fleet
 * against the run is computed from the view. The method and threshold controls re-read the stored
 * report (drifted count, table, score chart and distribution follow), a feature's overlay opens on
 * a click, and "Compute again" stores a second report in the run's history. The tests share one
 * server, store and page and run in order.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { screenshotView } from './pages/chart.mjs';
import { DatasetsPage } from './pages/datasets-page.mjs';
import { DriftPage } from './pages/drift-page.mjs';
import { TrainPage } from './pages/train-page.mjs';

/** @typedef {import('./run.mjs').E2eContext} E2eContext */

/** s11 (Ps30) is column 16 of a C-MAPSS row: unit, cycle, 3 settings, s1..s21. */
const S11_COLUMN = 15;
/** about four times the sensor's noise and a third of its whole wear range */
const S11_SHIFT = 0.6;

/** @type {{ trainId?: string, shiftedId?: string, runId?: string, reportId?: string, stored?: { drifted: number, total: number, text: string } }} */
const state = {};

/**
 * Writes a synthetic fleet with `prognos synth` and, when asked, shifts one column by a constant.
 * @param {E2eContext} ctx
 * @param {string} name
 * @param {number} seed
 * @param {{ column: number, shift: number } | null} shift
 */
async function writeFleet(ctx, name, seed, shift) {
  const file = join(ctx.tmpDir, name);
  const synth = spawnSync(process.execPath, [join(ctx.repoRoot, 'bin/prognos.js'), 'synth', '--units', '30', '--seed', String(seed), '--out', file], {
    encoding: 'utf8',
  });
  assert.equal(synth.status, 0, synth.stderr);
  if (shift === null) return file;
  const lines = (await readFile(file, 'utf8')).split('\n');
  const shifted = lines.map((line) => {
    if (line.trim() === '') return line;
    const cells = line.trim().split(/\s+/);
    const v = Number(cells[shift.column]);
    assert.ok(Number.isFinite(v), `column ${shift.column} of "${line}"`);
    cells[shift.column] = (v + shift.shift).toFixed(2);
    return cells.join(' ');
  });
  await writeFile(file, shifted.join('\n'));
  return file;
}

/** @param {string} name a feature made from sensor s11 (s11_mean_10, s11_ewma, …) */
function fromS11(name) {
  return /^s11(_|$)/.test(name);
}

/** @type {Array<{ name: string, run: (ctx: E2eContext) => Promise<void> }>} */
export const tests = [
  {
    name: 'a training fleet, a small GBDT run on it, and a second fleet with sensor s11 shifted',
    async run(ctx) {
      const datasets = new DatasetsPage(ctx.page);
      await datasets.open(ctx.url);
      const train = await datasets.generateSample({ units: 60, seed: 1 });
      assert.equal(train.outcome, 'done', train.outcome === 'error' ? await datasets.importErrorText() : 'no sample fleet');
      assert.ok(train.datasetId);
      state.trainId = train.datasetId;

      const file = await writeFleet(ctx, 'fleet_s11_shifted.txt', 7, { column: S11_COLUMN, shift: S11_SHIFT });
      const shifted = await datasets.importFile(file);
      assert.equal(shifted.outcome, 'done', shifted.outcome === 'error' ? await datasets.importErrorText() : 'no import');
      assert.ok(shifted.datasetId);
      state.shiftedId = shifted.datasetId;

      const page = new TrainPage(ctx.page);
      await page.open();
      await page.selectDataset(state.trainId);
      await page.setModels('gbdt');
      await page.setField('gbdt.nEstimators', '30');
      await page.setField('gbdt.maxDepth', '4');
      const { outcome, runId } = await page.train();
      assert.equal(outcome, 'done', outcome === 'error' ? await page.errorText() : 'training did not finish');
      assert.ok(runId);
      state.runId = runId;
    },
  },
  {
    name: 'computes drift of the shifted fleet against the run: s11 and its features drift, the charts are drawn',
    async run(ctx) {
      assert.ok(state.runId && state.shiftedId);
      const drift = new DriftPage(ctx.page);
      await drift.open();
      await drift.byTestId('drift-empty').waitFor();
      await drift.chooseRun(state.runId);
      await drift.chooseDataset(state.shiftedId);
      const result = await drift.compute();
      assert.equal(result.outcome, 'done', result.outcome === 'error' ? await drift.errorText() : '');
      assert.ok(result.reportId);
      state.reportId = result.reportId;
      assert.equal(await drift.ruleState(), 'as stored');

      const count = await drift.driftedCount();
      const rows = await drift.rows('features');
      assert.equal(count.total, rows.length, 'the summary counts the table’s features');
      assert.equal(count.drifted, rows.filter((r) => r.drifted).length);
      assert.ok(count.total > 0);
      state.stored = count;
      const s11 = rows.filter((r) => fromS11(r.name));
      const others = rows.filter((r) => !fromS11(r.name));
      ctx.log(`stored: ${count.text}; s11 features ${s11.map((r) => `${r.name}:${r.drifted}`).join(', ')}; ` + `other features drifted ${others.filter((r) => r.drifted).length} of ${others.length}`);
      // an offset moves s11's level features (means, extremes, smoothed values), not its slope or spread
      const level = s11.filter((r) => !/_(slope|std)_/.test(r.name));
      assert.ok(level.length > 0, 'the run selected level features of s11');
      for (const r of level) assert.ok(r.drifted, `${r.name} (from the shifted sensor) drifts: ${r.method} ${r.score} vs ${r.threshold}`);
      // and few others: the second fleet is the same generator's (30 engines, so a few spreads differ by chance)
      const otherDrifted = others.filter((r) => r.drifted);
      assert.ok(otherDrifted.length <= 0.15 * others.length, `few features not made from s11 drift (${otherDrifted.length} of ${others.length}: ${otherDrifted.map((r) => r.name).join(', ')})`);
      // the table starts with the columns furthest past their threshold
      if (count.drifted > 0) assert.ok(rows[0]?.drifted, 'a drifted feature is on top');

      await drift.showTab('sensors');
      const sensors = await drift.rows('sensors');
      const sensor = sensors.find((r) => r.name === 's11');
      assert.ok(sensor, `the sensors tab lists s11 (${sensors.map((r) => r.name).join(', ')})`);
      assert.ok(sensor.drifted, 'raw s11 drifts');
      await drift.showTab('features');

      const dist = await drift.distribution();
      assert.equal(dist.name, rows[0]?.name, 'the overlay opens on the table’s first row');
      assert.ok(dist.chart.painted > 2000, `the overlay is drawn (painted pixels ${dist.chart.painted})`);
      const scores = await drift.scoresChart();
      assert.equal(scores.drifted, count.drifted);
      assert.ok(scores.chart.painted > 500, `the score chart is drawn (${scores.chart.painted})`);
      const chunks = await drift.chunkCharts();
      ctx.log(`chunk charts: ${JSON.stringify(chunks)}`);
      assert.ok(chunks.length >= 2, 'chunk charts are shown');
      for (const c of chunks) {
        const id = c.testId.replace(/-wrap$/, '').replace(/^drift-performance$/, 'drift-performance-chart');
        const state2 = await drift.chart(id);
        assert.ok(state2.painted > 1000, `${id} is drawn (${state2.painted})`);
      }
      ctx.log(`summary: F2 ${await drift.figure('estimated-f2')}, PCA ${await drift.figure('pca')}, domain AUC ${await drift.figure('domain-auc')}, notes ${JSON.stringify(await drift.notes())}`);
      await screenshotView(ctx, 'drift-report.png');
    },
  },
  {
    name: 'the threshold and the method re-read the stored report: counts, table and charts change',
    async run(ctx) {
      assert.ok(state.stored);
      const drift = new DriftPage(ctx.page);
      const rows = await drift.rows('features');
      // thousands of rows on each side: 'auto' resolves to the normalised Wasserstein distance
      assert.ok(rows.every((r) => r.method === 'wasserstein'), JSON.stringify(rows.slice(0, 3)));
      const scores = rows.map((r) => r.score).sort((a, b) => a - b);
      const countAtLeast = (/** @type {number} */ t) => scores.filter((v) => v >= t).length;

      // a threshold between the scores: only the columns at or above it drift
      const middle = Number((((scores[Math.floor(scores.length / 2)] ?? 0) + (scores[Math.floor(scores.length / 2) - 1] ?? 0)) / 2).toPrecision(4));
      const expectMiddle = countAtLeast(middle);
      await drift.setThreshold('wasserstein', middle);
      await ctx.page.waitForFunction((t) => document.querySelector('[data-testid="drift-features-row"]')?.getAttribute('data-threshold') === String(t), middle);
      const mid = await drift.driftedCount();
      ctx.log(`Wasserstein threshold ${middle}: ${mid.text} (stored ${state.stored.text})`);
      assert.equal(mid.drifted, expectMiddle);
      assert.notEqual(mid.drifted, state.stored.drifted, 'moving the threshold changes the drifted count');
      assert.equal(await drift.ruleState(), 're-read, not stored');
      assert.equal((await drift.rows('features')).filter((r) => r.drifted).length, expectMiddle);
      const midScores = await drift.scoresChart();
      assert.equal(midScores.drifted, expectMiddle, 'the score chart follows');
      assert.ok(midScores.chart.painted > 500);
      assert.equal(await drift.figure('dataset-drift'), expectMiddle / rows.length >= 0.5 ? 'Yes' : 'No');
      await screenshotView(ctx, 'drift-threshold-moved.png');

      // above every score: nothing drifts
      const strict = Number(((scores[scores.length - 1] ?? 0) * 1.5 + 0.01).toPrecision(4));
      await drift.setThreshold('wasserstein', strict);
      await ctx.page.waitForFunction(() => document.querySelector('[data-testid="drift-drifted"]')?.textContent?.startsWith('0 of'));
      assert.equal(await drift.figure('dataset-drift'), 'No');
      assert.equal((await drift.scoresChart()).drifted, 0);

      // below every score: everything drifts
      const loose = Number(((scores[0] ?? 0) / 2).toPrecision(4));
      if (loose > 0) {
        await drift.setThreshold('wasserstein', loose);
        await ctx.page.waitForFunction((n) => Number(document.querySelector('[data-testid="drift-scores-wrap"]')?.getAttribute('data-drifted')) === n, rows.length);
        assert.equal((await drift.driftedCount()).drifted, rows.length);
        assert.equal(await drift.figure('dataset-drift'), 'Yes');
      }

      // PSI: every row is read with PSI and its threshold
      await drift.setMethod('psi');
      const psi = await drift.rows('features');
      assert.ok(psi.every((r) => r.method === 'psi' && r.threshold === 0.1), JSON.stringify(psi.slice(0, 3)));
      const psiCount = await drift.driftedCount();
      assert.equal(psiCount.drifted, psi.filter((r) => r.score >= 0.1).length);
      await drift.setThreshold('psi', 0.5);
      await ctx.page.waitForFunction(() => document.querySelector('[data-testid="drift-features-row"]')?.getAttribute('data-threshold') === '0.5');
      const psiStrict = await drift.rows('features');
      assert.equal((await drift.driftedCount()).drifted, psiStrict.filter((r) => r.score >= 0.5).length);

      // KS: p-values beside the statistic
      await drift.setMethod('ks');
      const ks = await drift.rows('features');
      assert.ok(ks.every((r) => r.method === 'ks' && r.cells[4] !== '—'), 'KS rows show their p-value');

      // back to the stored reading
      await drift.byTestId('drift-rule-reset').click();
      await ctx.page.locator('[data-testid="drift-report"][data-stored="true"]').waitFor();
      assert.deepEqual(await drift.driftedCount(), state.stored);
    },
  },
  {
    name: 'a click on a feature opens its reference-vs-current overlay',
    async run(ctx) {
      const drift = new DriftPage(ctx.page);
      await drift.sortBy('features', 'name');
      const rows = await drift.rows('features');
      const names = rows.map((r) => r.name);
      assert.deepEqual(names, [...names].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })), 'sorted by name');
      const stable = rows.find((r) => !r.drifted);
      const drifted = rows.find((r) => r.drifted);
      for (const r of [stable, drifted]) {
        if (r === undefined) continue;
        await drift.selectColumn(r.name);
        const d = await drift.distribution();
        assert.equal(d.name, r.name);
        assert.equal(d.drifted, r.drifted);
        assert.ok(d.chart.painted > 2000, `${r.name}'s overlay is drawn (${d.chart.painted})`);
        // the chart names the feature as the catalogue does: sensor name, statistic, window
        const stat = /^(.+)_(mean|std|min|max|slope)_(\d+)$/.exec(r.name);
        const tail = /^(.+)_(ewma|diff)$/.exec(r.name);
        const named = stat !== null ? ` ${stat[2]} (${stat[3]} cycles)` : tail !== null ? (tail[2] === 'ewma' ? ' EWMA' : ' change per cycle') : r.name;
        assert.ok((d.chart.label ?? '').startsWith('Reference and current distributions of ') && (d.chart.label ?? '').includes(named), `${r.name}: ${d.chart.label}`);
        // the chunk chart of the chosen feature follows
        await ctx.page.locator(`[data-testid="drift-chunk-feature-wrap"][data-key="feature:${r.name}"]`).waitFor();
        assert.ok((await drift.chart('drift-chunk-feature')).painted > 1000);
      }
      if (drifted !== undefined) {
        await drift.byTestId('drift-distribution').scrollIntoViewIfNeeded();
        await ctx.screenshot('drift-overlay.png');
      }
    },
  },
  {
    name: '"Compute again" stores a report with the new rule beside the first in the history',
    async run(ctx) {
      assert.ok(state.reportId);
      const drift = new DriftPage(ctx.page);
      await drift.setMethod('psi');
      await drift.setThreshold('psi', 0.2);
      await ctx.page.waitForFunction(() => document.querySelector('[data-testid="drift-features-row"]')?.getAttribute('data-threshold') === '0.2');
      const reread = await drift.driftedCount();
      const again = await drift.computeAgain();
      assert.equal(again.outcome, 'done', again.outcome === 'error' ? await drift.errorText() : '');
      assert.ok(again.reportId && again.reportId !== state.reportId);
      assert.equal(await drift.ruleState(), 'as stored');
      assert.equal(await drift.byTestId('drift-report').getAttribute('data-method'), 'psi');
      const stored = await drift.driftedCount();
      ctx.log(`re-read ${reread.text}; computed again ${stored.text}`);
      assert.equal(stored.total, reread.total);
      const history = await drift.history();
      assert.equal(history.length, 2);
      assert.equal(history[0], again.reportId, 'newest first');
      await drift.openFromHistory(state.reportId);
      assert.deepEqual(await drift.driftedCount(), state.stored);
      await screenshotView(ctx, 'drift-history.png');
    },
  },
];
