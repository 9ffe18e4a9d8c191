/**
 * ECharts option builders for the PDF report (pure: no DOM, no Node). The report's renderer draws
 * them to SVG server-side; the Reports view can draw the same options in the page.
 */
import type { EChartsOption } from 'echarts';
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

/** One unit's failure-risk probability over its cycles with the alert threshold as a dashed line. */
export function buildUnitRiskOption(
  risk: { cycle: readonly number[]; probability: readonly number[] },
  opts: ReportChartBase & { threshold: number; thresholdLabel: string; xName: string; yName: string },
): EChartsOption {
  const data: [number, number][] = risk.cycle.map((c, i) => [c, risk.probability[i] ?? Number.NaN]);
  return {
    ...base(opts.font),
    grid: { left: 48, right: 16, top: 14, bottom: 38 },
    xAxis: {
      type: 'value',
      min: 'dataMin',
      max: 'dataMax',
      name: opts.xName,
      nameLocation: 'middle',
      nameGap: 24,
      nameTextStyle: AXIS_NAME,
      axisLabel: { ...AXIS_LABEL, showMaxLabel: false },
      axisLine,
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      min: 0,
      max: 1,
      name: opts.yName,
      nameLocation: 'middle',
      nameGap: 34,
      nameTextStyle: AXIS_NAME,
      axisLine: { show: true, lineStyle: { color: CHART_AXIS } },
      axisLabel: { ...AXIS_LABEL, formatter: (v: number) => v.toFixed(1) },
      splitLine: { lineStyle: { color: CHART_GRID } },
    },
    series: [
      {
        type: 'line',
        data,
        showSymbol: false,
        sampling: 'lttb',
        color: SERIES_COLORS.validation,
        lineStyle: { width: 1.5 },
        markLine: {
          silent: true,
          symbol: 'none',
          data: [
            {
              yAxis: opts.threshold,
              lineStyle: { color: SERIES_COLORS.current, type: 'dashed', width: 1.25 },
              label: { formatter: opts.thresholdLabel, color: SERIES_COLORS.current, fontSize: 10, position: 'insideStartTop' },
            },
          ],
        },
      },
    ],
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

/** A reliability diagram from binned (mean predicted, observed) pairs, with the diagonal. */
export function buildReliabilityBinsOption(
  bins: readonly { predicted: number; observed: number; count: number }[],
  opts: ReportChartBase & { xName: string; yName: string; perfectName: string; seriesName: string },
): EChartsOption {
  const total = bins.reduce((s, b) => s + b.count, 0);
  const square = (name: string, gap: number) => ({
    type: 'value' as const,
    min: 0,
    max: 1,
    interval: 0.2,
    name,
    nameLocation: 'middle' as const,
    nameGap: gap,
    nameTextStyle: AXIS_NAME,
    axisLabel: { ...AXIS_LABEL, formatter: (v: number) => v.toFixed(1) },
    axisLine,
    splitLine: { lineStyle: { color: CHART_GRID } },
  });
  return {
    ...base(opts.font),
    legend: { top: 0, left: 'center', icon: 'roundRect', itemWidth: 14, itemHeight: 4, textStyle: { fontSize: 10, fontFamily: opts.font ?? CHART_FONT } },
    grid: { left: 48, right: 16, top: 30, bottom: 40 },
    xAxis: square(opts.xName, 24),
    yAxis: square(opts.yName, 34),
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
