/**
 * The PDF report: a ReportDocument drawn with pdfkit, charts as vectors (ECharts → SVG →
 * svg-to-pdfkit), DejaVu fonts embedded as subsets. Deterministic: the document alone decides the
 * bytes (CreationDate and the trailer ID follow doc.meta.createdAt; nothing reads the clock).
 *
 * One pass with buffered pages: the table of contents gets pages reserved after the cover (its
 * entry count is known up front) and is filled in at the end, with the footers ("page N of M").
 */
import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import type { EChartsOption } from 'echarts';
import type { ReportActionRow, ReportDocument, ReportUnitPanel } from '../../../../shared/report';
import {
  formatCycles,
  formatProbability,
  formatReportDate,
  formatReportNumber,
  reportLabels,
  signatureText,
  type ReportLabels,
} from '../../../../shared/report-labels';
import {
  buildBucketsOption,
  buildContributionsOption,
  buildReliabilityBinsOption,
  buildSensorTrendsOption,
  buildUnitRiskOption,
} from '../../../../shared/charts/report-charts';
import { CHART_MUTED, CHART_TEXT, SERIES_COLORS } from '../../../../shared/charts/style';
import { CHART_FONT_FAMILY, fontMetrics, reportFonts, type ReportFonts } from './fonts';
import { SvgCharts } from './svg';
import { withSensorLabels } from '../labels';

const PAGE_SIZES = { A4: [595.28, 841.89], Letter: [612, 792] } as const;
const MARGIN = 50;
const FOOTER = 22;
const SANS = 'DejaVuSans';
const BOLD = 'DejaVuSans-Bold';
const MONO = 'DejaVuSansMono';
const RULE = '#d0d5dc';
const PRIORITY_COLORS = { high: SERIES_COLORS.current, medium: '#e8590c', low: '#868e96' } as const;
const TOC_LINE = 16;

interface TocEntry {
  title: string;
  level: 0 | 1;
  dest: string;
  page: number;
}

/** Cuts `text` to fit `width` (measured with `measure`), ending with "…" when cut. */
function fit(measure: (t: string) => number, text: string, width: number): string {
  if (measure(text) <= width) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(`${text.slice(0, mid)}…`) <= width) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, lo)}…`;
}

const METRIC_FONT: Record<string, keyof ReportFonts> = { [SANS]: 'sans', [BOLD]: 'bold', [MONO]: 'mono' };

class Writer {
  readonly doc: PDFKit.PDFDocument;
  readonly L: ReportLabels;
  readonly width: number;
  readonly height: number;
  readonly left = MARGIN;
  readonly right: number;
  readonly bottom: number;
  readonly contentWidth: number;
  y = MARGIN;
  /** pages added so far (1-based number of the current page) */
  page = 0;
  readonly toc: TocEntry[] = [];
  readonly charts = new SvgCharts();

  constructor(
    readonly d: ReportDocument,
    readonly size: readonly [number, number],
  ) {
    const fonts = reportFonts();
    this.L = reportLabels(d.meta.language);
    this.width = size[0];
    this.height = size[1];
    this.right = this.width - MARGIN;
    this.bottom = this.height - MARGIN - FOOTER;
    this.contentWidth = this.right - this.left;
    const created = new Date(d.meta.createdAt);
    this.doc = new PDFDocument({
      size: [size[0], size[1]],
      margin: 0,
      autoFirstPage: false,
      bufferPages: true,
      compress: true,
      // the default font is DejaVu too: pdfkit never loads Helvetica
      font: fonts.sans,
      lang: d.meta.language === 'de' ? 'de-DE' : 'en-GB',
      displayTitle: true,
      info: {
        Title: d.meta.title,
        Author: d.meta.author,
        Subject: d.meta.subject,
        Keywords: d.meta.keywords.join(', '),
        CreationDate: created,
        ModDate: created,
        Producer: `Prognos ${d.meta.appVersion}`,
        Creator: `Prognos ${d.meta.appVersion}`,
      },
    });
    this.doc.registerFont(SANS, fonts.sans);
    this.doc.registerFont(BOLD, fonts.bold);
    this.doc.registerFont(MONO, fonts.mono);
  }

  newPage(): void {
    this.doc.addPage({ size: [this.width, this.height], margin: 0 });
    this.page++;
    this.y = MARGIN;
  }

  /** Starts a new page when fewer than `h` points are left; true when it did. */
  ensure(h: number): boolean {
    if (this.y + h <= this.bottom) return false;
    this.newPage();
    return true;
  }

  private fontName = SANS;
  private fontSize = 10;

  font(name: string, size: number, color: string = CHART_TEXT): this {
    this.doc.font(name).fontSize(size).fillColor(color);
    this.fontName = name;
    this.fontSize = size;
    return this;
  }

  /** The width of `text` in the current font (cached advance widths, no shaping). */
  measure(text: string): number {
    return fontMetrics().width(text, this.fontSize, METRIC_FONT[this.fontName] ?? 'sans');
  }

  /**
   * A single line at (x, y), cut to `width` and aligned by its measured width, drawn without
   * pdfkit's line wrapper (tables draw thousands of these).
   */
  cell(text: string, x: number, y: number, width: number, align: 'left' | 'right' | 'center' = 'left'): void {
    const t = fit((s) => this.measure(s), text, width);
    const free = align === 'left' ? 0 : Math.max(0, width - this.measure(t));
    this.doc.text(t, x + (align === 'right' ? free : free / 2), y, { lineBreak: false });
  }

  /** Wrapped text at the cursor, moving to a new page first when it would not fit. */
  para(text: string, opts: { font?: string; size?: number; color?: string; gap?: number; x?: number; width?: number } = {}): void {
    const x = opts.x ?? this.left;
    const width = opts.width ?? this.right - x;
    this.font(opts.font ?? SANS, opts.size ?? 10, opts.color ?? CHART_TEXT);
    const h = this.doc.heightOfString(text, { width });
    this.ensure(Math.min(h, this.bottom - MARGIN));
    this.font(opts.font ?? SANS, opts.size ?? 10, opts.color ?? CHART_TEXT);
    this.doc.text(text, x, this.y, { width });
    this.y += h + (opts.gap ?? 4);
  }

  /** A section: a new page, its heading, a bookmark and a TOC entry. */
  section(key: keyof ReportLabels['sections']): PDFKit.PDFOutline {
    this.newPage();
    return this.sectionHere(key);
  }

  /** The section starts on the current page, at the cursor. */
  sectionHere(key: keyof ReportLabels['sections']): PDFKit.PDFOutline {
    const title = this.L.sections[key];
    const dest = `section-${key}`;
    this.doc.addNamedDestination(dest, 'FitH', this.height);
    this.toc.push({ title, level: 0, dest, page: this.page });
    this.heading(title, 18);
    return this.doc.outline.addItem(title);
  }

  heading(text: string, size: number): void {
    this.ensure(size * 2.4);
    this.font(BOLD, size);
    this.doc.text(text, this.left, this.y, { width: this.contentWidth, lineBreak: false });
    this.y += size * 1.35;
    if (size >= 14) {
      this.doc.moveTo(this.left, this.y).lineTo(this.right, this.y).lineWidth(0.75).strokeColor(RULE).stroke();
      this.y += 10;
    }
  }

  subheading(text: string): void {
    this.font(BOLD, 11.5);
    const h = this.doc.heightOfString(text, { width: this.contentWidth });
    this.ensure(h + 30);
    this.y += 4;
    this.font(BOLD, 11.5);
    this.doc.text(text, this.left, this.y, { width: this.contentWidth });
    this.y += h + 4;
  }

  /** Label / value rows (the value wraps). */
  keyValues(rows: readonly { label: string; value: string; mono?: boolean }[], labelWidth = 150): void {
    for (const r of rows) {
      const vw = this.contentWidth - labelWidth;
      this.font(r.mono === true ? MONO : SANS, r.mono === true ? 8.5 : 10);
      const vh = this.doc.heightOfString(r.value || ' ', { width: vw });
      this.font(BOLD, 10, CHART_MUTED);
      const lh = this.doc.heightOfString(r.label, { width: labelWidth - 8 });
      const h = Math.max(14, vh + 3, lh + 3);
      this.ensure(h);
      this.font(BOLD, 10, CHART_MUTED);
      this.doc.text(r.label, this.left, this.y, { width: labelWidth - 8 });
      this.font(r.mono === true ? MONO : SANS, r.mono === true ? 8.5 : 10);
      this.doc.text(r.value, this.left + labelWidth, this.y + (r.mono === true ? 1 : 0), { width: vw });
      this.y += h;
    }
  }

  /**
   * A table with a header row repeated on every page it runs over; numbers right-aligned.
   * Each row is one line; cells are cut to fit with "…".
   */
  table(
    columns: readonly { title: string; width: number; align?: 'left' | 'right'; mono?: boolean }[],
    rows: readonly (readonly string[])[],
    opts: { size?: number; rowHeight?: number } = {},
  ): void {
    const size = opts.size ?? 9;
    const rowH = opts.rowHeight ?? size + 5;
    const total = columns.reduce((s, c) => s + c.width, 0);
    const scale = total > this.contentWidth ? this.contentWidth / total : 1;
    const header = (): void => {
      this.doc.rect(this.left, this.y, this.contentWidth, rowH + 2).fill('#eef1f5');
      this.font(BOLD, size);
      let x = this.left;
      for (const c of columns) {
        this.cell(c.title, x + 3, this.y + 3, c.width * scale - 6, c.align ?? 'left');
        x += c.width * scale;
      }
      this.y += rowH + 2;
    };
    this.ensure(rowH * 3);
    header();
    for (const row of rows) {
      if (this.ensure(rowH)) header();
      let x = this.left;
      columns.forEach((c, i) => {
        this.font(c.mono === true ? MONO : SANS, c.mono === true ? size - 1 : size);
        this.cell(row[i] ?? '', x + 3, this.y + 2.5, c.width * scale - 6, c.align ?? 'left');
        x += c.width * scale;
      });
      this.y += rowH;
      this.doc.moveTo(this.left, this.y).lineTo(this.right, this.y).lineWidth(0.3).strokeColor(RULE).stroke();
    }
    this.y += 8;
  }

  /** An ECharts option drawn as vectors at (x, y), `w` × `h` points. */
  chart(option: EChartsOption, x: number, y: number, w: number, h: number): void {
    const svg = this.charts.svg(option, Math.round(w), Math.round(h));
    SVGtoPDF(this.doc, svg, x, y, {
      width: w,
      height: h,
      assumePt: true,
      fontCallback: (_family, bold) => (bold ? BOLD : SANS),
    });
  }
}

function cover(w: Writer): void {
  const { d, L, doc } = w;
  w.newPage();
  w.doc.addNamedDestination('section-cover', 'FitH', w.height);
  doc.outline.addItem(L.sections.cover);
  const logo = d.template.logo;
  if (logo !== undefined) {
    const data = Buffer.from(logo.dataUrl.slice(logo.dataUrl.indexOf(',') + 1), 'base64');
    const lw = (logo.widthMm * 72) / 25.4;
    doc.image(data, w.right - lw, MARGIN, { width: lw });
  }
  w.y = MARGIN + 90;
  w.font(BOLD, 24);
  const th = doc.heightOfString(d.meta.title, { width: w.contentWidth });
  doc.text(d.meta.title, w.left, w.y, { width: w.contentWidth });
  w.y += th + 6;
  w.font(SANS, 15, CHART_MUTED);
  doc.text(`${L.cover.fleet}: ${d.fleet.name}`, w.left, w.y, { width: w.contentWidth });
  w.y += 22;
  w.font(SANS, 11, CHART_MUTED);
  doc.text(formatReportDate(d.meta.createdAt), w.left, w.y, { width: w.contentWidth, lineBreak: false });
  w.y += 30;
  const m = d.model;
  const rows: { label: string; value: string; mono?: boolean }[] = [
    { label: L.cover.fleetSize, value: L.cover.fleetSizeValue(d.fleet.units, d.fleet.rows) },
    { label: L.cover.fingerprint, value: d.fleet.fingerprint, mono: true },
  ];
  if (d.fleet.regimes !== null) rows.push({ label: L.cover.regimes, value: String(d.fleet.regimes) });
  if (d.meta.author !== '') rows.push({ label: L.cover.author, value: d.meta.author });
  w.keyValues(rows);
  w.subheading(L.cover.model);
  const model: { label: string; value: string; mono?: boolean }[] = [
    { label: m.kind === 'bundle' ? L.cover.modelBundle : L.cover.modelRun, value: m.id, mono: true },
  ];
  if (m.bundleSha256 !== undefined) model.push({ label: L.cover.bundleSha256, value: m.bundleSha256, mono: true });
  if (m.signature !== undefined) model.push({ label: L.cover.signature, value: signatureText(L, m.signature) });
  model.push({ label: L.cover.models, value: m.models.join(', ') });
  model.push({ label: L.cover.features, value: String(m.features) });
  model.push({ label: L.cover.trainedOn, value: `${m.trainedOn.fingerprint}${m.trainedOn.units === null ? '' : ` (${m.trainedOn.units})`}`, mono: true });
  w.keyValues(model);
  w.subheading(L.cover.rule);
  const rule: { label: string; value: string }[] = [
    { label: L.cover.threshold, value: formatProbability(d.rule.threshold) },
    { label: L.cover.horizon, value: L.cover.horizonValue(d.rule.horizon) },
  ];
  if (d.rule.rulCap !== null) rule.push({ label: L.cover.rulCap, value: String(d.rule.rulCap) });
  if (d.rule.rulCoverage !== null) rule.push({ label: L.cover.rulCoverage, value: `${(d.rule.rulCoverage * 100).toFixed(0)} %` });
  w.keyValues(rule);
  if (d.notes.trim() !== '') {
    w.subheading(L.cover.notes);
    for (const p of d.notes.split(/\n\s*\n/)) if (p.trim() !== '') w.para(p.trim(), { gap: 6 });
  }
}

function tocPagesNeeded(w: Writer, entries: number): number {
  const first = Math.floor((w.bottom - MARGIN - 40) / TOC_LINE);
  const next = Math.floor((w.bottom - MARGIN) / TOC_LINE);
  return entries <= first ? 1 : 1 + Math.ceil((entries - first) / next);
}

function drawToc(w: Writer, firstPage: number): void {
  const { doc, L } = w;
  let page = firstPage;
  doc.switchToPage(page - 1);
  w.y = MARGIN;
  w.heading(L.contents, 18);
  for (const e of w.toc) {
    if (w.y + TOC_LINE > w.bottom) {
      page++;
      doc.switchToPage(page - 1);
      w.y = MARGIN;
    }
    const x = w.left + (e.level === 1 ? 18 : 0);
    const num = String(e.page);
    w.font(e.level === 0 ? BOLD : SANS, e.level === 0 ? 10.5 : 9.5);
    const numW = doc.widthOfString(num);
    const title = fit((t) => w.measure(t), e.title, w.right - x - numW - 40);
    const titleW = doc.widthOfString(title);
    doc.text(title, x, w.y, { lineBreak: false, goTo: e.dest });
    doc.text(num, w.right - numW, w.y, { lineBreak: false, goTo: e.dest });
    w.font(SANS, 9.5, '#aab1ba');
    const dotsX = x + titleW + 6;
    const dotsW = w.right - numW - 6 - dotsX;
    if (dotsW > 10) {
      const dot = doc.widthOfString('.');
      doc.text('.'.repeat(Math.floor(dotsW / dot)), dotsX, w.y, { lineBreak: false });
    }
    w.y += TOC_LINE;
  }
}

function summary(w: Writer): void {
  const { d, L } = w;
  w.section('summary');
  const help = L.summary.bucketHelp(d.rule.horizon, d.summary.withRul);
  const buckets = (['now', 'soon', 'later'] as const).map((key) => ({ key, label: L.summary.buckets[key], count: d.summary[key] }));
  w.table(
    [
      { title: '', width: 150 },
      { title: L.summary.units, width: 60, align: 'right' },
      { title: '', width: 285 },
    ],
    [
      ...buckets.map((b) => [b.label, String(b.count), help[b.key]]),
      [L.summary.total, String(d.summary.units), ''],
    ],
    { size: 10, rowHeight: 17 },
  );
  const ch = 200;
  w.ensure(ch);
  w.chart(buildBucketsOption(buckets, { font: CHART_FONT_FAMILY, axisName: L.summary.chartAxis }), w.left + 40, w.y, w.contentWidth - 80, ch);
  w.y += ch + 12;
  const p = d.previous;
  if (p === null) return;
  w.subheading(L.summary.previous(p.title, formatReportDate(p.createdAt)));
  w.table(
    [
      { title: '', width: 200 },
      { title: L.summary.before, width: 80, align: 'right' },
      { title: L.summary.after, width: 80, align: 'right' },
    ],
    buckets.map((b) => [b.label, String(p.counts[b.key]), String(b.count)]),
    { size: 10, rowHeight: 16 },
  );
  const list = (units: readonly number[]): string => (units.length === 0 ? L.summary.none : units.join(', '));
  w.keyValues(
    [
      { label: L.summary.newlyAtRisk, value: list(p.newlyAtRisk) },
      { label: L.summary.noLongerAtRisk, value: list(p.noLongerAtRisk) },
      { label: L.summary.added, value: list(p.addedUnits) },
      { label: L.summary.removed, value: list(p.removedUnits) },
    ],
    170,
  );
  if (p.risen.length > 0) {
    w.subheading(L.summary.risen);
    w.table(
      [
        { title: L.actions.unit, width: 80, align: 'right' },
        { title: L.summary.before, width: 90, align: 'right' },
        { title: L.summary.after, width: 90, align: 'right' },
      ],
      p.risen.map((r) => [String(r.unit), formatProbability(r.before), formatProbability(r.after)]),
    );
  }
}

function actionTable(w: Writer): void {
  const { d, L, doc } = w;
  w.section('actions');
  w.para(L.actions.intro(d.actions.length), { color: CHART_MUTED, gap: 8 });
  const withRul = d.summary.withRul;
  const cols: { title: string; width: number; align: 'left' | 'right' }[] = [
    { title: L.actions.rank, width: 30, align: 'right' },
    { title: L.actions.unit, width: 40, align: 'right' },
    { title: L.actions.probability, width: 62, align: 'right' },
  ];
  if (withRul) cols.push({ title: L.actions.rul, width: 30, align: 'right' }, { title: L.actions.interval, width: 64, align: 'right' });
  cols.push({ title: L.actions.lastCycle, width: 54, align: 'right' }, { title: L.actions.priority, width: 50, align: 'left' });
  const used = cols.reduce((s, c) => s + c.width, 0);
  cols.push({ title: L.actions.action, width: w.contentWidth - used, align: 'left' });
  const size = 8;
  const rowH = 13;
  // header titles may wrap onto a second line (German ones are long); numbers' titles align right
  w.font(BOLD, size);
  const headH = Math.max(...cols.map((c) => doc.heightOfString(c.title, { width: c.width - 6 }))) + 6;
  const header = (): void => {
    doc.rect(w.left, w.y, w.contentWidth, headH).fill('#eef1f5');
    w.font(BOLD, size);
    let x = w.left;
    for (const c of cols) {
      doc.text(c.title, x + 3, w.y + 3, { width: c.width - 6, align: c.align });
      x += c.width;
    }
    w.y += headH;
  };
  w.ensure(rowH * 4);
  header();
  d.actions.forEach((r: ReportActionRow, i) => {
    if (w.ensure(rowH)) header();
    if (i % 2 === 1) doc.rect(w.left, w.y, w.contentWidth, rowH).fill('#f7f8fa');
    // the priority as a coloured bar and as text, so it reads without colour too
    doc.rect(w.left, w.y + 1, 2.5, rowH - 2).fill(PRIORITY_COLORS[r.priority]);
    const cells = [String(r.rank), String(r.unit), formatProbability(r.probability)];
    if (withRul) cells.push(formatCycles(r.rul), r.rulLow === undefined || r.rulHigh === undefined ? '' : `${formatCycles(r.rulLow)}–${formatCycles(r.rulHigh)}`);
    cells.push(String(r.lastCycle), L.actions.priorities[r.priority], r.action);
    let x = w.left;
    cols.forEach((c, k) => {
      const strong = r.alert && k <= 2;
      w.font(strong || (k === cols.length - 2 && r.priority === 'high') ? BOLD : SANS, size, k === cols.length - 2 ? PRIORITY_COLORS[r.priority] : CHART_TEXT);
      w.cell(cells[k] ?? '', x + 3, w.y + 2.75, c.width - 6, c.align);
      x += c.width;
    });
    w.y += rowH;
  });
}

/** One unit's page; the first one also opens the section (and returns its bookmark for the others). */
function unitPanel(w: Writer, p: ReportUnitPanel, section: PDFKit.PDFOutline | undefined): PDFKit.PDFOutline {
  const { d, L, doc } = w;
  w.newPage();
  const parent = section ?? w.sectionHere('units');
  const title = L.panel.title(p.unit, p.rank);
  const dest = `unit-${p.unit}`;
  doc.addNamedDestination(dest, 'FitH', w.height);
  w.toc.push({ title, level: 1, dest, page: w.page });
  parent.addItem(title);
  w.heading(title, 15);
  // the unit's numbers
  const rul =
    p.rul === undefined
      ? L.notAvailable
      : `${formatCycles(p.rul)}${p.rulLow !== undefined && p.rulHigh !== undefined ? ` (${formatCycles(p.rulLow)}–${formatCycles(p.rulHigh)})` : ''}`;
  const figures = [
    { label: L.panel.probability, value: formatProbability(p.probability) },
    { label: L.panel.rul, value: rul },
    { label: L.panel.lastCycle, value: String(p.lastCycle) },
  ];
  const fw = w.contentWidth / 3;
  figures.forEach((f, i) => {
    w.font(SANS, 8.5, CHART_MUTED);
    doc.text(f.label, w.left + i * fw, w.y, { width: fw - 8, lineBreak: false });
    w.font(BOLD, 14);
    doc.text(f.value, w.left + i * fw, w.y + 11, { width: fw - 8, lineBreak: false });
  });
  w.y += 32;
  w.font(SANS, 9.5);
  doc.text(`${L.panel.action}: ${p.action}`, w.left, w.y, { width: w.contentWidth });
  w.y += doc.heightOfString(`${L.panel.action}: ${p.action}`, { width: w.contentWidth }) + 6;

  const label = (text: string): void => {
    w.font(BOLD, 10);
    doc.text(text, w.left, w.y, { width: w.contentWidth, lineBreak: false });
    w.y += 14;
  };
  label(L.panel.risk);
  const rh = 140;
  w.chart(
    buildUnitRiskOption(p.unit, p.risk, {
      font: CHART_FONT_FAMILY,
      threshold: d.rule.threshold,
      horizon: d.rule.horizon,
      thresholdLabel: L.panel.thresholdLine(formatProbability(d.rule.threshold)),
      xName: L.panel.cycle,
      yName: L.panel.riskAxis,
    }),
    w.left,
    w.y,
    w.contentWidth,
    rh,
  );
  w.y += rh + 6;

  if (p.contributions.length > 0) {
    const chH = Math.max(110, 44 + 17 * p.contributions.length);
    w.ensure(Math.max(chH, 11 * (p.contributions.length + Math.min(8, p.sources.length) + 4) + 8) + 20);
    label(L.panel.contributions);
    const cw = w.contentWidth * 0.56;
    w.chart(
      buildContributionsOption(
        p.contributions.map((c) => ({ label: c.feature, contribution: c.contribution })),
        { font: CHART_FONT_FAMILY, axisName: L.panel.contributionAxis },
      ),
      w.left,
      w.y,
      cw,
      chH,
    );
    // the numbers beside the chart: each feature's value and contribution, then the per-sensor sums
    // with the base value and the margin they add up to
    const tx = w.left + cw + 12;
    const tw = w.right - tx;
    let ty = w.y + 2;
    const signed = (v: number): string => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(3)}`;
    const line = (cells: readonly string[], font = SANS): void => {
      w.font(font, 8);
      w.cell(cells[0] ?? '', tx, ty, tw * 0.44);
      if (cells.length === 3) w.cell(cells[1] ?? '', tx + tw * 0.44, ty, tw * 0.24, 'right');
      w.cell(cells[cells.length - 1] ?? '', tx + tw * 0.68, ty, tw * 0.32, 'right');
      ty += 11;
    };
    line([L.panel.feature, L.panel.value, L.panel.contribution], BOLD);
    for (const c of p.contributions) line([c.feature, formatReportNumber(c.value, 3, L.notAvailable), signed(c.contribution)]);
    ty += 5;
    line([L.panel.source, L.panel.contribution], BOLD);
    for (const s of p.sources.slice(0, 8)) line([s.source, signed(s.contribution)]);
    ty += 3;
    line([L.panel.bias, signed(p.bias)]);
    const margin = p.bias + p.contributions.reduce((sum, c) => sum + c.contribution, 0);
    line([L.panel.margin, signed(margin)], BOLD);
    w.y += Math.max(chH, ty - w.y) + 8;
  }

  if (p.trends.length > 0) {
    const perRow = 3;
    const gap = 8;
    const tw = (w.contentWidth - gap * (perRow - 1)) / perRow;
    const th = 118;
    w.ensure(th + 20);
    label(L.panel.trends);
    const rows = Math.ceil(p.trends.length / perRow);
    if (rows > 1) w.ensure(rows * th + (rows - 1) * gap);
    w.chart(
      buildSensorTrendsOption(p.trends, { font: CHART_FONT_FAMILY, xName: L.panel.cycle, columns: perRow, cellWidth: tw, cellHeight: th, gap }),
      w.left,
      w.y,
      w.contentWidth,
      rows * th + (rows - 1) * gap,
    );
    w.y += rows * th + (rows - 1) * gap + 4;
  }
  return parent;
}

function health(w: Writer): void {
  const { d, L } = w;
  w.section('health');
  const h = d.health;
  const n3 = (v: number | null | undefined): string => formatReportNumber(v, 3, L.notAvailable);
  if (h.metrics.length > 0) {
    w.subheading(L.health.metrics);
    w.table(
      [
        { title: L.health.model, width: 62 },
        { title: L.health.split, width: 54 },
        { title: 'F2', width: 40, align: 'right' },
        { title: 'F1', width: 40, align: 'right' },
        { title: 'Prec.', width: 40, align: 'right' },
        { title: 'Recall', width: 40, align: 'right' },
        { title: 'ROC AUC', width: 54, align: 'right' },
        { title: 'PR AUC', width: 48, align: 'right' },
        { title: 'Brier', width: 40, align: 'right' },
        { title: 'n', width: 77, align: 'right' },
      ],
      h.metrics.map((m) => [
        m.model,
        L.health.splits[m.split],
        n3(m.values.f2),
        n3(m.values.f1),
        n3(m.values.precision),
        n3(m.values.recall),
        n3(m.values.rocAuc),
        n3(m.values.prAuc),
        n3(m.values.brier),
        `${m.values.n} (${m.values.positives}+)`,
      ]),
    );
  }
  if (h.rul !== undefined && h.rul.length > 0) {
    w.subheading(L.health.rul);
    w.table(
      [
        { title: L.health.model, width: 90 },
        { title: 'RMSE', width: 60, align: 'right' },
        { title: 'MAE', width: 60, align: 'right' },
        { title: 'PHM08', width: 70, align: 'right' },
        { title: L.cover.rulCoverage, width: 160, align: 'right' },
        { title: 'n', width: 55, align: 'right' },
      ],
      h.rul.map((r) => [r.model, r.rmse.toFixed(2), r.mae.toFixed(2), r.phm08.toFixed(1), r.coverage === null ? L.notAvailable : `${(r.coverage * 100).toFixed(1)} %`, String(r.n)]),
    );
  }
  w.subheading(L.health.calibration);
  if (h.calibration === undefined) w.para(L.health.noCalibration, { color: CHART_MUTED });
  else {
    w.keyValues([
      { label: L.health.method, value: h.calibration.method },
      { label: L.health.ece, value: n3(h.calibration.ece) },
    ]);
    const size = 230;
    w.ensure(size);
    w.chart(
      buildReliabilityBinsOption(h.calibration.bins, {
        font: CHART_FONT_FAMILY,
        xName: L.health.predicted,
        yName: L.health.observed,
        perfectName: L.health.perfect,
        seriesName: L.health.splits.validation,
      }),
      w.left,
      w.y,
      size + 30,
      size,
    );
    w.y += size + 8;
  }
  w.subheading(L.health.drift);
  if (h.drift === undefined) w.para(L.health.noDrift, { color: CHART_MUTED });
  else {
    w.para(L.health.driftVerdict(h.drift.datasetDrift), { font: BOLD, gap: 6 });
    w.keyValues([
      { label: L.health.report, value: `${h.drift.reportId} (${formatReportDate(h.drift.createdAt)})` },
      { label: L.health.driftedShare, value: `${(h.drift.driftedShare * 100).toFixed(1)} %` },
      { label: L.health.drifted, value: h.drift.drifted.length === 0 ? L.summary.none : h.drift.drifted.join(', ') },
      { label: L.health.domainAuc, value: n3(h.drift.domainAuc) },
      { label: L.health.estimatedF2, value: n3(h.drift.estimatedF2) },
    ]);
  }
  w.subheading(L.health.quality);
  if (h.quality.length === 0) w.para(L.health.noQuality, { color: CHART_MUTED });
  else for (const q of h.quality) w.para(`•  ${q}`, { gap: 3 });
}

function appendix(w: Writer): void {
  const { d, L } = w;
  w.section('appendix');
  w.subheading(L.appendix.method);
  for (const t of L.appendix.methodText) w.para(t, { gap: 6 });
  w.subheading(L.appendix.definitions);
  for (const def of L.appendix.definitionsList(d.rule.horizon, formatProbability(d.rule.threshold))) w.para(`${def.term}: ${def.text}`, { gap: 5 });
  w.subheading(L.appendix.inputs);
  for (const f of d.appendix.files) {
    w.ensure(30);
    w.font(BOLD, 9.5);
    w.cell(`${L.appendix.roles[f.role]}: ${f.name}`, w.left, w.y, w.contentWidth * 0.7);
    w.font(SANS, 9.5, CHART_MUTED);
    w.cell(`${f.bytes} ${L.appendix.bytes}`, w.left + w.contentWidth * 0.7, w.y, w.contentWidth * 0.3, 'right');
    w.y += 13;
    w.font(MONO, 8.5);
    w.cell(`${L.appendix.sha256} ${f.sha256}`, w.left + 10, w.y, w.contentWidth - 10);
    w.y += 16;
  }
  if (d.appendix.inputs.length > 0) {
    w.subheading(L.appendix.options);
    w.keyValues(d.appendix.inputs.map((i) => ({ label: i.label, value: i.value })), 170);
  }
}

function footers(w: Writer): void {
  const { doc, L, d } = w;
  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    const y = w.height - MARGIN + 4;
    doc.moveTo(w.left, y - 6).lineTo(w.right, y - 6).lineWidth(0.5).strokeColor(RULE).stroke();
    w.font(SANS, 8, CHART_MUTED);
    w.cell(`${d.meta.title} · ${d.fleet.name}`, w.left, y, w.contentWidth * 0.65);
    w.cell(L.pageOf(i + 1, range.count), w.left + w.contentWidth * 0.65, y, w.contentWidth * 0.35, 'right');
  }
}

/** The report as PDF bytes and its page count. */
export async function renderReportPdf(doc: ReportDocument): Promise<{ bytes: Uint8Array; pages: number }> {
  const d = withSensorLabels(doc);
  const w = new Writer(d, PAGE_SIZES[d.template.pageSize]);
  try {
    return await draw(w);
  } finally {
    w.charts.dispose();
  }
}

async function draw(w: Writer): Promise<{ bytes: Uint8Array; pages: number }> {
  const d = w.d;
  const s = d.template.sections;
  const chunks: Buffer[] = [];
  w.doc.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    w.doc.on('end', resolve);
    w.doc.on('error', reject);
  });

  if (s.cover) cover(w);
  // the table of contents: one entry per section after it and per unit panel
  const panels = s.units ? d.panels : [];
  const entries = (['summary', 'actions', 'units', 'health', 'appendix'] as const).filter((k) => s[k] && (k !== 'units' || panels.length > 0)).length + panels.length;
  const tocFirst = w.page + 1;
  const tocPages = entries > 0 ? tocPagesNeeded(w, entries) : 0;
  for (let i = 0; i < tocPages; i++) w.newPage();
  if (tocPages > 0) {
    w.doc.addNamedDestination('contents', 'FitH', w.height);
    w.doc.outline.addItem(w.L.contents);
  }

  if (s.summary) summary(w);
  if (s.actions) actionTable(w);
  if (panels.length > 0) {
    let parent: PDFKit.PDFOutline | undefined;
    for (const p of panels) parent = unitPanel(w, p, parent);
  }
  if (s.health) health(w);
  if (s.appendix) appendix(w);
  if (w.page === 0) w.newPage();
  if (tocPages > 0) drawToc(w, tocFirst);
  footers(w);
  w.doc.end();
  await ended;
  const bytes = Buffer.concat(chunks);
  return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), pages: w.page };
}

