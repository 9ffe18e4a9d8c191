/**
 * The Drift view's charts: a column's reference-vs-current distribution, a monitored statistic over
 * the chunks with its alert band, the estimated performance per chunk with its confidence band, and
 * every feature's score against its threshold. Each builder takes report data only.
 */
import '../../lib/echarts-more';
import { MarkAreaComponent } from 'echarts/components';
import type { ChunkSeries, ColumnDrift, DriftHistogram } from '../../../../shared/drift';
import {
  AXIS_LABEL,
  AXIS_NAME,
  BASE_TEXT_STYLE,
  CHART_AXIS,
  CHART_GRID,
  CHART_MUTED,
  SERIES_COLORS,
  escapeHtml,
} from '../../lib/chart-style';
import { echarts, type BarSeries, type ChartOption, type LineSeries } from '../../lib/echarts';
import { formatFigure, formatFixed, formatStat, middleEllipsis } from '../../lib/format';
import { METHOD_SHORT, exceedance } from './drift-model';

echarts.use([MarkAreaComponent]);

export const DRIFT_COLORS = {
  reference: SERIES_COLORS.validation,
  current: SERIES_COLORS.current,
  band: 'rgba(29, 95, 191, 0.12)',
  confidence: 'rgba(29, 95, 191, 0.22)',
  alert: '#c92a2a',
  value: '#1d5fbf',
  realised: SERIES_COLORS.train,
  drifted: '#c92a2a',
  stable: '#7f9cc7',
} as const;

const LEGEND = { top: 0, left: 'center', icon: 'roundRect', itemWidth: 14, itemHeight: 4, textStyle: { fontSize: 11 } } as const;

function valueAxis(name: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'value' as const,
    name,
    nameLocation: 'middle' as const,
    nameGap: 44,
    nameTextStyle: AXIS_NAME,
    scale: true,
    axisLabel: { ...AXIS_LABEL, formatter: (v: number) => formatStat(v) },
    axisLine: { show: true, lineStyle: { color: CHART_AXIS } },
    splitLine: { lineStyle: { color: CHART_GRID } },
    ...extra,
  };
}

/**
 * Step outlines of the reference and current shares on the report's shared bins: each bin's share
 * held from its left edge to its right edge.
 */
export function histogramSteps(h: DriftHistogram, side: 'reference' | 'current'): Array<[number, number]> {
  const shares = h[side];
  const points: Array<[number, number]> = [];
  for (let i = 0; i < shares.length; i++) {
    const left = h.edges[i];
    if (left === undefined) break;
    points.push([left, shares[i] ?? 0]);
  }
  const last = h.edges[shares.length];
  if (last !== undefined && shares.length > 0) points.push([last, shares[shares.length - 1] ?? 0]);
  return points;
}

function isAxisParams(p: unknown): p is Array<{ seriesName: string; value: [number, number]; color: string }> {
  return Array.isArray(p);
}

/**
 * The reference and current distributions of one column, overlaid (shares of rows per bin). The
 * x-axis is named `axisName`: the catalogue's name and unit (`T24 mean (30 cycles), °R`), else the id.
 */
export function buildDistributionOption(column: Pick<ColumnDrift, 'name' | 'histogram' | 'reference' | 'current'>, axisName: string = column.name): ChartOption {
  const h = column.histogram;
  const side = (name: string, key: 'reference' | 'current', color: string): LineSeries => ({
    type: 'line',
    name,
    data: histogramSteps(h, key),
    step: 'end',
    showSymbol: false,
    color,
    lineStyle: { width: 1.5 },
    areaStyle: { color, opacity: key === 'reference' ? 0.18 : 0.14 },
    emphasis: { disabled: true },
  });
  const series: LineSeries[] = [
    side(`Reference (mean ${formatStat(column.reference.mean)})`, 'reference', DRIFT_COLORS.reference),
    side(`Current (mean ${formatStat(column.current.mean)})`, 'current', DRIFT_COLORS.current),
  ];
  return {
    animation: false,
    textStyle: BASE_TEXT_STYLE,
    legend: LEGEND,
    grid: { left: 56, right: 20, top: 36, bottom: 44 },
    xAxis: valueAxis(middleEllipsis(axisName, 48), {
      nameGap: 28,
      min: 'dataMin',
      max: 'dataMax',
      splitLine: { show: false },
      axisLine: { show: true, onZero: false, lineStyle: { color: CHART_AXIS } },
      // the ends are the data's own extremes, not round numbers
      axisLabel: { ...AXIS_LABEL, formatter: (v: number) => formatStat(v), showMinLabel: false, showMaxLabel: false },
    }),
    yAxis: valueAxis('Share of rows', { scale: false, min: 0, axisLine: { show: true, onZero: false, lineStyle: { color: CHART_AXIS } }, axisLabel: { ...AXIS_LABEL, formatter: (v: number) => formatFixed(v, 2) } }),
    tooltip: {
      trigger: 'axis',
      confine: true,
      textStyle: { fontSize: 12 },
      formatter: (params: unknown) => {
        if (!isAxisParams(params) || params.length === 0) return '';
        const x = params[0]!.value[0];
        return (
          `<div style="font-weight:600">from ${escapeHtml(formatStat(x))}</div>` +
          params.map((p) => `<div>${escapeHtml(p.seriesName.split(' (')[0] ?? '')}: ${escapeHtml(formatFixed(p.value[1] * 100, 1))} %</div>`).join('')
        );
      },
    },
    series,
  };
}

/**
 * Axis bounds on round numbers that hold every value and both band edges (ECharts leaves a mark
 * area out of its own extent, so a band beyond the values would be cut off).
 */
export function niceBounds(values: readonly number[]): { min: number; max: number } | null {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return null;
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (hi === lo) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= d;
    hi += d;
  }
  const raw = (hi - lo) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((x) => x >= raw) ?? 10 * mag;
  // no float dust in the labels (0.30000000000000004)
  const clean = (v: number) => Number(v.toPrecision(12));
  const min = clean(Math.floor(lo / step) * step);
  const max = clean(Math.ceil(hi / step) * step);
  // a value on the edge would have its marker cut in half: one more step (not below a zero floor)
  return { min: min === lo && lo !== 0 ? clean(min - step) : min, max: max === hi ? clean(max + step) : max };
}

/** A series' values as line points with the alerted chunks drawn as larger red markers. */
function valuePoints(s: ChunkSeries) {
  return s.values.map((v, i) => {
    const alert = s.alerts[i] === true;
    return {
      value: v,
      symbol: 'circle',
      symbolSize: alert ? 9 : 5,
      itemStyle: { color: alert ? DRIFT_COLORS.alert : DRIFT_COLORS.value },
    };
  });
}

function chunkAxis(labels: readonly string[]) {
  return {
    type: 'category' as const,
    data: [...labels],
    name: 'Chunk',
    nameLocation: 'middle' as const,
    nameGap: 28,
    nameTextStyle: AXIS_NAME,
    axisLabel: { ...AXIS_LABEL, hideOverlap: true },
    axisLine: { lineStyle: { color: CHART_AXIS } },
    axisTick: { alignWithLabel: true },
  };
}

function isItemParams(p: unknown): p is Array<{ seriesName: string; value: unknown; dataIndex: number; axisValue?: string }> {
  return Array.isArray(p);
}

/**
 * One monitored statistic per chunk: its values (alerted chunks in red) and the alert band learned
 * from the reference chunks (mean ± 3 sd) as a shaded area between the band's bounds.
 */
export function buildChunkOption(labels: readonly string[], s: ChunkSeries, yName: string): ChartOption {
  const values = s.values.filter((v): v is number => v !== null);
  const all = [...values, ...(s.lower === null ? [] : [s.lower]), ...(s.upper === null ? [] : [s.upper])];
  const axisBounds = niceBounds(all);
  const band: LineSeries['markArea'] =
    s.lower !== null || s.upper !== null
      ? {
          silent: true,
          itemStyle: { color: DRIFT_COLORS.band },
          data: [[{ yAxis: s.lower ?? axisBounds?.min ?? 'min' }, { yAxis: s.upper ?? axisBounds?.max ?? 'max' }]],
        }
      : undefined;
  const bounds: NonNullable<LineSeries['markLine']>['data'] = [];
  if (s.lower !== null) bounds.push({ yAxis: s.lower });
  if (s.upper !== null) bounds.push({ yAxis: s.upper });
  const line: LineSeries = {
    type: 'line',
    name: s.label,
    data: valuePoints(s),
    showSymbol: true,
    connectNulls: false,
    color: DRIFT_COLORS.value,
    lineStyle: { width: 1.5 },
    emphasis: { disabled: true },
    ...(band === undefined ? {} : { markArea: band }),
    ...(bounds.length === 0 ? {} : { markLine: { silent: true, symbol: 'none', label: { show: false }, lineStyle: { color: CHART_AXIS, type: 'dashed', width: 1 }, data: bounds } }),
  };
  return {
    animation: false,
    textStyle: BASE_TEXT_STYLE,
    legend: { ...LEGEND, data: [s.label] },
    grid: { left: 60, right: 20, top: 32, bottom: 44 },
    xAxis: chunkAxis(labels),
    yAxis: valueAxis(middleEllipsis(yName, 28), axisBounds === null ? {} : { min: axisBounds.min, max: axisBounds.max, scale: false }),
    tooltip: {
      trigger: 'axis',
      confine: true,
      textStyle: { fontSize: 12 },
      formatter: (params: unknown) => {
        if (!isItemParams(params) || params.length === 0) return '';
        const i = params[0]!.dataIndex;
        const v = s.values[i];
        const alert = s.alerts[i] === true;
        const band = s.lower !== null || s.upper !== null ? `<div style="color:${CHART_MUTED}">band ${escapeHtml(formatFigure(s.lower ?? Number.NaN))} – ${escapeHtml(formatFigure(s.upper ?? Number.NaN))}</div>` : '';
        return (
          `<div style="font-weight:600">${escapeHtml(labels[i] ?? '')}</div>` +
          `<div>${escapeHtml(s.label)}: ${escapeHtml(v === null || v === undefined ? '—' : formatStat(v))}${alert ? ` <b style="color:${DRIFT_COLORS.alert}">alert</b>` : ''}</div>` +
          band
        );
      },
    },
    series: [line],
  };
}

/**
 * Estimated performance per chunk: the estimate, its confidence band (shaded, per chunk), the alert
 * band from the reference chunks, and the realised values beside when labels were given.
 */
export function buildPerformanceOption(labels: readonly string[], s: ChunkSeries, metricLabel: string): ChartOption {
  const low = s.bandLow ?? [];
  const high = s.bandHigh ?? [];
  const hasBand = low.length > 0 && high.length > 0;
  const series: LineSeries[] = [];
  if (hasBand) {
    series.push(
      {
        type: 'line',
        name: 'band-base',
        data: low.map((v) => v),
        stack: 'confidence',
        showSymbol: false,
        lineStyle: { opacity: 0 },
        silent: true,
        tooltip: { show: false },
        emphasis: { disabled: true },
      },
      {
        type: 'line',
        name: 'Confidence band',
        data: high.map((h, i) => {
          const l = low[i];
          return h === null || l === null || l === undefined ? null : h - l;
        }),
        stack: 'confidence',
        showSymbol: false,
        lineStyle: { opacity: 0 },
        areaStyle: { color: DRIFT_COLORS.confidence },
        color: DRIFT_COLORS.confidence,
        silent: true,
        tooltip: { show: false },
        emphasis: { disabled: true },
      },
    );
  }
  const estimate: LineSeries = {
    type: 'line',
    name: `Estimated ${metricLabel}`,
    data: valuePoints(s),
    showSymbol: true,
    color: DRIFT_COLORS.value,
    lineStyle: { width: 1.75 },
    emphasis: { disabled: true },
  };
  const bounds: NonNullable<LineSeries['markLine']>['data'] = [];
  if (s.lower !== null) bounds.push({ yAxis: s.lower, label: { formatter: `alert below ${formatFixed(s.lower, 3)}`, position: 'insideEndBottom', color: DRIFT_COLORS.alert, fontSize: 10 } });
  if (s.upper !== null) bounds.push({ yAxis: s.upper, label: { formatter: `alert above ${formatFixed(s.upper, 3)}`, position: 'insideEndTop', color: DRIFT_COLORS.alert, fontSize: 10 } });
  if (bounds.length > 0) estimate.markLine = { silent: true, symbol: 'none', lineStyle: { color: DRIFT_COLORS.alert, type: 'dashed', width: 1 }, data: bounds };
  series.push(estimate);
  if (s.realised !== undefined) {
    series.push({
      type: 'line',
      name: `Realised ${metricLabel}`,
      data: s.realised.map((v) => v),
      showSymbol: true,
      symbol: 'diamond',
      symbolSize: 7,
      color: DRIFT_COLORS.realised,
      lineStyle: { width: 1.5, type: 'dashed' },
      emphasis: { disabled: true },
    });
  }
  const legendNames = [`Estimated ${metricLabel}`, ...(hasBand ? ['Confidence band'] : []), ...(s.realised === undefined ? [] : [`Realised ${metricLabel}`])];
  return {
    animation: false,
    textStyle: BASE_TEXT_STYLE,
    legend: { ...LEGEND, data: legendNames },
    grid: { left: 60, right: 20, top: 32, bottom: 44 },
    xAxis: { ...chunkAxis(labels), boundaryGap: false },
    yAxis: valueAxis(metricLabel, { min: 0, max: 1, scale: false, axisLabel: { ...AXIS_LABEL, formatter: (v: number) => formatFixed(v, 1) } }),
    tooltip: {
      trigger: 'axis',
      confine: true,
      textStyle: { fontSize: 12 },
      formatter: (params: unknown) => {
        if (!isItemParams(params) || params.length === 0) return '';
        const i = params[0]!.dataIndex;
        const rows = [`<div style="font-weight:600">${escapeHtml(labels[i] ?? '')}</div>`];
        rows.push(`<div>estimated ${escapeHtml(formatFixed(s.values[i], 3))}${s.alerts[i] === true ? ` <b style="color:${DRIFT_COLORS.alert}">alert</b>` : ''}</div>`);
        if (hasBand) rows.push(`<div style="color:${CHART_MUTED}">band ${escapeHtml(formatFixed(low[i], 3))} – ${escapeHtml(formatFixed(high[i], 3))}</div>`);
        if (s.realised !== undefined) rows.push(`<div>realised ${escapeHtml(formatFixed(s.realised[i], 3))}</div>`);
        return rows.join('');
      },
    },
    series,
  };
}

/**
 * Every column's score against its threshold under the rule in force, as score / threshold (for KS
 * log p / log threshold) so every method reads the same: past 1 the column drifts.
 */
export function buildScoresOption(columns: readonly ColumnDrift[], label: (name: string) => string = (name) => name): ChartOption {
  const ordered = [...columns].sort((a, b) => exceedance(b) - exceedance(a));
  const bars: BarSeries = {
    type: 'bar',
    name: 'Score / threshold',
    data: ordered.map((c) => {
      const e = exceedance(c);
      return {
        value: Number.isFinite(e) ? e : 50,
        itemStyle: { color: c.drifted ? DRIFT_COLORS.drifted : DRIFT_COLORS.stable },
      };
    }),
    barMaxWidth: 14,
    markLine: {
      silent: true,
      symbol: 'none',
      lineStyle: { color: DRIFT_COLORS.alert, type: 'dashed', width: 1.25 },
      label: { show: false },
      data: [{ yAxis: 1 }],
    },
  };
  return {
    animation: false,
    textStyle: BASE_TEXT_STYLE,
    grid: { left: 48, right: 16, top: 16, bottom: 28 },
    xAxis: {
      type: 'category',
      data: ordered.map((c) => c.name),
      axisLabel: { show: false },
      axisTick: { show: false },
      axisLine: { lineStyle: { color: CHART_AXIS } },
    },
    yAxis: valueAxis('Score / threshold', { scale: false, min: 0, nameGap: 32 }),
    tooltip: {
      trigger: 'item',
      confine: true,
      textStyle: { fontSize: 12 },
      formatter: (p: unknown) => {
        if (typeof p !== 'object' || p === null) return '';
        const i = (p as { dataIndex?: unknown }).dataIndex;
        const c = typeof i === 'number' ? ordered[i] : undefined;
        if (c === undefined) return '';
        const pv = c.method === 'ks' && c.pValue !== undefined ? ` (p ${escapeHtml(formatStat(c.pValue))})` : '';
        return (
          `<div style="font-weight:600">${escapeHtml(label(c.name))}${label(c.name) === c.name ? '' : ` <span style="font-weight:400">(${escapeHtml(c.name)})</span>`}</div>` +
          `<div>${escapeHtml(METHOD_SHORT[c.method])} ${escapeHtml(formatStat(c.score))}${pv}, threshold ${escapeHtml(formatStat(c.threshold))}</div>` +
          `<div>${c.drifted ? '<b style="color:#c92a2a">drifts</b>' : 'stable'}</div>`
        );
      },
    },
    series: [bars],
  };
}
