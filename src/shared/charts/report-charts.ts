/**
 * ECharts option builders for the PDF report (pure: no DOM, no Node). The report's renderer draws
 * them to SVG server-side; the Reports view can draw the same options in the page.
 */
import type { EChartsOption } from 'echarts';
import { squareAxes } from './axes';
import { buildRiskOption } from './risk';
import { AXIS_LABEL, AXIS_NAME, CHART_AXIS, CHART_FONT, CHART_GRID, CHART_TEXT, SERIES_COLORS } from './style';

/** What every report chart shares: no animation, the given font, the palette. */
export interface ReportChartBase {
  /** the font family the text is drawn in (the PDF embeds DejaVu Sans) */
  font?: string;
}

function base(font: string | undefined): Pick<EChartsOption, 'animation' | 'textStyle'> {
  return { animation: false, textStyle: { fontFamily: font ?? CHART_FONT, color: CHART_TEXT } };
}

const axisLine = { lineStyle: { color: CHART_AXIS } };

/** The colours of the summary's risk buckets: strongest for "now". */
export const BUCKET_COLORS = { now: SERIES_COLORS.current, soon: '#e8590c', later: '#868e96' } as const;

/** Units per risk bucket as labelled vertical bars (the count is written on each bar, not only drawn). */
export function buildBucketsOption(
  buckets: readonly { key: 'now' | 'soon' | 'later'; label: string; count: number }[],
  opts: ReportChartBase & { axisName: string },
): EChartsOption {
  return {
    ...base(opts.font),
    grid: { left: 48, right: 16, top: 24, bottom: 36 },
    xAxis: {
      type: 'category',
      data: buckets.map((b) => b.label),
      axisLabel: { ...AXIS_LABEL, interval: 0 },
      axisLine,
      axisTick: { show: false },
    },
    yAxis: {
      type: 'value',
      minInterval: 1,
      name: opts.axisName,
      nameLocation: 'middle',
      nameGap: 34,
      nameTextStyle: AXIS_NAME,
      axisLabel: AXIS_LABEL,
      splitLine: { lineStyle: { color: CHART_GRID } },
    },
    series: [
      {
        type: 'bar',
        barMaxWidth: 64,
        data: buckets.map((b) => ({ value: b.count, itemStyle: { color: BUCKET_COLORS[b.key] } })),
        label: { show: true, position: 'top', color: CHART_TEXT, fontSize: 12, fontWeight: 'bold' },
      },
    ],
  };
}

/**
 * One unit's failure-risk probability over its cycles with the alert threshold as a dashed line: the
 * Fleet view's risk chart (buildRiskOption) for that unit, without the legend a single line needs not.
 */
export function buildUnitRiskOption(
  unit: number,
  risk: { cycle: readonly number[]; probability: readonly number[] },
  opts: ReportChartBase & { threshold: number; horizon: number; thresholdLabel: string; xName: string; yName: string },
): EChartsOption {
  const option = buildRiskOption([{ unit, cycle: risk.cycle, probability: risk.probability, gbdt: [], lstm: null }], {
    threshold: opts.threshold,
    labelWindow: opts.horizon,
    mode: 'cycle',
    rulAtEnd: new Map(),
    text: { xName: opts.xName, yName: opts.yName, threshold: opts.thresholdLabel },
  });
  return {
    ...option,
    ...base(opts.font),
    legend: { show: false },
    tooltip: { show: false },
    grid: { left: 48, right: 16, top: 14, bottom: 38 },
  };
}

/**
 * Signed contributions as horizontal bars, largest |value| on top: what raises the risk points right
 * (red), what lowers it points left (blue); the values themselves go in a table beside the chart.
 */
export function buildContributionsOption(
  items: readonly { label: string; contribution: number }[],
  opts: ReportChartBase & { axisName: string },
): EChartsOption {
  const rows = [...items].reverse();
  return {
    ...base(opts.font),
    grid: { left: 8, right: 14, top: 8, bottom: 34, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
    xAxis: {
      type: 'value',
      name: opts.axisName,
      nameLocation: 'middle',
      nameGap: 22,
      nameTextStyle: AXIS_NAME,
      axisLabel: AXIS_LABEL,
      axisLine,
      splitLine: { lineStyle: { color: CHART_GRID } },
    },
    yAxis: {
      type: 'category',
      data: rows.map((r) => r.label),
      axisLabel: { ...AXIS_LABEL, fontSize: 10, interval: 0 },
      axisLine,
      axisTick: { show: false },
    },
    series: [
      {
        type: 'bar',
        barMaxWidth: 14,
        data: rows.map((r) => ({
          value: r.contribution,
          itemStyle: { color: r.contribution >= 0 ? SERIES_COLORS.current : SERIES_COLORS.validation },
        })),
      },
    ],
  };
}

/** One raw sensor's values over a unit's cycles. */
export function buildSensorTrendOption(
  trend: { sensor: string; cycle: readonly number[]; values: readonly number[] },
  opts: ReportChartBase & { xName: string },
): EChartsOption {
  return {
    ...base(opts.font),
    title: { text: trend.sensor, left: 4, top: 0, textStyle: { fontSize: 11, fontWeight: 'bold', color: CHART_TEXT, fontFamily: opts.font ?? CHART_FONT } },
    grid: { left: 8, right: 12, top: 22, bottom: 30, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
    xAxis: {
      type: 'value',
      min: 'dataMin',
      max: 'dataMax',
      name: opts.xName,
      nameLocation: 'middle',
      nameGap: 20,
      nameTextStyle: { ...AXIS_NAME, fontSize: 10 },
      splitNumber: 4,
      axisLabel: { ...AXIS_LABEL, fontSize: 9, showMaxLabel: false },
      axisLine,
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      scale: true,
      splitNumber: 3,
      axisLabel: { ...AXIS_LABEL, fontSize: 9 },
      splitLine: { lineStyle: { color: CHART_GRID } },
    },
    series: [
      {
        type: 'line',
        data: trend.cycle.map((c, i) => [c, trend.values[i] ?? Number.NaN]),
        showSymbol: false,
        sampling: 'lttb',
        color: SERIES_COLORS.train,
        lineStyle: { width: 1.1 },
      },
    ],
  };
}

/**
 * Several sensors' trends side by side in one chart (one grid each, `columns` to a row): the same
 * picture as one buildSensorTrendOption per sensor, drawn in a single pass.
 */
export function buildSensorTrendsOption(
  trends: readonly { sensor: string; cycle: readonly number[]; values: readonly number[] }[],
  opts: ReportChartBase & { xName: string; columns: number; cellWidth: number; cellHeight: number; gap: number },
): EChartsOption {
  const font = opts.font ?? CHART_FONT;
  const cell = (k: number): { x: number; y: number } => ({
    x: (k % opts.columns) * (opts.cellWidth + opts.gap),
    y: Math.floor(k / opts.columns) * (opts.cellHeight + opts.gap),
  });
  return {
    ...base(opts.font),
    title: trends.map((t, k) => ({
      text: t.sensor,
      left: cell(k).x + 4,
      top: cell(k).y,
      textStyle: { fontSize: 11, fontWeight: 'bold', color: CHART_TEXT, fontFamily: font },
    })),
    grid: trends.map((_, k) => ({ left: cell(k).x + 40, top: cell(k).y + 22, width: opts.cellWidth - 52, height: opts.cellHeight - 52 })),
    xAxis: trends.map((_, k) => ({
      type: 'value',
      gridIndex: k,
      min: 'dataMin',
      max: 'dataMax',
      name: opts.xName,
      nameLocation: 'middle',
      nameGap: 20,
      nameTextStyle: { ...AXIS_NAME, fontSize: 10 },
      splitNumber: 4,
      axisLabel: { ...AXIS_LABEL, fontSize: 9, showMaxLabel: false },
      axisLine,
      splitLine: { show: false },
    })),
    yAxis: trends.map((_, k) => ({
      type: 'value',
      gridIndex: k,
      scale: true,
      splitNumber: 3,
      axisLabel: { ...AXIS_LABEL, fontSize: 9 },
      splitLine: { lineStyle: { color: CHART_GRID } },
    })),
    series: trends.map((t, k) => ({
      type: 'line',
      xAxisIndex: k,
      yAxisIndex: k,
      data: t.cycle.map((c, i) => [c, t.values[i] ?? Number.NaN]),
      showSymbol: false,
      sampling: 'lttb',
      color: SERIES_COLORS.train,
      lineStyle: { width: 1.1 },
    })),
  };
}

/** A reliability diagram from binned (mean predicted, observed) pairs, with the diagonal. */
export function buildReliabilityBinsOption(
  bins: readonly { predicted: number; observed: number; count: number }[],
  opts: ReportChartBase & { xName: string; yName: string; perfectName: string; seriesName: string },
): EChartsOption {
  const total = bins.reduce((s, b) => s + b.count, 0);
  return {
    ...base(opts.font),
    legend: { top: 0, left: 'center', icon: 'roundRect', itemWidth: 14, itemHeight: 4, textStyle: { fontSize: 10, fontFamily: opts.font ?? CHART_FONT } },
    grid: { left: 48, right: 16, top: 30, bottom: 40 },
    // the axes of the Results view's reliability diagram
    ...squareAxes(opts.xName, opts.yName),
    series: [
      {
        type: 'line',
        name: opts.perfectName,
        data: [
          [0, 0],
          [1, 1],
        ],
        showSymbol: false,
        color: SERIES_COLORS.chance,
        lineStyle: { width: 1, type: 'dashed' },
      },
      {
        type: 'line',
        name: opts.seriesName,
        data: bins
          .filter((b) => b.count > 0)
          .map((b) => ({ value: [b.predicted, b.observed], symbolSize: 5 + 13 * Math.sqrt(b.count / Math.max(1, total)) })),
        showSymbol: true,
        symbol: 'circle',
        color: SERIES_COLORS.validation,
        lineStyle: { width: 1.5 },
      },
    ],
  };
}
