// @ts-check
/**
 * End-to-end: the Reports view in Chromium against browser mode. A small synthetic fleet is
 * reported on with the shipped demo bundle; the job's progress shows, the report appears in the
 * history, its pages are drawn by pdf.js from the stored PDF (lazily: far pages stay undrawn), and
 * the downloaded file is a PDF whose SHA-256 is the one the history names. The template editor
 * refuses a template with an unknown key, naming it, saves a good one, and a second report made
 * with it lists under its name. The tests share one server, store and page and run in order.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { screenshotView } from './pages/chart.mjs';
import { DatasetsPage } from './pages/datasets-page.mjs';
import { ReportsPage } from './pages/reports-page.mjs';

/** @typedef {import('./run.mjs').E2eContext} E2eContext */

/** @type {{ datasetId?: string, first?: { reportId: string, sha256: string, pages: number } }} */
const state = {};

/** @type {Array<{ name: string, run: (ctx: E2eContext) => Promise<void> }>} */
export const tests = [
  {
    name: 'a small synthetic fleet; the view offers the shipped demo bundle and the built-in template',
    async run(ctx) {
      const datasets = new DatasetsPage(ctx.page);
      await datasets.open(ctx.url);
      const fleet = await datasets.generateSample({ units: 20, seed: 5 });
      assert.equal(fleet.outcome, 'done', fleet.outcome === 'error' ? await datasets.importErrorText() : 'no sample fleet');
      assert.ok(fleet.datasetId);
      state.datasetId = fleet.datasetId;

      const reports = new ReportsPage(ctx.page);
      await reports.open();
      await reports.byTestId('report-empty').waitFor();
      assert.match(await reports.byTestId('report-history-empty').innerText(), /No report generated yet/);
      const scorers = await reports.scorers();
      const shipped = scorers.filter((s) => s.value.startsWith('bundle:shipped'));
      assert.ok(shipped.length >= 1, `the shipped demo bundle is offered (${JSON.stringify(scorers)})`);
      assert.equal(await reports.byTestId('report-scorer').inputValue(), shipped[0]?.value, 'with an empty library the demo bundle is the default');
      const template = await reports.byTestId('report-template').locator('option:checked').innerText();
      assert.match(template, /\(built-in\)/);
    },
  },
  {
    name: 'generates a report with the demo bundle: progress, a history entry, the pages drawn from the PDF',
    async run(ctx) {
      assert.ok(state.datasetId);
      const reports = new ReportsPage(ctx.page);
      await reports.chooseDataset(state.datasetId);
      await reports.fill({ title: 'Synthetic fleet, weekly review', notes: 'Generated in the end-to-end test.' });
      const result = await reports.generate();
      assert.equal(result.outcome, 'done', result.outcome === 'error' ? await reports.errorText() : '');
      assert.ok(result.reportId);
      ctx.log(`progress shown: ${result.sawProgress}`);

      const history = await reports.history();
      assert.equal(history.length, 1);
      const entry = history[0];
      assert.ok(entry);
      assert.equal(entry.reportId, result.reportId);
      assert.match(entry.sha256, /^[0-9a-f]{64}$/);
      assert.match(entry.text, /Synthetic fleet, weekly review/);
      assert.match(entry.text, /Standard/, 'the history names the template');
      assert.match(entry.text, /Bundle [0-9a-f]{12}/, 'the history names the model');
      assert.ok(entry.text.includes(`sha256 ${entry.sha256.slice(0, 12)}`));
      state.first = { reportId: entry.reportId, sha256: entry.sha256, pages: entry.pages };

      const preview = await reports.preview();
      ctx.log(`preview: ${preview.countText}; pane ${preview.paneWidth}px; ${preview.pages.map((p) => `${p.page}:${p.drawn}:${p.inked}`).join(' ')}`);
      assert.equal(preview.count, entry.pages, 'the preview has the stored report’s page count');
      assert.equal(preview.pages.length, entry.pages, 'one page box per page');
      assert.equal(preview.countText, entry.pages === 1 ? '1 page' : `${entry.pages} pages`);
      const first = preview.pages[0];
      assert.ok(first && first.drawn === 'yes');
      assert.ok(first.inked > 2000, `page 1 is not blank (${first.inked} inked pixels)`);
      // fit width: the page fills the pane less its padding
      assert.ok(Math.abs(first.width - (preview.paneWidth - 34)) <= 2, `fit width: page ${first.width}px in a ${preview.paneWidth}px pane`);
      assert.ok(first.height > first.width, 'a portrait page');
      if (entry.pages >= 6) {
        const drawn = preview.pages.filter((p) => p.drawn === 'yes').length;
        assert.ok(drawn < entry.pages, `pages are drawn as they scroll in (${drawn} of ${entry.pages} drawn at first)`);
        assert.equal(preview.pages[entry.pages - 1]?.pixels, 0, 'the last page holds no pixels before it is near');
      }
      await screenshotView(ctx, 'reports-preview.png');
      const lastPage = await reports.scrollToLastPage();
      const after = await reports.preview(lastPage);
      const last = after.pages[after.pages.length - 1];
      assert.ok(last && last.drawn === 'yes' && last.inked > 200, `the last page is drawn once scrolled to (${last?.inked} inked pixels)`);
      if (entry.pages >= 6) assert.equal(after.pages[0]?.pixels, 0, 'page 1 gave its pixels back when far out of view');
      await screenshotView(ctx, 'reports-preview-last-page.png');
    },
  },
  {
    name: 'downloads the same PDF: it starts with %PDF- and its SHA-256 is the history’s',
    async run(ctx) {
      assert.ok(state.first);
      const reports = new ReportsPage(ctx.page);
      const file = await reports.download();
      const bytes = await readFile(file.path);
      assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      assert.equal(sha256, state.first.sha256, 'the download is the stored report, byte for byte');
      assert.match(file.name, /\.pdf$/);
      ctx.log(`downloaded ${file.name}: ${bytes.length} bytes, sha256 ${sha256}`);
      assert.match(await reports.byTestId('report-sha256').innerText(), new RegExp(`sha256 ${sha256.slice(0, 12)}`));
    },
  },
  {
    name: 'the template editor: the built-in one is read-only, an unknown key is refused by name, a good template is saved',
    async run(ctx) {
      const reports = new ReportsPage(ctx.page);
      await reports.openTemplates();
      await reports.byTestId('report-templates-readonly').waitFor();
      assert.equal(await reports.byTestId('report-templates-save').isDisabled(), true, 'the built-in template cannot be saved over');
      assert.equal(await reports.byTestId('report-templates-delete').isDisabled(), true);

      await reports.byTestId('report-templates-new').click();
      await reports.page.locator('[data-testid="report-templates-select"] option:checked', { hasText: 'New template' }).waitFor({ state: 'attached' });
      assert.match(await reports.byTestId('report-template-editor').locator('.view-lines').innerText().then((t) => t.replace(/\u00a0/g, ' ')), /Copy of Standard/, 'a copy of the built-in template');
      await reports.replaceTemplate('{ "name": "Top three", "topN": 3, "colour": "red" }');
      const bad = await reports.saveTemplate();
      ctx.log(`bad template: ${bad.text}`);
      assert.equal(bad.outcome, 'error');
      assert.match(bad.text, /colour/, 'the error names the unknown key');
      assert.match(bad.text, /1:.*column 35/, 'and where it is (line 1, column 35)');
      await screenshotView(ctx, 'reports-template-error.png');

      await reports.replaceTemplate('{ "name": "Top three", "topN": 3, "title": "Fleet review (top three)" }');
      const good = await reports.saveTemplate();
      assert.equal(good.outcome, 'saved', good.text);
      assert.match(good.text, /Top three/);
      // the saved template is chosen for the next report
      await reports.page.locator('[data-testid="report-template"] option:checked', { hasText: /^Top three$/ }).waitFor({ state: 'attached' });
      assert.equal(await reports.byTestId('report-templates-save').isDisabled(), false);
      await reports.byTestId('report-templates-close').click();
    },
  },
  {
    name: 'a second report with the saved template and a fleet name lists first, under the template’s name; deleting one removes it',
    async run(ctx) {
      assert.ok(state.first);
      const reports = new ReportsPage(ctx.page);
      await reports.fill({ title: '', fleet: 'North fleet', notes: '' });
      const result = await reports.generate();
      assert.equal(result.outcome, 'done', result.outcome === 'error' ? await reports.errorText() : '');
      const history = await reports.history();
      assert.equal(history.length, 2);
      assert.equal(history[0]?.reportId, result.reportId, 'newest first');
      assert.match(history[0]?.text ?? '', /North fleet/);
      assert.match(history[0]?.text ?? '', /Top three/);
      assert.match(history[0]?.text ?? '', /Fleet review \(top three\)/, 'the template’s title, as no title was given');
      await reports.preview();
      await screenshotView(ctx, 'reports-second.png');

      await reports.openReport(state.first.reportId);
      await reports.byTestId('report-delete').click();
      await reports.byTestId('report-detail').getByTestId('confirm-dialog-confirm').click();
      await reports.page.locator(`[data-testid="report-history-item"][data-report-id="${state.first.reportId}"]`).waitFor({ state: 'detached' });
      const left = await reports.history();
      assert.deepEqual(left.map((h) => h.reportId), [result.reportId]);
      await reports.byTestId('report-empty').waitFor();
    },
  },
];
