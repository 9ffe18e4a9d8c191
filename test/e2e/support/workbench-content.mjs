// @ts-check
/**
 * Realistic content for the tests that look at every view (layout, accessibility): a training fleet
 * and a test fleet with RUL (synthetic, a few units), a small GBDT + LSTM run with RUL, a bundle of it
 * in the store's library, a stored drift report and a stored PDF report. Everything goes through the
 * CLI on the server's own store, as an analyst's scripts would; fleet scores are made in the page
 * (`scoreFleet`), since the Fleet view scores on demand.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** @typedef {import('../run.mjs').E2eContext} E2eContext */

/**
 * @typedef {object} WorkbenchContent
 * @property {string} store
 * @property {string} trainingId
 * @property {string} testId
 * @property {string} runId
 * @property {string} bundleId
 */

/**
 * Runs one CLI command on the store and returns its JSON output.
 * @param {E2eContext} ctx
 * @param {string} store
 * @param {string[]} args
 */
export async function cliJson(ctx, store, ...args) {
  const r = await promisify(execFile)(process.execPath, [join(ctx.repoRoot, 'bin/prognos.js'), ...args, '--store', store, '--json'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(r.stdout);
}

/**
 * The view ids of src/renderer/src/views/registry.ts, in order (read from the source, so views
 * added there are picked up without touching the tests).
 * @param {string} repoRoot
 */
export async function registryViewIds(repoRoot) {
  const source = await readFile(join(repoRoot, 'src/renderer/src/views/registry.ts'), 'utf8');
  const start = source.indexOf('export const VIEWS');
  assert.ok(start >= 0, 'registry.ts: no `export const VIEWS`');
  const ids = [...source.slice(start).matchAll(/^\s*id:\s*'([a-z0-9-]+)'/gm)].map((m) => m[1] ?? '');
  assert.ok(ids.length >= 9, `registry.ts: only ${ids.length} view ids read`);
  return ids;
}

/**
 * The steps that fill the store, each short enough for one test on a busy machine: the fleets, the
 * run, then what is made from the run (a bundle in the library, a drift report, a PDF report). Each
 * returns the content so far; the page is reloaded at the end so the views list it.
 * @type {Array<{ name: string, run: (ctx: E2eContext, content: Partial<WorkbenchContent>) => Promise<Partial<WorkbenchContent>> }>}
 */
export const SEED_STEPS = [
  {
    name: 'set-up: a training fleet and a test fleet with RUL (synthetic, imported through the CLI)',
    async run(ctx) {
      await ctx.page.goto(ctx.url);
      const store = (await ctx.page.getByTestId('store-dir').innerText()).trim();
      const train = join(ctx.tmpDir, 'engines-train.txt');
      const test = join(ctx.tmpDir, 'engines-test.txt');
      const rul = join(ctx.tmpDir, 'RUL_engines.txt');
      await cliJson(ctx, store, 'synth', '--units', '20', '--seed', '5', '--out', train);
      await cliJson(ctx, store, 'synth', '--units', '10', '--seed', '6', '--out', test, '--rul-out', rul);
      const training = await cliJson(ctx, store, 'import', train, '--name', 'Engines 2026 — run to failure (training fleet)');
      const testSet = await cliJson(ctx, store, 'import', test, '--rul', rul, '--name', 'Engines 2026 — in service, with RUL');
      return { store, trainingId: training.datasetId, testId: testSet.datasetId };
    },
  },
  {
    name: 'set-up: a small GBDT + LSTM run with RUL (one LSTM epoch)',
    async run(ctx, content) {
      const store = content.store ?? '';
      assert.ok(content.trainingId, 'the fleets were imported');
      const config = join(ctx.tmpDir, 'small.json');
      await writeFile(
        config,
        JSON.stringify({
          models: ['gbdt', 'lstm'],
          gbdt: { nEstimators: 20, maxDepth: 3 },
          lstm: { epochs: 1, units1: 8, units2: 8, attentionUnits: 8, batchSize: 64 },
          rul: { enabled: true, seeds: 1, gbdt: { nEstimators: 20, maxDepth: 3 } },
        }),
      );
      const run = await cliJson(ctx, store, 'train', '--dataset', content.trainingId, '--config', config, '--seed', '2');
      await cliJson(ctx, store, 'runs', 'rename', run.runId, 'small GBDT + LSTM, one epoch');
      return { ...content, runId: run.runId };
    },
  },
  {
    name: 'set-up: a bundle of the run in the library, a drift report and a PDF report',
    async run(ctx, content) {
      const store = content.store ?? '';
      assert.ok(content.runId && content.testId, 'the run was trained');
      const folder = `${content.runId}-layout`;
      await cliJson(ctx, store, 'export', '--run', content.runId, '--out', join(store, 'bundles', folder));
      await cliJson(ctx, store, 'drift', '--run', content.runId, '--data', content.testId);
      await cliJson(ctx, store, 'report', '--run', content.runId, '--data', content.testId, '--title', 'Weekly maintenance — engines 2026', '--out', join(ctx.tmpDir, 'weekly.pdf'));
      await ctx.page.reload();
      await ctx.page.getByTestId('context-bar').waitFor();
      return { ...content, bundleId: `store:${folder}` };
    },
  },
];

/**
 * All the steps at once (for scripts; the tests run them as separate tests).
 * @param {E2eContext} ctx
 * @returns {Promise<WorkbenchContent>}
 */
export async function seedWorkbench(ctx) {
  /** @type {Partial<WorkbenchContent>} */
  let content = {};
  for (const step of SEED_STEPS) content = await step.run(ctx, content);
  return /** @type {WorkbenchContent} */ (content);
}

/**
 * Scores the test fleet with the run in the Fleet view (so the view shows a ranked fleet). The view
 * does not keep its scores when left, so the checks score again each time they open it.
 * @param {E2eContext} ctx
 * @param {WorkbenchContent} content
 */
export async function scoreFleet(ctx, content) {
  const { page } = ctx;
  await page.getByTestId('nav-fleet').click();
  await page.getByTestId('fleet-view').waitFor();
  await page.locator(`[data-testid="fleet-dataset"] option[value="${content.testId}"]`).waitFor({ state: 'attached' });
  await page.getByTestId('fleet-dataset').selectOption(content.testId);
  await page.locator(`[data-testid="fleet-scorer"] option[value="run:${content.runId}"]`).waitFor({ state: 'attached' });
  await page.getByTestId('fleet-scorer').selectOption(`run:${content.runId}`);
  await page.getByTestId('fleet-score').click();
  await page.getByTestId('fleet-row').first().waitFor({ timeout: 120_000 });
}

/**
 * Opens a view from the navigation and waits until it has drawn: its root, no "Loading…" and no
 * busy element, then two animation frames.
 * @param {import('playwright-core').Page} page
 * @param {string} id
 */
export async function openView(page, id) {
  await page.getByTestId(`nav-${id}`).click();
  await page.locator(`[data-testid="nav-${id}"][aria-current="page"]`).waitFor();
  await settle(page);
}

/**
 * Waits until the view has drawn: its root, no "Loading…" and no busy element, then two frames.
 * @param {import('playwright-core').Page} page
 */
export async function settle(page) {
  await page.waitForFunction(() => {
    const view = document.querySelector('.app-main__view');
    if (view === null || view.children.length === 0) return false;
    if (/^\s*Loading…\s*$/.test(view.textContent ?? '')) return false;
    return view.querySelector('[aria-busy="true"]') === null;
  });
  // lists, cards and charts load after the view's root: wait until none of them says it is loading
  await page.waitForFunction(
    () => {
      const view = document.querySelector('.app-main__view');
      if (view === null) return false;
      return ![...view.querySelectorAll('p, span, option, div')].some(
        (e) => e.children.length === 0 && /^(Loading|Reading|Scoring every cycle|Finding)\b.*…$/.test((e.textContent ?? '').trim()),
      );
    },
    undefined,
    { timeout: 60_000 },
  );
  await page.waitForTimeout(300);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/**
 * Opens a view and shows what the store holds for it: the Fleet view scores the test fleet (it keeps
 * no scores when left), Drift opens the stored drift report, Reports the stored PDF report.
 * @param {E2eContext} ctx
 * @param {string} id
 * @param {WorkbenchContent | undefined} content
 */
export async function openViewWithContent(ctx, id, content) {
  const { page } = ctx;
  await openView(page, id);
  if (content === undefined) return;
  if (id === 'fleet') await scoreFleet(ctx, content);
  if (id === 'drift') {
    await page.locator('[data-testid="drift-history-item"]').first().click();
    await page.getByTestId('drift-report').waitFor({ timeout: 60_000 });
  }
  if (id === 'reports') {
    await page.locator('[data-testid="report-history-item"]').first().click();
    await page.getByTestId('report-detail').waitFor({ timeout: 60_000 });
  }
  if (id === 'fleet' || id === 'drift' || id === 'reports') await settle(page);
}
