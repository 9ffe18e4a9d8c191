import { useState, type ReactNode } from 'react';
import { DATASET_ROLE_LABELS } from '../../../../shared/housekeeping';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { useWorkingContext } from '../../state/working-context';

/**
 * Training on a dataset that is not a training fleet asks first: its units did not all run to
 * failure, so labels counted down to each unit's last row would be wrong. `request` starts at once
 * on a training fleet, else opens the dialog; Cancel starts nothing.
 */
export function useRoleConfirm(datasetId: string | null, start: () => void): { request: () => void; dialog: ReactNode } {
  const ctx = useWorkingContext();
  const [open, setOpen] = useState(false);
  const dataset = ctx.dataset(datasetId);
  const request = () => {
    if (dataset === null || dataset.role === 'training') start();
    else setOpen(true);
  };
  // mounted only while asking, so the view holds no second closed dialog
  const dialog = open && dataset !== null && (
    <ConfirmDialog
      open
      title="Train on a fleet that is not a training fleet?"
      confirmLabel="Train anyway"
      onConfirm={() => {
        setOpen(false);
        start();
      }}
      onCancel={() => setOpen(false)}
    >
      {dataset !== null && (
        <div data-testid="train-role-confirm" data-role={dataset.role}>
          <p>
            <strong>{dataset.name}</strong> is a <strong>{DATASET_ROLE_LABELS[dataset.role]}</strong>. Training takes each unit’s
            last row as its failure, which holds only for a run-to-failure fleet: on this data the failure labels, the
            remaining-life targets and every metric of the run would be wrong.
          </p>
          <p>Pick a training fleet in the context bar, change this dataset’s role in Datasets if it is wrong, or train anyway.</p>
        </div>
      )}
    </ConfirmDialog>
  );
  return { request, dialog };
}
