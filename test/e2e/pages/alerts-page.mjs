// @ts-check
/**
 * Page object for the header's notification bell and its panel: notifications, alert rules and the
 * webhook setting.
 */

/** @typedef {import('playwright-core').Page} Page */

export class AlertsPage {
  /** @param {Page} page */
  constructor(page) {
    this.page = page;
  }

  /** @param {string} id */
  byTestId(id) {
    return this.page.getByTestId(id);
  }

  /** The unread count on the bell (0 when no badge is shown). */
  async unread() {
    const badge = this.byTestId('notification-unread');
    if ((await badge.count()) === 0) return 0;
    return Number(await badge.textContent());
  }

  /**
   * Waits until the bell shows at least `n` unread, without reloading the page.
   * @param {number} n
   * @param {number} [timeout]
   */
  async waitForUnread(n, timeout = 60_000) {
    await this.page.waitForFunction(
      (want) => Number(document.querySelector('[data-testid="notification-unread"]')?.textContent ?? '0') >= want,
      n,
      { timeout },
    );
  }

  async openPanel() {
    if ((await this.byTestId('notification-panel').count()) === 0) await this.byTestId('notification-bell').click();
    await this.byTestId('notification-panel').waitFor();
  }

  /** @param {'notifications'|'rules'|'webhook'} tab */
  async tab(tab) {
    await this.openPanel();
    await this.byTestId('notification-panel').getByTestId(`tab-${tab}`).click();
  }

  /**
   * Adds a rule through the rule editor.
   * @param {{ name: string, metric: string, when: 'above'|'below', value: string, severity: 'info'|'warning'|'critical' }} r
   */
  async addRule(r) {
    await this.tab('rules');
    await this.byTestId('rule-add').click();
    const form = this.byTestId('rule-form');
    await form.getByTestId('rule-name').fill(r.name);
    await form.getByTestId('rule-metric').selectOption(r.metric);
    await form.getByTestId('rule-when').selectOption(r.when);
    await form.getByTestId('rule-value').fill(r.value);
    await form.getByTestId('rule-severity').selectOption(r.severity);
    await form.getByTestId('rule-save').click();
    await this.byTestId('rule-form').waitFor({ state: 'detached' });
  }

  /** Every rule in the editor: name, on/off, the sentence that describes it. */
  async rules() {
    await this.tab('rules');
    await this.byTestId('rule-editor').waitFor();
    return this.byTestId('rule').evaluateAll((items) =>
      items.map((li) => ({
        id: li.getAttribute('data-rule-id'),
        name: li.querySelector('strong')?.textContent ?? '',
        enabled: /** @type {HTMLInputElement | null} */ (li.querySelector('input[type=checkbox]'))?.checked ?? false,
        text: li.querySelector('.muted')?.textContent ?? '',
      })),
    );
  }

  /**
   * Sets the webhook URL and turns it on or off.
   * @param {string} url
   * @param {boolean} enabled
   */
  async setWebhook(url, enabled) {
    await this.tab('webhook');
    await this.byTestId('webhook-url').fill(url);
    const box = this.byTestId('webhook-enabled');
    if ((await box.isChecked()) !== enabled) await box.click();
    await this.byTestId('webhook-save').click();
    await this.byTestId('webhook-saved').waitFor();
    return (await this.byTestId('webhook-saved').textContent()) ?? '';
  }

  /** The notifications the panel lists, newest first. */
  async notifications() {
    await this.tab('notifications');
    await this.byTestId('notification-list').waitFor();
    return this.byTestId('notification').evaluateAll((items) =>
      items.map((li) => ({
        id: li.getAttribute('data-notification-id'),
        severity: li.getAttribute('data-severity'),
        read: li.getAttribute('data-read') === 'true',
        title: li.querySelector('.notification__title')?.textContent ?? '',
        body: li.querySelector('.notification__body')?.textContent ?? '',
        link: li.querySelector('[data-testid="notification-report-link"]')?.getAttribute('href') ?? null,
        delivery: li.querySelector('[data-testid="notification-delivery"]')?.textContent ?? null,
      })),
    );
  }

  /**
   * Waits until the notification's webhook delivery reads as finished (delivered or failed).
   * @param {string} id
   */
  async waitForDelivery(id, timeout = 60_000) {
    await this.page.waitForFunction(
      (nid) =>
        /delivered|failed/.test(
          document.querySelector(`[data-notification-id="${nid}"] [data-testid="notification-delivery"]`)
            ?.textContent ?? '',
        ),
      id,
      { timeout },
    );
  }
}
