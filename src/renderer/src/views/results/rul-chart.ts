import '../../lib/echarts-more';
import type { RunRulValue } from '../../../../shared/schemas';
import { AXIS_LABEL, AXIS_NAME, BASE_TEXT_STYLE, CHART_AXIS, CHART_GRID, SERIES_COLORS, escapeHtml } from '../../lib/chart-style';
import type { ChartOption, LineSeries, ScatterSeries } from '../../lib/echarts';
import { formatFixed } from '../../lib/format';

type RulPoint = RunRulValue['points']['validation'][number];

function isPoint(p: unknown): p is { seriesName: string; data: { value: [number, number]; point: RulPoint } } {
  if (typeof p !== 'object' || p === null) return false;
  const d = (p as Record<string, unknown>).data;
  return typeof d === 'object' && d !== null && 'point' in d;
}

/**
 * Predicted against true RUL at the cut cycle of each unit: a point per unit, its interval as a
 * vertical bar, and the diagonal where prediction equals truth (above it: late, the costly side).
 */
export function buildRulOption(points: readonly RulPoint[], split: 'validation' | 'test', cap: number): ChartOption {
  const color = split === 'validation' ? SERIES_COLORS.validation : SERIES_COLORS.test;
  const top = Math.max(cap, ...points.map((p) => Math.max(p.truth, p.high)));
  const max = Math.ceil(top / 25) * 25;
  const bars: (number | string)[][] = [];
  for (const p of points) bars.push([p.truth, p.low], [p.truth, p.high], ['-', '-']);
  const intervals: LineSeries = {
    type: 'line',
    name: 'Interval',
    data: bars,
    showSymbol: false,
    connectNulls: false,
    color,
    lineStyle: { width: 1, opacity: 0.45 },
    silent: true,
    tooltip: { show: false },
  };
  const predicted: ScatterSeries = {
    type: 'scatter',
    name: 'Predicted RUL',
    data: points.map((p) => ({ value: [p.truth, p.rul], point: p })),
    symbolSize: 6,
    color,
    z: 5,
  };
  const diagonal: LineSeries = {
    type: 'line',
    name: 'Predicted = true',
    data: [
      [0, 0],
      [max, max],
    ],
    showSymbol: false,
    color: SERIES_COLORS.chance,
    lineStyle: { width: 1, type: 'dashed' },
    silent: true,
    tooltip: { show: false },
  };
  const axis = (name: string) => ({
    type: 'value' as const,
    min: 0,
    max,
    name,
    nameLocation: 'middle' as const,
    nameGap: 30,
    nameTextStyle: AXIS_NAME,
    axisLabel: { ...AXIS_LABEL, formatter: (v: number) => formatFixed(v, 0) },
    axisLine: { lineStyle: { color: CHART_AXIS } },
    splitLine: { lineStyle: { color: CHART_GRID } },
  });
  return {
    animation: false,
    textStyle: BASE_TEXT_STYLE,
    legend: { top: 0, left: 'center', icon: 'roundRect', itemWidth: 14, itemHeight: 4, textStyle: { fontSize: 11 } },
    grid: { left: 56, right: 16, top: 44, bottom: 48 },
    xAxis: axis('True RUL (cycles, uncapped)'),
    yAxis: axis('Predicted RUL (cycles)'),
    tooltip: {
      trigger: 'item',
      confine: true,
      textStyle: { fontSize: 12 },
      formatter: (p: unknown) => {
        if (!isPoint(p)) return '';
        const u = p.data.point;
        return `<div style="font-weight:600">Unit ${escapeHtml(String(u.unit))}, cycle ${escapeHtml(String(u.cycle))}</div><div>true ${escapeHtml(formatFixed(u.truth, 0))} · predicted ${escapeHtml(formatFixed(u.rul, 1))}</div><div>interval ${escapeHtml(formatFixed(u.low, 1))}–${escapeHtml(formatFixed(u.high, 1))}</div>`;
      },
    },
    series: [diagonal, intervals, predicted],
  };
}
