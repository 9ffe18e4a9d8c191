/**
 * The report as one self-contained HTML page: the same sections, figures and SVG charts as the PDF,
 * with print CSS (a page per section and unit panel, the action table's header repeated on every
 * printed page through <thead>). The bench prints it with Chromium as the reference for the PDF's
 * drawing time; it is not a second way to make reports.
 */
import type { EChartsOption } from 'echarts';
import type { ReportDocument, ReportUnitPanel } from '../../../../shared/report';
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
import { CHART_FONT_FAMILY } from './fonts';
import { SvgCharts } from './svg';
import { withSensorLabels } from '../labels';

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const CSS = `
@page { size: var(--page-size); margin: 18mm 18mm 20mm 18mm; }
* { box-sizing: border-box; }
body { font-family: 'DejaVu Sans', sans-serif; font-size: 10pt; color: #1b1f24; margin: 0; }
h1 { font-size: 24pt; margin: 60pt 0 6pt; }
h2 { font-size: 18pt; border-bottom: 0.75pt solid #d0d5dc; padding-bottom: 4pt; margin: 0 0 10pt; }
h3 { font-size: 11.5pt; margin: 12pt 0 6pt; }
section { break-before: page; }
section:first-of-type { break-before: auto; }
.muted { color: #5b6470; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
thead { display: table-header-group; }
th { background: #eef1f5; text-align: left; padding: 3pt; }
td { padding: 2pt 3pt; border-bottom: 0.3pt solid #d0d5dc; }
tr { break-inside: avoid; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.mono { font-family: 'DejaVu Sans Mono', monospace; font-size: 8pt; word-break: break-all; }
dl { display: grid; grid-template-columns: 150pt 1fr; gap: 2pt 8pt; margin: 0; }
dt { font-weight: bold; color: #5b6470; }
dd { margin: 0; }
.figures { display: flex; gap: 40pt; margin-bottom: 6pt; }
.figures b { display: block; font-size: 14pt; }
.row { display: flex; gap: 8pt; align-items: flex-start; }
.p-high { color: #c92a2a; font-weight: bold; } .p-medium { color: #e8590c; } .p-low { color: #868e96; }
.toc a { color: inherit; text-decoration: none; }
.toc li { display: flex; justify-content: space-between; }
.toc ul { list-style: none; padding: 0; }
.toc ul ul { padding-left: 18pt; font-size: 9.5pt; }
`;

interface Ctx {
  d: ReportDocument;
  L: ReportLabels;
  charts: SvgCharts;
}

function chart(c: Ctx, option: EChartsOption, w: number, h: number): string {
  return `<div class="chart" style="width:${w}pt;height:${h}pt">${c.charts.svg(option, w, h)}</div>`;
}

function dl(rows: readonly { label: string; value: string; mono?: boolean }[]): string {
  return `<dl>${rows.map((r) => `<dt>${esc(r.label)}</dt><dd${r.mono === true ? ' class="mono"' : ''}>${esc(r.value)}</dd>`).join('')}</dl>`;
}

function table(head: readonly { title: string; n?: boolean }[], rows: readonly (readonly string[])[]): string {
  const th = head.map((h) => `<th${h.n === true ? ' class="n"' : ''}>${esc(h.title)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((v, i) => `<td${head[i]?.n === true ? ' class="n"' : ''}>${esc(v)}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

function cover({ d, L }: Ctx): string {
  const m = d.model;
  const logo = d.template.logo === undefined ? '' : `<img src="${esc(d.template.logo.dataUrl)}" style="float:right;width:${d.template.logo.widthMm}mm">`;
  const model = [
    { label: m.kind === 'bundle' ? L.cover.modelBundle : L.cover.modelRun, value: m.id, mono: true },
    ...(m.bundleSha256 === undefined ? [] : [{ label: L.cover.bundleSha256, value: m.bundleSha256, mono: true }]),
    ...(m.signature === undefined ? [] : [{ label: L.cover.signature, value: signatureText(L, m.signature) }]),
    { label: L.cover.models, value: m.models.join(', ') },
    { label: L.cover.features, value: String(m.features) },
  ];
  const rule = [
    { label: L.cover.threshold, value: formatProbability(d.rule.threshold) },
    { label: L.cover.horizon, value: L.cover.horizonValue(d.rule.horizon) },
  ];
  const notes = d.notes.trim() === '' ? '' : `<h3>${esc(L.cover.notes)}</h3>${d.notes.split(/\n\s*\n/).map((p) => `<p>${esc(p.trim())}</p>`).join('')}`;
  return `<section id="section-cover">${logo}<h1>${esc(d.meta.title)}</h1><p class="muted" style="font-size:15pt">${esc(L.cover.fleet)}: ${esc(d.fleet.name)}</p><p class="muted">${esc(formatReportDate(d.meta.createdAt))}</p>${dl([
    { label: L.cover.fleetSize, value: L.cover.fleetSizeValue(d.fleet.units, d.fleet.rows) },
    { label: L.cover.fingerprint, value: d.fleet.fingerprint, mono: true },
  ])}<h3>${esc(L.cover.model)}</h3>${dl(model)}<h3>${esc(L.cover.rule)}</h3>${dl(rule)}${notes}</section>`;
}

function summary(c: Ctx): string {
  const { d, L } = c;
  const help = L.summary.bucketHelp(d.rule.horizon, d.summary.withRul);
  const buckets = (['now', 'soon', 'later'] as const).map((key) => ({ key, label: L.summary.buckets[key], count: d.summary[key] }));
  let html = `<section id="section-summary"><h2>${esc(L.sections.summary)}</h2>${table(
    [{ title: '' }, { title: L.summary.units, n: true }, { title: '' }],
    [...buckets.map((b) => [b.label, String(b.count), help[b.key]]), [L.summary.total, String(d.summary.units), '']],
  )}${chart(c, buildBucketsOption(buckets, { font: CHART_FONT_FAMILY, axisName: L.summary.chartAxis }), 415, 200)}`;
  const p = d.previous;
  if (p !== null) {
    const list = (u: readonly number[]): string => (u.length === 0 ? L.summary.none : u.join(', '));
    html += `<h3>${esc(L.summary.previous(p.title, formatReportDate(p.createdAt)))}</h3>${table(
      [{ title: '' }, { title: L.summary.before, n: true }, { title: L.summary.after, n: true }],
      buckets.map((b) => [b.label, String(p.counts[b.key]), String(b.count)]),
    )}${dl([
      { label: L.summary.newlyAtRisk, value: list(p.newlyAtRisk) },
      { label: L.summary.noLongerAtRisk, value: list(p.noLongerAtRisk) },
      { label: L.summary.added, value: list(p.addedUnits) },
      { label: L.summary.removed, value: list(p.removedUnits) },
    ])}`;
    if (p.risen.length > 0)
      html += `<h3>${esc(L.summary.risen)}</h3>${table(
        [{ title: L.actions.unit, n: true }, { title: L.summary.before, n: true }, { title: L.summary.after, n: true }],
        p.risen.map((r) => [String(r.unit), formatProbability(r.before), formatProbability(r.after)]),
      )}`;
  }
  return `${html}</section>`;
}

function actions({ d, L }: Ctx): string {
  const withRul = d.summary.withRul;
  const head = [
    `<th class="n">${esc(L.actions.rank)}</th><th class="n">${esc(L.actions.unit)}</th><th class="n">${esc(L.actions.probability)}</th>`,
    withRul ? `<th class="n">${esc(L.actions.rul)}</th><th class="n">${esc(L.actions.interval)}</th>` : '',
    `<th class="n">${esc(L.actions.lastCycle)}</th><th>${esc(L.actions.priority)}</th><th>${esc(L.actions.action)}</th>`,
  ].join('');
  const rows = d.actions
    .map((r) => {
      const rul = withRul
        ? `<td class="n">${formatCycles(r.rul)}</td><td class="n">${r.rulLow === undefined || r.rulHigh === undefined ? '' : `${formatCycles(r.rulLow)}–${formatCycles(r.rulHigh)}`}</td>`
        : '';
      return `<tr><td class="n">${r.rank}</td><td class="n">${r.unit}</td><td class="n">${formatProbability(r.probability)}</td>${rul}<td class="n">${r.lastCycle}</td><td class="p-${r.priority}">${esc(L.actions.priorities[r.priority])}</td><td>${esc(r.action)}</td></tr>`;
    })
    .join('');
  return `<section id="section-actions"><h2>${esc(L.sections.actions)}</h2><p class="muted">${esc(L.actions.intro(d.actions.length))}</p><table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></section>`;
}

function panel(c: Ctx, p: ReportUnitPanel, first: boolean): string {
  const { d, L } = c;
  const signed = (v: number): string => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(3)}`;
  const rul = p.rul === undefined ? L.notAvailable : `${formatCycles(p.rul)}${p.rulLow !== undefined && p.rulHigh !== undefined ? ` (${formatCycles(p.rulLow)}–${formatCycles(p.rulHigh)})` : ''}`;
  const margin = p.bias + p.contributions.reduce((s, x) => s + x.contribution, 0);
  const contrib =
    p.contributions.length === 0
      ? ''
      : `<h3>${esc(L.panel.contributions)}</h3><div class="row">${chart(
          c,
          buildContributionsOption(
            p.contributions.map((x) => ({ label: x.feature, contribution: x.contribution })),
            { font: CHART_FONT_FAMILY, axisName: L.panel.contributionAxis },
          ),
          277,
          Math.max(110, 44 + 17 * p.contributions.length),
        )}<div style="flex:1">${table(
          [{ title: L.panel.feature }, { title: L.panel.value, n: true }, { title: L.panel.contribution, n: true }],
          p.contributions.map((x) => [x.feature, formatReportNumber(x.value, 3, L.notAvailable), signed(x.contribution)]),
        )}${table(
          [{ title: L.panel.source }, { title: L.panel.contribution, n: true }],
          [...p.sources.slice(0, 8).map((s) => [s.source, signed(s.contribution)]), [L.panel.bias, signed(p.bias)], [L.panel.margin, signed(margin)]],
        )}</div></div>`;
  const trends =
    p.trends.length === 0
      ? ''
      : `<h3>${esc(L.panel.trends)}</h3>${chart(
          c,
          buildSensorTrendsOption(p.trends, { font: CHART_FONT_FAMILY, xName: L.panel.cycle, columns: 3, cellWidth: 159.67, cellHeight: 118, gap: 8 }),
          495,
          Math.ceil(p.trends.length / 3) * 126 - 8,
        )}`;
  return `<section id="unit-${p.unit}">${first ? `<h2 id="section-units">${esc(L.sections.units)}</h2>` : ''}<h2>${esc(L.panel.title(p.unit, p.rank))}</h2><div class="figures"><div><span class="muted">${esc(L.panel.probability)}</span><b>${formatProbability(p.probability)}</b></div><div><span class="muted">${esc(L.panel.rul)}</span><b>${esc(rul)}</b></div><div><span class="muted">${esc(L.panel.lastCycle)}</span><b>${p.lastCycle}</b></div></div><p>${esc(L.panel.action)}: ${esc(p.action)}</p><h3>${esc(L.panel.risk)}</h3>${chart(
    c,
    buildUnitRiskOption(p.unit, p.risk, {
      font: CHART_FONT_FAMILY,
      threshold: d.rule.threshold,
      horizon: d.rule.horizon,
      thresholdLabel: L.panel.thresholdLine(formatProbability(d.rule.threshold)),
      xName: L.panel.cycle,
      yName: L.panel.riskAxis,
    }),
    495,
    140,
  )}${contrib}${trends}</section>`;
}

function health(c: Ctx): string {
  const { d, L } = c;
  const h = d.health;
  const n3 = (v: number | null | undefined): string => formatReportNumber(v, 3, L.notAvailable);
  let html = `<section id="section-health"><h2>${esc(L.sections.health)}</h2>`;
  if (h.metrics.length > 0)
    html += `<h3>${esc(L.health.metrics)}</h3>${table(
      [{ title: L.health.model }, { title: L.health.split }, ...['F2', 'F1', 'Prec.', 'Recall', 'ROC AUC', 'PR AUC', 'Brier', 'n'].map((t) => ({ title: t, n: true }))],
      h.metrics.map((m) => [m.model, L.health.splits[m.split], n3(m.values.f2), n3(m.values.f1), n3(m.values.precision), n3(m.values.recall), n3(m.values.rocAuc), n3(m.values.prAuc), n3(m.values.brier), `${m.values.n} (${m.values.positives}+)`]),
    )}`;
  if (h.rul !== undefined && h.rul.length > 0)
    html += `<h3>${esc(L.health.rul)}</h3>${table(
      [{ title: L.health.model }, ...['RMSE', 'MAE', 'PHM08', L.cover.rulCoverage, 'n'].map((t) => ({ title: t, n: true }))],
      h.rul.map((r) => [r.model, r.rmse.toFixed(2), r.mae.toFixed(2), r.phm08.toFixed(1), r.coverage === null ? L.notAvailable : `${(r.coverage * 100).toFixed(1)} %`, String(r.n)]),
    )}`;
  html += `<h3>${esc(L.health.calibration)}</h3>`;
  if (h.calibration === undefined) html += `<p class="muted">${esc(L.health.noCalibration)}</p>`;
  else
    html += `${dl([
      { label: L.health.method, value: h.calibration.method },
      { label: L.health.ece, value: n3(h.calibration.ece) },
    ])}${chart(
      c,
      buildReliabilityBinsOption(h.calibration.bins, { font: CHART_FONT_FAMILY, xName: L.health.predicted, yName: L.health.observed, perfectName: L.health.perfect, seriesName: L.health.splits.validation }),
      260,
      230,
    )}`;
  html += `<h3>${esc(L.health.drift)}</h3>`;
  if (h.drift === undefined) html += `<p class="muted">${esc(L.health.noDrift)}</p>`;
  else
    html += `<p><b>${esc(L.health.driftVerdict(h.drift.datasetDrift))}</b></p>${dl([
      { label: L.health.report, value: `${h.drift.reportId} (${formatReportDate(h.drift.createdAt)})` },
      { label: L.health.driftedShare, value: `${(h.drift.driftedShare * 100).toFixed(1)} %` },
      { label: L.health.drifted, value: h.drift.drifted.length === 0 ? L.summary.none : h.drift.drifted.join(', ') },
      { label: L.health.domainAuc, value: n3(h.drift.domainAuc) },
      { label: L.health.estimatedF2, value: n3(h.drift.estimatedF2) },
    ])}`;
  html += `<h3>${esc(L.health.quality)}</h3>`;
  html += h.quality.length === 0 ? `<p class="muted">${esc(L.health.noQuality)}</p>` : `<ul>${h.quality.map((q) => `<li>${esc(q)}</li>`).join('')}</ul>`;
  return `${html}</section>`;
}

function appendix({ d, L }: Ctx): string {
  const defs = L.appendix.definitionsList(d.rule.horizon, formatProbability(d.rule.threshold));
  const files = d.appendix.files
    .map((f) => `<p><b>${esc(L.appendix.roles[f.role])}: ${esc(f.name)}</b> <span class="muted">${f.bytes} ${esc(L.appendix.bytes)}</span><br><span class="mono">${esc(L.appendix.sha256)} ${esc(f.sha256)}</span></p>`)
    .join('');
  const options = d.appendix.inputs.length === 0 ? '' : `<h3>${esc(L.appendix.options)}</h3>${dl(d.appendix.inputs)}`;
  return `<section id="section-appendix"><h2>${esc(L.sections.appendix)}</h2><h3>${esc(L.appendix.method)}</h3>${L.appendix.methodText.map((t) => `<p>${esc(t)}</p>`).join('')}<h3>${esc(L.appendix.definitions)}</h3>${defs.map((x) => `<p>${esc(x.term)}: ${esc(x.text)}</p>`).join('')}<h3>${esc(L.appendix.inputs)}</h3>${files}${options}</section>`;
}

function contents({ d, L }: Ctx): string {
  const s = d.template.sections;
  const panels = s.units ? d.panels : [];
  const items: string[] = [];
  for (const k of ['summary', 'actions', 'units', 'health', 'appendix'] as const) {
    if (!s[k] || (k === 'units' && panels.length === 0)) continue;
    const sub = k === 'units' ? `<ul>${panels.map((p) => `<li><a href="#unit-${p.unit}">${esc(L.panel.title(p.unit, p.rank))}</a></li>`).join('')}</ul>` : '';
    items.push(`<li style="display:block"><a href="#section-${k}"><b>${esc(L.sections[k])}</b></a>${sub}</li>`);
  }
  return items.length === 0 ? '' : `<section class="toc"><h2>${esc(L.contents)}</h2><ul>${items.join('')}</ul></section>`;
}

/** The report as one HTML page (UTF-8, no external resources). */
export function renderReportHtml(doc: ReportDocument): string {
  const d = withSensorLabels(doc);
  const c: Ctx = { d, L: reportLabels(d.meta.language), charts: new SvgCharts() };
  try {
    const s = d.template.sections;
    const parts = [
      s.cover ? cover(c) : '',
      contents(c),
      s.summary ? summary(c) : '',
      s.actions ? actions(c) : '',
      ...(s.units ? d.panels.map((p, i) => panel(c, p, i === 0)) : []),
      s.health ? health(c) : '',
      s.appendix ? appendix(c) : '',
    ];
    const page = d.template.pageSize === 'Letter' ? 'letter' : 'A4';
    return `<!doctype html><html lang="${d.meta.language}"><head><meta charset="utf-8"><title>${esc(d.meta.title)}</title><meta name="author" content="${esc(d.meta.author)}"><style>${CSS.replace('var(--page-size)', page)}</style></head><body>${parts.join('')}</body></html>`;
  } finally {
    c.charts.dispose();
  }
}
