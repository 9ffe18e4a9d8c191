import '../../lib/echarts-more';
import type { DatasetRegimes, RegimePoints } from '../../../../shared/schemas';
import { AXIS_LABEL, AXIS_NAME, BASE_TEXT_STYLE, CHART_GRID, escapeHtml } from '../../lib/chart-style';
import type { ChartOption, ScatterSeries } from '../../lib/echarts';
import { formatInteger, formatStat } from '../../lib/format';
import { UNIT_COLORS } from './sensor-chart-option';

/** "6 operating regimes", "1 operating regime". */
export function regimeCountText(k: number): string {
  return `${k} operating regime${k === 1 ? '' : 's'}`;
}

/**
 * A centroid value rounded to a thousandth of its setting's spread (the noise around an operating
 * point is not worth showing): 1.37e-5 kft → 0, 0.84001 Mach → 0.84.
 */
export function roundCentroid(value: number, scale: number): number {
  if (!(scale > 0) || !Number.isFinite(scale)) return value;
  const decimals = Math.max(0, 3 - Math.floor(Math.log10(scale)));
  return Number(value.toFixed(Math.min(12, decimals))) + 0;
}

/** A regime's centroid in the settings' own units, e.g. "setting1 42, setting2 0.84, setting3 100". */
export function centroidText(regimes: DatasetRegimes, r: number): string {
  return regimes.settings.map((s, j) => `${s} ${formatStat(roundCentroid(regimes.centroids[r]![j]!, regimes.scale[j]!))}`).join(', ');
}

/** The settings of the sampled rows, one colour per regime, the centroids as labelled diamonds. */
export function buildRegimeChartOption(p: RegimePoints): ChartOption {
  const regimes = p.regimes!;
  const k = regimes.k;
  const xName = p.axes[0] ?? '';
  const yName = p.axes[1] ?? 'cycle';
  const byRegime: [number, number][][] = Array.from({ length: k }, () => []);
  p.x.forEach((x, i) => byRegime[p.regime[i]!]?.push([x, p.y[i]!]));
  const xi = regimes.settings.indexOf(xName);
  const yi = regimes.settings.indexOf(yName);
  const series: ScatterSeries[] = byRegime.map((points, r) => ({
    type: 'scatter',
    name: `Regime ${r + 1}`,
    data: points,
    // a few distinct operating points: large dots; a cloud of noise around one: small ones
    symbolSize: k > 1 ? 9 : 5,
    large: true,
    itemStyle: { color: UNIT_COLORS[r % UNIT_COLORS.length], opacity: 0.7 },
    emphasis: { disabled: true },
  }));
  if (xi >= 0 && yi >= 0) {
    series.push({
      type: 'scatter',
      name: 'Centroids',
      data: regimes.centroids.map((c, r) => ({ value: [c[xi]!, c[yi]!], name: `Regime ${r + 1}` })),
      symbol: 'diamond',
      symbolSize: 6,
      itemStyle: { color: '#1b1f24' },
      label: { show: true, position: 'right', formatter: (v: { name: string }) => v.name, fontSize: 11 },
      tooltip: {
        formatter: (v: { dataIndex: number }) =>
          `<b>Regime ${v.dataIndex + 1}</b>: ${escapeHtml(centroidText(regimes, v.dataIndex))}<br/>${formatInteger(regimes.rows[v.dataIndex]!)} rows`,
      },
    });
  }
  return {
    animation: false,
    textStyle: BASE_TEXT_STYLE,
    grid: { left: 72, right: 40, top: 48, bottom: 56 },
    legend: { top: 8, type: 'scroll' },
    tooltip: {
      trigger: 'item',
      formatter: (v: unknown) => {
        const q = v as { seriesName?: string; value?: [number, number] };
        if (q.value === undefined) return '';
        return `${escapeHtml(q.seriesName ?? '')}<br/>${escapeHtml(xName)} ${formatStat(q.value[0])}<br/>${escapeHtml(yName)} ${formatStat(q.value[1])}`;
      },
    },
    xAxis: {
      type: 'value',
      name: xName,
      nameLocation: 'middle',
      nameGap: 30,
      nameTextStyle: AXIS_NAME,
      scale: true,
      axisLabel: AXIS_LABEL,
      splitLine: { lineStyle: { color: CHART_GRID } },
    },
    yAxis: {
      type: 'value',
      name: yName,
      nameLocation: 'middle',
      nameGap: 52,
      nameTextStyle: AXIS_NAME,
      scale: true,
      axisLabel: AXIS_LABEL,
      splitLine: { lineStyle: { color: CHART_GRID } },
    },
    series,
  };
}
