// @ts-check
/**
 * End-to-end: the Pipelines view. A small recipe (a synthetic fleet in the store's pipeline files
 * folder, GBDT only) is saved and run from the UI; every step ends "done", with its log; a second run
 * reuses every step from the cache; the history lists both with their steps; a bad recipe is refused
 * naming its line and key.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PipelinesPage } from './pages/pipelines-page.mjs';

/** @typedef {import('./run.mjs').E2eContext} E2eContext */

const RECIPE = {
  name: 'e2e-small',
  steps: {
    import: { path: 'train_*.txt', pick: 'newest' },
    train: { config: { models: ['gbdt'], seed: 1, gbdt: { nEstimators: 20 }, rul: { enabled: false } } },
    evaluate: { data: 'test.txt', rul: 'rul.txt' },
    export: {},
  },
};
const STEPS = ['import', 'train', 'evaluate', 'export'];

/**
 * Writes the fleets with the CLI's synth into the store's pipeline files folder.
 * @param {E2eContext} ctx
 */
function writeFleets(ctx) {
  const files = join(ctx.tmpDir, 'store', 'pipeline-files');
  const cli = join(ctx.repoRoot, 'bin', 'prognos.js');
  for (const args of [
    ['synth', '--units', '10', '--seed', '2', '--out', join(files, 'train_1.txt')],
    ['synth', '--units', '5', '--seed', '3', '--out', join(files, 'test.txt'), '--rul-out', join(files, 'rul.txt')],
  ]) {
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
}

/** @type {Array<{ name: string, run: (ctx: E2eContext) => Promise<void> }>} */
export const tests = [
  {
    name: 'pipelines: a recipe saved and run from the UI shows every step done, with its log',
    async run(ctx) {
      writeFleets(ctx);
      await ctx.page.goto(ctx.url);
      const p = new PipelinesPage(ctx.page);
      await p.open();
      assert.match(await p.byTestId('pipeline-files-dir').innerText(), /pipeline-files/);
      // one line: Monaco indents each typed line break
      await p.replaceRecipe(JSON.stringify(RECIPE));
      const saved = await p.save();
      assert.equal(saved.outcome, 'saved', saved.text);
      assert.match(saved.text, /Saved “e2e-small”/);
      const run = await p.run();
      assert.equal(run.status, 'done');
      assert.deepEqual(run.steps, STEPS.map((step) => ({ step, status: 'done' })));
      assert.match(await p.stepLog('train'), /trained run run_\w+ \(gbdt\): validation F2/);
      await ctx.screenshot('pipelines-done.png');
    },
  },
  {
    name: 'pipelines: a second run reuses every step; the history lists both runs with their steps',
    async run(ctx) {
      const p = new PipelinesPage(ctx.page);
      const first = await p.shownRunId();
      const run = await p.run(60_000);
      assert.notEqual(run.id, first);
      assert.equal(run.status, 'done');
      assert.deepEqual(run.steps, STEPS.map((step) => ({ step, status: 'cached' })));
      await ctx.page.waitForFunction(() => document.querySelectorAll('[data-testid="pipeline-history-item"]').length === 2);
      const history = await p.history();
      assert.deepEqual(history.map((h) => h.id), [run.id, first]);
      assert.deepEqual(history.map((h) => h.steps), [STEPS.map((s) => `${s}:cached`).join(' '), STEPS.map((s) => `${s}:done`).join(' ')]);
      await ctx.screenshot('pipelines-cached.png');
      // at 1024×700 the view's content fits its width (the tables scroll inside their own containers)
      await ctx.page.setViewportSize({ width: 1024, height: 700 });
      const overflow = await ctx.page.evaluate(() => {
        const main = /** @type {HTMLElement} */ (document.querySelector('main.app-main'));
        return { scroll: main.scrollWidth, client: main.clientWidth };
      });
      assert.ok(overflow.scroll <= overflow.client, `main content ${overflow.scroll} px wide in ${overflow.client} px`);
      await ctx.screenshot('pipelines-1024.png');
      await ctx.page.setViewportSize({ width: 1280, height: 800 });
    },
  },
  {
    name: 'pipelines: a bad recipe is refused naming its line and key',
    async run(ctx) {
      const p = new PipelinesPage(ctx.page);
      await p.replaceRecipe('{"name":"bad","steps":{"train":{}}}');
      await p.byTestId('pipeline-run').click();
      const error = p.byTestId('pipeline-error');
      await error.waitFor();
      const text = await error.innerText();
      assert.match(text, /recipe:1: key steps\.import \(column 15\): Invalid input: expected object/);
      assert.equal((await p.history()).length, 2);
    },
  },
];
