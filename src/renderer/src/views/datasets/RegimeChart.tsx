import { useCallback, useMemo } from 'react';
import { useApi } from '../../api/context';
import { EChart } from '../../components/EChart';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formatInteger } from '../../lib/format';
import { useAsync } from '../../lib/use-async';
import { buildRegimeChartOption, centroidText, regimeCountText } from './regime-chart-option';

/** The operating regimes of a dataset: their count, centroids and rows, and a scatter of the settings. */
export function RegimeChart(props: { datasetId: string }) {
  const { datasetId } = props;
  const api = useApi();
  const load = useCallback(() => api.datasetsRegimes({ datasetId }), [api, datasetId]);
  const [state, reload] = useAsync(load);
  const points = state.status === 'ok' ? state.value : null;
  const option = useMemo(() => (points !== null && points.regimes !== null && points.x.length > 0 ? buildRegimeChartOption(points) : null), [points]);

  if (state.status === 'error') {
    return (
      <div className="stack-s">
        <ErrorMessage error={state.error} title="The operating regimes could not be loaded" testId="regimes-error" />
        <button type="button" className="button button--small" onClick={reload}>
          Retry
        </button>
      </div>
    );
  }
  if (points === null) return <p className="muted">Loading operating regimes…</p>;
  const regimes = points.regimes;
  if (regimes === null) {
    return (
      <p className="empty" data-testid="regimes-empty">
        Operating regimes were not detected for this dataset.
      </p>
    );
  }
  return (
    <div className="stack-s" data-testid="regimes-panel">
      <p>
        <strong data-testid="regimes-count">{regimeCountText(regimes.k)}</strong>
        {regimes.settings.length > 0 && <span className="muted"> on {regimes.settings.join(', ')}</span>}
        {regimes.note !== undefined && <span className="muted"> ({regimes.note})</span>}
        {regimes.k > 1 && <span className="muted"> · sensors are standardised per regime by default when training</span>}
      </p>
      {regimes.k > 1 && (
        <table className="data-table compact-table regimes-table" data-testid="regimes-table">
          <thead>
            <tr>
              <th scope="col">Regime</th>
              <th scope="col">Centroid</th>
              <th scope="col" className="num">
                Rows
              </th>
            </tr>
          </thead>
          <tbody>
            {regimes.centroids.map((_, r) => (
              <tr key={r}>
                <td>{r + 1}</td>
                <td>{centroidText(regimes, r)}</td>
                <td className="num">{formatInteger(regimes.rows[r]!)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {option !== null ? (
        <>
          <EChart
            option={option}
            height={380}
            testId="regime-chart"
            label={`Operating settings ${points.axes.join(' against ')} of ${formatInteger(points.x.length)} rows, coloured by regime`}
          />
          <p className="muted">
            {formatInteger(points.x.length)} of {formatInteger(points.totalRows)} rows shown
            {points.x.length < points.totalRows ? ` (one row in ${formatInteger(Math.ceil(points.totalRows / Math.max(1, points.x.length)))})` : ''}
            {points.axes.length === 1 ? '; the y axis is the cycle' : ''}.
          </p>
        </>
      ) : (
        <p className="empty">This dataset has no operating-setting columns to plot.</p>
      )}
    </div>
  );
}
