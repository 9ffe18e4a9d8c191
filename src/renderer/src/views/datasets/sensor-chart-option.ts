import type { Series } from '../../../../shared/schemas';
import type { ChartOption, LineSeries } from '../../lib/echarts';
import { formatStat } from '../../lib/format';

export type XAxisMode = 'cycle' | 'rul';

import { UNIT_COLORS } from '../../../../shared/charts/style';

export { UNIT_COLORS };

const LEFT = 72;
const RIGHT = 28;
const TOP = 48;
const PANEL_HEIGHT = 150;
const PANEL_GAP = 50;
const BOTTOM = 64;
const TEXT = '#1b1f24';
const MUTED = '#5b6470';
const GRID_LINE = '#e6e9ee';

const TOOLTIP_UNITS_PER_SENSOR = 8;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface TooltipPoint {
  seriesIndex: number;
  seriesName: string;
  color: string;
  value: [number, number];
}

function isTooltipPoint(p: unknown): p is TooltipPoint {
  if (typeof p !== 'object' || p === null) return false;
  const r = p as Record<string, unknown>;
  return typeof r.seriesIndex === 'number' && typeof r.seriesName === 'string' && Array.isArray(r.value);
}

/** Values at the hovered x, grouped by sensor (every panel shares the x axis). */
function tooltipHtml(params: unknown, sensors: readonly string[], unitCount: number, xName: string): string {
  const points = (Array.isArray(params) ? params : [params]).filter(isTooltipPoint);
  const first = points[0];
  if (first === undefined || unitCount === 0) return '';
  const bySensor = new Map<number, TooltipPoint[]>();
  for (const p of points) {
    const panel = Math.floor(p.seriesIndex / unitCount);
    const list = bySensor.get(panel) ?? [];
    list.push(p);
    bySensor.set(panel, list);
  }
  const parts = [
    `<div style="font-weight:600;margin-bottom:4px">${escapeHtml(xName)} ${escapeHtml(formatStat(first.value[0]))}</div>`,
  ];
  for (const [panel, list] of [...bySensor.entries()].sort((a, b) => a[0] - b[0])) {
    const name = sensors[panel] ?? '';
    const shown = list.slice(0, TOOLTIP_UNITS_PER_SENSOR);
    const rows = shown
      .map(
        (p) =>
          `<div style="display:flex;gap:12px;justify-content:space-between"><span><span style="display:inline-block;width:8px;height:8px;border-radius:2px;margin-right:6px;background:${escapeHtml(p.color)}"></span>${escapeHtml(p.seriesName)}</span><span style="font-variant-numeric:tabular-nums">${escapeHtml(formatStat(p.value[1]))}</span></div>`,
      )
      .join('');
    const more =
      list.length > shown.length ? `<div style="color:${MUTED}">and ${list.length - shown.length} more</div>` : '';
    parts.push(`<div style="margin-top:4px"><div style="color:${MUTED}">${escapeHtml(name)}</div>${rows}${more}</div>`);
  }
  return parts.join('');
}

export function chartHeight(panels: number): number {
  return TOP + panels * PANEL_HEIGHT + Math.max(0, panels - 1) * PANEL_GAP + BOTTOM;
}

/**
 * One panel per sensor, stacked, sharing the x axis (cycle, or RUL with failure on the right);
 * every selected unit is overlaid in each panel.
 */
export function buildSensorChartOption(
  series: Series,
  sensors: readonly string[],
  mode: XAxisMode,
  constant: ReadonlySet<string>,
  /** a sensor's display name (its catalogue name and unit); the id by default */
  nameOf: (sensor: string) => string = (s) => s,
): ChartOption {
  const panelTop = (i: number) => TOP + i * (PANEL_HEIGHT + PANEL_GAP);
  const xName = mode === 'cycle' ? 'Cycle' : 'RUL (cycles to failure)';
  const allAxes = sensors.map((_, i) => i);

  const lines: LineSeries[] = [];
  sensors.forEach((sensor, panel) => {
    series.units.forEach((u, k) => {
      const xs = mode === 'rul' && u.rul !== null ? u.rul : u.cycle;
      const ys = u.values[sensor] ?? [];
      const data: Array<[number, number]> = [];
      const n = Math.min(xs.length, ys.length);
      for (let j = 0; j < n; j++) data.push([xs[j]!, ys[j]!]);
      lines.push({
        type: 'line',
        name: `Unit ${u.unit}`,
        xAxisIndex: panel,
        yAxisIndex: panel,
        data,
        showSymbol: false,
        symbolSize: 4,
        sampling: 'lttb',
        color: UNIT_COLORS[k % UNIT_COLORS.length],
        lineStyle: { width: 1.25 },
        emphasis: { focus: 'series', lineStyle: { width: 2 } },
      });
    });
  });

  return {
    animation: false,
    textStyle: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif', color: TEXT },
    legend: {
      type: 'scroll',
      top: 8,
      left: LEFT,
      right: RIGHT,
      icon: 'roundRect',
      itemWidth: 14,
      itemHeight: 4,
      textStyle: { color: TEXT, fontSize: 12 },
      data: series.units.map((u) => `Unit ${u.unit}`),
    },
    title: sensors.map((sensor, i) => ({
      text: constant.has(sensor) ? `${nameOf(sensor)}  (constant)` : nameOf(sensor),
      left: LEFT,
      top: panelTop(i) - 22,
      textStyle: { fontSize: 13, fontWeight: 600, color: constant.has(sensor) ? MUTED : TEXT },
    })),
    grid: sensors.map((_, i) => ({ left: LEFT, right: RIGHT, top: panelTop(i), height: PANEL_HEIGHT })),
    xAxis: sensors.map((_, i) => ({
      type: 'value',
      gridIndex: i,
      inverse: mode === 'rul',
      min: 'dataMin',
      max: 'dataMax',
      name: i === sensors.length - 1 ? xName : undefined,
      nameLocation: 'middle',
      nameGap: 26,
      nameTextStyle: { color: MUTED, fontSize: 12 },
      axisLabel: { color: MUTED, fontSize: 11 },
      axisLine: { lineStyle: { color: '#9aa3ad' } },
      splitLine: { show: false },
    })),
    yAxis: sensors.map((_, i) => ({
      type: 'value',
      gridIndex: i,
      scale: true,
      axisLabel: { color: MUTED, fontSize: 11, formatter: (v: number) => formatStat(v) },
      splitLine: { lineStyle: { color: GRID_LINE } },
    })),
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'line', snap: true },
      confine: true,
      textStyle: { fontSize: 12 },
      formatter: (params: unknown) => tooltipHtml(params, sensors.map(nameOf), series.units.length, xName),
    },
    dataZoom: [
      { type: 'inside', xAxisIndex: allAxes, filterMode: 'none' },
      {
        type: 'slider',
        xAxisIndex: allAxes,
        filterMode: 'none',
        bottom: 10,
        height: 18,
        left: LEFT,
        right: RIGHT,
        labelFormatter: (v: number) => formatStat(v),
      },
    ],
    series: lines,
  };
}
