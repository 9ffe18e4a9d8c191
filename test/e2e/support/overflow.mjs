// @ts-check
/**
 * The horizontal overflow check of the main content. An element overflows when its content is wider
 * than its box (scrollWidth > clientWidth) and nothing lets the analyst reach the rest: neither the
 * element itself nor an ancestor inside the main area scrolls sideways (overflow-x auto or scroll).
 * The main area's own scrolling does not count: a view that needs the whole page to scroll sideways
 * at 1024 px is what the check is for. Text cut with an ellipsis counts too, unless its whole text is
 * a tooltip away (a `title` on it or an ancestor), as long names are shown.
 */

/**
 * @typedef {object} Overflow
 * @property {string} element   tag, test id and classes of the overflowing element
 * @property {number} by        how many CSS pixels its content sticks out
 * @property {string} widest    the child that sticks out furthest, described the same way
 * @property {string} text      the start of its text
 */

/**
 * Every overflowing element of the main content, deepest first (an overflowing element's ancestors
 * overflow with it and are left out).
 * @param {import('playwright-core').Page} page
 * @returns {Promise<Overflow[]>}
 */
export function mainOverflows(page) {
  return page.evaluate(() => {
    const main = document.querySelector('main');
    if (main === null) throw new Error('no <main> element');
    /** @param {Element} el */
    const describe = (el) => {
      const id = el.getAttribute('data-testid');
      const cls = typeof el.className === 'string' ? el.className.trim().split(/\s+/).filter(Boolean).slice(0, 3).join('.') : '';
      return `<${el.tagName.toLowerCase()}${id ? ` data-testid="${id}"` : ''}${cls ? ` .${cls}` : ''}>`;
    };
    /** @param {Element} el */
    const scrollsSideways = (el) => {
      const o = getComputedStyle(el).overflowX;
      return o === 'auto' || o === 'scroll';
    };
    /** @param {HTMLElement} el */
    const reachable = (el) => {
      // a scroll container inside the main area (the main area itself and the view's frame do not count)
      for (let a = /** @type {Element | null} */ (el); a !== null && a !== main; a = a.parentElement) {
        if (a.classList.contains('app-main__view')) break;
        if (scrollsSideways(a)) return true;
        // Monaco draws its own scroll bars over hidden overflow
        if (a.classList.contains('monaco-editor')) return true;
      }
      return false;
    };
    /** @param {HTMLElement} el */
    const tooltipped = (el) => {
      const s = getComputedStyle(el);
      if (s.textOverflow !== 'ellipsis') return false;
      const titled = el.closest('[title]');
      return titled !== null && (titled.getAttribute('title') ?? '').trim() !== '';
    };
    /** @param {HTMLElement} el */
    const hidden = (el) => {
      const s = getComputedStyle(el);
      if (s.visibility === 'hidden' || s.display === 'none' || s.display === 'contents') return true;
      // visually-hidden text for screen readers
      if (s.position === 'absolute' && el.clientWidth <= 1) return true;
      return el.closest('[aria-hidden="true"]') !== null && el.closest('canvas, svg, [data-rendered]') !== null;
    };
    /** @type {HTMLElement[]} */
    const flagged = [];
    for (const node of [main, ...main.querySelectorAll('*')]) {
      if (!(node instanceof HTMLElement)) continue;
      if (node.clientWidth === 0 || node.scrollWidth <= node.clientWidth + 1) continue;
      if (hidden(node) || reachable(node) || tooltipped(node)) continue;
      flagged.push(node);
    }
    const leaves = flagged.filter((el) => !flagged.some((other) => other !== el && el.contains(other)));
    return leaves.map((el) => {
      const right = el.getBoundingClientRect().left + el.clientWidth;
      let widest = '';
      let furthest = -Infinity;
      for (const child of el.children) {
        const r = child.getBoundingClientRect().right;
        if (r > furthest) {
          furthest = r;
          widest = describe(child);
        }
      }
      return {
        element: describe(el),
        by: el.scrollWidth - el.clientWidth,
        widest: furthest > right ? `${widest} ends ${Math.round(furthest - right)} px past the edge` : '(its own text)',
        text: (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 80),
      };
    });
  });
}

/**
 * Whether the page as a whole scrolls sideways (the document is wider than the window).
 * @param {import('playwright-core').Page} page
 */
export function pageOverflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
