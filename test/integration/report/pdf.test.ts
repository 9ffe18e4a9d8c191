/**
 * The drawn report read back the way a user's tools read it: poppler-utils (pdfinfo, pdffonts,
 * pdftotext) and pdf.js (the outline). Synthetic documents, so the expected figures are known.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { renderReportPdf } from '../../../src/main/core/report/render';
import type { ReportDocument } from '../../../src/shared/report';
import { reportLabels } from '../../../src/shared/report-labels';
import { syntheticReportDocument } from '../../helpers/report-document';
import { describeWith, POPPLER } from '../../helpers/tools';

const STANDARD_14 = /^(Courier|Helvetica|Times|Symbol|ZapfDingbats)/;

function run(cmd: string, args: readonly string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
}

/** pdftotext -layout, one string per page */
function pagesText(file: string): string[] {
  const pages = run('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-']).split('\f');
  if (pages.at(-1)?.trim() === '') pages.pop();
  return pages;
}

interface OutlineNode {
  title: string;
  items: OutlineNode[];
}

async function outlineTitles(bytes: Uint8Array): Promise<{ top: string[]; children: Map<string, string[]> }> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const pdf = await pdfjs.getDocument({ data: bytes.slice(), isEvalSupported: false, useSystemFonts: false }).promise;
  try {
    const outline = ((await pdf.getOutline()) ?? []) as OutlineNode[];
    return { top: outline.map((o) => o.title), children: new Map(outline.map((o) => [o.title, o.items.map((i) => i.title)])) };
  } finally {
    await pdf.destroy();
  }
}

describeWith(POPPLER)('the PDF report read back with poppler-utils and pdf.js', () => {
  let dir: string;
  let doc: ReportDocument;
  let file: string;
  let bytes: Uint8Array;
  let pages: number;
  let text: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'prognos-report-pdf-'));
    // enough units for the action table to run over several pages
    doc = syntheticReportDocument({ units: 140, topN: 5, withRul: true, withPrevious: true, withDrift: true, seed: 11 });
    const r = await renderReportPdf(doc);
    bytes = r.bytes;
    pages = r.pages;
    file = join(dir, 'report.pdf');
    writeFileSync(file, r.bytes);
    text = pagesText(file);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('pdfinfo: the page count returned and the document metadata', () => {
    const info = run('pdfinfo', ['-isodates', file]);
    const field = (k: string): string => new RegExp(`^${k}:\\s*(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '';
    expect(Number(field('Pages'))).toBe(pages);
    expect(text.length).toBe(pages);
    expect(field('Title')).toBe(doc.meta.title);
    expect(field('Author')).toBe(doc.meta.author);
    expect(field('Subject')).toBe(doc.meta.subject);
    expect(field('Keywords')).toBe(doc.meta.keywords.join(', '));
    expect(field('CreationDate')).toBe('2026-03-02T09:30:00Z');
    expect(field('Producer')).toBe(`Prognos ${doc.meta.appVersion}`);
    expect(field('Page size')).toContain('(A4)');
  });

  it('pdffonts: every font is embedded, none is one of the standard 14', () => {
    const rows = run('pdffonts', [file]).trim().split('\n').slice(2);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) {
      const cols = row.trim().split(/\s+/);
      const name = cols[0]!.replace(/^[A-Z]{6}\+/, '');
      expect(name, row).toMatch(/^DejaVuSans/);
      expect(name, row).not.toMatch(STANDARD_14);
      // emb sub uni: yes yes yes
      expect(cols.slice(-5, -2), row).toEqual(['yes', 'yes', 'yes']);
    }
  });

  it('pdftotext: every unit of the action table in ranked order, with the header on every page of it', () => {
    const L = reportLabels('en');
    const actionPages = text.filter((t) => t.includes(L.actions.action) && t.includes(L.actions.lastCycle));
    expect(actionPages.length).toBeGreaterThanOrEqual(3);
    const rows: { rank: number; unit: number; p: string }[] = [];
    for (const page of actionPages) {
      const lines = page.split('\n');
      const header = lines.findIndex((l) => /Rank\s+Unit\s+Probability\s+RUL\s+RUL interval\s+Last cycle\s+Priority\s+Recommended action/.test(l));
      expect(header, 'the header row on each page of the table').toBeGreaterThanOrEqual(0);
      for (const l of lines.slice(header + 1)) {
        const m = /^\s*(\d+)\s+(\d+)\s+(\d\.\d{3})\s/.exec(l);
        if (m !== null) rows.push({ rank: Number(m[1]), unit: Number(m[2]), p: m[3]! });
      }
    }
    expect(rows.map((r) => r.rank)).toEqual(doc.actions.map((a) => a.rank));
    expect(rows.map((r) => r.unit)).toEqual(doc.actions.map((a) => a.unit));
    expect(rows.map((r) => r.p)).toEqual(doc.actions.map((a) => a.probability.toFixed(3)));
  });

  it('pdftotext: each unit panel shows its probability with 3 decimals', () => {
    for (const p of doc.panels) {
      const page = text.find((t) => t.includes(`Unit ${p.unit} (rank ${p.rank})`) && t.includes('Failure risk over cycles'));
      expect(page, `panel of unit ${p.unit}`).toBeDefined();
      expect(page).toContain(p.probability.toFixed(3));
    }
  });

  it('the table of contents gives the pages where the sections and panels are', () => {
    const L = reportLabels('en');
    const toc = text[1]!;
    expect(toc).toContain(L.contents);
    const entries = [
      ...(['summary', 'actions', 'units', 'health', 'appendix'] as const).map((k) => ({ title: L.sections[k], heading: L.sections[k] })),
      ...doc.panels.map((p) => ({ title: L.panel.title(p.unit, p.rank), heading: `${L.panel.title(p.unit, p.rank)}` })),
    ];
    for (const e of entries) {
      const line = toc.split('\n').find((l) => l.trim().startsWith(e.title));
      expect(line, e.title).toBeDefined();
      const page = Number(/(\d+)\s*$/.exec(line!)?.[1]);
      // the first page that shows the heading is the one the contents names
      const first = text.findIndex((t, i) => i > 1 && t.split('\n').some((l) => l.trim() === e.heading));
      expect(page, e.title).toBe(first + 1);
    }
  });

  it('footers number every page "Page N of M"', () => {
    text.forEach((t, i) => expect(t).toContain(`Page ${i + 1} of ${pages}`));
  });

  it('the outline has every section and, under the units, every unit panel', async () => {
    const L = reportLabels('en');
    const o = await outlineTitles(bytes);
    expect(o.top).toEqual([L.sections.cover, L.contents, L.sections.summary, L.sections.actions, L.sections.units, L.sections.health, L.sections.appendix]);
    expect(o.children.get(L.sections.units)).toEqual(doc.panels.map((p) => L.panel.title(p.unit, p.rank)));
  });

  it('German labels throughout when the template asks for them, numbers written the same', async () => {
    const de = syntheticReportDocument({ units: 30, topN: 2, language: 'de', seed: 11 });
    const r = await renderReportPdf(de);
    const f = join(dir, 'de.pdf');
    writeFileSync(f, r.bytes);
    const t = pagesText(f);
    const L = reportLabels('de');
    const all = t.join('\n');
    for (const s of [L.contents, L.sections.summary, L.sections.actions, L.sections.units, L.sections.health, L.sections.appendix, L.actions.action, L.summary.buckets.now])
      expect(all).toContain(s);
    expect(t[0]).toContain(`Seite 1 von ${r.pages}`);
    expect(all).not.toContain('Action table');
    expect(all).toContain(de.actions[0]!.probability.toFixed(3));
    const o = await outlineTitles(r.bytes);
    expect(o.top).toContain('Maßnahmentabelle');
  });
});
