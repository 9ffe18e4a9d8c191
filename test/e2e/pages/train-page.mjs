// @ts-check
/**
 * Page object for the Train view: the config form and its JSON twin, starting and following a run,
 * and the run list.
 */
import { chartState, readNumber } from './chart.mjs';

/** @typedef {import('playwright-core').Page} Page */

const TRAIN_TIMEOUT_MS = 150_000;

export class TrainPage {
  /** @param {Page} page */
  constructor(page) {
    this.page = page;
  }

  /** @param {string} id */
  byTestId(id) {
    return this.page.getByTestId(id);
  }

  async open() {
    await this.byTestId('nav-train').click();
    await this.byTestId('config-form').waitFor();
  }

  /**
   * Picks the dataset to train on (the picker starts at the newest one).
   * @param {string} datasetId
   */
  async selectDataset(datasetId) {
    await this.byTestId('dataset-picker').selectOption(datasetId);
  }

  /**
   * Types a value into a form field, e.g. setField('gbdt.nEstimators', '30').
   * @param {string} path  dot-separated config path
   * @param {string} value
   */
  async setField(path, value) {
    const input = this.byTestId(`field-${path.replace(/\./g, '-')}`);
    await input.fill(value);
    await input.blur();
  }

  /**
   * Chooses the models to train: 'gbdt' (GBDT only) or 'both' (GBDT + LSTM).
   * @param {'gbdt'|'both'} choice
   */
  async setModels(choice) {
    await this.byTestId(`field-models-${choice}`).check();
    if (choice === 'both') await this.byTestId('config-lstm').waitFor();
    else await this.byTestId('config-lstm').waitFor({ state: 'detached' });
  }

  /** @param {string} path */
  async fieldValue(path) {
    return this.byTestId(`field-${path.replace(/\./g, '-')}`).inputValue();
  }

  /** The inline error under a field, or null. */
  /** @param {string} path */
  async fieldError(path) {
    const error = this.byTestId(`field-${path.replace(/\./g, '-')}-error`);
    return (await error.count()) === 0 ? null : (await error.innerText()).trim();
  }

  async splitError() {
    const error = this.byTestId('field-split-error');
    return (await error.count()) === 0 ? null : (await error.innerText()).trim();
  }

  async canStart() {
    return this.byTestId('train-start').isEnabled();
  }

  async featureSummary() {
    return (await this.byTestId('train-feature-summary').innerText()).trim();
  }

  /** @param {'form'|'json'} tab */
  async showTab(tab) {
    await this.byTestId(`tab-${tab}`).click();
    if (tab === 'json') await this.page.locator('[data-testid="train-config-editor"][data-ready="true"]').waitFor();
  }

  /**
   * Finds text in the JSON editor with its find widget and returns the lines then in view.
   * @param {string} text
   */
  async jsonAround(text) {
    const editor = this.byTestId('train-config-editor');
    await editor.locator('.monaco-editor').click();
    await this.page.keyboard.press('ControlOrMeta+F');
    await this.page.keyboard.insertText(text);
    await this.page.keyboard.press('Enter');
    await this.page.keyboard.press('Escape');
    // the editor draws spaces as no-break spaces
    return (await editor.locator('.view-lines').innerText()).replace(/\u00a0/g, ' ');
  }

  /**
   * Replaces the whole JSON document by typing into Monaco.
   * @param {string} json  one line of JSON
   */
  async replaceJson(json) {
    const editor = this.byTestId('train-config-editor');
    await editor.locator('.monaco-editor').click();
    await this.page.keyboard.press('ControlOrMeta+A');
    await this.page.keyboard.press('Delete');
    await this.page.keyboard.insertText(json);
  }

  /**
   * Starts training and waits for the run to end, reading the outcome from the page.
   * @returns {Promise<{ outcome: 'done'|'error'|'cancelled', runId: string | null, sawProgress: boolean }>}
   */
  async train() {
    await this.byTestId('train-start').click();
    const sawProgress = await this.byTestId('train-progress')
      .waitFor({ timeout: 10_000 })
      .then(() => true)
      .catch(() => false);
    return { ...(await this.waitForRunEnd()), sawProgress };
  }

  /** Starts training and returns the new run's id once the run list shows it running. */
  async startOnly() {
    await this.byTestId('train-start').click();
    await this.byTestId('train-progress').waitFor();
    const row = this.page.locator('[data-testid="run-row"].is-highlighted[data-status="running"]');
    await row.waitFor();
    const runId = await row.getAttribute('data-run-id');
    if (runId === null) throw new Error('the running run has no id');
    return runId;
  }

  /** Starts training and cancels once the first losses are drawn. */
  async trainAndCancel() {
    await this.byTestId('train-start').click();
    await this.byTestId('train-progress').waitFor();
    await this.byTestId('train-progress-cancel').click();
    return this.waitForRunEnd();
  }

  /** @returns {Promise<{ outcome: 'done'|'error'|'cancelled', runId: string | null }>} */
  async waitForRunEnd() {
    const end = this.page.locator(
      '[data-testid="train-done"], [data-testid="train-error"], [data-testid="train-cancelled"]',
    );
    await end.first().waitFor({ timeout: TRAIN_TIMEOUT_MS });
    const id = await end.first().getAttribute('data-testid');
    const outcome = id === 'train-done' ? 'done' : id === 'train-error' ? 'error' : 'cancelled';
    return { outcome, runId: outcome === 'done' ? await end.first().getAttribute('data-run-id') : null };
  }

  async errorText() {
    return (await this.byTestId('train-error').innerText()).trim();
  }

  lossChart() {
    return chartState(this.page, 'train-loss-chart');
  }

  lstmLossChart() {
    return chartState(this.page, 'train-lstm-loss-chart');
  }

  async lstmEpochsText() {
    return (await this.byTestId('train-lstm-epochs').innerText()).trim();
  }

  async iterationsText() {
    return (await this.byTestId('train-iterations').innerText()).trim();
  }

  /** The run list's rows as shown. */
  async runs() {
    await this.page.locator('[data-testid="run-list"], [data-testid="runs-empty"]').first().waitFor();
    return this.page.locator('[data-testid="run-row"]').evaluateAll((rows) =>
      rows.map((r) => ({
        runId: r.getAttribute('data-run-id') ?? '',
        status: r.getAttribute('data-status') ?? '',
        statusText: r.querySelector('[data-testid="run-status"]')?.textContent ?? '',
        valF2: r.querySelector('[data-testid="run-val-f2"]')?.textContent ?? '',
        testF2: r.querySelector('[data-testid="run-test-f2"]')?.textContent ?? '',
      })),
    );
  }

  /**
   * Waits until the run list shows the run with the given status.
   * @param {string} runId
   * @param {string} status
   */
  async waitForRunRow(runId, status) {
    await this.page.locator(`[data-testid="run-row"][data-run-id="${runId}"][data-status="${status}"]`).waitFor();
  }

  /** @param {string} runId */
  async deleteRun(runId) {
    const row = this.page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`);
    await row.getByTestId('run-delete').click();
    await this.byTestId('confirm-dialog-confirm').click();
    await row.waitFor({ state: 'detached' });
  }

  /** Follows the "Open results" link of the finished run. */
  async openResults() {
    await this.byTestId('train-open-results').click();
  }

  /** @param {string} text */
  static number(text) {
    return readNumber(text);
  }
}
