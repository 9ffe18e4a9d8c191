import { useEffect, useId, useRef, useState } from 'react';
import type { PrognosError } from '../../../../shared/errors';

/** a bundle of the library with the same manifest as the one being imported */
export interface ExistingBundle {
  readonly bundleId: string;
  readonly name: string | null;
}

export interface PendingDuplicate {
  readonly existing: readonly ExistingBundle[];
  readonly fileName: string;
  /** imports the same bundle again, as a copy under this name */
  readonly importAgain: (name: string) => void;
}

/** The bundles a CONFLICT names as having the same content (`details.existingBundles`), or null for another error. */
export function existingBundlesOf(error: PrognosError): ExistingBundle[] | null {
  const raw = error.code === 'CONFLICT' ? error.details?.existingBundles : undefined;
  if (!Array.isArray(raw)) return null;
  const out: ExistingBundle[] = [];
  for (const e of raw as unknown[]) {
    if (typeof e !== 'object' || e === null) continue;
    const r = e as Record<string, unknown>;
    if (typeof r.bundleId === 'string') out.push({ bundleId: r.bundleId, name: typeof r.name === 'string' ? r.name : null });
  }
  return out.length > 0 ? out : null;
}

/**
 * Importing a bundle that is already in the library asks first (nothing has been copied): open the
 * existing one, or import it again as a copy under a new name.
 */
export function BundleReimportDialog(props: {
  pending: PendingDuplicate;
  onOpenExisting: (bundleId: string) => void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  // the safe choice has the focus once the dialog is open (showModal would give it to the name field)
  const openButton = useRef<HTMLButtonElement>(null);
  const id = useId();
  const first = props.pending.existing[0]!;
  const shown = first.name ?? first.bundleId;
  const [name, setName] = useState(`${first.name ?? props.pending.fileName.replace(/\.zip$/i, '')} (copy)`);
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
      data-testid="bundle-reimport-dialog"
      data-existing={first.bundleId}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
    >
      <h2 id={`${id}-title`} className="dialog__title">
        Already in the library
      </h2>
      <div className="dialog__body stack-s">
        <p>
          <strong>{props.pending.fileName}</strong> has the same content as the bundle <strong>{shown}</strong>. Nothing has been
          imported yet.
        </p>
        <label className="field" htmlFor={`${id}-name`}>
          <span className="field-label">Name of the new copy</span>
          <input id={`${id}-name`} className="input" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} data-testid="bundle-reimport-name" />
        </label>
      </div>
      <div className="dialog__actions">
        <button type="button" className="button" onClick={props.onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="button"
          disabled={trimmed === ''}
          onClick={() => {
            props.onClose();
            props.pending.importAgain(trimmed);
          }}
          data-testid="bundle-reimport-again"
        >
          Import again
        </button>
        <button
          type="button"
          className="button button--primary"
          ref={openButton}
          onClick={() => {
            props.onClose();
            props.onOpenExisting(first.bundleId);
          }}
          data-testid="bundle-reimport-open"
        >
          Open the existing one
        </button>
      </div>
    </dialog>
  );
}
