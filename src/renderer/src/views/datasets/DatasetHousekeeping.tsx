import { DATASET_ROLE_LABELS, datasetRoleSchema, type DatasetRole } from '../../../../shared/housekeeping';
import type { DatasetRecord } from '../../../../shared/schemas';
import { useApi } from '../../api/context';
import { RoleBadge } from '../../components/ContextBar';
import { RenameField } from '../../components/RenameField';

/** The selected dataset's name and role, both changeable (the role was guessed at import). */
export function DatasetHousekeeping(props: { dataset: DatasetRecord; onChanged: () => void }) {
  const api = useApi();
  const { dataset, onChanged } = props;
  return (
    <div className="dataset-housekeeping panel" data-testid="dataset-housekeeping">
      <RenameField
        name={dataset.name}
        what="dataset"
        testId="dataset"
        onRename={(name) => api.datasetsRename({ datasetId: dataset.datasetId, name }).then(onChanged)}
      />
      <label className="field dataset-housekeeping__role">
        <span className="field-label">Role</span>
        <select
          className="input"
          value={dataset.role}
          onChange={(e) => {
            const role: DatasetRole = datasetRoleSchema.parse(e.target.value);
            void api.datasetsSetRole({ datasetId: dataset.datasetId, role }).then(onChanged, onChanged);
          }}
          data-testid="dataset-role"
        >
          {datasetRoleSchema.options.map((r) => (
            <option key={r} value={r}>
              {DATASET_ROLE_LABELS[r]}
            </option>
          ))}
        </select>
        <RoleBadge role={dataset.role} />
      </label>
    </div>
  );
}
