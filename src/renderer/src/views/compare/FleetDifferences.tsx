import { useMemo, useState } from 'react';
import type { ComparedRun } from '../../../../shared/experiments';
import type { FleetComparison } from '../../../../shared/fleet-compare';
import { DATASET_ROLE_LABELS } from '../../../../shared/housekeeping';
import { useApi } from '../../api/context';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formatInteger } from '../../lib/format';
import { useAsync } from '../../lib/use-async';
import { useWorkingContext } from '../../state/working-context';
import { runColor } from './compare-charts';

/** rows shown before "Show all" */
const FIRST_ROWS = 100;

const probability = (p: number): string => p.toFixed(3);

/**
 * Per-unit prediction differences of the compared runs on a chosen fleet: every unit scored by each
 * run at its last cycle (in the scoring worker, as the Fleet view scores), the largest probability
 * differences first, units whose alert the runs disagree on highlighted, the true RUL when the fleet
 * has a RUL file.
 */
export function FleetDifferences({ runs }: { runs: readonly ComparedRun[] }) {
  const api = useApi();
  const ctx = useWorkingContext();
  const datasets = useMemo(() => {
    // fleets to score first (test, then unlabeled), training fleets last
    const order = { test: 0, unlabeled: 1, training: 2 } as const;
    return [...(ctx.lists?.datasets ?? [])].sort((a, b) => order[a.role] - order[b.role] || b.createdAt.localeCompare(a.createdAt));
  }, [ctx.lists]);
  const [picked, setPicked] = useState<string | null>(null);
  const datasetId = picked ?? ctx.current.fleet ?? datasets[0]?.datasetId ?? null;
  const [requested, setRequested] = useState<{ datasetId: string; runIds: string[] } | null>(null);
  const runIds = useMemo(() => runs.map((r) => r.runId), [runs]);
  const load = useMemo(
    () => (requested === null ? null : (): Promise<FleetComparison> => api.runsCompareFleet({ runIds: requested.runIds, datasetId: requested.datasetId })),
    [api, requested],
  );
  const [state] = useAsync(load);
  const [showAll, setShowAll] = useState(false);

  return (
    <section className="panel" aria-labelledby="compare-fleet-title">
      <h2 id="compare-fleet-title">Per-unit differences on a fleet</h2>
      <p className="muted">
        Each unit scored by every run at its last cycle, the largest differences in failure probability first; units where the runs disagree on the alert are
        highlighted.
      </p>
      <div className="button-row">
        <label className="compare-filter">
          Fleet{' '}
          <select value={datasetId ?? ''} onChange={(e) => setPicked(e.target.value)} data-testid="compare-fleet-dataset" disabled={datasets.length === 0}>
            {datasets.map((d) => (
              <option key={d.datasetId} value={d.datasetId}>
                {d.name} ({DATASET_ROLE_LABELS[d.role]}, {formatInteger(d.units)} units)
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="button button--primary"
          disabled={datasetId === null || (requested !== null && state.status === 'loading')}
          onClick={() => {
            if (datasetId === null) return;
            setShowAll(false);
            setRequested({ datasetId, runIds });
          }}
          data-testid="compare-fleet-score"
        >
          Score the fleet with {runs.length} runs
        </button>
      </div>
      {requested !== null && state.status === 'loading' && (
        <p className="muted" data-testid="compare-fleet-scoring">
          Scoring…
        </p>
      )}
      {requested !== null && state.status === 'error' && <ErrorMessage error={state.error} testId="compare-fleet-error" />}
      {requested !== null && state.status === 'ok' && <DifferencesTable value={state.value} runs={runs} showAll={showAll} onShowAll={() => setShowAll(true)} />}
    </section>
  );
}

function DifferencesTable(props: { value: FleetComparison; runs: readonly ComparedRun[]; showAll: boolean; onShowAll: () => void }) {
  const { value: f, runs } = props;
  const withRul = f.runs.some((r) => r.hasRul);
  const shown = props.showAll ? f.units : f.units.slice(0, FIRST_ROWS);
  return (
    <>
      <p data-testid="compare-fleet-summary" data-disagreements={f.disagreements} data-units={f.fleet.unitCount}>
        {f.fleet.name}: {formatInteger(f.fleet.unitCount)} units; the runs disagree on the alert for{' '}
        <strong>{formatInteger(f.disagreements)}</strong> {f.disagreements === 1 ? 'unit' : 'units'}.
      </p>
      <div className="table-scroll compare-fleet-scroll" tabIndex={0} role="region" aria-label="Per-unit differences">
        <table className="data-table compare-table" data-testid="compare-fleet-units">
          <thead>
            <tr>
              <th scope="col">Unit</th>
              <th scope="col" className="num">
                Cycle
              </th>
              {runs.map((r, i) => (
                <th key={r.runId} scope="col" className="num" title={`${r.runId}, alert at ${probability(f.runs[i]?.threshold ?? Number.NaN)}`}>
                  <span className="compare-swatch" style={{ background: runColor(i) }} aria-hidden="true" />#{i + 1} probability
                  {withRul ? ' · RUL' : ''}
                </th>
              ))}
              <th scope="col" className="num">
                Largest difference
              </th>
              {f.fleet.hasTrueRul && (
                <th scope="col" className="num">
                  True RUL
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {shown.map((u) => (
              <tr key={u.unit} className={u.disagree ? 'compare-disagree' : undefined} data-testid={`compare-fleet-unit-${u.unit}`} data-disagree={u.disagree ? 'true' : 'false'}>
                <th scope="row">
                  {u.unit}
                  {u.disagree && <span className="compare-disagree__tag"> alerts differ</span>}
                </th>
                <td className="num">{u.cycle}</td>
                {u.runs.map((r) => (
                  <td key={r.runId} className="num" data-alert={r.alert ? 'true' : 'false'}>
                    {probability(r.probability)}
                    {r.alert ? ' ⚠' : ''}
                    {withRul ? ` · ${r.rul === null ? '—' : r.rul.toFixed(0)}` : ''}
                  </td>
                ))}
                <td className="num">{probability(u.maxDiff)}</td>
                {f.fleet.hasTrueRul && <td className="num">{u.trueRul ?? '—'}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted">⚠ the run raises an alert (probability at or above its threshold).</p>
      {shown.length < f.units.length && (
        <button type="button" className="button button--quiet" onClick={props.onShowAll} data-testid="compare-fleet-all">
          Show all {formatInteger(f.units.length)} units
        </button>
      )}
    </>
  );
}
