import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { renderReportPdf } from '../../../src/main/core/report/render';
import { syntheticReportDocument } from '../../helpers/report-document';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

describe('renderReportPdf', () => {
  it('gives the same bytes for the same document, and different bytes for another creation time', async () => {
    const doc = syntheticReportDocument({ units: 40, topN: 3, withPrevious: true, withDrift: true, seed: 7 });
    const a = await renderReportPdf(doc);
    const b = await renderReportPdf(structuredClone(doc));
    expect(a.pages).toBeGreaterThan(5);
    expect(b.pages).toBe(a.pages);
    expect(sha(b.bytes)).toBe(sha(a.bytes));
    const later = await renderReportPdf({ ...doc, meta: { ...doc.meta, createdAt: '2026-03-02T09:31:00.000Z' } });
    expect(sha(later.bytes)).not.toBe(sha(a.bytes));
    // the creation date follows the document, not the clock
    expect(latin1(a.bytes)).toContain('(D:20260302093000Z)');
    expect(latin1(later.bytes)).toContain('(D:20260302093100Z)');
    expect(latin1(later.bytes)).not.toContain('(D:20260302093000Z)');
  }, 120_000);

  it('writes a PDF with every font embedded from DejaVu and none of the standard 14', async () => {
    const r = await renderReportPdf(syntheticReportDocument({ units: 12, topN: 2, seed: 3 }));
    const text = latin1(r.bytes);
    expect(text.startsWith('%PDF-')).toBe(true);
    expect(text.trimEnd().endsWith('%%EOF')).toBe(true);
    const fonts = [...text.matchAll(/\/BaseFont \/([A-Za-z0-9+-]+)/g)].map((m) => m[1]!);
    expect(fonts.length).toBeGreaterThan(0);
    for (const f of fonts) expect(f).toMatch(/^[A-Z]{6}\+DejaVuSans/);
    expect(text).not.toMatch(/Helvetica|Times-Roman|Courier/);
    // the page count pdfkit wrote is the one returned
    expect(text).toMatch(new RegExp(`/Type /Pages\\s*/Count ${r.pages}\\b`));
  }, 120_000);

  it('leaves out the sections the template switches off', async () => {
    const full = syntheticReportDocument({ units: 30, topN: 4, seed: 5 });
    const off = syntheticReportDocument({
      units: 30,
      topN: 4,
      seed: 5,
      template: { sections: { cover: true, summary: true, actions: false, units: false, health: false, appendix: false } },
    });
    const a = await renderReportPdf(full);
    const b = await renderReportPdf(off);
    // cover, contents, summary
    expect(b.pages).toBe(3);
    expect(a.pages).toBeGreaterThan(b.pages + 4);
  }, 120_000);

  it('draws on Letter pages when the template says so, with the logo on the cover', async () => {
    const png = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
    const r = await renderReportPdf(
      syntheticReportDocument({ units: 10, topN: 1, seed: 9, template: { pageSize: 'Letter', logo: { dataUrl: png, widthMm: 20 } } }),
    );
    const text = latin1(r.bytes);
    expect(text).toContain('/MediaBox [0 0 612 792]');
    expect(text).not.toContain('/MediaBox [0 0 595.28 841.89]');
    expect(text).toMatch(/\/Subtype \/Image/);
  }, 120_000);
});
