// @ts-check
/**
 * End-to-end accessibility: axe-core (from node_modules, evaluated in the page: nothing is fetched)
 * on every view of the registry with realistic content, at 1024×700: no serious or critical
 * violation. Then the keyboard: the sidebar is walked with the arrow keys and opens a view with
 * Enter, every control reached with Tab shows a visible focus ring, sliders move with the arrow
 * keys, and a sortable table header sorts from the keyboard.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { SEED_STEPS, openView, openViewWithContent, registryViewIds, scoreFleet } from './support/workbench-content.mjs';

/** @typedef {import('./run.mjs').E2eContext} E2eContext */
/** @typedef {{ id: string, impact: string | null, help: string, nodes: Array<{ target: string[], summary: string }> }} AxeViolation */

/** @typedef {import('./support/workbench-content.mjs').WorkbenchContent} Content */
/** @type {{ content?: Content, views: string[] }} */
const state = { views: [] };

/** @param {import('playwright-core').Page} page */
async function injectAxe(page) {
  if (await page.evaluate(() => 'axe' in window)) return;
  const path = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
  // evaluated through the debugging protocol: the page's CSP (script-src 'self') does not apply
  await page.evaluate(await readFile(path, 'utf8'));
  assert.ok(await page.evaluate(() => 'axe' in window), 'axe-core did not load');
}

/**
 * axe-core's violations of the whole page (WCAG 2.1 A and AA, and best practices).
 * @param {import('playwright-core').Page} page
 * @returns {Promise<AxeViolation[]>}
 */
async function axeViolations(page) {
  await injectAxe(page);
  return page.evaluate(async () => {
    // @ts-expect-error axe is a global set by axe.min.js
    const axe = /** @type {{ run: (ctx: Document, opts: object) => Promise<{ violations: any[] }> }} */ (window.axe);
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((/** @type {any} */ n) => ({ target: n.target.map(String), summary: String(n.failureSummary ?? '').split('\n').slice(0, 3).join(' ') })),
    }));
  });
}

/**
 * Whether the element that has the focus shows a focus indicator: an outline or a box shadow that
 * it does not show without the focus.
 * @param {import('playwright-core').Page} page
 */
function focusedElementIndicator(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (el === null || el === document.body) return { ok: false, what: '(nothing focused)' };
    const s = getComputedStyle(el);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1;
    const shadow = s.boxShadow !== 'none' && s.boxShadow !== '';
    const id = el.getAttribute('data-testid');
    const what = `<${el.tagName.toLowerCase()}${id ? ` data-testid="${id}"` : ''}> "${(el.textContent ?? el.getAttribute('aria-label') ?? '').trim().slice(0, 40)}"`;
    return { ok: outline || shadow, what };
  });
}

/** @type {Array<{ name: string, run: (ctx: E2eContext) => Promise<void> }>} */
export const tests = [
  ...SEED_STEPS.map((step, i) => ({
    name: step.name,
    /** @param {E2eContext} ctx */
    async run(ctx) {
      if (i === 0) state.views = await registryViewIds(ctx.repoRoot);
      state.content = /** @type {Content} */ (await step.run(ctx, state.content ?? {}));
      await ctx.page.setViewportSize({ width: 1024, height: 700 });
    },
  })),
  {
    name: 'axe-core on every view: no serious or critical violations',
    async run(ctx) {
      assert.ok(state.views.length > 0 && state.content?.bundleId !== undefined, 'the set-up ran');
      /** @type {string[]} */
      const failures = [];
      for (const id of state.views) {
        await openViewWithContent(ctx, id, state.content);
        const violations = await axeViolations(ctx.page);
        const severe = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        const minor = violations.filter((v) => !severe.includes(v)).map((v) => `${v.id} (${v.impact})`);
        ctx.log(`${id}: ${severe.length} serious or critical${minor.length > 0 ? `; also ${minor.join(', ')}` : ''}`);
        for (const v of severe) {
          failures.push(`${id}: ${v.id} (${v.impact}) ${v.help}\n    ${v.nodes.map((n) => `${n.target.join(' ')}: ${n.summary}`).join('\n    ')}`);
        }
      }
      assert.deepEqual(failures, [], `axe-core:\n${failures.join('\n')}`);
    },
  },
  {
    name: 'axe-core reports a violation planted in the page (the check itself can fail)',
    async run(ctx) {
      await openView(ctx.page, state.views[0] ?? 'datasets');
      await ctx.page.evaluate(() => {
        const probe = document.createElement('div');
        probe.setAttribute('data-testid', 'a11y-probe');
        // an unlabeled text field and light grey text on white
        probe.innerHTML = '<input type="text"><p style="color:#c8c8c8;background:#fff">faint text</p>';
        document.querySelector('.app-main__view')?.appendChild(probe);
      });
      try {
        const ids = (await axeViolations(ctx.page)).filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
        assert.ok(ids.includes('label'), `no "label" violation: ${ids.join(', ')}`);
        assert.ok(ids.includes('color-contrast'), `no "color-contrast" violation: ${ids.join(', ')}`);
      } finally {
        await ctx.page.evaluate(() => document.querySelector('[data-testid="a11y-probe"]')?.remove());
      }
    },
  },
  {
    name: 'the sidebar is walked with the arrow keys and opens a view with Enter; focus is always visible',
    async run(ctx) {
      const { page } = ctx;
      const first = state.views[0] ?? 'datasets';
      const second = state.views[1] ?? 'features';
      await openView(page, first);
      await page.getByTestId(`nav-${first}`).focus();
      await page.keyboard.press('ArrowDown');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), `nav-${second}`);
      const shown = await focusedElementIndicator(page);
      assert.ok(shown.ok, `no visible focus on ${shown.what}`);
      await page.keyboard.press('End');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), `nav-${state.views.at(-1)}`);
      await page.keyboard.press('Home');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await page.locator(`[data-testid="nav-${second}"][aria-current="page"]`).waitFor();
      // ArrowUp on the first item stays there (and the page does not scroll)
      await page.keyboard.press('Home');
      await page.keyboard.press('ArrowUp');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), `nav-${first}`);

      // Tab through every view: each control that takes the focus shows it
      /** @type {string[]} */
      const invisible = [];
      for (const id of state.views) {
        await openView(page, id);
        await page.getByTestId(`nav-${id}`).focus();
        for (let i = 0; i < 30; i++) {
          await page.keyboard.press('Tab');
          const inMain = await page.evaluate(() => document.activeElement?.closest('main') !== null);
          if (!inMain) continue;
          // Monaco's hidden text area shows its own cursor instead
          if (await page.evaluate(() => document.activeElement?.closest('.monaco-editor') !== null)) continue;
          const f = await focusedElementIndicator(page);
          if (!f.ok) invisible.push(`${id}: ${f.what}`);
        }
      }
      assert.deepEqual([...new Set(invisible)], [], 'controls without a visible focus');
    },
  },
  {
    name: 'sliders move with the arrow keys; a sortable table sorts from the keyboard',
    async run(ctx) {
      const { page } = ctx;
      await openView(page, 'ensemble');
      const slider = page.locator('input[type="range"]').first();
      await slider.waitFor();
      const before = Number(await slider.inputValue());
      await slider.focus();
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Tab');
      await page.keyboard.press(before >= Number((await slider.getAttribute('max')) ?? '1') ? 'ArrowLeft' : 'ArrowRight');
      const after = Number(await slider.inputValue());
      assert.notEqual(after, before, 'the slider did not move with the arrow key');
      assert.ok((await focusedElementIndicator(page)).ok, 'the slider shows no focus');

      await openView(page, 'fleet');
      assert.ok(state.content !== undefined, 'the set-up ran');
      await scoreFleet(ctx, state.content);
      // a column the table is not sorted by yet: Enter on its header sorts by it
      const header = page.locator('[data-testid="fleet-table"] [role="columnheader"]:not([aria-sort]) button').first();
      await header.waitFor();
      const testId = await header.getAttribute('data-testid');
      // reached from the keyboard (a focus set by a script after a click shows no ring, by design)
      await header.focus();
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), testId);
      assert.ok((await focusedElementIndicator(page)).ok, 'the column header shows no focus');
      await page.keyboard.press('Enter');
      await page.locator(`[data-testid="fleet-table"] [role="columnheader"][aria-sort]:has([data-testid="${testId}"])`).waitFor();
    },
  },
];
