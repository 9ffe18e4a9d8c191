import '../../lib/echarts-more';
import type { FeatureRanking } from '../../../../shared/schemas';
import {
  AXIS_LABEL,
  AXIS_NAME,
  BASE_TEXT_STYLE,
  CHART_GRID,
  CHART_MUTED,
  SERIES_COLORS,
  escapeHtml,
} from '../../lib/chart-style';
import type { ChartOption } from '../../lib/echarts';
import { formatFixed, formatInteger, middleEllipsis } from '../../lib/format';

export type BarMetric = 'gain' | 'combined';

const LABEL_WIDTH = 136;

function isBarParam(p: unknown): p is { dataIndex: number } {
  return typeof p === 'object' && p !== null && typeof (p as Record<string, unknown>).dataIndex === 'number';
}

/**
 * Horizontal bars of the best-ranked features (best on top), coloured by whether they are selected.
 * Gain: longer is better. Combined: the weighted mean rank, shorter is better.
 */
export function buildFeatureBarOption(
  features: readonly FeatureRanking['features'][number][],
  metric: BarMetric,
  selected: ReadonlySet<string>,
  formulas: ReadonlyMap<string, string>,
): ChartOption {
  const rows = [...features].reverse();
  const value = (f: (typeof rows)[number]): number => (metric === 'gain' ? (f.gain ?? 0) : f.combined);
  return {
    animation: false,
    textStyle: BASE_TEXT_STYLE,
    grid: { left: LABEL_WIDTH + 16, right: 56, top: 8, bottom: 36 },
    xAxis: {
      type: 'value',
      name: metric === 'gain' ? 'Gain (higher is better)' : 'Combined rank score (lower is better)',
      nameLocation: 'middle',
      nameGap: 24,
      nameTextStyle: AXIS_NAME,
      axisLabel: { ...AXIS_LABEL, formatter: (v: number) => formatFixed(v, metric === 'gain' && v >= 100 ? 0 : 1) },
      splitLine: { lineStyle: { color: CHART_GRID } },
    },
    yAxis: {
      type: 'category',
      data: rows.map((f) => f.name),
      axisTick: { show: false },
      axisLabel: {
        ...AXIS_LABEL,
        width: LABEL_WIDTH,
        overflow: 'truncate',
        formatter: (name: string) => middleEllipsis(name, 19),
      },
    },
    tooltip: {
      trigger: 'item',
      confine: true,
      textStyle: { fontSize: 12 },
      formatter: (p: unknown) => {
        if (!isBarParam(p)) return '';
        const f = rows[p.dataIndex];
        if (f === undefined) return '';
        const formula = formulas.get(f.name) ?? '';
        return [
          `<div style="font-weight:600">${escapeHtml(f.name)} · rank ${formatInteger(f.rank)}</div>`,
          formula === ''
            ? ''
            : `<div style="color:${CHART_MUTED};max-width:320px;white-space:normal">${escapeHtml(formula)}</div>`,
          `<div>Gain ${escapeHtml(formatFixed(f.gain, 1))} · combined ${escapeHtml(formatFixed(f.combined, 2))}</div>`,
          `<div style="color:${CHART_MUTED}">${selected.has(f.name) ? 'selected for training' : 'not selected'}</div>`,
        ].join('');
      },
    },
    series: [
      {
        type: 'bar',
        barMaxWidth: 14,
        data: rows.map((f) => ({
          value: value(f),
          itemStyle: { color: selected.has(f.name) ? SERIES_COLORS.selected : SERIES_COLORS.unselected },
        })),
        label: {
          show: true,
          position: 'right',
          color: CHART_MUTED,
          fontSize: 10,
          formatter: (p: unknown) => {
            if (!isBarParam(p)) return '';
            const f = rows[p.dataIndex];
            return f === undefined ? '' : metric === 'gain' ? formatFixed(f.gain, 0) : formatFixed(f.combined, 1);
          },
        },
      },
    ],
  };
}
