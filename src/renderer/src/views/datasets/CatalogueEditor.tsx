import { useCallback, useEffect, useState } from 'react';
import type { PrognosError } from '../../../../shared/errors';
import type { SensorCatalogue, SensorEntry } from '../../../../shared/sensor-catalogue';
import type { ColumnStats } from '../../../../shared/schemas';
import { useApi } from '../../api/context';
import { ErrorMessage } from '../../components/ErrorMessage';
import { asPrognosError } from '../../lib/errors';
import { useAsync } from '../../lib/use-async';
import { rememberCatalogue } from '../../lib/use-sensor-labels';

const FIELDS: readonly { key: 'name' | 'quantity' | 'unit'; label: string; max: number }[] = [
  { key: 'name', label: 'Name', max: 60 },
  { key: 'quantity', label: 'Quantity', max: 120 },
  { key: 'unit', label: 'Unit', max: 24 },
];

/**
 * The dataset's sensor catalogue, editable after import: each setting's and sensor's display name,
 * physical quantity and unit. Only labels change; column and feature ids stay, so runs and bundles
 * are unaffected. Main checks the catalogue again (names unique, every column known) before saving.
 */
export function CatalogueEditor({ datasetId, columns }: { datasetId: string; columns: readonly ColumnStats[] }) {
  const api = useApi();
  const load = useCallback(() => api.datasetsCatalogue({ datasetId }), [api, datasetId]);
  const [state, reload] = useAsync(load);
  const [draft, setDraft] = useState<SensorCatalogue | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<PrognosError | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    if (state.status === 'ok') setDraft(state.value);
  }, [state]);

  if (state.status === 'loading' || (state.status === 'ok' && draft === null))
    return <p className="muted">Loading the names…</p>;
  if (state.status === 'error') {
    return (
      <div className="stack-s">
        <ErrorMessage error={state.error} title="The names could not be loaded" testId="catalogue-load-error" />
        <button type="button" className="button button--small" onClick={reload}>
          Retry
        </button>
      </div>
    );
  }
  const entries = draft ?? [];
  const roleOf = new Map(columns.map((c) => [c.name, c.role]));
  const stored = state.value;
  const changed = JSON.stringify(entries) !== JSON.stringify(stored);

  const edit = (column: string, key: keyof Omit<SensorEntry, 'column'>, value: string) => {
    setSaved(false);
    setDraft((d) => (d ?? []).map((e) => (e.column === column ? { ...e, [key]: value } : e)));
  };
  const save = () => {
    setSaving(true);
    setError(null);
    api.datasetsSetCatalogue({ datasetId, catalogue: entries }).then(
      (catalogue) => {
        rememberCatalogue(datasetId, catalogue);
        setSaving(false);
        setSaved(true);
        setDraft(catalogue);
        reload();
      },
      (e: unknown) => {
        setSaving(false);
        setError(asPrognosError(e));
      },
    );
  };

  return (
    <div className="catalogue-editor" data-testid="catalogue-editor">
      <p className="hint">
        Names and units shown for this dataset in every view, chart and report. Column and feature ids stay as they are,
        so runs and bundles are unaffected.
      </p>
      <div className="table-scroll">
        <table className="data-table catalogue-editor__table">
          <thead>
            <tr>
              <th scope="col">Column</th>
              <th scope="col">Role</th>
              {FIELDS.map((f) => (
                <th scope="col" key={f.key}>
                  {f.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.column} data-testid="catalogue-row" data-column={e.column}>
                <th scope="row" className="mono">
                  {e.column}
                </th>
                <td>{roleOf.get(e.column) === 'setting' ? 'setting' : 'sensor'}</td>
                {FIELDS.map((f) => (
                  <td key={f.key}>
                    <input
                      className="input catalogue-editor__input"
                      value={e[f.key]}
                      maxLength={f.max}
                      aria-label={`${f.label} of ${e.column}`}
                      onChange={(ev) => edit(e.column, f.key, ev.target.value)}
                      data-testid={`catalogue-${f.key}`}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {error !== null && (
        <ErrorMessage
          error={error}
          title="The names were not saved"
          testId="catalogue-error"
          onDismiss={() => setError(null)}
        />
      )}
      <div className="catalogue-editor__actions">
        <button
          type="button"
          className="button button--primary button--small"
          onClick={save}
          disabled={!changed || saving}
          data-testid="catalogue-save"
        >
          {saving ? 'Saving…' : 'Save names'}
        </button>
        <button
          type="button"
          className="button button--quiet button--small"
          onClick={() => setDraft(stored)}
          disabled={!changed || saving}
        >
          Undo changes
        </button>
        {saved && !changed && (
          <span className="hint" role="status" data-testid="catalogue-saved">
            Saved.
          </span>
        )}
      </div>
    </div>
  );
}
