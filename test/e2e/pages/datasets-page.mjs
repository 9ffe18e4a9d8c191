// @ts-check
/**
 * Page object for the Datasets view. Tests speak in the analyst's terms (import a file, read the
 * summary, pick sensors) and never touch selectors directly.
 */

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('playwright-core').Locator} Locator */

const IMPORT_TIMEOUT_MS = 120_000;

export class DatasetsPage {
  /** @param {Page} page */
  constructor(page) {
    this.page = page;
  }

  /** @param {string} id */
  byTestId(id) {
    return this.page.getByTestId(id);
  }

  /** Opens the app at the address printed by `prognos serve` and waits for the view. */
  /** @param {string} url */
  async open(url) {
    await this.page.goto(url);
    await this.byTestId('datasets-view').waitFor();
    await this.page.locator('[data-testid="dataset-list"], [data-testid="dataset-list-empty"]').first().waitFor();
  }

  /**
   * Imports a file through the file input and waits until the job ends (the success, error or
   * cancelled notice appears). Returns which one it was and the new dataset's id.
   * @param {string} dataPath
   * @param {{ rulPath?: string, name?: string, format?: 'auto'|'cmapss'|'csv' }} [options]
   * @returns {Promise<{ outcome: 'done'|'error'|'cancelled', datasetId: string | null }>}
   */
  async importFile(dataPath, options = {}) {
    await this.byTestId('import-file-input').setInputFiles(dataPath);
    if (options.rulPath !== undefined) await this.byTestId('import-rul-input').setInputFiles(options.rulPath);
    if (options.format !== undefined) await this.byTestId('import-format').selectOption(options.format);
    if (options.name !== undefined) await this.byTestId('import-name').fill(options.name);
    await this.byTestId('import-submit').click();
    return this.waitForJobEnd();
  }

  /** Generates the sample fleet and waits for the job to end. */
  /** @param {{ units?: number, seed?: number }} [options] */
  async generateSample(options = {}) {
    if (options.units !== undefined) await this.byTestId('synth-units').fill(String(options.units));
    if (options.seed !== undefined) await this.byTestId('synth-seed').fill(String(options.seed));
    await this.byTestId('sample-data-button').click();
    return this.waitForJobEnd();
  }

  /**
   * Drops files onto the view as the operating system would (a drag carrying files).
   * @param {Array<{ name: string, text: string }>} files
   */
  async dropFiles(files) {
    const transfer = await this.page.evaluateHandle((list) => {
      const dt = new DataTransfer();
      for (const f of list) dt.items.add(new File([f.text], f.name, { type: 'text/plain' }));
      return dt;
    }, files);
    const view = this.byTestId('datasets-view');
    await view.dispatchEvent('dragenter', { dataTransfer: transfer });
    await view.dispatchEvent('dragover', { dataTransfer: transfer });
    await this.byTestId('drop-overlay').waitFor();
    await view.dispatchEvent('drop', { dataTransfer: transfer });
    return this.waitForJobEnd();
  }

  /**
   * Starts a sample fleet and cancels it as soon as its progress shows.
   * @param {number} units
   */
  async generateSampleAndCancel(units) {
    await this.byTestId('synth-units').fill(String(units));
    await this.byTestId('sample-data-button').click();
    await this.byTestId('import-progress').waitFor();
    await this.byTestId('import-cancel').click();
    return this.waitForJobEnd();
  }

  /** @returns {Promise<{ outcome: 'done'|'error'|'cancelled', datasetId: string | null }>} */
  async waitForJobEnd() {
    const end = this.page.locator(
      '[data-testid="import-done"], [data-testid="import-error"], [data-testid="import-cancelled"], [data-testid="reimport-dialog"][open]',
    );
    await end.first().waitFor({ timeout: IMPORT_TIMEOUT_MS });
    const id = await end.first().getAttribute('data-testid');
    /** @type {'done'|'error'|'cancelled'|'duplicate'} */
    const outcome = id === 'import-done' ? 'done' : id === 'import-error' ? 'error' : id === 'reimport-dialog' ? 'duplicate' : 'cancelled';
    const datasetId = outcome === 'done' ? await end.first().getAttribute('data-dataset-id') : null;
    if (datasetId !== null) await this.waitForSelected(datasetId);
    return { outcome, datasetId };
  }

  /** Waits until the detail pane shows the given dataset. */
  /** @param {string} datasetId */
  async waitForSelected(datasetId) {
    await this.page.locator(`[data-testid="dataset-detail"][data-dataset-id="${datasetId}"]`).waitFor();
  }

  /** The text of the import error (message and issue list). */
  async importErrorText() {
    return (await this.byTestId('import-error').innerText()).trim();
  }

  async importIssues() {
    return this.byTestId('error-issues').locator('li').allInnerTexts();
  }

  /**
   * The dialog a re-import of a file already in the store opens: which dataset it names, and its choices.
   */
  async reimportDialog() {
    const dialog = this.page.locator('[data-testid="reimport-dialog"][open]');
    await dialog.waitFor();
    return {
      existingId: await dialog.getAttribute('data-existing'),
      existingName: (await this.byTestId('reimport-existing-name').innerText()).trim(),
      text: (await dialog.innerText()).trim(),
      proposedName: await this.byTestId('reimport-name').inputValue(),
    };
  }

  /** "Open the existing one": nothing is imported, the existing dataset is selected. */
  async reimportOpenExisting() {
    await this.byTestId('reimport-open').click();
    return this.waitForJobEnd();
  }

  /**
   * "Import again" under a new name (the proposed one unless given).
   * @param {string} [name]
   */
  async reimportAgain(name) {
    if (name !== undefined) await this.byTestId('reimport-name').fill(name);
    await this.byTestId('reimport-again').click();
    await this.page.locator('[data-testid="reimport-dialog"][open]').waitFor({ state: 'detached' });
    return this.waitForJobEnd();
  }

  async duplicateNoticeText() {
    const notice = this.byTestId('import-duplicate-notice');
    return (await notice.count()) === 0 ? null : (await notice.innerText()).trim();
  }

  /**
   * A headline figure as shown (e.g. "20,631") and as a number.
   * @param {'rows'|'units'|'cycles-min'|'cycles-median'|'cycles-max'|'has-rul'|'constant-count'} name
   */
  async summaryFigure(name) {
    const text = (await this.byTestId(`summary-${name}`).innerText()).trim();
    return { text, value: Number(text.replace(/,/g, '')) };
  }

  datasetRows() {
    return this.byTestId('dataset-row');
  }

  /** @param {string} datasetId */
  async deleteDataset(datasetId) {
    await this.page
      .locator(`[data-testid="dataset-row"][data-dataset-id="${datasetId}"]`)
      .getByTestId('dataset-delete')
      .click();
    await this.byTestId('confirm-dialog-confirm').click();
    await this.page
      .locator(`[data-testid="dataset-row"][data-dataset-id="${datasetId}"]`)
      .waitFor({ state: 'detached' });
  }

  /** @param {'sensors'|'regimes'|'columns'|'rows'} tab */
  async showTab(tab) {
    await this.byTestId(`tab-${tab}`).click();
  }

  /** Names of the sensors flagged constant in the column table. */
  async constantColumns() {
    await this.showTab('columns');
    const rows = this.page.locator('[data-testid="column-stat-row"][data-constant="true"]');
    return rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-column') ?? ''));
  }

  /**
   * Picks exactly these sensors in the sensor picker.
   * @param {string[]} names
   */
  async selectSensors(names) {
    await this.showTab('sensors');
    const picker = this.byTestId('sensor-picker');
    await picker.getByTestId('sensor-picker-button').click();
    const options = picker.locator('input[type="checkbox"]');
    const count = await options.count();
    for (let i = 0; i < count; i++) {
      const box = options.nth(i);
      const testId = (await box.getAttribute('data-testid')) ?? '';
      const name = testId.replace('sensor-picker-option-', '');
      const want = names.includes(name);
      if ((await box.isChecked()) !== want && (want || (await box.isEnabled()))) await box.setChecked(want);
    }
    await this.page.keyboard.press('Escape');
  }

  /** @param {'cycle'|'rul'} mode */
  async setXAxis(mode) {
    await this.byTestId(`x-axis-${mode}`).check();
  }

  /**
   * Waits for the sensor chart to finish drawing, then reports its canvases and how many of their
   * pixels are painted.
   */
  async chartState() {
    const chart = this.byTestId('sensor-chart');
    await this.page.locator('[data-testid="sensor-chart"][data-rendered="true"]').waitFor();
    return chart.evaluate((el) => {
      const canvases = [...el.querySelectorAll('canvas')];
      let painted = 0;
      for (const c of canvases) {
        const ctx = c.getContext('2d');
        if (ctx === null || c.width === 0 || c.height === 0) continue;
        const data = ctx.getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
      }
      const box = el.getBoundingClientRect();
      return {
        canvases: canvases.length,
        painted,
        width: box.width,
        height: box.height,
        label: el.getAttribute('aria-label'),
      };
    });
  }

  /** Scrolls the row preview to its last row and returns that row's unit and cycle. */
  async lastPreviewRow() {
    await this.showTab('rows');
    const table = this.byTestId('preview-table');
    await table.evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    const total = (await this.summaryFigure('rows')).value;
    const row = this.page.locator(`[data-row-index="${total - 1}"][data-loaded="true"]`);
    await row.waitFor();
    const unit = await row.locator('[data-column="unit"]').innerText();
    const cycle = await row.locator('[data-column="cycle"]').innerText();
    return { unit: Number(unit.replace(/,/g, '')), cycle: Number(cycle.replace(/,/g, '')) };
  }
}
