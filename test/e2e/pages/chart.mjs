// @ts-check
/** Helpers shared by the page objects: how a chart, a figure or a number reads on screen. */

/** @typedef {import('playwright-core').Page} Page */

/**
 * Waits for an ECharts container to finish drawing, then reports its canvases and how many of
 * their pixels are painted.
 * @param {Page} page
 * @param {string} testId
 */
export async function chartState(page, testId) {
  await page.locator(`[data-testid="${testId}"][data-rendered="true"]`).waitFor();
  return page.getByTestId(testId).evaluate((el) => {
    const canvases = [...el.querySelectorAll('canvas')];
    let painted = 0;
    for (const c of canvases) {
      const ctx = c.getContext('2d');
      if (ctx === null || c.width === 0 || c.height === 0) continue;
      const data = ctx.getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
    }
    const box = el.getBoundingClientRect();
    return {
      canvases: canvases.length,
      painted,
      width: box.width,
      height: box.height,
      label: el.getAttribute('aria-label'),
    };
  });
}

/**
 * A number as displayed ("9,310.2", "0.951", "—" → NaN).
 * @param {string} text
 */
export function readNumber(text) {
  const t = text.trim().replace(/,/g, '').replace(/−/g, '-');
  return t === '' || t === '—' ? Number.NaN : Number(t);
}

/**
 * Takes a screenshot of the whole active view. The app scrolls inside its main area, so the page
 * is made as tall as the view for the shot and then restored.
 * @param {{ page: Page, screenshot: (name: string) => Promise<string> }} ctx
 * @param {string} name
 */
export async function screenshotView(ctx, name) {
  const { page } = ctx;
  const before = page.viewportSize() ?? { width: 1280, height: 800 };
  const needed = await page.evaluate(() => {
    const main = document.querySelector('.app-main');
    const header = document.querySelector('.app-header');
    // with the context bar the view scrolls in its own frame below the bar
    const view = document.querySelector('.app-main__view');
    const bar = document.querySelector('[data-testid="context-bar"]');
    const inMain = view === null ? (main?.scrollHeight ?? 0) : view.scrollHeight + (bar?.getBoundingClientRect().height ?? 0);
    return inMain + (header?.getBoundingClientRect().height ?? 0);
  });
  await page.setViewportSize({ width: before.width, height: Math.max(before.height, Math.ceil(needed)) });
  // charts follow their container's size; let them redraw before the shot
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  try {
    return await ctx.screenshot(name);
  } finally {
    await page.setViewportSize(before);
  }
}
