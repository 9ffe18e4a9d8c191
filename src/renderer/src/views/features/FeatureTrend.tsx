import { useCallback, useMemo, useState } from 'react';
import { useApi } from '../../api/context';
import { EChart } from '../../components/EChart';
import { ErrorMessage } from '../../components/ErrorMessage';
import { MiddleTruncate } from '../../components/MiddleTruncate';
import { MultiSelect, type MultiSelectOption } from '../../components/MultiSelect';
import { Segmented } from '../../components/Segmented';
import {
  AXIS_LABEL,
  AXIS_NAME,
  BASE_TEXT_STYLE,
  CHART_AXIS,
  CHART_GRID,
  CHART_MUTED,
  escapeHtml,
} from '../../lib/chart-style';
import type { ChartOption, LineSeries } from '../../lib/echarts';
import { formatInteger, formatStat } from '../../lib/format';
import type { JsonObject } from '../../lib/json-value';
import { useAsync } from '../../lib/use-async';
import { UNIT_COLORS } from '../datasets/sensor-chart-option';

type XMode = 'cycle' | 'rul';
const MAX_UNITS = 50;
const DEFAULT_UNITS = 4;

interface Trend {
  feature: string;
  formula: string;
  units: { unit: number; cycle: number[]; rul: number[]; values: number[] }[];
}

function isAxisParams(p: unknown): p is Array<{ seriesName: string; color: string; value: [number, number] }> {
  return Array.isArray(p);
}

function buildTrendOption(trend: Trend, mode: XMode): ChartOption {
  const xName = mode === 'cycle' ? 'Cycle' : 'RUL (cycles to failure)';
  const series: LineSeries[] = trend.units.map((u, k) => {
    const xs = mode === 'cycle' ? u.cycle : u.rul;
    const n = Math.min(xs.length, u.values.length);
    const data: Array<[number, number]> = [];
    for (let i = 0; i < n; i++) data.push([xs[i]!, u.values[i]!]);
    return {
      type: 'line',
      name: `Unit ${u.unit}`,
      data,
      showSymbol: false,
      sampling: 'lttb',
      color: UNIT_COLORS[k % UNIT_COLORS.length],
      lineStyle: { width: 1.25 },
      emphasis: { focus: 'series', lineStyle: { width: 2 } },
    };
  });
  return {
    animation: false,
    textStyle: BASE_TEXT_STYLE,
    legend: { type: 'scroll', top: 4, left: 64, right: 24, icon: 'roundRect', itemWidth: 14, itemHeight: 4 },
    grid: { left: 64, right: 24, top: 36, bottom: 44 },
    xAxis: {
      type: 'value',
      inverse: mode === 'rul',
      min: 'dataMin',
      max: 'dataMax',
      name: xName,
      nameLocation: 'middle',
      nameGap: 26,
      nameTextStyle: AXIS_NAME,
      axisLabel: AXIS_LABEL,
      axisLine: { lineStyle: { color: CHART_AXIS } },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      scale: true,
      axisLabel: { ...AXIS_LABEL, formatter: (v: number) => formatStat(v) },
      splitLine: { lineStyle: { color: CHART_GRID } },
    },
    tooltip: {
      trigger: 'axis',
      confine: true,
      textStyle: { fontSize: 12 },
      formatter: (params: unknown) => {
        if (!isAxisParams(params) || params.length === 0) return '';
        const head = `<div style="font-weight:600;margin-bottom:4px">${escapeHtml(xName)} ${escapeHtml(formatStat(params[0]!.value[0]))}</div>`;
        const rows = params
          .slice(0, 10)
          .map(
            (p) =>
              `<div style="display:flex;gap:12px;justify-content:space-between"><span><span style="display:inline-block;width:8px;height:8px;border-radius:2px;margin-right:6px;background:${escapeHtml(p.color)}"></span>${escapeHtml(p.seriesName)}</span><span style="font-variant-numeric:tabular-nums">${escapeHtml(formatStat(p.value[1]))}</span></div>`,
          )
          .join('');
        const more = params.length > 10 ? `<div style="color:${CHART_MUTED}">and ${params.length - 10} more</div>` : '';
        return head + rows + more;
      },
    },
    dataZoom: [{ type: 'inside', filterMode: 'none' }],
    series,
  };
}

/** One feature's trajectory across chosen units, against cycle or remaining useful life. */
export function FeatureTrend(props: { datasetId: string; feature: string; formula: string; basis: JsonObject }) {
  const { datasetId, feature, formula, basis } = props;
  const api = useApi();
  const loadUnits = useCallback(() => api.datasetsUnits({ datasetId }), [api, datasetId]);
  const [unitsState] = useAsync(loadUnits);
  const unitList = unitsState.status === 'ok' ? unitsState.value : null;
  const unitOptions = useMemo<MultiSelectOption<number>[]>(
    () =>
      (unitList ?? []).map((u) => ({
        value: u.unit,
        label: `Unit ${u.unit}`,
        hint: `${formatInteger(u.cycles)} cycles`,
      })),
    [unitList],
  );
  const [picked, setPicked] = useState<number[] | null>(null);
  const units = useMemo(
    () => picked ?? (unitList ?? []).slice(0, DEFAULT_UNITS).map((u) => u.unit),
    [picked, unitList],
  );
  const [mode, setMode] = useState<XMode>('rul');

  const load = useCallback(
    () => api.featuresTrend({ datasetId, feature, units, config: basis }),
    [api, datasetId, feature, units, basis],
  );
  const [trendState, reload, last] = useAsync(units.length > 0 ? load : null);
  const shown = trendState.status === 'ok' ? trendState.value : last;
  const option = useMemo(() => (shown === undefined ? null : buildTrendOption(shown, mode)), [shown, mode]);

  return (
    <div className="feature-trend">
      <div className="feature-trend__head">
        <div className="feature-trend__title">
          <h3 className="mono" data-testid="trend-feature" title={feature}>
            <MiddleTruncate text={feature} />
          </h3>
          <p className="hint" data-testid="trend-formula">
            {formula}
          </p>
        </div>
      </div>
      <div className="toolbar">
        <MultiSelect
          label="Units"
          options={unitOptions}
          selected={units}
          onChange={setPicked}
          max={MAX_UNITS}
          testId="trend-units"
        />
        <Segmented
          legend="X axis"
          value={mode}
          onChange={setMode}
          options={[
            { value: 'rul', label: 'RUL' },
            { value: 'cycle', label: 'Cycle' },
          ]}
          testId="trend-x"
        />
        {trendState.status === 'loading' && units.length > 0 && <span className="muted toolbar__status">Loading…</span>}
      </div>
      {trendState.status === 'error' && (
        <div className="stack-s">
          <ErrorMessage error={trendState.error} title="The trend could not be loaded" testId="trend-error" />
          <button type="button" className="button button--small" onClick={reload}>
            Retry
          </button>
        </div>
      )}
      {units.length === 0 && <p className="empty">Pick at least one unit to plot.</p>}
      {option !== null && shown !== undefined && units.length > 0 && trendState.status !== 'error' && (
        <div className={trendState.status === 'loading' ? 'chart-stale' : undefined}>
          <EChart
            option={option}
            height={300}
            testId="trend-chart"
            label={`Trend of ${shown.feature} for units ${shown.units.map((u) => u.unit).join(', ')}`}
          />
        </div>
      )}
    </div>
  );
}
