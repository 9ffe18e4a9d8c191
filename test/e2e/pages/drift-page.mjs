// @ts-check
/** Page object for the Drift view: compute a report, re-read it under other rules, read its table and charts. */
import { chartState, readNumber } from './chart.mjs';

/** @typedef {import('playwright-core').Page} Page */

const DRIFT_TIMEOUT_MS = 150_000;

export class DriftPage {
  /** @param {Page} page */
  constructor(page) {
    this.page = page;
  }

  /** @param {string} id */
  byTestId(id) {
    return this.page.getByTestId(id);
  }

  async open() {
    await this.byTestId('nav-drift').click();
    await this.byTestId('drift-view').waitFor();
    await this.page.locator('[data-testid="drift-source"]:not([disabled])').waitFor();
  }

  /** @param {string} runId */
  async chooseRun(runId) {
    const value = `run:${runId}`;
    await this.page.locator(`[data-testid="drift-source"] option[value="${value}"]`).waitFor({ state: 'attached' });
    await this.byTestId('drift-source').selectOption(value);
  }

  /** @param {string} datasetId */
  async chooseDataset(datasetId) {
    await this.page.locator(`[data-testid="drift-dataset"] option[value="${datasetId}"]`).waitFor({ state: 'attached' });
    await this.byTestId('drift-dataset').selectOption(datasetId);
  }

  /** @param {'auto'|'matched'|'unmatched'} comparison */
  async setComparison(comparison) {
    await this.byTestId(`drift-comparison-${comparison}`).check();
  }

  /**
   * @param {'default'|'rows'|'cycles'|'batches'} by
   * @param {number} [size]
   */
  async setChunks(by, size) {
    await this.byTestId('drift-chunk-by').selectOption(by);
    if (size !== undefined) await this.byTestId('drift-chunk-size').fill(String(size));
  }

  /**
   * Clicks a button that starts a drift job and waits for the new report (or an error).
   * @param {string} button
   * @returns {Promise<{ outcome: 'done'|'error', reportId: string | null, sawProgress: boolean }>}
   */
  async runJob(button) {
    const before = await this.openReportId();
    await this.byTestId(button).click();
    const sawProgress = await this.byTestId('drift-job')
      .waitFor({ timeout: 10_000 })
      .then(() => true)
      .catch(() => false);
    const end = this.page.locator(
      `[data-testid="drift-report"]:not([data-report-id="${before ?? ''}"]), [data-testid="drift-error"], [data-testid="drift-open-error"]`,
    );
    await end.first().waitFor({ timeout: DRIFT_TIMEOUT_MS });
    if ((await end.first().getAttribute('data-testid')) !== 'drift-report') return { outcome: 'error', reportId: null, sawProgress };
    return { outcome: 'done', reportId: await end.first().getAttribute('data-report-id'), sawProgress };
  }

  /** Computes drift for the chosen model and fleet. */
  compute() {
    return this.runJob('drift-compute');
  }

  /** Stores a new report with the rule now set in the controls. */
  computeAgain() {
    return this.runJob('drift-recompute');
  }

  async errorText() {
    const e = this.page.locator('[data-testid="drift-error"], [data-testid="drift-open-error"]');
    return (await e.first().innerText()).trim();
  }

  async openReportId() {
    const r = this.byTestId('drift-report');
    return (await r.count()) === 0 ? null : r.getAttribute('data-report-id');
  }

  /**
   * A summary figure as shown.
   * @param {'drifted'|'dataset-drift'|'estimated-f2'|'pca'|'domain-auc'|'prediction'} name
   */
  async figure(name) {
    return (await this.byTestId(`drift-${name}`).innerText()).trim();
  }

  /** "7 of 40 features drift" → { drifted: 7, total: 40 } */
  async driftedCount() {
    const text = await this.figure('drifted');
    const m = /^([\d,]+) of ([\d,]+) /.exec(text);
    if (m === null) throw new Error(`unexpected drifted figure: ${text}`);
    return { text, drifted: readNumber(m[1] ?? ''), total: readNumber(m[2] ?? '') };
  }

  async notes() {
    const n = this.byTestId('drift-notes');
    return (await n.count()) === 0 ? [] : n.locator('li').allInnerTexts();
  }

  /**
   * The rows of the column table on the active tab, in the order shown.
   * @param {'features'|'sensors'} [tab]
   */
  async rows(tab = 'features') {
    return this.page.locator(`[data-testid="drift-${tab}-row"]`).evaluateAll((els) =>
      els.map((r) => ({
        name: r.getAttribute('data-name') ?? '',
        method: r.getAttribute('data-method') ?? '',
        score: Number(r.getAttribute('data-score')),
        threshold: Number(r.getAttribute('data-threshold')),
        drifted: r.getAttribute('data-drifted') === 'true',
        cells: [...r.querySelectorAll('th, td')].map((c) => (c.textContent ?? '').trim()),
      })),
    );
  }

  /** @param {'features'|'sensors'} tab */
  async showTab(tab) {
    await this.byTestId(`tab-${tab}`).click();
    await this.page.locator(`[data-testid="drift-${tab}"]`).waitFor();
  }

  /**
   * @param {'features'|'sensors'} tab
   * @param {'name'|'method'|'score'|'threshold'|'pValue'|'exceedance'|'drifted'} key
   */
  async sortBy(tab, key) {
    await this.byTestId(`drift-${tab}-sort-${key}`).click();
  }

  /** @param {'auto'|'psi'|'ks'|'wasserstein'|'jsd'|'hellinger'} method */
  async setMethod(method) {
    await this.byTestId('drift-method').selectOption(method);
    await this.page.locator(`[data-testid="drift-report"][data-method="${method}"]`).waitFor();
  }

  /**
   * @param {'psi'|'ks'|'wasserstein'|'jsd'|'hellinger'} method
   * @param {number} value
   */
  async setThreshold(method, value) {
    await this.byTestId(`drift-threshold-${method}`).fill(String(value));
  }

  async ruleState() {
    return (await this.byTestId('drift-rule-state').innerText()).trim();
  }

  /** @param {string} name */
  async selectColumn(name) {
    await this.page.locator(`[data-testid$="-row"][data-name="${name}"] .drift-table__pick`).click();
    await this.page.locator(`[data-testid="drift-distribution"][data-name="${name}"]`).waitFor();
  }

  async distribution() {
    const wrap = this.byTestId('drift-distribution');
    return {
      name: await wrap.getAttribute('data-name'),
      drifted: (await wrap.getAttribute('data-drifted')) === 'true',
      rule: (await this.byTestId('drift-distribution-rule').innerText()).trim(),
      chart: await chartState(this.page, 'drift-distribution-chart'),
    };
  }

  /** The score chart and how many drifted bars it was drawn with. */
  async scoresChart() {
    return {
      drifted: Number(await this.byTestId('drift-scores-wrap').getAttribute('data-drifted')),
      chart: await chartState(this.page, 'drift-scores-chart'),
    };
  }

  /** @param {string} testId e.g. 'drift-chunk-pca', 'drift-performance-chart' */
  chart(testId) {
    return chartState(this.page, testId);
  }

  /** The chunk charts on the page: their series key and alert count. */
  async chunkCharts() {
    return this.page.locator('[data-testid="drift-chunks"] .drift-chunk').evaluateAll((els) =>
      els.map((e) => ({ testId: e.getAttribute('data-testid') ?? '', key: e.getAttribute('data-key') ?? '', alerts: Number(e.getAttribute('data-alerts')) })),
    );
  }

  /** The stored reports listed for the chosen run. */
  async history() {
    await this.byTestId('drift-history-count').waitFor();
    return this.page.locator('[data-testid="drift-history-item"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-report-id') ?? ''));
  }

  /** @param {string} reportId */
  async openFromHistory(reportId) {
    await this.page.locator(`[data-testid="drift-history-item"][data-report-id="${reportId}"]`).click();
    await this.page.locator(`[data-testid="drift-report"][data-report-id="${reportId}"]`).waitFor();
  }
}
