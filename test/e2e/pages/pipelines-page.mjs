// @ts-check
/** Page object for the Pipelines view: edit, save and run a recipe, read the steps and the history. */

export class PipelinesPage {
  /** @param {import('playwright-core').Page} page */
  constructor(page) {
    this.page = page;
  }

  /** @param {string} id */
  byTestId(id) {
    return this.page.locator(`[data-testid="${id}"]`);
  }

  async open() {
    await this.byTestId('nav-pipelines').click();
    await this.page.locator('[data-testid="pipeline-editor"][data-ready="true"]').waitFor();
  }

  /**
   * Replaces the recipe editor's document by typing into Monaco.
   * @param {string} json
   */
  async replaceRecipe(json) {
    const editor = this.byTestId('pipeline-editor');
    await editor.locator('.monaco-editor').click();
    await this.page.keyboard.press('ControlOrMeta+A');
    await this.page.keyboard.press('Delete');
    await this.page.keyboard.insertText(json);
  }

  /** @returns {Promise<{ outcome: 'saved'|'error', text: string }>} */
  async save() {
    await this.byTestId('pipeline-save').click();
    const end = this.page.locator('[data-testid="pipeline-notice"], [data-testid="pipeline-error"]').first();
    await end.waitFor();
    return { outcome: (await end.getAttribute('data-testid')) === 'pipeline-notice' ? 'saved' : 'error', text: (await end.innerText()).trim() };
  }

  /** The id of the run the detail panel shows, or null. */
  async shownRunId() {
    const detail = this.byTestId('pipeline-run-detail');
    return (await detail.count()) === 0 ? null : detail.getAttribute('data-run-id');
  }

  /**
   * Clicks Run and waits until a new run is shown and has ended; returns its id, status and steps.
   * @param {number} timeoutMs
   */
  async run(timeoutMs = 170_000) {
    const before = await this.shownRunId();
    await this.byTestId('pipeline-run').click();
    await this.page.waitForFunction(
      (prev) => {
        const d = document.querySelector('[data-testid="pipeline-run-detail"]');
        return d !== null && d.getAttribute('data-run-id') !== prev && d.getAttribute('data-status') !== 'running';
      },
      before,
      { timeout: timeoutMs },
    );
    return this.shownRun();
  }

  async shownRun() {
    const detail = this.byTestId('pipeline-run-detail');
    const steps = await detail.locator('[data-testid="pipeline-step"]').evaluateAll((rows) =>
      rows.map((r) => ({ step: r.getAttribute('data-step'), status: r.getAttribute('data-status') })),
    );
    return { id: await detail.getAttribute('data-run-id'), status: await detail.getAttribute('data-status'), steps };
  }

  /**
   * The log of one step of the shown run.
   * @param {string} step
   */
  async stepLog(step) {
    const row = this.byTestId('pipeline-run-detail').locator(`[data-testid="pipeline-step"][data-step="${step}"]`);
    await row.locator('summary').click();
    return row.locator('[data-testid="pipeline-step-log"]').innerText();
  }

  /** The history rows: id, status and each step's status. */
  async history() {
    return this.byTestId('pipeline-history').locator('[data-testid="pipeline-history-item"]').evaluateAll((rows) =>
      rows.map((r) => ({
        id: r.getAttribute('data-run-id'),
        status: r.getAttribute('data-status'),
        steps: [...r.querySelectorAll('[data-step]')].map((s) => `${s.getAttribute('data-step')}:${s.getAttribute('data-status')}`).join(' '),
      })),
    );
  }
}
