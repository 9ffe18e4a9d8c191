// @ts-check
/**
 * Page object for the Features view: the feature spec editor, ranking, the selection (top-K and
 * manual picks), the dropped sensors and a feature's trend.
 */
import { chartState, readNumber } from './chart.mjs';

/** @typedef {import('playwright-core').Page} Page */

const RANK_TIMEOUT_MS = 120_000;

export class FeaturesPage {
  /** @param {Page} page */
  constructor(page) {
    this.page = page;
  }

  /** @param {string} id */
  byTestId(id) {
    return this.page.getByTestId(id);
  }

  /** Opens the view from the navigation and waits until the spec editor (Monaco) is ready. */
  async open() {
    await this.byTestId('nav-features').click();
    await this.byTestId('features-view').waitFor();
    await this.page.locator('[data-testid="feature-spec-editor"][data-ready="true"]').waitFor();
  }

  /** @param {string} datasetId */
  async chooseDataset(datasetId) {
    await this.byTestId('dataset-picker').selectOption(datasetId);
  }

  /** The dataset the view works on. */
  async datasetId() {
    return this.byTestId('dataset-picker').inputValue();
  }

  async canRank() {
    return this.byTestId('rank-button').isEnabled();
  }

  /**
   * Starts a ranking and waits for it to end.
   * @returns {Promise<{ outcome: 'done'|'error'|'cancelled', sawProgress: boolean }>}
   */
  async rank() {
    await this.byTestId('rank-button').click();
    const progress = this.byTestId('rank-progress');
    const sawProgress = await progress
      .waitFor({ timeout: 5000 })
      .then(() => true)
      .catch(() => false);
    return { ...(await this.waitForRankEnd()), sawProgress };
  }

  /** Starts a ranking and cancels it as soon as its progress shows. */
  async rankAndCancel() {
    await this.byTestId('rank-button').click();
    await this.byTestId('rank-progress').waitFor();
    await this.byTestId('rank-progress-cancel').click();
    return this.waitForRankEnd();
  }

  /** @returns {Promise<{ outcome: 'done'|'error'|'cancelled' }>} */
  async waitForRankEnd() {
    const end = this.page.locator(
      '[data-testid="rank-done"], [data-testid="rank-error"], [data-testid="rank-cancelled"]',
    );
    await end.first().waitFor({ timeout: RANK_TIMEOUT_MS });
    const id = await end.first().getAttribute('data-testid');
    return { outcome: id === 'rank-done' ? 'done' : id === 'rank-error' ? 'error' : 'cancelled' };
  }

  async rankErrorText() {
    return (await this.byTestId('rank-error').innerText()).trim();
  }

  async engineeredCount() {
    return readNumber(await this.byTestId('ranking-engineered').innerText());
  }

  /** Sensors listed as dropped, with their reasons. */
  async droppedSensors() {
    return this.page.locator('[data-testid="dropped-sensor"]').evaluateAll((els) =>
      els.map((e) => ({
        name: e.getAttribute('data-sensor') ?? '',
        reason: e.querySelector('.dropped-list__reason')?.textContent ?? '',
      })),
    );
  }

  /** @param {'rank'|'name'|'combined'|'mutualInfo'|'spearman'|'monotonicity'|'trendability'|'prognosability'|'gain'} key */
  async sortBy(key) {
    await this.byTestId(`ranking-sort-${key}`).click();
  }

  /** Feature names and ranks of the rows in view, top to bottom. */
  async visibleRows() {
    return this.page.locator('[data-testid="ranking-row"]').evaluateAll((els) =>
      els
        .map((e) => ({
          name: e.getAttribute('data-feature') ?? '',
          rank: Number(e.getAttribute('data-rank')),
          selected: e.getAttribute('data-selected') === 'true',
          top: e.getBoundingClientRect().top,
          cells: [...e.querySelectorAll('[role="cell"]')].map((c) => c.textContent ?? ''),
          title: e.querySelector('[data-testid="ranking-feature-name"]')?.getAttribute('title') ?? '',
        }))
        .sort((a, b) => a.top - b.top),
    );
  }

  /** @param {string} text */
  async filter(text) {
    await this.byTestId('ranking-filter').fill(text);
  }

  /**
   * Sets the top-K cut with the slider.
   * @param {number} k
   */
  async setTopK(k) {
    await this.byTestId('topk-slider').fill(String(k));
  }

  /**
   * Ticks (or unticks) one feature's checkbox, finding it through the filter.
   * @param {string} name
   * @param {boolean} checked
   */
  async pick(name, checked = true) {
    await this.filter(name);
    const box = this.byTestId(`ranking-pick-${name}`);
    await box.setChecked(checked);
    await this.filter('');
  }

  async selectedCount() {
    return readNumber(await this.byTestId('selected-count').innerText());
  }

  async selectionBreakdown() {
    return (await this.byTestId('selected-breakdown').innerText()).trim();
  }

  async selectionNote() {
    return (await this.byTestId('selection-config-note').innerText()).trim();
  }

  /** Clicks a feature's name to plot its trend. */
  /** @param {string} name */
  async focus(name) {
    await this.filter(name);
    await this.page
      .locator(`[data-testid="ranking-row"][data-feature="${name}"] [data-testid="ranking-feature-name"]`)
      .click();
    await this.filter('');
  }

  async trendFeature() {
    return (await this.byTestId('trend-feature').innerText()).trim();
  }

  barChart() {
    return chartState(this.page, 'feature-bar-chart');
  }

  /**
   * Waits until the trend chart shows the given feature, then reports how it is drawn.
   * @param {string} feature
   */
  async trendChart(feature) {
    await this.page.locator(`[data-testid="trend-chart"][aria-label^="Trend of ${feature} "]`).waitFor();
    return chartState(this.page, 'trend-chart');
  }

  /** Problems listed under the spec editor (empty when valid). */
  async specIssues() {
    const list = this.byTestId('feature-spec-issues');
    return (await list.count()) === 0 ? [] : list.locator('li').allInnerTexts();
  }

  /**
   * Replaces the spec editor's document by typing into Monaco.
   * @param {string} json  one line of JSON
   */
  async replaceSpec(json) {
    const editor = this.byTestId('feature-spec-editor');
    await editor.locator('.monaco-editor').click();
    await this.page.keyboard.press('ControlOrMeta+A');
    await this.page.keyboard.press('Delete');
    await this.page.keyboard.insertText(json);
  }

  /** How many diagnostics Monaco shows for the spec document. */
  async specMarkers() {
    return Number(await this.byTestId('feature-spec-editor').getAttribute('data-markers'));
  }

  /** The text Monaco shows (the lines in view). */
  async specText() {
    const text = await this.byTestId('feature-spec-editor').locator('.view-lines').innerText();
    // the editor draws spaces as no-break spaces
    return text.replace(/\u00a0/g, ' ');
  }
}
