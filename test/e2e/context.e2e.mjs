// @ts-check
/**
 * End-to-end: the working context bar, dataset roles, training on a fleet that is not a training
 * fleet, preselection of the best run in Export, and rename/delete with what goes listed.
 * Two runs are trained through the CLI on the server's own store (the newer one deliberately worse).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DatasetsPage } from './pages/datasets-page.mjs';
import { TrainPage } from './pages/train-page.mjs';

/** @typedef {import('./run.mjs').E2eContext} E2eContext */

const VIEWS = [
  { id: 'datasets', uses: ['dataset'] },
  { id: 'features', uses: ['dataset'] },
  { id: 'train', uses: ['dataset'] },
  { id: 'sweep', uses: ['dataset'] },
  { id: 'results', uses: ['run'] },
  { id: 'ensemble', uses: ['run'] },
  { id: 'export', uses: ['run', 'bundle'] },
  { id: 'fleet', uses: ['fleet', 'run', 'bundle'] },
  { id: 'drift', uses: ['fleet', 'run', 'bundle'] },
  { id: 'reports', uses: ['fleet', 'run', 'bundle'] },
];

/** @type {{ store: string, training: string, test: string, good: { runId: string, f2: number }, bad: { runId: string, f2: number } }} */
const state = { store: '', training: '', test: '', good: { runId: '', f2: 0 }, bad: { runId: '', f2: 0 } };

/**
 * @param {E2eContext} ctx
 * @param {string[]} args
 */
async function cli(ctx, ...args) {
  const r = await promisify(execFile)(process.execPath, [join(ctx.repoRoot, 'bin/prognos.js'), ...args, '--store', state.store, '--json'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(r.stdout);
}

/** @param {import('playwright-core').Page} page @param {string} slot */
function slotValue(page, slot) {
  return page.getByTestId(`context-${slot}`).getAttribute('data-value');
}

/** @type {Array<{ name: string, run: (ctx: E2eContext) => Promise<void> }>} */
export const tests = [
  {
    name: 'imports a training fleet and a test fleet with RUL; each gets its role',
    async run(ctx) {
      const datasets = new DatasetsPage(ctx.page);
      await datasets.open(ctx.url);
      state.store = (await ctx.page.getByTestId('store-dir').innerText()).trim();
      const train = join(ctx.tmpDir, 'fleet-train.txt');
      const test = join(ctx.tmpDir, 'fleet-test.txt');
      const rul = join(ctx.tmpDir, 'RUL_fleet.txt');
      await cli(ctx, 'synth', '--units', '40', '--seed', '11', '--out', train);
      await cli(ctx, 'synth', '--units', '20', '--seed', '12', '--out', test, '--rul-out', rul);
      const a = await datasets.importFile(train, { name: 'Fleet A train' });
      assert.equal(a.outcome, 'done');
      const b = await datasets.importFile(test, { rulPath: rul, name: 'Fleet A test' });
      assert.equal(b.outcome, 'done');
      state.training = a.datasetId ?? '';
      state.test = b.datasetId ?? '';
      const roles = await ctx.page
        .locator('[data-testid="dataset-row"]')
        .evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-dataset-id'), r.querySelector('[data-testid="role-badge"]')?.getAttribute('data-role')]));
      assert.deepEqual(Object.fromEntries(roles), { [state.training]: 'training', [state.test]: 'test' });
    },
  },
  {
    name: 'the context bar is on every view and says which parts the view uses (1440×900 and 1024×700)',
    async run(ctx) {
      // nothing chosen: the dataset slot holds the latest training fleet, the fleet slot the test fleet
      await ctx.page.evaluate(() => window.localStorage.removeItem('prognos.context'));
      await ctx.page.reload();
      await ctx.page.locator(`[data-testid="context-dataset"][data-value="${state.training}"]`).waitFor();
      assert.equal(await slotValue(ctx.page, 'fleet'), state.test);
      for (const size of [{ width: 1440, height: 900 }, { width: 1024, height: 700 }]) {
        await ctx.page.setViewportSize(size);
        for (const v of VIEWS) {
          await ctx.page.getByTestId(`nav-${v.id}`).click();
          const bar = ctx.page.getByTestId('context-bar');
          await bar.waitFor();
          // the view (lazily loaded) takes over the bar once its route is shown
          await ctx.page.getByTestId(`nav-${v.id}`).and(ctx.page.locator('[aria-current="page"]')).waitFor();
          const used = await bar.locator('[data-used="true"]').evaluateAll((els) => els.map((e) => (e.getAttribute('data-testid') ?? '').replace('context-', '')));
          assert.deepEqual(used, v.uses, `${v.id}: used slots`);
          assert.match(await ctx.page.getByTestId('context-uses').innerText(), v.uses.length === 0 ? /picks its own inputs/ : /uses the /);
          // the bar never overflows its container sideways
          const overflow = await bar.evaluate((el) => el.scrollWidth - el.clientWidth);
          assert.ok(overflow <= 1, `${v.id} at ${size.width}: the context bar overflows by ${overflow}px`);
          await ctx.screenshot(`context-${v.id}-${size.width}x${size.height}.png`);
        }
      }
      await ctx.page.setViewportSize({ width: 1440, height: 900 });
    },
  },
  {
    name: 'training on a test fleet asks first: Cancel trains nothing, confirm trains',
    async run(ctx) {
      const train = new TrainPage(ctx.page);
      await train.open();
      await ctx.page.getByTestId('context-dataset-select').selectOption(state.test);
      assert.equal(await ctx.page.getByTestId('dataset-picker').inputValue(), state.test, 'the Train view follows the context bar');
      await train.setModels('gbdt');
      await train.setField('gbdt.nEstimators', '5');
      const before = (await train.runs()).length;
      await ctx.page.getByTestId('train-start').click();
      const dialog = ctx.page.getByTestId('train-role-confirm');
      await dialog.waitFor();
      assert.equal(await dialog.getAttribute('data-role'), 'test');
      assert.match(await dialog.innerText(), /test fleet with RUL/);
      await ctx.page.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await ctx.page.waitForTimeout(500);
      assert.equal((await train.runs()).length, before, 'Cancel started no run');
      assert.equal(await ctx.page.getByTestId('train-progress').count(), 0);

      await ctx.page.getByTestId('train-start').click();
      await dialog.waitFor();
      await ctx.page.getByTestId('confirm-dialog-confirm').click();
      const end = await train.waitForRunEnd();
      assert.equal(end.outcome, 'done');
      assert.equal((await train.runs()).length, before + 1);
      // back to the training fleet, and nothing asks
      await ctx.page.getByTestId('context-dataset-select').selectOption(state.training);
    },
  },
  {
    name: 'Export preselects the run with the best validation F2, not the newest',
    async run(ctx) {
      const bad = join(ctx.tmpDir, 'bad.json');
      const fine = join(ctx.tmpDir, 'good.json');
      await writeFile(bad, JSON.stringify({ models: ['gbdt'], topK: 1, gbdt: { nEstimators: 1, maxDepth: 1 }, rul: { enabled: false } }));
      await writeFile(fine, JSON.stringify({ models: ['gbdt'], gbdt: { nEstimators: 60 }, rul: { enabled: false } }));
      const good = await cli(ctx, 'train', '--dataset', state.training, '--config', fine, '--seed', '3');
      const worse = await cli(ctx, 'train', '--dataset', state.training, '--config', bad, '--seed', '3');
      state.good = { runId: good.runId, f2: good.metrics.gbdt.validation.f2 };
      state.bad = { runId: worse.runId, f2: worse.metrics.gbdt.validation.f2 };
      assert.ok(state.bad.f2 < state.good.f2, `set-up: the newer run must be worse (${state.bad.f2} vs ${state.good.f2})`);
      await ctx.page.reload();
      await ctx.page.getByTestId('nav-export').click();
      await ctx.page.locator('[data-testid="export-run-row"]').first().waitFor();
      const chosen = await ctx.page.locator('[data-testid="export-run-row"][data-chosen="true"]').getAttribute('data-run-id');
      const rows = await ctx.page.locator('[data-testid="export-run-row"]').evaluateAll((r) => r.map((x) => x.getAttribute('data-run-id')));
      assert.equal(rows[0], state.bad.runId, 'the worse run is the newest');
      // the test-fleet run of the previous test may score anything; the best of all finished runs is preselected
      const runs = await cli(ctx, 'runs');
      const best = runs
        .filter((/** @type {{ status: string }} */ r) => r.status === 'done')
        .sort((/** @type {any} */ a, /** @type {any} */ b) => (b.validationF2 ?? -1) - (a.validationF2 ?? -1) || b.createdAt.localeCompare(a.createdAt))[0];
      assert.equal(chosen, best.runId);
      assert.notEqual(chosen, state.bad.runId);
      assert.equal(await slotValue(ctx.page, 'run'), best.runId);
    },
  },
  {
    name: 'the context survives a reload; a deleted choice is dropped, not crashed on',
    async run(ctx) {
      await ctx.page.getByTestId('context-run-select').selectOption(state.bad.runId);
      await ctx.page.reload();
      await ctx.page.getByTestId('context-bar').waitFor();
      await ctx.page.locator(`[data-testid="context-run"][data-value="${state.bad.runId}"]`).waitFor();
      await cli(ctx, 'runs', 'delete', state.bad.runId, '--force');
      await ctx.page.reload();
      await ctx.page.getByTestId('nav-export').click();
      await ctx.page.locator('[data-testid="export-run-row"][data-chosen="true"]').waitFor();
      // once the context has loaded, the run slot falls back to the preselection
      await ctx.page.locator(`[data-testid="context-run"]:not([data-value=""]):not([data-value="${state.bad.runId}"])`).waitFor();
      await ctx.page.waitForFunction((id) => !(window.localStorage.getItem('prognos.context') ?? '').includes(id), state.bad.runId);
      const stored = await ctx.page.evaluate(() => window.localStorage.getItem('prognos.context'));
      assert.ok(stored !== null && !stored.includes(state.bad.runId), `the stored context still names the deleted run: ${stored}`);
    },
  },
  {
    name: 'rename a dataset and a run; delete the dataset with its runs listed first',
    async run(ctx) {
      await ctx.page.getByTestId('nav-datasets').click();
      await ctx.page.locator(`[data-testid="dataset-row"][data-dataset-id="${state.training}"] [data-testid="dataset-select"]`).click();
      await ctx.page.getByTestId('dataset-rename').click();
      await ctx.page.getByTestId('dataset-input').fill('Fleet A — engines 2026');
      await ctx.page.getByTestId('dataset-save').click();
      await ctx.page.getByTestId('dataset-name').filter({ hasText: 'Fleet A — engines 2026' }).waitFor();
      await ctx.page.locator('[data-testid="context-dataset-select"] option', { hasText: 'Fleet A — engines 2026' }).waitFor({ state: 'attached' });

      await ctx.page.getByTestId('nav-train').click();
      const row = ctx.page.locator(`[data-testid="run-row"][data-run-id="${state.good.runId}"]`);
      await row.getByTestId('run-rename').click();
      await row.getByTestId('run-input').fill('baseline GBDT');
      await row.getByTestId('run-save').click();
      await row.getByTestId('run-open').filter({ hasText: 'baseline GBDT' }).waitFor();

      await ctx.page.getByTestId('nav-datasets').click();
      await ctx.page.locator(`[data-testid="dataset-row"][data-dataset-id="${state.training}"] [data-testid="dataset-delete"]`).click();
      const impact = ctx.page.getByTestId('delete-impact');
      await impact.waitFor();
      const text = await impact.innerText();
      assert.match(text, /Fleet A — engines 2026/);
      assert.match(text, /1 run trained on it: "baseline GBDT"/);
      assert.match(text, /no bundles exported from its runs/);
      await ctx.screenshot('context-delete-dataset.png');
      await ctx.page.getByTestId('confirm-dialog-confirm').click();
      await ctx.page.locator(`[data-testid="dataset-row"][data-dataset-id="${state.training}"]`).waitFor({ state: 'detached' });
      const runs = await cli(ctx, 'runs');
      assert.ok(!runs.some((/** @type {{ runId: string }} */ r) => r.runId === state.good.runId), 'the run went with its dataset');
      assert.notEqual(await slotValue(ctx.page, 'dataset'), state.training);
    },
  },
];
