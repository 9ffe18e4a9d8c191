import { useState } from 'react';
import type { PrognosError } from '../../../shared/errors';
import { asPrognosError } from '../lib/errors';

/** A name with a Rename button that turns it into a text field; Enter saves, Escape cancels. */
export function RenameField(props: {
  name: string;
  /** what is renamed, for labels ("dataset", "run", "bundle") */
  what: string;
  onRename: (name: string) => Promise<unknown>;
  testId: string;
  /** false: only the Rename button (the name is shown elsewhere) */
  showName?: boolean;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<PrognosError | null>(null);
  const [busy, setBusy] = useState(false);
  const save = () => {
    if (draft === null) return;
    setBusy(true);
    props.onRename(draft).then(
      () => {
        setBusy(false);
        setDraft(null);
        setError(null);
      },
      (e: unknown) => {
        setBusy(false);
        setError(asPrognosError(e));
      },
    );
  };
  if (draft === null) {
    return (
      <span className="rename-field">
        {props.showName !== false && (
          <strong className="rename-field__name" data-testid={`${props.testId}-name`}>
            {props.name}
          </strong>
        )}
        <button type="button" className="button button--quiet button--small" onClick={() => setDraft(props.name)} data-testid={`${props.testId}-rename`} aria-label={`Rename ${props.what} ${props.name}`}>
          Rename
        </button>
      </span>
    );
  }
  return (
    <span className="rename-field">
      <input
        className="input"
        value={draft}
        maxLength={200}
        aria-label={`New name of the ${props.what}`}
        autoFocus
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') save();
          if (e.key === 'Escape') setDraft(null);
        }}
        data-testid={`${props.testId}-input`}
      />
      <button type="button" className="button button--small button--primary" onClick={save} disabled={busy} data-testid={`${props.testId}-save`}>
        Save
      </button>
      <button type="button" className="button button--small" onClick={() => setDraft(null)}>
        Cancel
      </button>
      {error !== null && (
        <span className="rename-field__error" role="alert">
          {error.message}
        </span>
      )}
    </span>
  );
}
