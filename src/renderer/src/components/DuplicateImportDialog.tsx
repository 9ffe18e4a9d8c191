import { useEffect, useId, useRef, useState } from 'react';
import { formatDate } from '../lib/format';

/** What the file being imported duplicates: an item with the same content (the newest, when dated), and how many there are. */
export interface DuplicateOf {
  /** 'dataset' or 'bundle', as the sentence names it */
  readonly kind: 'dataset' | 'bundle';
  readonly id: string;
  readonly name: string;
  readonly count: number;
  /** when it was imported, where known (then it is the newest of them) */
  readonly createdAt?: string;
}

/**
 * Importing something whose content is already in the store (a dataset, a bundle of the library) asks
 * first, with nothing written yet: open the existing one (the safe choice, focused), or import it
 * again as a copy under a new name (`copyName` proposes one), or cancel. The test ids start with
 * `testId` (`reimport` in the Datasets view, `bundle-reimport` in the Export view).
 */
export function DuplicateImportDialog(props: {
  testId: string;
  title: string;
  fileName: string;
  existing: DuplicateOf;
  proposedName: string;
  /** false when the existing item cannot be opened from here (it is not in the list yet) */
  canOpen: boolean;
  onOpenExisting: () => void;
  onImportAgain: (name: string) => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  // the safe choice has the focus once the dialog is open (showModal would give it to the name field)
  const openButton = useRef<HTMLButtonElement>(null);
  const id = useId();
  const { existing, testId } = props;
  const [name, setName] = useState(props.proposedName);
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
      data-testid={`${testId}-dialog`}
      data-existing={existing.id}
      onCancel={(e) => {
        e.preventDefault();
        props.onCancel();
      }}
    >
      <h2 id={`${id}-title`} className="dialog__title">
        {props.title}
      </h2>
      <div className="dialog__body stack-s">
        <p>
          <strong>{props.fileName}</strong> has the same content as{' '}
          {existing.count === 1 ? `the ${existing.kind}` : `${existing.count} ${existing.kind}s, ${existing.createdAt === undefined ? 'one of them' : 'the newest'}`}{' '}
          <strong data-testid={`${testId}-existing-name`}>{existing.name}</strong>
          {existing.createdAt === undefined ? '' : ` (imported ${formatDate(existing.createdAt)})`}. Nothing has been imported yet.
        </p>
        <label className="field" htmlFor={`${id}-name`}>
          <span className="field-label">Name of the new copy</span>
          <input id={`${id}-name`} className="input" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} data-testid={`${testId}-name`} />
        </label>
      </div>
      <div className="dialog__actions">
        <button type="button" className="button" onClick={props.onCancel} data-testid={`${testId}-cancel`}>
          Cancel
        </button>
        <button type="button" className="button" onClick={() => props.onImportAgain(trimmed)} disabled={trimmed === ''} data-testid={`${testId}-again`}>
          Import again
        </button>
        <button
          type="button"
          className="button button--primary"
          onClick={props.onOpenExisting}
          disabled={!props.canOpen}
          ref={openButton}
          data-testid={`${testId}-open`}
        >
          Open the existing one
        </button>
      </div>
    </dialog>
  );
}
