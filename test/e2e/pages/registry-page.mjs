// @ts-check
/**
 * Page object for the Registry view: register a run or bundle under a model name, the models with
 * their versions and stage badges, promotion with its checks, the history and the lineage.
 */

/** @typedef {import('playwright-core').Page} Page */

export class RegistryPage {
  /** @param {Page} page */
  constructor(page) {
    this.page = page;
  }

  /** @param {string} id */
  byTestId(id) {
    return this.page.getByTestId(id);
  }

  async open() {
    await this.byTestId('nav-registry').click();
    await this.byTestId('registry-view').waitFor();
    await this.page.locator('[data-testid="registry-empty"], [data-testid^="registry-model-"]').first().waitFor();
  }

  /**
   * Registers a run (`run:<id>`) or bundle (`bundle:<id>`) under `model`; returns the notice or error text.
   * @param {string} sourceKey
   * @param {string} model
   */
  async register(sourceKey, model) {
    const source = this.byTestId('registry-register-source');
    await source.locator(`option[value="${sourceKey}"]`).waitFor({ state: 'attached' });
    await source.selectOption(sourceKey);
    await this.byTestId('registry-register-model').fill(model);
    await this.byTestId('registry-register-submit').click();
    const shown = this.page.locator('[data-testid="registry-register-notice"], [data-testid="registry-register-error"]').first();
    await shown.waitFor();
    return (await shown.textContent()) ?? '';
  }

  /** @param {string} model @param {number} version */
  version(model, version) {
    return this.byTestId(`registry-version-${model}-${version}`);
  }

  /** @param {string} model @param {number} version */
  async stageOf(model, version) {
    return ((await this.version(model, version).getByTestId('registry-stage-badge').textContent()) ?? '').trim();
  }

  /** @param {string} model @param {number} version @param {string} stage */
  async waitForStage(model, version, stage) {
    await this.version(model, version).getByTestId('registry-stage-badge').filter({ hasText: stage }).waitFor();
  }

  /** @param {string} model @param {number} version */
  async openVersion(model, version) {
    await this.version(model, version).click();
    await this.byTestId('registry-detail').filter({ hasText: `${model} · version ${version}` }).waitFor();
  }

  /**
   * Chooses the target stage and waits for its checks.
   * @param {string} stage
   * @returns {Promise<Record<string, { status: string, detail: string }>>}
   */
  async checksFor(stage) {
    await this.byTestId('registry-promote-stage').selectOption(stage);
    await this.byTestId('registry-checks').waitFor();
    await this.page.waitForFunction(() => !document.querySelector('[data-testid="registry-detail"] .hint')?.textContent?.startsWith('Checking'));
    return this.page.locator('[data-testid^="registry-check-"]').evaluateAll((items) =>
      Object.fromEntries(
        items.map((li) => [
          (li.getAttribute('data-testid') ?? '').replace('registry-check-', ''),
          { status: li.getAttribute('data-status') ?? '', detail: li.querySelector('.registry-check__detail')?.textContent ?? '' },
        ]),
      ),
    );
  }

  /**
   * Promotes to the chosen stage, overriding failed checks with `reason` when `override`; returns the outcome text.
   * @param {{ reason?: string, override?: boolean }} opts
   */
  async promote(opts = {}) {
    if (opts.reason !== undefined) await this.byTestId('registry-reason').fill(opts.reason);
    if (opts.override === true) await this.byTestId('registry-force').check();
    await this.byTestId('registry-promote-submit').click();
    const shown = this.page.locator('[data-testid="registry-promote-outcome"], [data-testid="registry-promote-error"]').first();
    await shown.waitFor();
    return (await shown.textContent()) ?? '';
  }

  /** @returns {Promise<string[][]>} the history table's rows, newest first */
  async history() {
    return this.page.locator('[data-testid="registry-history-row"]').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())));
  }

  /** @returns {Promise<Record<string, string>>} each lineage step's text */
  async lineage() {
    await this.byTestId('registry-lineage').waitFor();
    return this.page.locator('[data-testid="registry-lineage"] > li').evaluateAll((items) =>
      Object.fromEntries(items.map((li) => [(li.getAttribute('data-testid') ?? '').replace('lineage-', ''), (li instanceof HTMLElement ? li.innerText : (li.textContent ?? '')).replace(/\s+/g, ' ').trim()])),
    );
  }
}
