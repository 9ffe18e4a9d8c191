// @ts-check
/**
 * End-to-end: the Registry view. Two small runs are trained and a PDF report made with the first
 * through the contract; in the view both runs are registered as versions of one model, the first is
 * promoted to Production with its checks shown, the second is promoted over it (its checks shown;
 * a failed one overridden with a reason), the first moves to Archived, the history lists every
 * change, and the lineage runs from the dataset fingerprint through the run to the version and the
 * report. At 1024×700 the view has no horizontal overflow.
 */
import assert from 'node:assert/strict';
import { RegistryPage } from './pages/registry-page.mjs';

/** @typedef {import('./run.mjs').E2eContext} E2eContext */

/**
 * @param {E2eContext} ctx
 * @param {string} channel
 * @param {unknown} input
 * @returns {Promise<any>}
 */
async function rpc(ctx, channel, input) {
  const url = new URL(ctx.url);
  const token = url.searchParams.get('token') ?? '';
  const res = await fetch(new URL(`/api/rpc/${encodeURIComponent(channel)}`, url.origin), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = /** @type {{ ok: boolean, value?: unknown, error?: { message: string } }} */ (await res.json());
  if (!body.ok) throw new Error(`${channel}: ${body.error?.message ?? res.status}`);
  return body.value;
}

/**
 * @param {E2eContext} ctx
 * @param {string} jobId
 * @param {number} timeoutMs
 */
async function finished(ctx, jobId, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = await rpc(ctx, 'jobs:get', { jobId });
    if (s.state === 'done') return s.result;
    if (s.state !== 'running') throw new Error(`job ${jobId} ${s.state}: ${s.error?.message ?? ''}`);
    if (Date.now() > end) throw new Error(`job ${jobId} still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** @type {{ datasetId?: string, runs: string[], f2: number[], fingerprint?: string }} */
const state = { runs: [], f2: [] };

/** @type {Array<{ name: string, run: (ctx: E2eContext) => Promise<void> }>} */
export const tests = [
  {
    name: 'registry: two small runs and a report made with the first (through the contract)',
    async run(ctx) {
      const fleet = await finished(ctx, (await rpc(ctx, 'datasets:synth', { units: 16, seed: 7, name: 'line 4 fleet' })).jobId, 120_000);
      state.datasetId = fleet.dataset.datasetId;
      state.fingerprint = fleet.dataset.fingerprint;
      for (const nEstimators of [20, 3]) {
        const config = { models: ['gbdt'], gbdt: { nEstimators }, rul: { enabled: false } };
        const started = await rpc(ctx, 'train:start', { datasetId: state.datasetId, config });
        await finished(ctx, started.jobId, 240_000);
        state.runs.push(started.runId);
        const detail = await rpc(ctx, 'runs:get', { runId: started.runId });
        state.f2.push(detail.validationF2 ?? 0);
      }
      const report = await rpc(ctx, 'reports:start', { datasetId: state.datasetId, scorer: { kind: 'run', runId: state.runs[0] }, title: 'Line 4 weekly' });
      await finished(ctx, report.jobId, 240_000);
    },
  },
  {
    name: 'registry: register both runs as versions of one model; the first is promoted to Production with its checks shown',
    async run(ctx) {
      await ctx.page.setViewportSize({ width: 1024, height: 700 });
      await ctx.page.goto(ctx.url);
      const registry = new RegistryPage(ctx.page);
      await registry.open();
      await registry.byTestId('registry-empty').waitFor();
      assert.match(await registry.register(`run:${state.runs[0]}`, 'line-4'), /Registered as "line-4" version 1\./);
      assert.match(await registry.register(`run:${state.runs[1]}`, 'line-4'), /Registered as "line-4" version 2\./);
      assert.equal(await registry.stageOf('line-4', 1), 'None');
      assert.equal(await registry.stageOf('line-4', 2), 'None');
      // the same run twice is refused, naming the version it is
      assert.match(await registry.register(`run:${state.runs[0]}`, 'line-4'), /is version 1 of "line-4" already/);

      await registry.openVersion('line-4', 1);
      const checks = await registry.checksFor('Production');
      assert.deepEqual(Object.fromEntries(Object.entries(checks).map(([k, v]) => [k, v.status])), { metrics: 'skipped', drift: 'skipped', signature: 'skipped' });
      assert.match(checks.metrics.detail, /no Production version/);
      assert.match(checks.drift.detail, /no drift report/);
      assert.match(checks.signature.detail, /a run version has no bundle to sign/);
      assert.match(await registry.promote({ reason: 'first release' }), /Version 1 is now in Production\./);
      await registry.waitForStage('line-4', 1, 'Production');
      await ctx.screenshot('registry-production.png');
    },
  },
  {
    name: 'registry: promoting the second version shows its checks, a failed one needs an override with a reason, and the first moves to Archived',
    async run(ctx) {
      const registry = new RegistryPage(ctx.page);
      await registry.openVersion('line-4', 2);
      const checks = await registry.checksFor('Production');
      const worse = state.f2[1] < state.f2[0];
      assert.equal(checks.metrics.status, worse ? 'failed' : 'passed', JSON.stringify({ f2: state.f2, checks }));
      let outcome;
      if (worse) {
        assert.match(checks.metrics.detail, /validation F2 .* is below Production \(version 1\)/);
        // without an override the button stays off; with it and a reason the promotion is recorded as forced
        assert.equal(await registry.byTestId('registry-promote-submit').isDisabled(), true);
        await registry.byTestId('registry-checks').scrollIntoViewIfNeeded();
        await ctx.screenshot('registry-checks-failed.png');
        outcome = await registry.promote({ reason: 'fewer trees serve faster', override: true });
        assert.match(outcome, /Version 2 is now in Production \(override recorded\); version 1 moved to Archived\./);
      } else {
        outcome = await registry.promote({ reason: 'as good as version 1' });
        assert.match(outcome, /Version 2 is now in Production; version 1 moved to Archived\./);
      }
      await registry.waitForStage('line-4', 2, 'Production');
      await registry.waitForStage('line-4', 1, 'Archived');
      const history = await registry.history();
      // newest first: v2 None → Production, v1 Production → Archived, v1 None → Production, two registrations
      assert.deepEqual(
        history.map((r) => [r[1], r[2], r[3]]),
        [
          ['2', 'None', 'Production'],
          ['1', 'Production', 'Archived'],
          ['1', 'None', 'Production'],
          ['2', '—', 'None'],
          ['1', '—', 'None'],
        ],
      );
      if (worse) assert.match(history[0][5], /override fewer trees serve faster/);
      assert.match(history[1][5], /replaced by version 2/);
    },
  },
  {
    name: 'registry: the lineage runs from the dataset fingerprint through the run to the version and the report made with it; no horizontal overflow at 1024×700',
    async run(ctx) {
      const registry = new RegistryPage(ctx.page);
      await registry.openVersion('line-4', 1);
      const l = await registry.lineage();
      assert.match(l.dataset, /line 4 fleet/);
      assert.ok(state.fingerprint !== undefined && l.dataset.includes(state.fingerprint.slice(0, 16)), `${l.dataset} ${state.fingerprint}`);
      assert.match(l.run, /done/);
      assert.match(l.bundle, /none \(a run version\)/);
      assert.match(l.version, /line-4 v1 Archived/);
      assert.match(l.reports, /PDF “Line 4 weekly” · line 4 fleet/);
      const overflow = await ctx.page.evaluate(() => {
        const main = document.querySelector('.app-main__view');
        return main === null ? null : { scroll: main.scrollWidth, client: main.clientWidth, page: document.documentElement.scrollWidth, width: window.innerWidth };
      });
      assert.ok(overflow !== null);
      assert.ok(overflow.scroll <= overflow.client + 1, `the view overflows: ${JSON.stringify(overflow)}`);
      assert.ok(overflow.page <= overflow.width + 1, `the page overflows: ${JSON.stringify(overflow)}`);
      await registry.byTestId('registry-lineage').scrollIntoViewIfNeeded();
      await ctx.screenshot('registry-lineage.png');
      await registry.byTestId('registry-history').scrollIntoViewIfNeeded();
      await ctx.screenshot('registry-history.png');
    },
  },
];
