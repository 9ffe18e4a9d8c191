/**
 * What the Reports view shows about stored reports and templates, as pure functions: history rows,
 * the PDF's bytes from the channel's base64, template texts for the editor, and preview sizes.
 */
import { z } from 'zod';
import {
  DEFAULT_TEMPLATE_NAME,
  reportTemplateSchema,
  type ReportRecord,
  type ReportTemplate,
  type StoredTemplate,
} from '../../../../shared/report';
import { shortRunId } from '../export/bundle-info';

/** Where the template editor's JSON Schema lives (only a name: Monaco never fetches it). */
export const TEMPLATE_SCHEMA_URI = 'inmemory://prognos/schemas/report-template.json';

/** The JSON Schema of a template as written by hand (defaults may be left out; unknown keys are errors). */
export function templateJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(reportTemplateSchema, { io: 'input', target: 'draft-7' });
}

/** Reports newest first (by creation time, then id, so equal times keep one order). */
export function newestFirst(records: readonly ReportRecord[]): ReportRecord[] {
  return [...records].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.reportId.localeCompare(a.reportId));
}

/** The first 12 hex digits of a SHA-256, as the history shows it. */
export function shortSha(sha256: string): string {
  return sha256.slice(0, 12);
}

/** "Run 9szgjx1" or "Bundle 3fa9c2e1b0d4 · run 9szgjx1": which model made the report. */
export function modelText(source: ReportRecord['source']): string {
  if (source.kind === 'run') return `Run ${shortRunId(source.runId)}`;
  return `Bundle ${shortSha(source.bundleSha256)} · run ${shortRunId(source.runId)}`;
}

/** The PDF's bytes from the base64 text `reports:file` returns. */
export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** True when the bytes start like a PDF (`%PDF-`). */
export function looksLikePdf(bytes: Uint8Array): boolean {
  return bytes.length >= 5 && String.fromCharCode(...bytes.subarray(0, 5)) === '%PDF-';
}

/** The template's JSON as the editor shows it (two-space indent, the schema named for the editor). */
export function templateText(template: ReportTemplate): string {
  const { $schema: _ignored, ...rest } = template;
  return `${JSON.stringify({ $schema: TEMPLATE_SCHEMA_URI, ...rest }, null, 2)}\n`;
}

/** A name not yet taken: "Copy of Standard", "Copy of Standard (2)", … */
export function copyName(base: string, taken: readonly string[]): string {
  const names = new Set(taken.map((n) => n.trim().toLowerCase()));
  const first = `Copy of ${base}`;
  if (!names.has(first.toLowerCase())) return first;
  for (let i = 2; ; i++) {
    const candidate = `${first} (${i})`;
    if (!names.has(candidate.toLowerCase())) return candidate;
  }
}

/** The text of a new template: a copy of `from` (the built-in one by default) under a free name. */
export function newTemplateText(from: ReportTemplate, templates: readonly StoredTemplate[]): string {
  return templateText({ ...from, name: copyName(from.name, templates.map((t) => t.template.name)) });
}

/** The built-in template first, then the analyst's by name (as `templates:list` promises; kept if not). */
export function orderTemplates(templates: readonly StoredTemplate[]): StoredTemplate[] {
  return [...templates].sort(
    (a, b) => Number(b.builtIn) - Number(a.builtIn) || a.template.name.localeCompare(b.template.name),
  );
}

export function templateLabel(t: StoredTemplate): string {
  return t.builtIn ? `${t.template.name} (built-in)` : t.template.name;
}

export { DEFAULT_TEMPLATE_NAME };

/** Zoom of the preview: fit the page to the pane's width, or a fixed share of the page's size at 96 dpi. */
export type Zoom = 'fit' | 0.5 | 0.75 | 1 | 1.5 | 2;
export const ZOOMS: readonly Zoom[] = ['fit', 0.5, 0.75, 1, 1.5, 2];

/** CSS pixels per PDF point at 100 % (96 dpi against 72 points an inch). */
const PX_PER_PT = 96 / 72;

/** The scale (CSS pixels per PDF point) a page is drawn at. */
export function pageScale(zoom: Zoom, pageWidthPt: number, paneWidthPx: number): number {
  if (zoom !== 'fit') return zoom * PX_PER_PT;
  if (!(pageWidthPt > 0) || !(paneWidthPx > 0)) return PX_PER_PT;
  return Math.max(0.1, paneWidthPx / pageWidthPt);
}

/** The file name a download gets: the server's name when it is a plain .pdf name, else from the report. */
export function downloadName(fileName: string, record: Pick<ReportRecord, 'fleet' | 'createdAt'>): string {
  const plain = /^[^\\/:*?"<>|]{1,200}\.pdf$/i.test(fileName) && [...fileName].every((c) => c.charCodeAt(0) >= 0x20);
  if (plain) return fileName;
  const fleet = record.fleet.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'fleet';
  return `${fleet}-${record.createdAt.slice(0, 10)}.pdf`;
}
