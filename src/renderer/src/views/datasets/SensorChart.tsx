import { useCallback, useMemo, useState } from 'react';
import type { ColumnStats } from '../../../../shared/schemas';
import { useApi } from '../../api/context';
import { EChart } from '../../components/EChart';
import { ErrorMessage } from '../../components/ErrorMessage';
import { MultiSelect, type MultiSelectOption } from '../../components/MultiSelect';
import { formatInteger } from '../../lib/format';
import { useAsync } from '../../lib/use-async';
import { useSensorLabels } from '../../lib/use-sensor-labels';
import { buildSensorChartOption, chartHeight, type XAxisMode } from './sensor-chart-option';

const MAX_SENSORS = 12;
const MAX_UNITS = 50;
const DEFAULT_UNITS = 3;
const DEFAULT_SENSORS = 2;

function XAxisToggle(props: { mode: XAxisMode; onChange: (mode: XAxisMode) => void; rulAvailable: boolean | null }) {
  const rulDisabled = props.rulAvailable !== true;
  const rulTitle =
    props.rulAvailable === false
      ? 'This file has no RUL: import it together with its RUL file to plot against remaining useful life.'
      : props.rulAvailable === null
        ? 'Available once the series are loaded'
        : 'Remaining useful life: cycles left until failure';
  return (
    <fieldset className="segmented" data-testid="x-axis-toggle">
      <legend className="field-label">X axis</legend>
      <div className="segmented__options">
        <label className={props.mode === 'cycle' ? 'segmented__option is-active' : 'segmented__option'}>
          <input
            type="radio"
            name="x-axis"
            value="cycle"
            checked={props.mode === 'cycle'}
            onChange={() => props.onChange('cycle')}
            data-testid="x-axis-cycle"
          />
          Cycle
        </label>
        <label
          className={[
            'segmented__option',
            props.mode === 'rul' ? 'is-active' : '',
            rulDisabled ? 'is-disabled' : '',
          ].join(' ')}
          title={rulTitle}
          data-testid="x-axis-rul-label"
        >
          <input
            type="radio"
            name="x-axis"
            value="rul"
            checked={props.mode === 'rul'}
            disabled={rulDisabled}
            onChange={() => props.onChange('rul')}
            data-testid="x-axis-rul"
          />
          RUL
        </label>
      </div>
    </fieldset>
  );
}

/** Sensor trajectories of a few units, overlaid, one panel per sensor. */
export function SensorChart(props: { datasetId: string; columns: readonly ColumnStats[] }) {
  const { datasetId, columns } = props;
  const api = useApi();
  const labels = useSensorLabels(datasetId);

  const sensors = useMemo(() => columns.filter((c) => c.role === 'sensor'), [columns]);
  const constant = useMemo(() => new Set(columns.filter((c) => c.constant).map((c) => c.name)), [columns]);
  const sensorOptions = useMemo<MultiSelectOption<string>[]>(
    () =>
      sensors.map((c) => ({
        value: c.name,
        label: labels.withUnit(c.name),
        ...(c.constant ? { hint: 'constant', muted: true } : labels.name(c.name) !== c.name ? { hint: c.name } : {}),
      })),
    [sensors, labels],
  );
  const [pickedSensors, setPickedSensors] = useState<string[]>(() =>
    sensors
      .filter((c) => !c.constant)
      .slice(0, DEFAULT_SENSORS)
      .map((c) => c.name),
  );

  const loadUnits = useCallback(() => api.datasetsUnits({ datasetId }), [api, datasetId]);
  const [unitsState, reloadUnits] = useAsync(loadUnits);
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
  const [pickedUnitsState, setPickedUnits] = useState<number[] | null>(null);
  const pickedUnits = useMemo(
    () => pickedUnitsState ?? (unitList ?? []).slice(0, DEFAULT_UNITS).map((u) => u.unit),
    [pickedUnitsState, unitList],
  );

  const [mode, setMode] = useState<XAxisMode>('cycle');

  const canLoad = pickedSensors.length > 0 && pickedUnits.length > 0;
  const loadSeries = useCallback(
    async () => ({
      sensors: pickedSensors,
      series: await api.datasetsSeries({ datasetId, units: pickedUnits, columns: pickedSensors }),
    }),
    [api, datasetId, pickedUnits, pickedSensors],
  );
  const [seriesState, reloadSeries, lastLoaded] = useAsync(canLoad ? loadSeries : null);
  // while new picks load, the previous chart stays in place instead of flashing empty
  const shown = seriesState.status === 'ok' ? seriesState.value : lastLoaded;
  const rulAvailable = shown === undefined ? null : shown.series.units.every((u) => u.rul !== null);
  const effectiveMode: XAxisMode = mode === 'rul' && rulAvailable === false ? 'cycle' : mode;

  const option = useMemo(
    () => (shown === undefined ? null : buildSensorChartOption(shown.series, shown.sensors, effectiveMode, constant, (s) => labels.withUnit(s))),
    [shown, effectiveMode, constant, labels],
  );

  return (
    <div className="sensor-chart">
      <div className="toolbar">
        <MultiSelect
          label="Sensors"
          options={sensorOptions}
          selected={pickedSensors}
          onChange={setPickedSensors}
          max={MAX_SENSORS}
          testId="sensor-picker"
        />
        <MultiSelect
          label="Units"
          options={unitOptions}
          selected={pickedUnits}
          onChange={setPickedUnits}
          max={MAX_UNITS}
          testId="unit-picker"
        />
        <XAxisToggle mode={effectiveMode} onChange={setMode} rulAvailable={rulAvailable} />
        {seriesState.status === 'loading' && canLoad && <span className="muted toolbar__status">Loading series…</span>}
      </div>
      {unitsState.status === 'error' && (
        <div className="stack-s">
          <ErrorMessage error={unitsState.error} title="The unit list could not be loaded" testId="units-error" />
          <button type="button" className="button button--small" onClick={reloadUnits}>
            Retry
          </button>
        </div>
      )}
      {seriesState.status === 'error' && canLoad && (
        <div className="stack-s">
          <ErrorMessage error={seriesState.error} title="The sensor series could not be loaded" testId="series-error" />
          <button type="button" className="button button--small" onClick={reloadSeries}>
            Retry
          </button>
        </div>
      )}
      {!canLoad && (
        <p className="empty" data-testid="chart-empty">
          {sensors.length === 0
            ? 'This dataset has no sensor columns.'
            : 'Pick at least one sensor and one unit to plot.'}
        </p>
      )}
      {canLoad && option !== null && seriesState.status !== 'error' && (
        <EChart
          option={option}
          height={chartHeight(shown?.sensors.length ?? pickedSensors.length)}
          testId="sensor-chart"
          label={`Sensors ${pickedSensors.join(', ')} (${pickedSensors.map((s) => labels.name(s)).join(', ')}) for units ${pickedUnits.join(', ')} against ${effectiveMode === 'cycle' ? 'cycle' : 'RUL'}`}
        />
      )}
    </div>
  );
}
