// @ts-check
/** Page object for the Sweep view: write a search space, start a sweep, watch its trials. */

/** @typedef {import('playwright-core').Page} Page */

const SWEEP_TIMEOUT_MS = 170_000;

export class SweepPage {
  /** @param {Page} page */
  constructor(page) {
    this.page = page;
  }

  /** @param {string} id */
  byTestId(id) {
    return this.page.getByTestId(id);
  }

  async open() {
    await this.byTestId('nav-sweep').click();
    await this.byTestId('sweep-view').waitFor();
    await this.page.locator('[data-testid="sweep-space-editor"][data-ready="true"]').waitFor();
  }

  /**
   * Replaces the space by typing into Monaco.
   * @param {string} json  one line of JSON
   */
  async replaceSpace(json) {
    const editor = this.byTestId('sweep-space-editor');
    await editor.locator('.monaco-editor').click();
    await this.page.keyboard.press('ControlOrMeta+A');
    await this.page.keyboard.press('Delete');
    await this.page.keyboard.insertText(json);
  }

  /** How many diagnostics Monaco shows; waits until it settles on a non-zero count when asked to. */
  async markers() {
    return Number(await this.byTestId('sweep-space-editor').getAttribute('data-markers'));
  }

  /** @param {number} n */
  async setTrials(n) {
    await this.byTestId('sweep-trials-count').fill(String(n));
  }

  async start() {
    await this.byTestId('sweep-start').click();
  }

  async errorText() {
    await this.byTestId('sweep-error').waitFor();
    return this.byTestId('sweep-error').innerText();
  }

  /** The trial rows' statuses as shown. */
  async trialStatuses() {
    return this.page.locator('[data-testid="sweep-trial"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status') ?? ''));
  }

  /** Waits until some trial is shown running (the table follows the job live). */
  async waitForRunningTrial() {
    await this.page.locator('[data-testid="sweep-trial"][data-status="running"]').first().waitFor({ timeout: SWEEP_TIMEOUT_MS });
  }

  /** Waits for the sweep to end and returns its status. */
  async waitForEnd() {
    await this.page.locator('[data-testid="sweep-detail"]:not([data-status="running"])').waitFor({ timeout: SWEEP_TIMEOUT_MS });
    return this.byTestId('sweep-detail').getAttribute('data-status');
  }

  async bestText() {
    return (await this.byTestId('sweep-best').innerText()).trim();
  }

  async promote() {
    await this.byTestId('sweep-promote').click();
  }
}
