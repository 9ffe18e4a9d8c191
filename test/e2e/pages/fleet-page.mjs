// @ts-check
/** Page object for the Fleet view: score a fleet with a bundle or a run, read the ranking and the chart. */
import { chartState, readNumber } from './chart.mjs';

/** @typedef {import('playwright-core').Page} Page */

const SCORE_TIMEOUT_MS = 90_000;

export class FleetPage {
  /** @param {Page} page */
  constructor(page) {
    this.page = page;
  }

  /** @param {string} id */
  byTestId(id) {
    return this.page.getByTestId(id);
  }

  async open() {
    await this.byTestId('nav-fleet').click();
    await this.byTestId('fleet-view').waitFor();
    await this.page.locator('[data-testid="fleet-dataset"]:not([disabled])').waitFor();
  }

  /** @param {string} datasetId */
  async chooseDataset(datasetId) {
    await this.byTestId('fleet-dataset').selectOption(datasetId);
  }

  /** The scorer choices: `bundle:<id>` and `run:<id>` values with their labels. */
  async scorers() {
    return this.byTestId('fleet-scorer')
      .locator('option')
      .evaluateAll((opts) => opts.map((o) => ({ value: o.getAttribute('value') ?? '', label: o.textContent ?? '' })));
  }

  /** @param {{ bundleId: string } | { runId: string }} scorer */
  async chooseScorer(scorer) {
    const value = 'bundleId' in scorer ? `bundle:${scorer.bundleId}` : `run:${scorer.runId}`;
    await this.page.locator(`[data-testid="fleet-scorer"] option[value="${value}"]`).waitFor({ state: 'attached' });
    await this.byTestId('fleet-scorer').selectOption(value);
    return value;
  }

  /**
   * Scores the fleet with the chosen scorer and waits for its ranking (or an error).
   * @returns {Promise<{ outcome: 'done'|'error', engine: string | null }>}
   */
  async score() {
    const scorer = await this.byTestId('fleet-scorer').inputValue();
    const dataset = await this.byTestId('fleet-dataset').inputValue();
    await this.byTestId('fleet-score').click();
    const end = this.page.locator(
      `[data-testid="fleet-results"][data-scorer="${scorer}"][data-dataset-id="${dataset}"], [data-testid="fleet-error"]`,
    );
    await end.first().waitFor({ timeout: SCORE_TIMEOUT_MS });
    if ((await end.first().getAttribute('data-testid')) === 'fleet-error') return { outcome: 'error', engine: null };
    return { outcome: 'done', engine: await end.first().getAttribute('data-engine') };
  }

  async errorText() {
    return (await this.byTestId('fleet-error').innerText()).trim();
  }

  /**
   * A summary figure as shown and as a number.
   * @param {'units'|'alerts'|'threshold'|'window'|'true-alerts'|'false-alarms'|'missed'} name
   */
  async figure(name) {
    const text = (await this.byTestId(`fleet-${name}`).innerText()).trim();
    return { text, value: readNumber(text.split(' ')[0] ?? '') };
  }

  /** The ranked rows now in the page (the table is virtualised), top to bottom. */
  async visibleRows() {
    await this.byTestId('fleet-row').first().waitFor();
    const rows = await this.page.locator('[data-testid="fleet-row"]').evaluateAll((els) =>
      els.map((r) => ({
        unit: Number(r.getAttribute('data-unit')),
        rank: Number(r.getAttribute('data-rank')),
        probability: Number(r.getAttribute('data-probability')),
        probabilityText: r.querySelector('[data-testid="fleet-probability"]')?.textContent ?? '',
        alert: r.getAttribute('data-alert') === 'true',
        badge: r.querySelector('[data-testid="fleet-alert-badge"]') !== null,
        gbdt: r.querySelector('[data-testid="fleet-part-gbdt"]')?.textContent ?? '',
        rul: r.querySelector('[data-testid="fleet-true-rul"]')?.textContent ?? '',
        predictedRul: r.querySelector('[data-testid="fleet-rul"]')?.textContent ?? null,
        rulValue: Number(r.querySelector('[data-testid="fleet-rul"]')?.getAttribute('data-rul') ?? Number.NaN),
        plotted: r.querySelector('input[type="checkbox"]')?.checked === true,
        top: r.getBoundingClientRect().top,
      })),
    );
    return rows.sort((a, b) => a.top - b.top);
  }

  async plottedCount() {
    return readNumber((await this.byTestId('fleet-plotted-count').innerText()).trim().split(' ')[0] ?? '');
  }

  chart() {
    return chartState(this.page, 'fleet-chart');
  }

  /** @param {'cycle'|'rul'} axis */
  async setChartAxis(axis) {
    await this.byTestId(`fleet-chart-axis-${axis}`).check();
  }

  /** @param {number} unit */
  async togglePlot(unit) {
    await this.byTestId(`fleet-plot-${unit}`).click();
  }
}
