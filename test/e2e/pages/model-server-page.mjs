// @ts-check
/**
 * Page object for the Export view's "Model server" panel: start and stop a local model server for the
 * selected bundle, read its URL, metrics and recent predictions, and try one unit through it.
 */

/** @typedef {import('playwright-core').Page} Page */

const START_TIMEOUT_MS = 150_000;

export class ModelServerPage {
  /** @param {Page} page */
  constructor(page) {
    this.page = page;
    this.panel = page.getByTestId('model-server');
  }

  /** @param {string} id */
  byTestId(id) {
    return this.panel.getByTestId(id);
  }

  async state() {
    return this.panel.getAttribute('data-state');
  }

  /** @param {string | string[]} states */
  async waitForState(states, timeout = START_TIMEOUT_MS) {
    const list = Array.isArray(states) ? states : [states];
    await this.page
      .locator(list.map((s) => `[data-testid="model-server"][data-state="${s}"]`).join(', '))
      .first()
      .waitFor({ timeout });
    return this.state();
  }

  /**
   * Fills the form and clicks Start; resolves with the state it ends in (ready or failed).
   * @param {{ port?: number, ttl?: number, requireSigned?: boolean }} [options]
   */
  async start(options = {}) {
    if (options.port !== undefined) await this.byTestId('model-server-port').fill(String(options.port));
    if (options.ttl !== undefined) await this.byTestId('model-server-ttl').fill(String(options.ttl));
    if (options.requireSigned !== undefined)
      await this.byTestId('model-server-require-signed').setChecked(options.requireSigned);
    await this.byTestId('model-server-start').click();
    return this.waitForState(['ready', 'failed']);
  }

  async stop() {
    await this.byTestId('model-server-stop').click();
    return this.waitForState('stopped', 30_000);
  }

  async url() {
    return this.byTestId('model-server-url-text').innerText();
  }

  async errorText() {
    return this.byTestId('model-server-error').innerText();
  }

  /** The metric summary as shown: { requests, p50, p99, cache, predictions, alerts } → displayed value. */
  async metrics() {
    return this.byTestId('model-server-metrics')
      .locator('[data-value]')
      .evaluateAll((els) =>
        Object.fromEntries(
          els.map((e) => [
            (e.getAttribute('data-testid') ?? '').replace('model-server-metric-', ''),
            e.getAttribute('data-value') ?? '',
          ]),
        ),
      );
  }

  /** @param {number} predictions */
  async waitForPredictions(predictions) {
    await this.page
      .locator(`[data-testid="model-server-metric-predictions"][data-value="${predictions}"]`)
      .waitFor({ timeout: 30_000 });
  }

  /**
   * Sends the chosen dataset's unit to POST /predict; resolves with what the answer box shows.
   * @param {{ unit?: number }} [options]
   */
  async tryIt(options = {}) {
    const tryBox = this.byTestId('model-server-try');
    await tryBox.waitFor();
    const unitSelect = tryBox.getByTestId('model-server-try-unit');
    await this.page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="model-server-try-unit"]');
      return el instanceof HTMLSelectElement && el.options.length > 0;
    });
    if (options.unit !== undefined) await unitSelect.selectOption(String(options.unit));
    const before = await this.page.locator('[data-testid="model-server-try-result"]').count();
    await tryBox.getByTestId('model-server-try-send').click();
    if (before > 0) await this.page.locator('[data-testid="model-server-try-send"]:not([disabled])').waitFor();
    const result = this.byTestId('model-server-try-result');
    await result.waitFor({ timeout: 60_000 });
    const prediction = result.getByTestId('model-server-try-prediction');
    return {
      status: Number(await result.getAttribute('data-status')),
      cache: await result.getAttribute('data-cache'),
      text: await result.innerText(),
      unit: (await prediction.count()) > 0 ? Number(await prediction.getAttribute('data-unit')) : null,
      probability: (await prediction.count()) > 0 ? Number(await prediction.getAttribute('data-probability')) : null,
    };
  }

  /** The recent-predictions rows as shown, newest first. */
  async recent() {
    return this.panel.locator('[data-testid="model-server-recent-row"]').evaluateAll((rows) =>
      rows.map((r) => ({
        unit: Number(r.getAttribute('data-unit')),
        cycle: Number(r.getAttribute('data-cycle')),
        cacheHit: r.getAttribute('data-cache-hit') === 'true',
        cells: Array.from(r.querySelectorAll('td')).map((td) => td.textContent ?? ''),
      })),
    );
  }

  /** @param {number} n */
  async waitForRecentRows(n) {
    await this.page.waitForFunction(
      (count) => document.querySelectorAll('[data-testid="model-server-recent-row"]').length >= count,
      n,
      { timeout: 30_000 },
    );
  }
}
