/**
 * The ECharts option types the chart builders return (types only: src/shared never loads ECharts;
 * the renderer registers the parts it draws with, the report's renderer its own).
 */
import type { BarSeriesOption, LineSeriesOption, ScatterSeriesOption } from 'echarts/charts';
import type {
  DataZoomComponentOption,
  GridComponentOption,
  LegendComponentOption,
  MarkLineComponentOption,
  TitleComponentOption,
  TooltipComponentOption,
} from 'echarts/components';
import type { ComposeOption } from 'echarts/core';

export type ChartOption = ComposeOption<
  | LineSeriesOption
  | BarSeriesOption
  | ScatterSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | TitleComponentOption
  | TooltipComponentOption
  | DataZoomComponentOption
  | MarkLineComponentOption
>;

export type LineSeries = LineSeriesOption;
export type BarSeries = BarSeriesOption;
export type ScatterSeries = ScatterSeriesOption;
