import '../../lib/echarts-more';
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
import type { ChartOption, LineSeries } from '../../lib/echarts';
import { formatFixed, formatInteger } from '../../lib/format';

export interface LossRow {
  readonly iteration: number;
  readonly train: number | null;
  readonly validation: number | null;
}

function isAxisParams(p: unknown): p is Array<{ seriesName: string; color: string; value: [number, number | null] }> {
  return Array.isArray(p);
}

/** Iteration of the lowest validation loss (what early stopping keeps), or null without validation losses. */
export function bestIteration(rows: readonly LossRow[]): number | null {
  let best: LossRow | null = null;
  for (const r of rows) if (r.validation !== null && (best === null || r.validation < best.validation!)) best = r;
  return best?.iteration ?? null;
}

/** What one iteration is: a tree of the GBDT, an epoch of the LSTM. */
export interface IterationUnit {
  readonly axis: string;
  readonly one: string;
}
export const TREES: IterationUnit = { axis: 'Trees (boosting rounds)', one: 'tree' };
export const EPOCHS: IterationUnit = { axis: 'Epochs', one: 'epoch' };

/** Training and validation loss per iteration (tree or epoch), the best one marked. */
export function buildLossOption(
  rows: readonly LossRow[],
  maxIterations?: number,
  unit: IterationUnit = TREES,
): ChartOption {
  const One = unit.one.charAt(0).toUpperCase() + unit.one.slice(1);
  const best = bestIteration(rows);
  const train: LineSeries = {
    type: 'line',
    name: 'Training',
    data: rows.filter((r) => r.train !== null).map((r) => [r.iteration + 1, r.train!]),
    showSymbol: false,
    color: SERIES_COLORS.train,
    lineStyle: { width: 1.5 },
  };
  const validation: LineSeries = {
    type: 'line',
    name: 'Validation',
    data: rows.filter((r) => r.validation !== null).map((r) => [r.iteration + 1, r.validation!]),
    showSymbol: false,
    color: SERIES_COLORS.validation,
    lineStyle: { width: 1.5 },
    ...(best === null
      ? {}
      : {
          markLine: {
            silent: true,
            symbol: 'none',
            lineStyle: { color: CHART_MUTED, type: 'dashed', width: 1 },
            label: {
              formatter: `best: ${unit.one} ${formatInteger(best + 1)}`,
              color: CHART_MUTED,
              fontSize: 11,
              position: 'end',
            },
            data: [{ xAxis: best + 1 }],
          },
        }),
  };
  return {
    animation: false,
    textStyle: BASE_TEXT_STYLE,
    legend: { top: 4, right: 16, icon: 'roundRect', itemWidth: 14, itemHeight: 4 },
    grid: { left: 56, right: 44, top: 40, bottom: 40 },
    xAxis: {
      type: 'value',
      min: 1,
      max: maxIterations !== undefined && maxIterations > 1 ? maxIterations : 'dataMax',
      minInterval: 1,
      name: unit.axis,
      nameLocation: 'middle',
      nameGap: 24,
      nameTextStyle: AXIS_NAME,
      axisLabel: AXIS_LABEL,
      axisLine: { lineStyle: { color: CHART_AXIS } },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      name: 'Log-loss',
      nameTextStyle: AXIS_NAME,
      scale: true,
      axisLabel: { ...AXIS_LABEL, formatter: (v: number) => formatFixed(v, 2) },
      splitLine: { lineStyle: { color: CHART_GRID } },
    },
    tooltip: {
      trigger: 'axis',
      confine: true,
      textStyle: { fontSize: 12 },
      formatter: (params: unknown) => {
        if (!isAxisParams(params) || params.length === 0) return '';
        const head = `<div style="font-weight:600">${escapeHtml(One)} ${escapeHtml(formatInteger(params[0]!.value[0]))}</div>`;
        return (
          head +
          params
            .map(
              (p) =>
                `<div><span style="display:inline-block;width:8px;height:8px;border-radius:2px;margin-right:6px;background:${escapeHtml(p.color)}"></span>${escapeHtml(p.seriesName)} ${escapeHtml(formatFixed(p.value[1], 4))}</div>`,
            )
            .join('')
        );
      },
    },
    series: [train, validation],
  };
}
