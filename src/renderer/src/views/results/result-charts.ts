import '../../lib/echarts-more';
import type { RunDetail } from '../../../../shared/schemas';
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
import type { ChartOption, LineSeries, ScatterSeries } from '../../lib/echarts';
import { formatFixed, formatThreshold, middleEllipsis } from '../../lib/format';
import type { ThresholdFigures } from '../../lib/threshold-metrics';
import { squareAxes } from '../../../../shared/charts/axes';

export { squareAxes };

type Curves = RunDetail['curves'][string];
type Point = { x: number; y: number };

function isItem(p: unknown): p is { seriesName: string; value: [number, number] } {
  return typeof p === 'object' && p !== null && Array.isArray((p as Record<string, unknown>).value);
}

function curveSeries(name: string, points: readonly Point[], color: string, step: boolean): LineSeries {
  return {
    type: 'line',
    name,
    data: points.map((p) => [p.x, p.y]),
    showSymbol: false,
    color,
    lineStyle: { width: 1.75 },
    step: step ? 'end' : undefined,
    emphasis: { disabled: true },
  };
}


/**
 * ROC or precision–recall curves of the validation and test units, with the diagonal (ROC) or the
 * failure-row share (PR) as the no-skill line, and the validation operating point at the chosen
 * threshold.
 */
export function buildCurveOption(
  kind: 'roc' | 'pr',
  curves: Curves,
  operating: { point: Point | null; threshold: number },
  prevalence: { validation: number | null; test: number | null },
): ChartOption {
  const series: Array<LineSeries | ScatterSeries> = [
    curveSeries('Validation', curves.validation[kind], SERIES_COLORS.validation, kind === 'pr'),
  ];
  if (curves.test !== null) series.push(curveSeries('Test', curves.test[kind], SERIES_COLORS.test, kind === 'pr'));
  const noSkill: Point[] =
    kind === 'roc'
      ? [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
        ]
      : prevalence.validation === null
        ? []
        : [
            { x: 0, y: prevalence.validation },
            { x: 1, y: prevalence.validation },
          ];
  if (noSkill.length > 0) {
    series.push({
      type: 'line',
      name: 'No skill',
      data: noSkill.map((p) => [p.x, p.y]),
      showSymbol: false,
      color: SERIES_COLORS.chance,
      lineStyle: { width: 1, type: 'dashed' },
      silent: true,
      tooltip: { show: false },
    });
  }
  if (operating.point !== null) {
    series.push({
      type: 'scatter',
      name: `At threshold ${formatThreshold(operating.threshold)}`,
      data: [[operating.point.x, operating.point.y]],
      symbolSize: 10,
      color: SERIES_COLORS.current,
      z: 5,
    });
  }
  const xName = kind === 'roc' ? 'False positive rate' : 'Recall';
  const yName = kind === 'roc' ? 'True positive rate (recall)' : 'Precision';
  return {
    animation: false,
    textStyle: BASE_TEXT_STYLE,
    legend: { top: 0, left: 'center', icon: 'roundRect', itemWidth: 14, itemHeight: 4, textStyle: { fontSize: 11 } },
    grid: { left: 52, right: 16, top: 44, bottom: 44 },
    ...squareAxes(xName, yName),
    tooltip: {
      trigger: 'item',
      confine: true,
      textStyle: { fontSize: 12 },
      formatter: (p: unknown) =>
        isItem(p)
          ? `<div style="font-weight:600">${escapeHtml(p.seriesName)}</div><div>${escapeHtml(xName)} ${escapeHtml(formatFixed(p.value[0], 3))}</div><div>${escapeHtml(yName)} ${escapeHtml(formatFixed(p.value[1], 3))}</div>`
          : '',
    },
    series,
  };
}

/** Precision, recall, F1 and F2 of the validation units across thresholds, the chosen and tuned ones marked. */
export function buildThresholdOption(sweep: readonly ThresholdFigures[], current: number, tuned: number): ChartOption {
  const line = (
    name: string,
    pick: (f: ThresholdFigures) => number | null,
    color: string,
    width = 1.5,
  ): LineSeries => ({
    type: 'line',
    name,
    data: sweep.map((f) => [f.threshold, pick(f)]),
    showSymbol: false,
    connectNulls: false,
    color,
    lineStyle: { width },
  });
  const f2 = line('F2', (f) => f.f2, '#1d5fbf', 2.25);
  f2.markLine = {
    silent: true,
    symbol: 'none',
    data: [
      {
        xAxis: tuned,
        lineStyle: { color: SERIES_COLORS.tuned, type: 'dashed', width: 1 },
        label: { formatter: 'tuned', color: SERIES_COLORS.tuned, fontSize: 11, position: 'end' },
      },
      ...(Math.abs(current - tuned) < 1e-9
        ? []
        : [
            {
              xAxis: current,
              lineStyle: { color: SERIES_COLORS.current, width: 1.5 },
              label: { formatter: 'chosen', color: SERIES_COLORS.current, fontSize: 11, position: 'start' as const },
            },
          ]),
    ],
  };
  return {
    animation: false,
    textStyle: BASE_TEXT_STYLE,
    legend: { top: 0, right: 12, icon: 'roundRect', itemWidth: 14, itemHeight: 4, textStyle: { fontSize: 11 } },
    grid: { left: 44, right: 16, top: 36, bottom: 48 },
    xAxis: {
      type: 'value',
      min: 0,
      max: 1,
      name: 'Threshold (a row is flagged when p ≥ threshold)',
      nameLocation: 'middle',
      nameGap: 30,
      nameTextStyle: AXIS_NAME,
      axisLabel: { ...AXIS_LABEL, formatter: (v: number) => formatFixed(v, 1) },
      axisLine: { lineStyle: { color: CHART_AXIS } },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      min: 0,
      max: 1,
      interval: 0.25,
      axisLabel: { ...AXIS_LABEL, formatter: (v: number) => formatFixed(v, 2) },
      splitLine: { lineStyle: { color: CHART_GRID } },
    },
    tooltip: {
      trigger: 'axis',
      confine: true,
      textStyle: { fontSize: 12 },
      valueFormatter: (v: unknown) => (typeof v === 'number' ? formatFixed(v, 3) : '—'),
    },
    series: [
      f2,
      line('F1', (f) => f.f1, '#2b8a3e'),
      line('Precision', (f) => f.precision, '#e8590c'),
      line('Recall', (f) => f.recall, '#7048e8'),
    ],
  };
}

function isBar(p: unknown): p is { dataIndex: number } {
  return typeof p === 'object' && p !== null && typeof (p as Record<string, unknown>).dataIndex === 'number';
}

/**
 * Gain importance of the model's features, largest on top. `label` reads a feature id in the
 * dataset's sensor names (`s11_max_5` → `Ps30 max (5 cycles)`); the tooltip shows both.
 */
export function buildImportanceOption(
  rows: readonly { name: string; gain: number }[],
  total: number,
  label: (id: string) => string = (id) => id,
): ChartOption {
  const shown = [...rows].reverse();
  const labelWidth = 170;
  return {
    animation: false,
    textStyle: BASE_TEXT_STYLE,
    grid: { left: labelWidth + 16, right: 64, top: 8, bottom: 36 },
    xAxis: {
      type: 'value',
      name: 'Total gain',
      nameLocation: 'middle',
      nameGap: 24,
      nameTextStyle: AXIS_NAME,
      axisLabel: { ...AXIS_LABEL, formatter: (v: number) => formatFixed(v, 0) },
      splitLine: { lineStyle: { color: CHART_GRID } },
    },
    yAxis: {
      type: 'category',
      data: shown.map((r) => label(r.name)),
      axisTick: { show: false },
      axisLabel: {
        ...AXIS_LABEL,
        width: labelWidth,
        overflow: 'truncate',
        formatter: (name: string) => middleEllipsis(name, 26),
      },
    },
    tooltip: {
      trigger: 'item',
      confine: true,
      textStyle: { fontSize: 12 },
      formatter: (p: unknown) => {
        if (!isBar(p)) return '';
        const r = shown[p.dataIndex];
        if (r === undefined) return '';
        const share = total > 0 ? ` (${formatFixed((100 * r.gain) / total, 1)} % of the total)` : '';
        const shownAs = label(r.name);
        const title = shownAs === r.name ? escapeHtml(r.name) : `${escapeHtml(shownAs)} <span style="font-weight:400">(${escapeHtml(r.name)})</span>`;
        return `<div style="font-weight:600">${title}</div><div>gain ${escapeHtml(formatFixed(r.gain, 1))}${escapeHtml(share)}</div>`;
      },
    },
    series: [
      {
        type: 'bar',
        barMaxWidth: 14,
        data: shown.map((r) => r.gain),
        color: SERIES_COLORS.validation,
        label: {
          show: true,
          position: 'right',
          color: CHART_MUTED,
          fontSize: 10,
          formatter: (p: unknown) => {
            if (!isBar(p)) return '';
            const r = shown[p.dataIndex];
            return r === undefined || total <= 0 ? '' : `${formatFixed((100 * r.gain) / total, 1)} %`;
          },
        },
      },
    ],
  };
}

/** One colour per model wherever the models appear together. */
export const MODEL_COLORS: Record<string, string> = { gbdt: '#1d5fbf', lstm: '#2b8a3e', ensemble: '#7048e8' };
export const MODEL_LABELS: Record<string, string> = { gbdt: 'GBDT', lstm: 'LSTM', ensemble: 'Ensemble' };

export interface ModelCurve {
  readonly name: string;
  readonly color: string;
  readonly points: readonly Point[];
  /** drawn thicker (the curve the analyst is tuning) */
  readonly emphasis?: boolean;
}

/**
 * ROC or precision–recall curves of several models on one split, with the no-skill line and the
 * operating point of the chosen model at the chosen threshold.
 */
export function buildModelCurvesOption(
  kind: 'roc' | 'pr',
  curves: readonly ModelCurve[],
  operating: { point: Point | null; threshold: number; name?: string },
  prevalence: number | null,
): ChartOption {
  const series: Array<LineSeries | ScatterSeries> = curves.map((c) => ({
    ...curveSeries(c.name, c.points, c.color, kind === 'pr'),
    lineStyle: { width: c.emphasis === true ? 2.5 : 1.5 },
    z: c.emphasis === true ? 3 : 2,
  }));
  const noSkill: Point[] =
    kind === 'roc'
      ? [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
        ]
      : prevalence === null
        ? []
        : [
            { x: 0, y: prevalence },
            { x: 1, y: prevalence },
          ];
  if (noSkill.length > 0) {
    series.push({
      type: 'line',
      name: 'No skill',
      data: noSkill.map((p) => [p.x, p.y]),
      showSymbol: false,
      color: SERIES_COLORS.chance,
      lineStyle: { width: 1, type: 'dashed' },
      silent: true,
      tooltip: { show: false },
    });
  }
  if (operating.point !== null) {
    series.push({
      type: 'scatter',
      name: `${operating.name ?? ''} at ${formatThreshold(operating.threshold)}`.trim(),
      data: [[operating.point.x, operating.point.y]],
      symbolSize: 10,
      color: SERIES_COLORS.current,
      z: 5,
    });
  }
  const xName = kind === 'roc' ? 'False positive rate' : 'Recall';
  const yName = kind === 'roc' ? 'True positive rate (recall)' : 'Precision';
  return {
    animation: false,
    textStyle: BASE_TEXT_STYLE,
    legend: { top: 0, left: 'center', icon: 'roundRect', itemWidth: 14, itemHeight: 4, textStyle: { fontSize: 11 } },
    grid: { left: 52, right: 16, top: 44, bottom: 44 },
    ...squareAxes(xName, yName),
    tooltip: {
      trigger: 'item',
      confine: true,
      textStyle: { fontSize: 12 },
      formatter: (p: unknown) =>
        isItem(p)
          ? `<div style="font-weight:600">${escapeHtml(p.seriesName)}</div><div>${escapeHtml(xName)} ${escapeHtml(formatFixed(p.value[0], 3))}</div><div>${escapeHtml(yName)} ${escapeHtml(formatFixed(p.value[1], 3))}</div>`
          : '',
    },
    series,
  };
}
