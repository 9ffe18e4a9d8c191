import { describe, expect, it } from 'vitest';
import { defaultReportTemplate, reportTemplateSchema, type ReportRecord, type StoredTemplate } from '../../../src/shared/report';
import {
  base64ToBytes,
  copyName,
  downloadName,
  looksLikePdf,
  modelText,
  newTemplateText,
  newestFirst,
  orderTemplates,
  pageScale,
  shortSha,
  templateJsonSchema,
  templateText,
} from '../../../src/renderer/src/views/reports/reports-model';

function record(reportId: string, createdAt: string, extra: Partial<ReportRecord> = {}): ReportRecord {
  return {
    reportId,
    title: 'Fleet maintenance report',
    fleet: 'test_FD001',
    createdAt,
    datasetId: 'ds_1',
    datasetFingerprint: 'f'.repeat(64),
    source: { kind: 'run', runId: 'run_01abcdefgh12345678' },
    templateName: 'Standard',
    templateSha256: 'a'.repeat(64),
    pages: 12,
    units: 100,
    atRisk: 7,
    soon: 5,
    bytes: 123_456,
    sha256: '0123456789abcdef'.repeat(4),
    savedPath: null,
    ...extra,
  };
}

function stored(templateId: string, name: string, builtIn = false): StoredTemplate {
  return { templateId, builtIn, template: reportTemplateSchema.parse({ name }), createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' };
}

describe('the Reports view’s history and files', () => {
  it('lists reports newest first, equal times in a fixed order', () => {
    const r = newestFirst([record('r1', '2026-01-01T00:00:00Z'), record('r3', '2026-03-01T00:00:00Z'), record('r2', '2026-03-01T00:00:00Z')]);
    expect(r.map((x) => x.reportId)).toEqual(['r3', 'r2', 'r1']);
  });

  it('names the model by its run, or by the bundle’s manifest hash and run', () => {
    expect(modelText({ kind: 'run', runId: 'run_01abcdefgh12345678' })).toBe('Run 12345678');
    expect(modelText({ kind: 'bundle', bundleId: null, bundleSha256: 'beef'.repeat(16), runId: 'run_xyz' })).toBe('Bundle beefbeefbeef · run xyz');
    expect(shortSha('0123456789abcdef0123')).toBe('0123456789ab');
  });

  it('decodes the channel’s base64 to the exact bytes and recognises a PDF', () => {
    const bytes = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37, 0x0a, 0x00, 0xff, 0x80]);
    const decoded = base64ToBytes(Buffer.from(bytes).toString('base64'));
    expect([...decoded]).toEqual([...bytes]);
    expect(looksLikePdf(decoded)).toBe(true);
    expect(looksLikePdf(new TextEncoder().encode('<html>'))).toBe(false);
    expect(looksLikePdf(new Uint8Array([0x25, 0x50]))).toBe(false);
  });

  it('keeps a plain .pdf file name for a download and makes one otherwise', () => {
    const r = record('r1', '2026-03-01T10:00:00Z', { fleet: 'FD001 / north' });
    expect(downloadName('report-FD001.pdf', r)).toBe('report-FD001.pdf');
    expect(downloadName('../x.pdf', r)).toBe('FD001-north-2026-03-01.pdf');
    expect(downloadName('a\u0007b.pdf', r)).toBe('FD001-north-2026-03-01.pdf');
    expect(downloadName('report.exe', r)).toBe('FD001-north-2026-03-01.pdf');
  });
});

describe('templates in the editor', () => {
  it('the JSON Schema takes a hand-written template with defaults left out and refuses unknown keys', () => {
    const schema = templateJsonSchema();
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(['name']);
    expect(schema.additionalProperties).toBe(false);
    const props = schema.properties as Record<string, { additionalProperties?: unknown }>;
    expect(Object.keys(props)).toEqual(expect.arrayContaining(['sections', 'topN', 'actions', 'language', 'logo']));
    expect(props.sections?.additionalProperties).toBe(false);
  });

  it('the editor text parses back to the same template', () => {
    const t = defaultReportTemplate();
    const text = templateText(t);
    expect(reportTemplateSchema.parse(JSON.parse(text))).toEqual({ ...t, $schema: 'inmemory://prognos/schemas/report-template.json' });
  });

  it('a new template is a copy under a name not yet taken', () => {
    expect(copyName('Standard', ['Standard'])).toBe('Copy of Standard');
    expect(copyName('Standard', ['Standard', 'copy of standard', 'Copy of Standard (2)'])).toBe('Copy of Standard (3)');
    const all = [stored('t0', 'Standard', true), stored('t1', 'Copy of Standard')];
    const parsed = reportTemplateSchema.parse(JSON.parse(newTemplateText(defaultReportTemplate(), all)));
    expect(parsed.name).toBe('Copy of Standard (2)');
    expect(parsed.actions).toEqual(defaultReportTemplate().actions);
  });

  it('orders the built-in template first, then by name', () => {
    const order = orderTemplates([stored('b', 'Zeta'), stored('a', 'Alpha'), stored('s', 'Standard', true)]);
    expect(order.map((t) => t.templateId)).toEqual(['s', 'a', 'b']);
  });
});

describe('preview zoom', () => {
  it('fit width fills the pane; fixed zooms are shares of the page at 96 dpi', () => {
    expect(pageScale('fit', 595, 1190)).toBeCloseTo(2);
    expect(pageScale(1, 595, 1190)).toBeCloseTo(96 / 72);
    expect(pageScale(0.5, 595, 100)).toBeCloseTo(48 / 72);
    expect(pageScale('fit', 595, 0)).toBeCloseTo(96 / 72);
  });
});
