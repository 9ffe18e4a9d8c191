import { useId } from 'react';
import type { DatasetRecord } from '../../../../shared/schemas';
import type { PrognosError } from '../../../../shared/errors';
import { ErrorMessage } from '../../components/ErrorMessage';
import { RoleBadge } from '../../components/ContextBar';
import { formatDate, formatInteger, formatShortDate } from '../../lib/format';

/** The datasets in the store, newest first; one is selected for inspection. */
export function DatasetList(props: {
  datasets: readonly DatasetRecord[] | null;
  error: PrognosError | null;
  selectedId: string | null;
  onSelect: (datasetId: string) => void;
  onDelete: (dataset: DatasetRecord) => void;
  onRetry: () => void;
}) {
  const id = useId();
  const { datasets } = props;
  return (
    <section className="panel panel--list" aria-labelledby={`${id}-title`}>
      <h2 className="panel__title" id={`${id}-title`}>
        Datasets
        {datasets !== null && <span className="panel__count">{formatInteger(datasets.length)}</span>}
      </h2>
      {props.error !== null && (
        <div className="stack-s">
          <ErrorMessage error={props.error} title="The dataset list could not be loaded" testId="dataset-list-error" />
          <button type="button" className="button button--small" onClick={props.onRetry}>
            Retry
          </button>
        </div>
      )}
      {datasets === null && props.error === null && <p className="muted">Loading…</p>}
      {datasets !== null && datasets.length === 0 && (
        <p className="empty" data-testid="dataset-list-empty">
          No datasets yet. Import a file or generate the sample fleet.
        </p>
      )}
      {datasets !== null && datasets.length > 0 && (
        <ul className="dataset-list" data-testid="dataset-list">
          {datasets.map((d) => {
            const selected = d.datasetId === props.selectedId;
            return (
              <li
                key={d.datasetId}
                className={selected ? 'dataset-item dataset-item--selected' : 'dataset-item'}
                data-testid="dataset-row"
                data-dataset-id={d.datasetId}
                data-selected={selected}
              >
                <button
                  type="button"
                  className="dataset-item__select"
                  aria-pressed={selected}
                  onClick={() => props.onSelect(d.datasetId)}
                  data-testid="dataset-select"
                >
                  <span className="dataset-item__line">
                    <span className="dataset-item__name" title={d.name}>
                      {d.name}
                    </span>
                    <span className="dataset-item__date" title={`Imported ${formatDate(d.createdAt)}`}>
                      {formatShortDate(d.createdAt)}
                    </span>
                  </span>
                  <span className="dataset-item__meta">
                    <span>{formatInteger(d.rows)} rows</span>
                    <span>{formatInteger(d.units)} units</span>
                    <span>
                      cycles {formatInteger(d.minCycles)}–{formatInteger(d.maxCycles)}
                    </span>
                    <RoleBadge role={d.role} />
                  </span>
                </button>
                <button
                  type="button"
                  className="button button--quiet button--small dataset-item__delete"
                  onClick={() => props.onDelete(d)}
                  aria-label={`Delete ${d.name}`}
                  data-testid="dataset-delete"
                >
                  Delete
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
