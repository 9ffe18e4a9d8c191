import { DATASET_ROLE_LABELS } from '../../../shared/housekeeping';
import type { DatasetRecord } from '../../../shared/schemas';
import { formatInteger } from '../lib/format';
import { routeHref } from '../lib/use-hash-route';
import { useWorkingContext } from '../state/working-context';
import { RoleBadge } from './ContextBar';

function newestFirst(a: DatasetRecord, b: DatasetRecord): number {
  return b.createdAt.localeCompare(a.createdAt);
}

/**
 * The dataset the Features and Train views work on: the working context's dataset (the same choice
 * as in the context bar). Until the analyst picks one, the latest training fleet is used.
 */
export function DatasetPicker(props: { disabled?: boolean }) {
  const ctx = useWorkingContext();
  const datasetId = ctx.current.dataset;
  const datasets = ctx.lists === null ? null : [...ctx.lists.datasets].sort(newestFirst);
  const chosen = ctx.dataset(datasetId);

  if (ctx.error !== null && datasets === null) {
    return (
      <div className="field dataset-picker">
        <span className="field-label">Dataset</span>
        <span className="dataset-picker__error" role="alert">
          Datasets could not be loaded: {ctx.error.message}{' '}
          <button type="button" className="button button--small" onClick={ctx.refresh}>
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
        onChange={(e) => ctx.choose('dataset', e.target.value)}
        data-testid="dataset-picker"
      >
        {datasets === null && <option value="">Loading…</option>}
        {datasets?.map((d) => (
          <option key={d.datasetId} value={d.datasetId}>
            {d.name} · {DATASET_ROLE_LABELS[d.role]} · {formatInteger(d.units)} units · {formatInteger(d.rows)} rows
          </option>
        ))}
      </select>
      {chosen !== null && <RoleBadge role={chosen.role} />}
    </label>
  );
}
