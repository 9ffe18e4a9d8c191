// @ts-check
/**
 * Page object for the Keys section of the Export view: the keyring of trusted bundle signers and
 * the trust policy, and the trust verdict each bundle of the library shows.
 */

/** @typedef {import('playwright-core').Page} Page */

export class KeysPage {
  /** @param {Page} page */
  constructor(page) {
    this.page = page;
  }

  /** @param {string} id */
  byTestId(id) {
    return this.page.getByTestId(id);
  }

  panel() {
    return this.byTestId('keys-panel');
  }

  /** Waits until the keyring has been read. */
  async ready() {
    await this.page.locator('[data-testid="keys-list"], [data-testid="keys-empty"]').first().waitFor();
  }

  /** @returns {Promise<{ name: string, id: string }[]>} */
  async keys() {
    return this.page.locator('[data-testid="key-row"]').evaluateAll((rows) =>
      rows.map((r) => ({
        name: r.querySelector('[data-testid="key-name"]')?.textContent?.trim() ?? '',
        id: r.getAttribute('data-key-id') ?? '',
      })),
    );
  }

  /** @param {number} n */
  async waitForKeyCount(n) {
    await this.page.waitForFunction(
      (count) => document.querySelectorAll('[data-testid="key-row"]').length === count,
      n,
    );
  }

  /**
   * Pastes PEM text and adds it under `name`; resolves with the notice or the error shown.
   * @param {string} name @param {string} pem
   */
  async addPasted(name, pem) {
    await this.byTestId('key-add-name').fill(name);
    await this.byTestId('key-add-pem').fill(pem);
    return this.submit();
  }

  /**
   * Reads a .pem file through the file picker, then adds it under `name`.
   * @param {string} name @param {string} file
   */
  async addFile(name, file) {
    await this.byTestId('key-add-name').fill(name);
    await this.byTestId('key-add-file').setInputFiles(file);
    await this.page.waitForFunction(() => {
      const t = /** @type {HTMLTextAreaElement | null} */ (document.querySelector('[data-testid="key-add-pem"]'));
      return t !== null && t.value.includes('-----BEGIN');
    });
    return this.submit();
  }

  async submit() {
    await this.byTestId('key-add-submit').click();
    const outcome = this.page.locator('[data-testid="keys-notice"], [data-testid="keys-action-error"]').first();
    await outcome.waitFor();
    return {
      kind: (await outcome.getAttribute('data-testid')) === 'keys-notice' ? 'added' : 'error',
      text: (await outcome.innerText()).trim(),
    };
  }

  /** @param {string} name */
  async remove(name) {
    const row = this.page
      .locator('[data-testid="key-row"]')
      .filter({ has: this.page.locator(`[data-testid="key-name"]:text-is("${name}")`) });
    await row.getByTestId('key-remove').click();
    await this.byTestId('confirm-dialog-confirm').click();
    await this.byTestId('keys-notice').waitFor();
  }

  /**
   * Chooses a policy; the radio follows the stored setting, so it is checked once the store answered.
   * @param {'default'|'require-signed'|'allow-unsigned'} setting
   */
  async setPolicy(setting) {
    const radio = this.byTestId(`keys-policy-${setting}`);
    await radio.click({ force: true });
    await this.page.locator(`[data-testid="keys-policy-${setting}"]:checked`).waitFor({ state: 'attached' });
  }

  /** @returns {Promise<boolean>} */
  async requireSigned() {
    return (await this.byTestId('keys-policy-state').getAttribute('data-require-signed')) === 'true';
  }

  /** @param {boolean} value */
  async waitForRequireSigned(value) {
    await this.page.locator(`[data-testid="keys-policy-state"][data-require-signed="${value}"]`).waitFor();
  }

  /**
   * The trust tag and refusal of a library row.
   * @param {string} origin shipped | exported | imported
   */
  async bundleTrust(origin) {
    const row = this.page.locator(`[data-testid="bundle-row"][data-origin="${origin}"]`).first();
    const tag = row.getByTestId('bundle-trust');
    return {
      verdict: await tag.getAttribute('data-verdict'),
      label: (await tag.innerText()).trim(),
      summary: await tag.getAttribute('title'),
      refused:
        (await row.getByTestId('bundle-refused').count()) > 0
          ? await row.getByTestId('bundle-refused').getAttribute('title')
          : null,
    };
  }

  /** @param {string} origin @param {boolean} refused */
  async waitForRefused(origin, refused) {
    const sel = `[data-testid="bundle-row"][data-origin="${origin}"] [data-testid="bundle-refused"]`;
    await this.page.waitForFunction(
      ([s, want]) => (document.querySelector(String(s)) !== null) === want,
      [sel, refused],
    );
  }
}
