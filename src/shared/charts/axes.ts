/** Axis options more than one chart builder shares. */
import { formatFixed } from '../format';
import { AXIS_LABEL, AXIS_NAME, CHART_AXIS, CHART_GRID } from './style';
import type { ChartOption } from './types';

/** Two probability axes on [0, 1] (ROC, precision–recall and reliability diagrams). */
export function squareAxes(xName: string, yName: string): Pick<ChartOption, 'xAxis' | 'yAxis'> {
  const axis = (name: string) => ({
    type: 'value' as const,
    min: 0,
    max: 1,
    interval: 0.2,
    name,
    nameLocation: 'middle' as const,
    nameGap: 28,
    nameTextStyle: AXIS_NAME,
    axisLabel: { ...AXIS_LABEL, formatter: (v: number) => formatFixed(v, 1) },
    axisLine: { lineStyle: { color: CHART_AXIS } },
    splitLine: { lineStyle: { color: CHART_GRID } },
  });
  return { xAxis: axis(xName), yAxis: axis(yName) };
}
