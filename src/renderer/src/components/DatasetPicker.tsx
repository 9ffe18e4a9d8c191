import { useCallback, useEffect, useMemo } from 'react';
import type { DatasetRecord } from '../../../shared/schemas';
import { useApi } from '../api/context';
import { formatInteger } from '../lib/format';
import { useAsync } from '../lib/use-async';
import { routeHref } from '../lib/use-hash-route';
import { useWorkbench } from '../state/workbench';

function newestFirst(a: DatasetRecord, b: DatasetRecord): number {
  return b.createdAt.localeCompare(a.createdAt);
}

/**
 * The dataset the Features and Train views work on (shared between them). Until the analyst picks
 * one, the newest dataset is used.
 */
export function DatasetPicker(props: {
  disabled?: boolean;
  onDatasets?: (datasets: readonly DatasetRecord[]) => void;
}) {
  const api = useApi();
  const { datasetId, setDatasetId } = useWorkbench();
  const load = useCallback(() => api.datasetsList({}), [api]);
  const [state, reload] = useAsync(load);
  const datasets = useMemo(() => (state.status === 'ok' ? [...state.value].sort(newestFirst) : null), [state]);
  const { onDatasets } = props;

  useEffect(() => {
    if (datasets === null) return;
    onDatasets?.(datasets);
    if (datasets.length === 0) {
      if (datasetId !== null) setDatasetId(null);
    } else if (!datasets.some((d) => d.datasetId === datasetId)) {
      setDatasetId(datasets[0]?.datasetId ?? null);
    }
  }, [datasets, datasetId, setDatasetId, onDatasets]);

  if (state.status === 'error') {
    return (
      <div className="field dataset-picker">
        <span className="field-label">Dataset</span>
        <span className="dataset-picker__error" role="alert">
          Datasets could not be loaded: {state.error.message}{' '}
          <button type="button" className="button button--small" onClick={reload}>
            Retry
          </button>
        </span>
      </div>
    );
  }
  if (datasets !== null && datasets.length === 0) {
    return (
      <div className="field dataset-picker" data-testid="dataset-picker-empty">
        <span className="field-label">Dataset</span>
        <span className="dataset-picker__none">
          <span>
            No datasets yet: <a href={routeHref('datasets')}>import one in Datasets</a>.
          </span>
        </span>
      </div>
    );
  }
  return (
    <label className="field dataset-picker">
      <span className="field-label">Dataset</span>
      <select
        className="input"
        value={datasetId ?? ''}
        disabled={datasets === null || props.disabled === true}
        onChange={(e) => setDatasetId(e.target.value)}
        data-testid="dataset-picker"
      >
        {datasets === null && <option value="">Loading…</option>}
        {datasets?.map((d) => (
          <option key={d.datasetId} value={d.datasetId}>
            {d.name} · {formatInteger(d.units)} units · {formatInteger(d.rows)} rows
          </option>
        ))}
      </select>
    </label>
  );
}
