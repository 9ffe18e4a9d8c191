import { useEffect, useId, useRef, useState } from 'react';
import type { DatasetRecord } from '../../../../shared/schemas';
import { formatDate } from '../../lib/format';
import type { ExistingDataset } from './use-dataset-job';

/** A name for another copy that no dataset has yet: `NAME (2)`, `NAME (3)`, … */
export function copyName(base: string, taken: ReadonlySet<string>): string {
  const stem = base.replace(/ \(\d+\)$/, '');
  for (let i = 2; ; i++) {
    const candidate = `${stem} (${i})`;
    if (!taken.has(candidate)) return candidate;
  }
}

/**
 * Re-importing a file whose content is already in the store asks first (nothing has been written):
 * open the existing dataset, or import the file again under a new name.
 */
export function ReimportDialog(props: {
  fileName: string;
  existing: readonly ExistingDataset[];
  datasets: readonly DatasetRecord[];
  onOpenExisting: (dataset: DatasetRecord) => void;
  onImportAgain: (name: string) => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  // the safe choice has the focus once the dialog is open (showModal would give it to the name field)
  const openButton = useRef<HTMLButtonElement>(null);
  const id = useId();
  const first = props.existing[0]!;
  const [name, setName] = useState(() => copyName(first.name, new Set(props.datasets.map((d) => d.name))));
  const record = props.datasets.find((d) => d.datasetId === first.datasetId);
  const trimmed = name.trim();

  useEffect(() => {
    const dialog = ref.current;
    if (dialog !== null && !dialog.open) dialog.showModal();
    openButton.current?.focus();
    return () => dialog?.close();
  }, []);

  return (
    <dialog
      ref={ref}
      className="dialog dialog--choices"
      aria-labelledby={`${id}-title`}
      data-testid="reimport-dialog"
      data-existing={first.datasetId}
      onCancel={(e) => {
        e.preventDefault();
        props.onCancel();
      }}
    >
      <h2 id={`${id}-title`} className="dialog__title">
        Already imported
      </h2>
      <div className="dialog__body stack-s">
        <p>
          <strong>{props.fileName}</strong> has the same content as{' '}
          {props.existing.length === 1 ? 'the dataset' : `${props.existing.length} datasets, the newest`}{' '}
          <strong data-testid="reimport-existing-name">{first.name}</strong> (imported {formatDate(first.createdAt)}). Nothing
          has been imported yet.
        </p>
        <label className="field" htmlFor={`${id}-name`}>
          <span className="field-label">Name of the new copy</span>
          <input
            id={`${id}-name`}
            className="input"
            value={name}
            maxLength={200}
            onChange={(e) => setName(e.target.value)}
            data-testid="reimport-name"
          />
        </label>
      </div>
      <div className="dialog__actions">
        <button type="button" className="button" onClick={props.onCancel} data-testid="reimport-cancel">
          Cancel
        </button>
        <button
          type="button"
          className="button"
          onClick={() => props.onImportAgain(trimmed)}
          disabled={trimmed === ''}
          data-testid="reimport-again"
        >
          Import again
        </button>
        <button
          type="button"
          className="button button--primary"
          onClick={() => record !== undefined && props.onOpenExisting(record)}
          disabled={record === undefined}
          ref={openButton}
          data-testid="reimport-open"
        >
          Open the existing one
        </button>
      </div>
    </dialog>
  );
}
