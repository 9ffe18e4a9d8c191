import { useMemo, useState } from 'react';
import { useApi } from '../../api/context';
import { EChart } from '../../components/EChart';
import { ErrorMessage } from '../../components/ErrorMessage';
import { Segmented } from '../../components/Segmented';
import { useAsync } from '../../lib/use-async';
import { parseScorerKey } from './fleet-summary';
import { buildRiskOption, type RiskXAxis, type UnitRiskSeries } from './risk-chart-option';

const CHART_HEIGHT = 340;

/** The plotted units' risk over all their cycles (`fleet:series`), threshold marked. */
export function RiskChart(props: {
  datasetId: string;
  scorerKey: string;
  /** in plotting order: the k-th unit gets the k-th colour, as in the table */
  units: readonly number[];
  threshold: number;
  labelWindow: number;
  rulAtEnd: ReadonlyMap<number, number>;
}) {
  const api = useApi();
  const { datasetId, scorerKey, threshold, labelWindow, rulAtEnd } = props;
  const unitsKey = props.units.join(',');
  const units = useMemo(() => (unitsKey === '' ? [] : unitsKey.split(',').map(Number)), [unitsKey]);
  const load = useMemo(() => {
    const scorer = parseScorerKey(scorerKey);
    if (scorer === null || units.length === 0) return null;
    return () => api.fleetSeries({ datasetId, scorer, units: [...units] });
  }, [api, datasetId, scorerKey, units]);
  const [state, reload, last] = useAsync(load);
  const hasRul = rulAtEnd.size > 0;
  const [axis, setAxis] = useState<RiskXAxis>('cycle');
  const mode: RiskXAxis = hasRul ? axis : 'cycle';

  const ordered = useMemo<UnitRiskSeries[]>(() => {
    if (last === undefined) return [];
    const byUnit = new Map(last.units.map((u) => [u.unit, u]));
    return units.map((u) => byUnit.get(u)).filter((u): u is NonNullable<typeof u> => u !== undefined);
  }, [last, units]);
  const option = useMemo(
    () => buildRiskOption(ordered, { threshold, labelWindow, mode, rulAtEnd }),
    [ordered, threshold, labelWindow, mode, rulAtEnd],
  );
  const stale = load !== null && state.status === 'loading' && last !== undefined;

  return (
    <div className="risk-chart">
      <div className="risk-chart__head">
        <p className="hint" data-testid="fleet-chart-hint">
          {units.length === 0
            ? 'Tick units in the table to plot their risk over their cycles.'
            : 'Tick units in the table to add them; hover the lines for each cycle’s risk.'}
        </p>
        {hasRul && (
          <Segmented
            legend="X axis"
            value={mode}
            onChange={setAxis}
            options={[
              { value: 'cycle', label: 'Cycle' },
              { value: 'rul', label: 'True RUL', title: 'Cycles to failure; the label window W is marked' },
            ]}
            testId="fleet-chart-axis"
          />
        )}
      </div>
      {state.status === 'error' && (
        <div className="stack-s">
          <ErrorMessage
            error={state.error}
            title="The risk over time could not be computed"
            testId="fleet-chart-error"
          />
          <button type="button" className="button button--small" onClick={reload}>
            Retry
          </button>
        </div>
      )}
      {units.length > 0 && state.status !== 'error' && (
        <div className={stale ? 'chart-stale' : undefined}>
          {last === undefined ? (
            <p className="muted risk-chart__loading" style={{ height: CHART_HEIGHT }}>
              Scoring every cycle of the chosen units…
            </p>
          ) : (
            <EChart
              option={option}
              height={CHART_HEIGHT}
              testId="fleet-chart"
              label={`Failure-risk probability over the cycles of units ${units.join(', ')}`}
            />
          )}
        </div>
      )}
    </div>
  );
}
