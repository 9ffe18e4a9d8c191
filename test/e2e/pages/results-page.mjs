// @ts-check
/** Page object for the Results view of one run: metrics, threshold, curves, importance. */
import { chartState, readNumber } from './chart.mjs';

/** @typedef {import('playwright-core').Page} Page */

export class ResultsPage {
  /** @param {Page} page */
  constructor(page) {
    this.page = page;
  }

  /** @param {string} id */
  byTestId(id) {
    return this.page.getByTestId(id);
  }

  /** @param {string} runId */
  async waitForRun(runId) {
    await this.page.locator(`[data-testid="results-run"][data-run-id="${runId}"]`).waitFor();
    await this.byTestId('metrics-table').waitFor();
  }

  /**
   * Waits until the view shows the run still training, with its progress.
   * @param {string} runId
   */
  async waitForRunning(runId) {
    await this.page.locator(`[data-testid="results-run"][data-run-id="${runId}"][data-status="running"]`).waitFor();
    await this.byTestId('results-progress').waitFor();
  }

  async cancelRunning() {
    await this.byTestId('results-progress-cancel').click();
  }

  /**
   * @param {string} runId
   * @param {string} status
   */
  async waitForStatus(runId, status) {
    await this.page
      .locator(`[data-testid="results-run"][data-run-id="${runId}"][data-status="${status}"]`)
      .waitFor({ timeout: 60_000 });
  }

  /**
   * One cell of the metrics table, as shown and as a number, with its tooltip.
   * @param {'validation'|'test'} split
   * @param {'f2'|'f1'|'precision'|'recall'|'rocAuc'|'prAuc'|'brier'|'n'|'positives'} key
   */
  async metric(split, key, model = 'gbdt') {
    const cell = this.byTestId(`metric-${model}-${split}-${key}`);
    const text = (await cell.innerText()).trim();
    return { text, value: readNumber(text), title: await cell.getAttribute('title') };
  }

  /** @param {'roc'|'pr'|'importance'|'results-loss'|'threshold'} name */
  chart(name) {
    return chartState(this.page, `${name}-chart`);
  }

  /** The calibration panel: the method in force and the ECE of each split as numbers (null when shown as —). */
  async calibration() {
    const panel = this.byTestId('calibration-panel');
    await panel.waitFor();
    const ece = async (/** @type {'validation'|'test'} */ split) => {
      const v = await this.byTestId(`calibration-ece-${split}-value`).getAttribute('data-value');
      return v === null || v === '' ? null : Number(v);
    };
    return {
      method: await panel.getAttribute('data-method'),
      text: (await this.byTestId('calibration-method').innerText()).trim(),
      validation: await ece('validation'),
      test: await ece('test'),
    };
  }

  /** The live figure next to the threshold slider. */
  /** @param {'f2'|'f1'|'precision'|'recall'|'flagged'} key */
  async thresholdFigure(key) {
    const text = (await this.byTestId(`threshold-${key}`).innerText()).trim();
    return { text, value: readNumber(text) };
  }

  async threshold() {
    return readNumber(await this.byTestId('threshold-input').inputValue());
  }

  async tunedThreshold() {
    return readNumber(await this.byTestId('threshold-tuned').innerText());
  }

  /** @param {number} t */
  async moveThreshold(t) {
    await this.byTestId('threshold-slider').fill(String(t));
  }

  async resetThreshold() {
    await this.byTestId('threshold-reset').click();
  }

  /** @param {'validation'|'test'} split */
  async confusion(split) {
    const read = async (/** @type {string} */ k) =>
      readNumber(await this.byTestId(`confusion-${split}-${k}`).innerText());
    return { tp: await read('tp'), fp: await read('fp'), tn: await read('tn'), fn: await read('fn') };
  }

  /** Units per split as listed. */
  async units() {
    const read = async (/** @type {string} */ p) => {
      const text = await this.byTestId(`results-units-${p}`).innerText();
      return readNumber(text.split('(')[0] ?? '');
    };
    return { train: await read('train'), validation: await read('validation'), test: await read('test') };
  }
}
