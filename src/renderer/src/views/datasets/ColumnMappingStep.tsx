import { useId } from 'react';
import { COLUMN_ROLES, type ImportColumnRole } from '../../../../shared/column-roles';
import { draftProblems, type MappingDraft, type SensorDraft } from './use-column-mapping';
import './column-mapping.css';

const ROLE_LABELS: Record<ImportColumnRole, string> = {
  unit: 'Unit id',
  cycle: 'Cycle',
  setting: 'Operating setting',
  sensor: 'Sensor',
  ignore: 'Ignored',
};

const PREVIEW_VALUES = 5;

/** The editable catalogue fields of a setting or sensor, in column order. */
const CATALOGUE_FIELDS: readonly { field: 'name' | 'unit' | 'quantity'; maxLength: number; label: string }[] = [
  { field: 'name', maxLength: 60, label: 'Display name of' },
  { field: 'unit', maxLength: 24, label: 'Unit of' },
  { field: 'quantity', maxLength: 120, label: 'Quantity measured by' },
];

/**
 * The import's mapping step: each column's role (unit, cycle, operating setting, sensor, ignored)
 * with the first values of the file, and each setting's and sensor's display name, unit and quantity.
 */
export function ColumnMappingStep(props: {
  draft: MappingDraft;
  busy: boolean;
  onRole: (i: number, role: ImportColumnRole) => void;
  onSensor: (i: number, patch: Partial<SensorDraft>) => void;
  onEditing: (editing: boolean) => void;
  onImport: () => void;
}) {
  const { draft, busy } = props;
  const id = useId();
  const problems = draftProblems(draft);
  const cmapss = draft.head.format === 'cmapss';
  const counts = COLUMN_ROLES.map((r) => [r, draft.roles.filter((x) => x === r).length] as const).filter(([, n]) => n > 0);
  return (
    <section className="panel mapping-step" aria-labelledby={`${id}-title`} data-testid="mapping-step" data-source={draft.source}>
      <div className="mapping-step__head">
        <h2 className="panel__title" id={`${id}-title`}>
          Columns of {draft.file.name}
        </h2>
        <span className="hint" data-testid="mapping-source">
          {cmapss
            ? 'C-MAPSS text: unit, cycle, three operating settings and 21 sensors by position.'
            : draft.source === 'remembered'
              ? 'Roles and names remembered from the last file with this header.'
              : 'Roles guessed from the column names; check them before importing.'}
        </span>
      </div>
      {cmapss && (
        <label className="check">
          <input type="checkbox" checked={draft.editing} disabled={busy} onChange={(e) => props.onEditing(e.target.checked)} data-testid="mapping-edit-cmapss" />
          <span>Edit column roles and sensor names</span>
        </label>
      )}
      {draft.editing && (
        <>
          <p className="mapping-step__counts" data-testid="mapping-counts">
            {counts.map(([r, n]) => `${n} ${ROLE_LABELS[r].toLowerCase()}${n === 1 || r === 'ignore' ? '' : 's'}`).join(' · ')}
          </p>
          <div className="table-scroll mapping-step__table">
            <table className="data-table" data-testid="mapping-table">
              <thead>
                <tr>
                  <th scope="col">Column</th>
                  <th scope="col">Role</th>
                  <th scope="col">Display name</th>
                  <th scope="col">Unit</th>
                  <th scope="col">Quantity</th>
                  <th scope="col">First rows</th>
                </tr>
              </thead>
              <tbody>
                {draft.head.headers.map((h, i) => {
                  const role = draft.roles[i]!;
                  const named = role === 'setting' || role === 'sensor';
                  const s = draft.sensors[i]!;
                  const values = draft.head.rows.slice(0, PREVIEW_VALUES).map((r) => r[i] ?? '');
                  return (
                    <tr key={`${i}:${h}`} data-testid="mapping-row" data-column={h} data-role={role} className={role === 'ignore' ? 'is-constant' : undefined}>
                      <th scope="row" className="mapping-step__column" title={h}>
                        {h === '' ? `column ${i + 1}` : h}
                      </th>
                      <td>
                        <select
                          className="input input--small mapping-step__role"
                          value={role}
                          disabled={busy}
                          aria-label={`Role of ${h}`}
                          onChange={(e) => props.onRole(i, e.target.value as ImportColumnRole)}
                          data-testid="mapping-role"
                        >
                          {COLUMN_ROLES.map((r) => (
                            <option key={r} value={r}>
                              {ROLE_LABELS[r]}
                            </option>
                          ))}
                        </select>
                      </td>
                      {CATALOGUE_FIELDS.map(({ field, maxLength, label }) => (
                        <td key={field}>
                          {named && (
                            <input
                              className={`input input--small mapping-step__${field}`}
                              value={s[field]}
                              maxLength={maxLength}
                              disabled={busy}
                              aria-label={`${label} ${h}`}
                              onChange={(e) => props.onSensor(i, { [field]: e.target.value })}
                              data-testid={`mapping-${field}`}
                            />
                          )}
                        </td>
                      ))}
                      <td className="mapping-step__values">{values.join(', ')}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
      {problems.length > 0 && draft.editing && (
        <ul className="notice notice--warning mapping-step__problems" role="status" data-testid="mapping-problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <div className="form-actions">
        <button type="button" className="button button--primary" disabled={busy || (draft.editing && problems.length > 0)} onClick={props.onImport} data-testid="mapping-import">
          Import with these columns
        </button>
      </div>
    </section>
  );
}
