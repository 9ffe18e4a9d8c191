// @ts-check
/** Page object for the Ensemble view: the weight and threshold sliders, live figures, optimise and save. */
import { chartState, readNumber } from './chart.mjs';

/** @typedef {import('playwright-core').Page} Page */

export class EnsemblePage {
  /** @param {Page} page */
  constructor(page) {
    this.page = page;
  }

  /** @param {string} id */
  byTestId(id) {
    return this.page.getByTestId(id);
  }

  async open() {
    await this.byTestId('nav-ensemble').click();
    await this.byTestId('ensemble-view').waitFor();
  }

  /** @param {string} runId */
  async waitForRun(runId) {
    await this.page.locator(`[data-testid="ensemble-run"][data-run-id="${runId}"]`).waitFor();
    await this.byTestId('ensemble-figures').waitFor();
  }

  /** The weight and threshold stored with the run (as runs:get answered). */
  async saved() {
    const run = this.byTestId('ensemble-run');
    return {
      weight: Number(await run.getAttribute('data-saved-weight')),
      threshold: Number(await run.getAttribute('data-saved-threshold')),
    };
  }

  /** @param {'f2'|'precision'|'recall'|'f1'|'rocauc'} key */
  async figure(key) {
    const el = this.byTestId(`ensemble-${key}`);
    return { text: (await el.innerText()).trim(), value: Number(await el.getAttribute('data-value')) };
  }

  async figures() {
    return {
      f2: await this.figure('f2'),
      precision: await this.figure('precision'),
      recall: await this.figure('recall'),
      f1: await this.figure('f1'),
      rocAuc: await this.figure('rocauc'),
    };
  }

  async weight() {
    return readNumber(await this.byTestId('ensemble-weight-value').innerText());
  }

  async threshold() {
    return Number(await this.byTestId('ensemble-figures').getAttribute('data-threshold'));
  }

  async saveState() {
    return this.byTestId('ensemble-save-state').getAttribute('data-state');
  }

  /** @param {'tp'|'fp'|'tn'|'fn'} key */
  async confusion(key) {
    return readNumber(await this.byTestId(`ensemble-confusion-${key}`).innerText());
  }

  /**
   * Moves the weight slider as an input event would and measures, in the page, the time from the
   * event to the recomputed figures being in the document.
   * @param {number} weight
   * @returns {Promise<number>} milliseconds
   */
  async moveWeight(weight) {
    return this.page.evaluate(async (w) => {
      const slider = /** @type {HTMLInputElement} */ (document.querySelector('[data-testid="ensemble-weight-slider"]'));
      const figures = document.querySelector('[data-testid="ensemble-figures"]');
      if (slider === null || figures === null) throw new Error('the ensemble sliders are not shown');
      const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set;
      if (setValue === undefined) throw new Error('no value setter');
      const done = () => Number(figures.getAttribute('data-weight')) === w;
      const updated = new Promise((resolve) => {
        const observer = new MutationObserver(() => {
          if (done()) {
            observer.disconnect();
            resolve(undefined);
          }
        });
        observer.observe(figures, { attributes: true });
      });
      const started = performance.now();
      setValue.call(slider, String(w));
      slider.dispatchEvent(new Event('input', { bubbles: true }));
      if (!done()) await updated;
      return performance.now() - started;
    }, weight);
  }

  async optimise() {
    await this.byTestId('ensemble-optimise').click();
    await this.byTestId('ensemble-optimised').waitFor();
  }

  async save() {
    await this.byTestId('ensemble-save').click();
    await this.page.locator('[data-testid="ensemble-save-state"][data-state="saved"]').waitFor();
  }

  /** @param {'ensemble-roc'|'ensemble-pr'|'ensemble-grid'} name */
  chart(name) {
    return chartState(this.page, `${name}-chart`);
  }
}
