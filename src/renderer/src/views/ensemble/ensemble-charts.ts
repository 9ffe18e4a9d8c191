import '../../lib/echarts-more';
import { AXIS_LABEL, AXIS_NAME, BASE_TEXT_STYLE, CHART_AXIS, CHART_GRID, SERIES_COLORS } from '../../lib/chart-style';
import type { ChartOption, LineSeries, ScatterSeries } from '../../lib/echarts';
import type { GridPoint } from '../../lib/ensemble-metrics';
import { formatFixed } from '../../lib/format';

/**
 * F2 on the validation units against the GBDT weight, each weight at its own best threshold: the
 * search stored with the run and, once computed here, the finer one; the current weight marked.
 */
/** Whether a stored weight grid records each weight's log-loss (runs trained since it was recorded). */
export function gridHasLogLoss(grid: readonly GridPoint[]): boolean {
  return grid.length > 0 && grid.every((g) => g.logLoss !== undefined);
}

export function buildGridOption(
  stored: readonly GridPoint[],
  fine: readonly GridPoint[] | null,
  current: { weight: number; f2: number | null },
  saved: number,
): ChartOption {
  const series: Array<LineSeries | ScatterSeries> = [];
  if (fine !== null) {
    series.push({
      type: 'line',
      name: 'Best F2 (step 0.01)',
      data: fine.map((g) => [g.weight, g.fBeta]),
      showSymbol: false,
      color: '#7048e8',
      lineStyle: { width: 1.5 },
    });
  }
  series.push({
    type: 'line',
    name: 'Best F2 (stored search)',
    data: stored.map((g) => [g.weight, g.fBeta]),
    showSymbol: true,
    symbolSize: 5,
    color: '#1d5fbf',
    lineStyle: { width: fine === null ? 2 : 1, type: fine === null ? 'solid' : 'dashed' },
    markLine: {
      silent: true,
      symbol: 'none',
      data: [
        {
          xAxis: current.weight,
          lineStyle: { color: SERIES_COLORS.current, width: 1.5 },
          label: { formatter: `w = ${formatFixed(current.weight, 2)}`, color: SERIES_COLORS.current, fontSize: 11 },
        },
        ...(Math.abs(saved - current.weight) < 1e-9
          ? []
          : [
              {
                xAxis: saved,
                lineStyle: { color: '#5b6470', type: 'dashed' as const, width: 1 },
                label: {
                  formatter: 'saved',
                  color: '#5b6470',
                  fontSize: 11,
                  position: 'insideEndBottom' as const,
                },
              },
            ]),
      ],
    },
  });
  // the criterion runs choose w by since log-loss was recorded: on its own axis, lower is better
  const withLoss = gridHasLogLoss(stored);
  if (withLoss) {
    series.push({
      type: 'line',
      name: 'Log-loss (stored search)',
      data: stored.map((g) => [g.weight, g.logLoss!]),
      yAxisIndex: 1,
      showSymbol: true,
      symbolSize: 4,
      color: '#d9480f',
      lineStyle: { width: 1.5, type: 'dotted' },
    });
  }
  if (current.f2 !== null) {
    series.push({
      type: 'scatter',
      name: 'Current (this threshold)',
      data: [[current.weight, current.f2]],
      symbolSize: 10,
      color: SERIES_COLORS.current,
      z: 5,
    });
  }
  return {
    animation: false,
    textStyle: BASE_TEXT_STYLE,
    legend: { top: 0, right: 12, icon: 'roundRect', itemWidth: 14, itemHeight: 4, textStyle: { fontSize: 11 } },
    grid: { left: 52, right: withLoss ? 64 : 20, top: withLoss ? 50 : 36, bottom: 44 },
    xAxis: {
      type: 'value',
      min: 0,
      max: 1,
      interval: 0.1,
      name: 'GBDT weight w (P = w·GBDT + (1 − w)·LSTM)',
      nameLocation: 'middle',
      nameGap: 28,
      nameTextStyle: AXIS_NAME,
      axisLabel: { ...AXIS_LABEL, formatter: (v: number) => formatFixed(v, 1) },
      axisLine: { lineStyle: { color: CHART_AXIS } },
      splitLine: { show: false },
    },
    yAxis: [
      {
        type: 'value',
        name: 'F2 (validation)',
        nameTextStyle: AXIS_NAME,
        scale: true,
        axisLabel: { ...AXIS_LABEL, formatter: (v: number) => formatFixed(v, 2) },
        splitLine: { lineStyle: { color: CHART_GRID } },
      },
      ...(withLoss
        ? [
            {
              type: 'value' as const,
              name: 'log-loss',
              nameTextStyle: AXIS_NAME,
              scale: true,
              position: 'right' as const,
              axisLabel: { ...AXIS_LABEL, formatter: (v: number) => formatFixed(v, 3) },
              splitLine: { show: false },
            },
          ]
        : []),
    ],
    tooltip: {
      trigger: 'axis',
      confine: true,
      textStyle: { fontSize: 12 },
      valueFormatter: (v: unknown) => (typeof v === 'number' ? formatFixed(v, 4) : '—'),
    },
    series,
  };
}
