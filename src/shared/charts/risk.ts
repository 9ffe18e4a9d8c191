/**
 * Failure risk over cycles: the Fleet view's chart, and (one unit at a time) the PDF report's.
 */
import { formatFixed, formatInteger } from '../format';
import { AXIS_LABEL, AXIS_NAME, BASE_TEXT_STYLE, CHART_AXIS, CHART_GRID, CHART_MUTED, SERIES_COLORS, UNIT_COLORS, escapeHtml } from './style';
import type { ChartOption, LineSeries } from './types';

export type RiskXAxis = 'cycle' | 'rul';

export interface UnitRiskSeries {
  readonly unit: number;
  readonly cycle: readonly number[];
  readonly probability: readonly number[];
  readonly gbdt: readonly number[];
  readonly lstm: readonly number[] | null;
}

/** The colour of the k-th plotted unit; after ten colours the lines turn dashed so they stay apart. */
export function unitColor(k: number): string {
  return UNIT_COLORS[k % UNIT_COLORS.length]!;
}

function unitDash(k: number): 'solid' | 'dashed' {
  return k < UNIT_COLORS.length ? 'solid' : 'dashed';
}

interface AxisPoint {
  seriesName: string;
  color: string;
  value: [number, number, number];
}

function isAxisPoints(p: unknown): p is AxisPoint[] {
  return Array.isArray(p);
}

/**
 * Each plotted unit's failure-risk probability over its cycles, with the alert threshold as a
 * line. On the RUL axis (known RUL only) failure is at 0 on the right and the label window is marked.
 */
export function buildRiskOption(
  units: readonly UnitRiskSeries[],
  opts: {
    threshold: number;
    labelWindow: number;
    mode: RiskXAxis;
    /** true RUL at each unit's last cycle, when the dataset has a RUL file */
    rulAtEnd: ReadonlyMap<number, number>;
    /** the axis names and the threshold line's label in another language (the PDF report's) */
    text?: { xName: string; yName: string; threshold: string };
  },
): ChartOption {
  const { threshold, labelWindow, mode, rulAtEnd, text } = opts;
  const xName = text?.xName ?? (mode === 'cycle' ? 'Cycle' : 'True RUL (cycles to failure)');
  const series: LineSeries[] = units.map((u, k) => {
    const last = u.cycle[u.cycle.length - 1] ?? 0;
    const endRul = rulAtEnd.get(u.unit);
    const data: Array<[number, number, number]> = [];
    for (let i = 0; i < u.cycle.length; i++) {
      const c = u.cycle[i]!;
      const rul = endRul === undefined ? Number.NaN : endRul + last - c;
      data.push([mode === 'rul' ? rul : c, u.probability[i] ?? Number.NaN, mode === 'rul' ? c : rul]);
    }
    return {
      type: 'line',
      name: `Unit ${u.unit}`,
      data,
      showSymbol: false,
      sampling: 'lttb',
      color: unitColor(k),
      lineStyle: { width: 1.5, type: unitDash(k) },
      emphasis: { focus: 'series', lineStyle: { width: 2.5 } },
    };
  });

  const marks: NonNullable<LineSeries['markLine']>['data'] = [
    {
      yAxis: threshold,
      lineStyle: { color: SERIES_COLORS.current, type: 'dashed', width: 1.25 },
      label: {
        formatter: text?.threshold ?? `alert threshold ${formatFixed(threshold, 4)}`,
        color: SERIES_COLORS.current,
        fontSize: 11,
        // over the early cycles, where the lines lie flat (the RUL axis runs right to left)
        position: mode === 'rul' ? 'insideEndTop' : 'insideStartTop',
      },
    },
  ];
  if (mode === 'rul') {
    marks.push({
      xAxis: labelWindow,
      lineStyle: { color: CHART_MUTED, type: 'dotted', width: 1.25 },
      label: { formatter: `W = ${labelWindow}`, color: CHART_MUTED, fontSize: 11, position: 'end' },
    });
  }
  const first = series[0];
  if (first !== undefined) first.markLine = { silent: true, symbol: 'none', data: marks };

  return {
    animation: false,
    textStyle: BASE_TEXT_STYLE,
    legend: { type: 'scroll', top: 4, left: 56, right: 24, icon: 'roundRect', itemWidth: 14, itemHeight: 4 },
    grid: { left: 56, right: 28, top: 40, bottom: 48 },
    xAxis: {
      type: 'value',
      inverse: mode === 'rul',
      min: mode === 'rul' ? 0 : 'dataMin',
      max: 'dataMax',
      name: xName,
      nameLocation: 'middle',
      nameGap: 28,
      nameTextStyle: AXIS_NAME,
      axisLabel: { ...AXIS_LABEL, showMaxLabel: false },
      axisLine: { lineStyle: { color: CHART_AXIS } },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      min: 0,
      max: 1,
      name: text?.yName ?? 'Failure-risk probability',
      nameLocation: 'middle',
      nameGap: 40,
      nameTextStyle: AXIS_NAME,
      axisLine: { show: true, onZero: false, lineStyle: { color: CHART_AXIS } },
      axisLabel: { ...AXIS_LABEL, formatter: (v: number) => formatFixed(v, 1) },
      splitLine: { lineStyle: { color: CHART_GRID } },
    },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'line', lineStyle: { color: CHART_AXIS } },
      formatter: (params: unknown) => {
        if (!isAxisPoints(params) || params.length === 0) return '';
        const x = params[0]!.value[0];
        const head = `${mode === 'cycle' ? 'Cycle' : 'True RUL'} ${escapeHtml(formatInteger(x))}`;
        const rows = params
          .map((p) => {
            const other = p.value[2];
            const extra = Number.isFinite(other)
              ? ` <span style="color:${CHART_MUTED}">${mode === 'cycle' ? 'RUL' : 'cycle'} ${escapeHtml(formatInteger(other))}</span>`
              : '';
            const flag = p.value[1] >= threshold ? ` <b style="color:${SERIES_COLORS.current}">alert</b>` : '';
            return `<div style="display:flex;gap:14px;justify-content:space-between"><span><span style="display:inline-block;width:8px;height:8px;border-radius:2px;margin-right:6px;background:${escapeHtml(p.color)}"></span>${escapeHtml(p.seriesName)}${extra}</span><span style="font-variant-numeric:tabular-nums">${escapeHtml(formatFixed(p.value[1], 4))}${flag}</span></div>`;
          })
          .join('');
        return `<div style="font-weight:600;margin-bottom:4px">${head}</div>${rows}`;
      },
    },
    series,
  };
}
