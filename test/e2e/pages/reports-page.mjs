// @ts-check
/** Page object for the Reports view: generate a report, read the history, the preview and the template editor. */

/** @typedef {import('playwright-core').Page} Page */

const REPORT_TIMEOUT_MS = 150_000;

export class ReportsPage {
  /** @param {Page} page */
  constructor(page) {
    this.page = page;
  }

  /** @param {string} id */
  byTestId(id) {
    return this.page.getByTestId(id);
  }

  async open() {
    await this.byTestId('nav-reports').click();
    await this.byTestId('reports-view').waitFor();
    await this.page.locator('[data-testid="report-scorer"]:not([disabled])').waitFor();
    await this.page.locator('[data-testid="report-template"]:not([disabled])').waitFor();
  }

  /** @param {string} datasetId */
  async chooseDataset(datasetId) {
    await this.page.locator(`[data-testid="report-dataset"] option[value="${datasetId}"]`).waitFor({ state: 'attached' });
    await this.byTestId('report-dataset').selectOption(datasetId);
  }

  /** The model choices: `bundle:<id>` and `run:<id>` values with their labels. */
  async scorers() {
    return this.byTestId('report-scorer')
      .locator('option')
      .evaluateAll((opts) => opts.map((o) => ({ value: o.getAttribute('value') ?? '', label: o.textContent ?? '' })));
  }

  /** @param {string} value */
  async chooseScorer(value) {
    await this.byTestId('report-scorer').selectOption(value);
  }

  /** @param {string} label */
  async chooseTemplate(label) {
    await this.byTestId('report-template').selectOption({ label });
  }

  /** @param {{ title?: string, fleet?: string, notes?: string }} fields */
  async fill(fields) {
    if (fields.title !== undefined) await this.byTestId('report-title').fill(fields.title);
    if (fields.fleet !== undefined) await this.byTestId('report-fleet-name').fill(fields.fleet);
    if (fields.notes !== undefined) await this.byTestId('report-notes').fill(fields.notes);
  }

  /**
   * Clicks Generate and waits for the new report to open (or an error).
   * @returns {Promise<{ outcome: 'done'|'error', reportId: string | null, sawProgress: boolean }>}
   */
  async generate() {
    const before = await this.page.locator('[data-testid="report-history-item"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-report-id')));
    await this.byTestId('report-generate').click();
    const sawProgress = await this.byTestId('report-job')
      .waitFor({ timeout: 10_000 })
      .then(() => true, () => false);
    const known = before.map((id) => `:not([data-report-id="${id}"])`).join('');
    const end = this.page.locator(`[data-testid="report-detail"]${known}, [data-testid="report-error"]`);
    await end.first().waitFor({ timeout: REPORT_TIMEOUT_MS });
    if ((await end.first().getAttribute('data-testid')) === 'report-error') return { outcome: 'error', reportId: null, sawProgress };
    return { outcome: 'done', reportId: await end.first().getAttribute('data-report-id'), sawProgress };
  }

  async errorText() {
    return (await this.byTestId('report-error').innerText()).trim();
  }

  /** The history entries as listed (newest first). */
  async history() {
    return this.page.locator('[data-testid="report-history-item"]').evaluateAll((els) =>
      els.map((e) => ({
        reportId: e.getAttribute('data-report-id') ?? '',
        sha256: e.getAttribute('data-sha256') ?? '',
        pages: Number(e.getAttribute('data-pages')),
        text: (e.textContent ?? '').replace(/\s+/g, ' ').trim(),
      })),
    );
  }

  /** @param {string} reportId */
  async openReport(reportId) {
    await this.page.locator(`[data-testid="report-history-item"][data-report-id="${reportId}"]`).click();
    await this.page.locator(`[data-testid="report-detail"][data-report-id="${reportId}"]`).waitFor();
  }

  /**
   * Waits for the preview to open and a page (the first by default) to be drawn, then reads every
   * page box: its state, size, and how many of its canvas pixels are not white.
   * @param {number} [drawnPage]
   */
  async preview(drawnPage = 1) {
    await this.page.locator('[data-testid="report-preview"][data-status="ok"]').waitFor({ timeout: 60_000 });
    await this.page.locator(`[data-testid="report-preview-page"][data-page="${drawnPage}"][data-drawn="yes"]`).waitFor({ timeout: 60_000 });
    return this.byTestId('report-preview').evaluate((el) => {
      const pane = el.querySelector('.pdf-preview__pane');
      const pages = [...el.querySelectorAll('[data-testid="report-preview-page"]')].map((p) => {
        const canvas = p.querySelector('canvas');
        let inked = 0;
        if (canvas !== null && canvas.width > 0 && canvas.height > 0) {
          const ctx = canvas.getContext('2d');
          const data = ctx?.getImageData(0, 0, canvas.width, canvas.height).data;
          if (data !== undefined) {
            for (let i = 0; i < data.length; i += 4) {
              if (data[i + 3] !== 0 && (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235)) inked++;
            }
          }
        }
        const box = p.getBoundingClientRect();
        return { page: Number(p.getAttribute('data-page')), drawn: p.getAttribute('data-drawn'), width: box.width, height: box.height, inked, pixels: (canvas?.width ?? 0) * (canvas?.height ?? 0) };
      });
      return {
        count: Number(el.getAttribute('data-pages')),
        countText: el.querySelector('[data-testid="report-preview-count"]')?.textContent ?? '',
        paneWidth: pane?.clientWidth ?? 0,
        pages,
      };
    });
  }

  /** Scrolls the preview pane to the bottom; returns the last page's number. */
  async scrollToLastPage() {
    const last = Number(await this.byTestId('report-preview').getAttribute('data-pages'));
    await this.page.locator('.pdf-preview__pane').evaluate((pane) => pane.scrollTo(0, pane.scrollHeight));
    return last;
  }

  /** Clicks "Download PDF" and returns the downloaded file's path and suggested name. */
  async download() {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.byTestId('report-download').click()]);
    const path = await download.path();
    return { path, name: download.suggestedFilename() };
  }

  async openTemplates() {
    await this.byTestId('report-templates-edit').click();
    await this.page.locator('[data-testid="report-template-editor"][data-ready="true"]').waitFor();
  }

  /**
   * Replaces the template editor's document by typing into Monaco.
   * @param {string} json
   */
  async replaceTemplate(json) {
    const editor = this.byTestId('report-template-editor');
    await editor.locator('.monaco-editor').click();
    await this.page.keyboard.press('ControlOrMeta+A');
    await this.page.keyboard.press('Delete');
    await this.page.keyboard.insertText(json);
  }

  /** @returns {Promise<{ outcome: 'saved'|'error', text: string }>} */
  async saveTemplate() {
    await this.byTestId('report-templates-save').click();
    const end = this.page.locator('[data-testid="report-templates-saved"], [data-testid="report-templates-error"]');
    await end.first().waitFor();
    const id = await end.first().getAttribute('data-testid');
    return { outcome: id === 'report-templates-saved' ? 'saved' : 'error', text: (await end.first().innerText()).trim() };
  }
}
