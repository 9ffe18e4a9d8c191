/** The reliability diagram of the Results view (and, from the same axes, the PDF report's). */
import type { CalibrationReport, ReliabilityBinValue } from '../calibration';
import { formatFixed, formatInteger } from '../format';
import { squareAxes } from './axes';
import { BASE_TEXT_STYLE, SERIES_COLORS, escapeHtml } from './style';
import type { ChartOption, LineSeries } from './types';

interface BinPoint {
  value: [number, number];
  bin: ReliabilityBinValue;
  symbolSize: number;
}

function isBinPoint(p: unknown): p is { seriesName: string; data: BinPoint } {
  if (typeof p !== 'object' || p === null) return false;
  const d = (p as Record<string, unknown>).data;
  return typeof d === 'object' && d !== null && 'bin' in d;
}

/** Non-empty bins as (mean predicted, observed frequency), the marker's area following the row count. */
function binPoints(bins: readonly ReliabilityBinValue[]): BinPoint[] {
  const total = bins.reduce((s, b) => s + b.count, 0);
  return bins
    .filter((b) => b.count > 0 && b.meanPredicted !== null && b.observed !== null)
    .map((b) => ({ value: [b.meanPredicted!, b.observed!], bin: b, symbolSize: 5 + 13 * Math.sqrt(b.count / Math.max(1, total)) }));
}

function binSeries(name: string, bins: readonly ReliabilityBinValue[], color: string, dashed: boolean): LineSeries {
  return {
    type: 'line',
    name,
    data: binPoints(bins),
    showSymbol: true,
    symbol: dashed ? 'emptyCircle' : 'circle',
    color,
    lineStyle: { width: dashed ? 1 : 1.75, type: dashed ? 'dashed' : 'solid', opacity: dashed ? 0.7 : 1 },
    emphasis: { disabled: true },
  };
}

/**
 * The reliability diagram: per bin of predicted probability (10 equal-width bins), the observed
 * failure frequency against the mean predicted probability, on the validation and test units; the
 * diagonal is perfect calibration. With a calibration in force the test units' uncalibrated bins are
 * drawn dashed for comparison.
 */
export function buildReliabilityOption(c: CalibrationReport): ChartOption {
  const series: LineSeries[] = [
    {
      type: 'line',
      name: 'Perfectly calibrated',
      data: [
        [0, 0],
        [1, 1],
      ],
      showSymbol: false,
      color: SERIES_COLORS.chance,
      lineStyle: { width: 1, type: 'dashed' },
      silent: true,
      tooltip: { show: false },
    },
    binSeries('Validation', c.reliability.validation, SERIES_COLORS.validation, false),
  ];
  if (c.reliability.test !== null) series.push(binSeries('Test', c.reliability.test, SERIES_COLORS.test, false));
  if (c.method !== 'none' && c.uncalibrated.reliability.test !== null) {
    series.push(binSeries('Test, before calibration', c.uncalibrated.reliability.test, SERIES_COLORS.test, true));
  }
  return {
    animation: false,
    textStyle: BASE_TEXT_STYLE,
    legend: { top: 0, left: 'center', icon: 'roundRect', itemWidth: 14, itemHeight: 4, textStyle: { fontSize: 11 } },
    grid: { left: 52, right: 16, top: 44, bottom: 44 },
    ...squareAxes('Mean predicted probability', 'Observed failure frequency'),
    tooltip: {
      trigger: 'item',
      confine: true,
      textStyle: { fontSize: 12 },
      formatter: (p: unknown) => {
        if (!isBinPoint(p)) return '';
        const b = p.data.bin;
        return (
          `<div style="font-weight:600">${escapeHtml(p.seriesName)}</div>` +
          `<div>p in [${escapeHtml(formatFixed(b.lower, 1))}, ${escapeHtml(formatFixed(b.upper, 1))}${b.upper >= 1 ? ']' : ')'}: ${escapeHtml(formatInteger(b.count))} rows</div>` +
          `<div>mean predicted ${escapeHtml(formatFixed(b.meanPredicted, 3))}</div>` +
          `<div>observed ${escapeHtml(formatFixed(b.observed, 3))}</div>`
        );
      },
    },
    series,
  };
}
