/**
 * report: a 1,000-unit synthetic fleet report with 50 unit panels (test/helpers/report-document.ts),
 * drawn by renderReportPdf in a child process (plain node, built from TypeScript first, so its peak
 * RSS is measured honestly), beside Debian Chromium's own print-to-PDF of renderReportHtml of the
 * same document, in the same run.
 *
 * Times are the best of 3 for both, the runs taking turns (ours, Chromium, ours, …) so a change in
 * the machine's load hits both alike: renderReportPdf's call (document given; a fresh child each
 * time that has drawn a small report first), and Chromium from setContent to the PDF bytes (browser
 * started, a small page printed first). The RSS is the highest of the children's high-water marks,
 * document generation included.
 *
 * End to end (scoring and assembling included): other figures join through REPORT_FIGURE_SOURCES.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { chromium } from 'playwright-core';
import { renderReportHtml } from '../src/main/core/report/render';
import { syntheticReportDocument } from '../test/helpers/report-document';
import type { Benchmark, Figure } from './figures';

const UNITS = 1000;
const TOP_N = 50;
const RUNS = 3;
const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(__dirname, '..');

/** Further report figures (e.g. the end-to-end line, scoring included) are added here. */
export const REPORT_FIGURE_SOURCES: Array<() => Promise<Figure[]>> = [];

interface ChildResult {
  seconds: number;
  pages: number;
  bytes: number;
  peakRssMiB: number;
}

async function buildChild(): Promise<string> {
  const outDir = join(ROOT, 'out', 'bench');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await build({
    configFile: false,
    logLevel: 'silent',
    root: ROOT,
    build: {
      ssr: join(ROOT, 'bench', 'report-child.ts'),
      outDir,
      emptyOutDir: true,
      minify: false,
      rollupOptions: { output: { format: 'cjs', entryFileNames: 'report-child.cjs' } },
    },
    // echarts is bundled as in out/main; the packages the app ships as dependencies stay outside
    ssr: { noExternal: ['echarts', 'zrender'], external: ['pdfkit', 'svg-to-pdfkit', 'dejavu-fonts-ttf'] },
  });
  return join(outDir, 'report-child.cjs');
}

type Browser = Awaited<ReturnType<typeof chromium.launch>>;

async function chromiumPrint(browser: Browser, html: string): Promise<number> {
  const page = await browser.newPage();
  try {
    const t = performance.now();
    await page.setContent(html, { waitUntil: 'load' });
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    const seconds = (performance.now() - t) / 1000;
    if (pdf.byteLength < 1000) throw new Error('Chromium printed an empty PDF');
    return seconds;
  } finally {
    await page.close();
  }
}

export const reportBench: Benchmark = {
  name: 'report',
  async run() {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found (Debian package chromium)`);
    const child = await buildChild();
    const pdfFile = join(ROOT, 'out', 'bench', 'report-1000.pdf');
    const html = renderReportHtml(syntheticReportDocument({ units: UNITS, topN: TOP_N, withRul: true, withPrevious: true, withDrift: true }));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    const runs: ChildResult[] = [];
    const chrome: number[] = [];
    try {
      await chromiumPrint(browser, renderReportHtml(syntheticReportDocument({ units: 20, topN: 2, seed: 2 })));
      for (let i = 0; i < RUNS; i++) {
        const out = execFileSync(process.execPath, [child, String(UNITS), String(TOP_N), pdfFile], { cwd: ROOT, encoding: 'utf8' });
        runs.push(JSON.parse(out.trim().split('\n').pop()!) as ChildResult);
        chrome.push(await chromiumPrint(browser, html));
      }
    } finally {
      await browser.close();
    }
    const r = runs[0]!;
    const ours = Math.min(...runs.map((x) => x.seconds));
    const theirs = Math.min(...chrome);
    const rss = Math.max(...runs.map((x) => x.peakRssMiB));
    const figures: Figure[] = [
      {
        name: 'report-pdf',
        value: ours,
        unit: 's',
        reference: { name: 'chromium-print', value: theirs, unit: 's' },
        ratio: ours / theirs,
        note: `${UNITS} units, ${TOP_N} panels, ${r.pages} pages, ${(r.bytes / 2 ** 20).toFixed(2)} MiB; best of ${RUNS} (ours ${runs.map((x) => x.seconds.toFixed(2)).join('/')} s, chromium ${chrome.map((s) => s.toFixed(2)).join('/')} s)`,
      },
      { name: 'report-pdf-rss', value: rss, unit: 'MiB', note: `peak RSS of the rendering process, highest of ${RUNS}` },
    ];
    for (const source of REPORT_FIGURE_SOURCES) figures.push(...(await source()));
    return figures;
  },
};
