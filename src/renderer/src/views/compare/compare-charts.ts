/** Overlaid curves of the compared runs: one colour per run (ROC, precision–recall, validation loss). */
import type { RunDetail } from '../../../../shared/schemas';
import { AXIS_LABEL, AXIS_NAME, BASE_TEXT_STYLE, CHART_GRID, UNIT_COLORS } from '../../lib/chart-style';
import type { ChartOption, LineSeries } from '../../lib/echarts';

export function runColor(i: number): string {
  return UNIT_COLORS[i % UNIT_COLORS.length]!;
}

/** The model whose figures head the run: the ensemble when it has one, else the GBDT. */
export function headlineModel(run: RunDetail): string {
  return run.curves.ensemble !== undefined ? 'ensemble' : 'gbdt';
}

function axes(x: string, y: string, unitRange: boolean): Pick<ChartOption, 'xAxis' | 'yAxis'> {
  const axis = (name: string) => ({
    type: 'value' as const,
    name,
    nameLocation: 'middle' as const,
    nameGap: 28,
    nameTextStyle: AXIS_NAME,
    axisLabel: AXIS_LABEL,
    splitLine: { lineStyle: { color: CHART_GRID } },
    ...(unitRange ? { min: 0, max: 1 } : { scale: true }),
  });
  return { xAxis: axis(x), yAxis: { ...axis(y), nameGap: 40 } };
}

function base(series: LineSeries[], x: string, y: string, unitRange: boolean): ChartOption {
  return {
    animation: false,
    textStyle: BASE_TEXT_STYLE,
    grid: { left: 56, right: 16, top: 36, bottom: 44 },
    legend: { top: 0, type: 'scroll' },
    tooltip: { trigger: 'axis' },
    ...axes(x, y, unitRange),
    series,
  };
}

/** ROC or precision–recall of each run's headline model on the validation units. */
export function buildOverlayCurves(kind: 'roc' | 'pr', runs: readonly { label: string; detail: RunDetail }[]): ChartOption {
  const series: LineSeries[] = runs.map((r, i) => ({
    type: 'line',
    name: r.label,
    showSymbol: false,
    step: kind === 'pr' ? 'end' : false,
    lineStyle: { width: 1.8, color: runColor(i) },
    itemStyle: { color: runColor(i) },
    data: (r.detail.curves[headlineModel(r.detail)]?.validation[kind] ?? []).map((p) => [p.x, p.y]),
  }));
  return kind === 'roc' ? base(series, 'False positive rate', 'True positive rate', true) : base(series, 'Recall', 'Precision', true);
}

/** Each run's GBDT validation loss per tree. */
export function buildOverlayLoss(runs: readonly { label: string; detail: RunDetail }[]): ChartOption {
  const series: LineSeries[] = runs.map((r, i) => ({
    type: 'line',
    name: r.label,
    showSymbol: false,
    lineStyle: { width: 1.8, color: runColor(i) },
    itemStyle: { color: runColor(i) },
    data: (r.detail.lossCurves.gbdt ?? []).filter((p) => p.validation !== null).map((p) => [p.iteration + 1, p.validation!]),
  }));
  return base(series, 'Trees', 'Validation log-loss', false);
}
