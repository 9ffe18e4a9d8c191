// @ts-check
/**
 * Page object for the Export view: export a finished run as a bundle, read the bundle, verify it,
 * and import bundles into the library.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

/** @typedef {import('playwright-core').Page} Page */

const EXPORT_TIMEOUT_MS = 60_000;

export class ExportPage {
  /** @param {Page} page */
  constructor(page) {
    this.page = page;
  }

  /** @param {string} id */
  byTestId(id) {
    return this.page.getByTestId(id);
  }

  async open() {
    await this.byTestId('nav-export').click();
    await this.byTestId('export-view').waitFor();
    await this.page.locator('[data-testid="export-runs"], [data-testid="export-runs-empty"]').first().waitFor();
    await this.page.locator('[data-testid="bundle-list"], [data-testid="bundle-list-empty"]').first().waitFor();
  }

  /** Loads the page again (the view reads the library afresh). */
  async reload() {
    await this.page.reload();
    await this.byTestId('export-view').waitFor();
    await this.page.locator('[data-testid="bundle-list"], [data-testid="bundle-list-empty"]').first().waitFor();
  }

  /** Run ids offered for export, as listed. */
  async exportableRuns() {
    return this.page
      .locator('[data-testid="export-run-row"]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run-id') ?? ''));
  }

  /** @param {string} runId */
  async chooseRun(runId) {
    const row = this.page.locator(`[data-testid="export-run-row"][data-run-id="${runId}"]`);
    await row.getByTestId('export-run-radio').check();
    await this.page.locator(`[data-testid="export-run-row"][data-run-id="${runId}"][data-chosen="true"]`).waitFor();
  }

  /**
   * Exports the chosen run and waits for the new bundle to be shown.
   * @param {'zip'|'folder'} format
   */
  async exportRun(format) {
    const before = await this.shownBundleId();
    await this.byTestId(`export-format-${format}`).check();
    await this.byTestId('export-submit').click();
    const notBefore = before === null ? '' : `:not([data-bundle-id="${before}"])`;
    const done = this.page.locator(
      `[data-testid="bundle-detail"]${notBefore} [data-testid="bundle-added"][data-how="exported"], [data-testid="export-error"]`,
    );
    await done.first().waitFor({ timeout: EXPORT_TIMEOUT_MS });
    if ((await done.first().getAttribute('data-testid')) === 'export-error') {
      throw new Error(`export failed: ${await this.byTestId('export-error').innerText()}`);
    }
    const detail = await this.detail();
    // the library lists it once it has been read again
    await this.row(detail.bundleId).waitFor();
    return detail;
  }

  async shownBundleId() {
    const detail = this.byTestId('bundle-detail');
    return (await detail.count()) === 0 ? null : detail.getAttribute('data-bundle-id');
  }

  /** What the detail pane shows about the selected bundle. */
  async detail() {
    const detail = this.byTestId('bundle-detail');
    await detail.waitFor();
    const files = await detail.locator('[data-testid="bundle-file"]').evaluateAll((rows) =>
      rows.map((r) => ({
        file: r.getAttribute('data-file') ?? '',
        note: r.querySelector('.bundle-files__note')?.textContent ?? '',
      })),
    );
    return {
      bundleId: (await detail.getAttribute('data-bundle-id')) ?? '',
      path: (await this.byTestId('bundle-path-text').innerText()).trim(),
      threshold: Number(await this.byTestId('bundle-threshold').getAttribute('data-value')),
      thresholdText: (await this.byTestId('bundle-threshold').innerText()).trim(),
      weight: Number(await this.byTestId('bundle-weight').getAttribute('data-value')),
      signed: (await this.byTestId('bundle-signed').innerText()).trim(),
      models: (await this.byTestId('bundle-models').innerText()).trim(),
      files,
    };
  }

  /**
   * Presses Verify in the detail pane and reads the verdict.
   * @returns {Promise<{ state: string, problems: Array<{ file: string, text: string }> }>}
   */
  async verify() {
    await this.byTestId('bundle-verify').click();
    return this.readVerdict();
  }

  async readVerdict() {
    const verdict = this.page.locator(
      '[data-testid="bundle-verdict"][data-state="ok"], [data-testid="bundle-verdict"][data-state="problems"], [data-testid="bundle-verdict"][data-code]',
    );
    await verdict.first().waitFor({ timeout: EXPORT_TIMEOUT_MS });
    const state = (await verdict.first().getAttribute('data-state')) ?? 'error';
    const problems = await this.page
      .locator('[data-testid="bundle-problem"]')
      .evaluateAll((items) =>
        items.map((li) => ({ file: li.getAttribute('data-file') ?? '', text: li.textContent ?? '' })),
      );
    return { state, problems };
  }

  /** @param {string} bundleId */
  async select(bundleId) {
    await this.row(bundleId).getByTestId('bundle-select').click();
    await this.page.locator(`[data-testid="bundle-detail"][data-bundle-id="${bundleId}"]`).waitFor();
  }

  /** @param {string} bundleId */
  row(bundleId) {
    return this.page.locator(`[data-testid="bundle-row"][data-bundle-id="${bundleId}"]`);
  }

  /**
   * Verifies one bundle from its row in the library and returns the chip's state.
   * @param {string} bundleId
   */
  async verifyRow(bundleId) {
    const row = this.row(bundleId);
    await row.getByTestId('bundle-row-verify').click();
    const chip = row.locator('[data-testid="bundle-row-verdict"]:not([data-state="checking"])');
    await chip.waitFor({ timeout: EXPORT_TIMEOUT_MS });
    return { state: await chip.getAttribute('data-state'), text: (await chip.innerText()).trim() };
  }

  /** The library as listed. */
  async bundles() {
    await this.page.locator('[data-testid="bundle-list"], [data-testid="bundle-list-empty"]').first().waitFor();
    return this.page.locator('[data-testid="bundle-row"]').evaluateAll((rows) =>
      rows.map((r) => ({
        bundleId: r.getAttribute('data-bundle-id') ?? '',
        origin: r.getAttribute('data-origin') ?? '',
      })),
    );
  }

  /**
   * Imports a bundle file through the picker and waits for the outcome.
   * @param {string} path
   * @returns {Promise<{ outcome: 'imported'|'refused'|'duplicate', bundleId: string | null }>}
   */
  async importFile(path) {
    const before = await this.shownBundleId();
    await this.byTestId('bundle-import-input').setInputFiles(path);
    return this.waitForImport(before);
  }

  /**
   * @param {string | null} before  the bundle shown before the import
   * @returns {Promise<{ outcome: 'imported'|'refused'|'duplicate', bundleId: string | null }>}
   */
  async waitForImport(before) {
    const notBefore = before === null ? '' : `:not([data-bundle-id="${before}"])`;
    const end = this.page.locator(
      `[data-testid="bundle-detail"]${notBefore} [data-testid="bundle-added"][data-how="imported"], [data-testid="bundle-import-error"], [data-testid="bundle-reimport-dialog"][open]`,
    );
    await end.first().waitFor({ timeout: EXPORT_TIMEOUT_MS });
    const ended = await end.first().getAttribute('data-testid');
    if (ended === 'bundle-import-error') return { outcome: 'refused', bundleId: null };
    if (ended === 'bundle-reimport-dialog') return { outcome: 'duplicate', bundleId: await end.first().getAttribute('data-existing') };
    const bundleId = await this.shownBundleId();
    if (bundleId !== null) await this.row(bundleId).waitFor();
    return { outcome: 'imported', bundleId };
  }

  /**
   * Drops a file onto the view as the operating system would (a drag carrying it) and waits for
   * the outcome.
   * @param {string} path
   * @returns {Promise<{ outcome: 'imported'|'refused'|'duplicate', bundleId: string | null }>}
   */
  async dropFile(path) {
    const before = await this.shownBundleId();
    const bytes = (await readFile(path)).toString('base64');
    const transfer = await this.page.evaluateHandle(
      ({ name, data }) => {
        const raw = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([raw], name, { type: 'application/zip' }));
        return dt;
      },
      { name: basename(path), data: bytes },
    );
    const view = this.byTestId('export-view');
    await view.dispatchEvent('dragenter', { dataTransfer: transfer });
    await view.dispatchEvent('dragover', { dataTransfer: transfer });
    await this.byTestId('bundle-drop-overlay').waitFor();
    await view.dispatchEvent('drop', { dataTransfer: transfer });
    return this.waitForImport(before);
  }

  /**
   * In the dialog a bundle already in the library opens: "Import again" as a copy named `name`.
   * @param {string} name
   */
  async reimportAgain(name) {
    const before = await this.shownBundleId();
    await this.byTestId('bundle-reimport-name').fill(name);
    await this.byTestId('bundle-reimport-again').click();
    return this.waitForImport(before);
  }

  /** In the same dialog: "Open the existing one" (nothing is imported); returns the bundle shown. */
  async reimportOpenExisting() {
    const existing = await this.page.locator('[data-testid="bundle-reimport-dialog"][open]').getAttribute('data-existing');
    await this.byTestId('bundle-reimport-open').click();
    await this.page.locator(`[data-testid="bundle-detail"][data-bundle-id="${existing}"]`).waitFor();
    return existing;
  }

  async importErrorTitle() {
    return (await this.byTestId('bundle-import-error').locator('strong').first().innerText()).trim();
  }

  async importIssues() {
    return this.byTestId('bundle-import-error').getByTestId('error-issues').locator('li').allInnerTexts();
  }

  async dismissImportError() {
    await this.byTestId('bundle-import-error').getByRole('button', { name: 'Dismiss' }).click();
  }
}
