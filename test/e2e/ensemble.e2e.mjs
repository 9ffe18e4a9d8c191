// @ts-check
/**
 * End-to-end: GBDT + LSTM on FD001 and their blend. Trains both models with a small config, checks
 * the Train and Results views show both (and the ensemble), then tunes the blend in the Ensemble
 * view: live figures under 100 ms per slider move, the F2 optimum, saving to the run and reading it
 * back after a reload. The tests share one server, store and page and run in order.
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { screenshotView } from './pages/chart.mjs';
import { DatasetsPage } from './pages/datasets-page.mjs';
import { EnsemblePage } from './pages/ensemble-page.mjs';
import { ResultsPage } from './pages/results-page.mjs';
import { TrainPage } from './pages/train-page.mjs';

/** @typedef {import('./run.mjs').E2eContext} E2eContext */

const UPDATE_BUDGET_MS = 100;

/** @type {{ datasetId?: string, runId?: string, ensemble?: { f2: number, rocAuc: number, recall: number } }} */
const state = {};

/** @param {number} v */
function inUnitInterval(v) {
  return Number.isFinite(v) && v >= 0 && v <= 1;
}

/** @type {Array<{ name: string, run: (ctx: E2eContext) => Promise<void> }>} */
export const tests = [
  {
    name: 'imports train_FD001',
    async run(ctx) {
      const datasets = new DatasetsPage(ctx.page);
      await datasets.open(ctx.url);
      const { outcome, datasetId } = await datasets.importFile(
        resolve(ctx.repoRoot, '../shared/data/cmapss/train_FD001.txt'),
      );
      assert.equal(outcome, 'done', outcome === 'error' ? await datasets.importErrorText() : 'import did not finish');
      assert.ok(datasetId);
      state.datasetId = datasetId;
    },
  },
  {
    name: 'trains GBDT + LSTM and follows both losses live',
    async run(ctx) {
      assert.ok(state.datasetId);
      const train = new TrainPage(ctx.page);
      await train.open();
      await train.selectDataset(state.datasetId);
      await train.setModels('both');
      await train.setField('gbdt.nEstimators', '30');
      await train.setField('gbdt.maxDepth', '4');
      await train.setField('lstm.epochs', '2');
      await train.setField('lstm.batchSize', '512');
      await train.setField('sequenceStride', '2');
      assert.ok(await train.canStart());
      await train.byTestId('train-start').click();
      await train.byTestId('train-progress').waitFor();
      // the ETA arrives with the LSTM's batches
      const sawEta = await train
        .byTestId('train-eta')
        .waitFor({ timeout: 60_000 })
        .then(async () => (await train.byTestId('train-eta').innerText()).trim())
        .catch(() => null);
      ctx.log(`ETA shown while the LSTM trained: ${sawEta ?? 'no'}`);
      const { outcome, runId } = await train.waitForRunEnd();
      assert.equal(outcome, 'done', outcome === 'error' ? await train.errorText() : 'training did not finish');
      assert.ok(runId);
      state.runId = runId;
      assert.ok(sawEta !== null && /about .* left/.test(sawEta), `an ETA was shown: ${sawEta}`);
      const gbdt = await train.lossChart();
      assert.ok(gbdt.painted > 3000, `the GBDT loss is drawn (${gbdt.painted} px)`);
      const lstm = await train.lstmLossChart();
      assert.ok(lstm.painted > 3000, `the LSTM loss is drawn (${lstm.painted} px)`);
      assert.match(await train.iterationsText(), /^\d+ trees/);
      assert.match(await train.lstmEpochsText(), /^2 epochs of at most 2/);
      await train.waitForRunRow(runId, 'done');
      await screenshotView(ctx, 'train-two-models.png');
    },
  },
  {
    name: 'the results show the three models side by side; the threshold works on the ensemble',
    async run(ctx) {
      assert.ok(state.runId);
      const train = new TrainPage(ctx.page);
      await train.openResults();
      const results = new ResultsPage(ctx.page);
      await results.waitForRun(state.runId);
      for (const model of ['gbdt', 'lstm', 'ensemble']) {
        for (const split of /** @type {const} */ (['validation', 'test'])) {
          const f2 = await results.metric(split, 'f2', model);
          assert.ok(inUnitInterval(f2.value), `${model} ${split} F2 in 0..1: ${f2.text}`);
        }
      }
      assert.match(await results.byTestId('threshold-model').innerText(), /Ensemble scores/);
      const ensembleF2 = await results.metric('validation', 'f2', 'ensemble');
      assert.equal((await results.thresholdFigure('f2')).text, ensembleF2.text, 'the slider starts at the ensemble');
      assert.match(await results.byTestId('results-backend').innerText(), /backend: .*LSTM/);
      assert.match(await results.byTestId('results-lstm-best-epoch').innerText(), /^LSTM best epoch [12] of 2 \(the first of 3 networks averaged\)$/);
      for (const name of /** @type {const} */ (['roc', 'pr', 'results-loss', 'threshold'])) {
        const chart = await results.chart(name);
        assert.ok(chart.painted > 3000, `${name} chart is drawn (${chart.painted} px)`);
      }
      const lstmLoss = await ctx.page.getByTestId('results-lstm-loss-chart').waitFor();
      void lstmLoss;
      const cell = async (/** @type {string} */ key) =>
        Number(await results.byTestId(`metric-ensemble-validation-${key}`).getAttribute('data-value'));
      state.ensemble = { f2: await cell('f2'), rocAuc: await cell('rocAuc'), recall: await cell('recall') };
      await results.byTestId('results-split-test').check();
      await ctx.page.locator('#roc-title', { hasText: 'test units' }).waitFor();
      const roc = await results.chart('roc');
      assert.ok(roc.painted > 3000, `test ROC curves drawn (${roc.painted} px)`);
      await results.byTestId('results-split-validation').check();
      await screenshotView(ctx, 'results-three-models.png');
    },
  },
  {
    name: 'the ensemble view recomputes the blend live, chooses the weight as training does and saves it to the run',
    async run(ctx) {
      assert.ok(state.runId && state.ensemble);
      const view = new EnsemblePage(ctx.page);
      await view.open();
      await view.waitForRun(state.runId);
      const saved = await view.saved();
      assert.ok(inUnitInterval(saved.weight) && inUnitInterval(saved.threshold));
      assert.equal(await view.saveState(), 'saved');
      assert.equal(await view.weight(), Number(saved.weight.toFixed(2)));

      // at the saved weight and threshold the renderer agrees with main's evaluation
      const start = await view.figures();
      assert.ok(Math.abs(start.f2.value - state.ensemble.f2) < 2e-3, `F2 ${start.f2.value} vs ${state.ensemble.f2}`);
      assert.ok(
        Math.abs(start.rocAuc.value - state.ensemble.rocAuc) < 1e-6,
        `ROC-AUC ${start.rocAuc.value} vs ${state.ensemble.rocAuc}`,
      );
      for (const name of /** @type {const} */ (['ensemble-roc', 'ensemble-pr', 'ensemble-grid'])) {
        const chart = await view.chart(name);
        assert.ok(chart.painted > 3000, `${name} chart is drawn (${chart.painted} px)`);
      }

      const weights = [0.05, 0.3, 0.5, 0.75, 0.99].filter((w) => Math.abs(w - saved.weight) > 1e-9);
      /** @type {number[]} */
      const times = [];
      /** @type {Array<Awaited<ReturnType<EnsemblePage['figures']>>>} */
      const seen = [start];
      for (const w of weights) {
        times.push(await view.moveWeight(w));
        assert.equal(await view.weight(), w);
        seen.push(await view.figures());
      }
      ctx.log(`slider updates: ${times.map((t) => `${t.toFixed(1)} ms`).join(', ')}`);
      for (const t of times) assert.ok(t < UPDATE_BUDGET_MS, `an update took ${t.toFixed(1)} ms`);
      for (const key of /** @type {const} */ (['f2', 'precision', 'recall'])) {
        const distinct = new Set(seen.map((s) => s[key].value));
        assert.ok(distinct.size > 1, `${key} changes with the weight: ${[...distinct].join(', ')}`);
        for (const s of seen) assert.ok(inUnitInterval(s[key].value), `${key} in 0..1: ${s[key].text}`);
      }
      assert.equal(await view.threshold(), saved.threshold, 'moving the weight keeps the threshold');
      const rows =
        (await view.confusion('tp')) +
        (await view.confusion('fp')) +
        (await view.confusion('tn')) +
        (await view.confusion('fn'));
      assert.ok(rows > 1000, `the matrix counts every validation row (${rows})`);
      assert.equal(await view.saveState(), 'unsaved');
      await ctx.page.getByTestId('ensemble-saved-weight').waitFor();

      await view.optimise();
      const best = await view.figures();
      const bestWeight = await view.weight();
      ctx.log(`optimised: w = ${bestWeight}, threshold ${await view.threshold()}, F2 ${best.f2.text}`);
      // the default config chooses w by validation log-loss (the F2 search is checked in the unit tests of the shared rule)
      assert.match(await ctx.page.getByTestId('ensemble-optimised').innerText(), /^Lowest validation log-loss \(\d\.\d{4}\) at w = /);
      // the weight chart draws the criterion beside F2 and says which one training used
      assert.ok(await ctx.page.getByText('F2 and log-loss by weight').isVisible(), 'the grid chart shows the log-loss');
      assert.ok(await ctx.page.getByText('training chose w by the lowest log-loss').isVisible(), 'and names the criterion');
      assert.ok(Math.abs(best.f2.value - state.ensemble.f2) < 2e-3, `the run's own F2 at its choice (${best.f2.value} vs ${state.ensemble.f2})`);

      // the view's optimiser and the training-time choice are one rule: it lands on the saved choice
      assert.equal(bestWeight, saved.weight, 'the optimiser picks the weight training picked');
      assert.equal(await view.threshold(), saved.threshold, 'and its threshold');
      assert.equal(await view.saveState(), 'saved');

      // another weight, saved, is what the run answers after a reload
      const chosen = weights.find((w) => Math.abs(w - bestWeight) > 1e-9) ?? 0.5;
      await view.moveWeight(chosen);
      const chosenFigures = await view.figures();
      assert.equal(await view.saveState(), 'unsaved');
      await view.save();
      const after = await view.saved();
      assert.equal(after.weight, chosen);
      assert.equal(after.threshold, await view.threshold());

      await ctx.page.reload();
      await view.waitForRun(state.runId);
      const reloaded = await view.saved();
      assert.equal(reloaded.weight, chosen, 'runs:get answers the saved weight');
      assert.equal(await view.weight(), chosen);
      assert.equal(await view.saveState(), 'saved');
      assert.equal((await view.figures()).f2.text, chosenFigures.f2.text);
      await screenshotView(ctx, 'ensemble.png');
    },
  },
];
