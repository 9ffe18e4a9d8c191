import { useEffect, useState } from 'react';
import type { PrognosError } from '../../../shared/errors';
import type { DeleteImpact, DeleteTarget } from '../../../shared/housekeeping';
import { useApi } from '../api/context';
import { asPrognosError } from '../lib/errors';
import { ConfirmDialog } from './ConfirmDialog';
import { ErrorMessage } from './ErrorMessage';

/**
 * Confirms a delete after stating what else goes with it (runs trained on a dataset, bundles and
 * drift reports of a run) with counts, as main reports it; nothing is deleted before Delete is pressed.
 */
export function DeleteConfirm(props: { target: DeleteTarget | null; onDeleted: (target: DeleteTarget) => void; onCancel: () => void }) {
  const api = useApi();
  const { target } = props;
  const [impact, setImpact] = useState<DeleteImpact | null>(null);
  const [error, setError] = useState<PrognosError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setImpact(null);
    setError(null);
    if (target === null) return;
    let current = true;
    api.housekeepingImpact({ target }).then(
      (i) => current && setImpact(i),
      (e: unknown) => current && setError(asPrognosError(e)),
    );
    return () => {
      current = false;
    };
  }, [api, target]);

  const confirm = () => {
    if (target === null || impact === null) return;
    setBusy(true);
    const done =
      target.kind === 'dataset'
        ? api.datasetsDelete({ datasetId: target.datasetId })
        : target.kind === 'run'
          ? api.runsDelete({ runId: target.runId })
          : api.bundlesDelete({ bundleId: target.bundleId });
    done.then(
      () => {
        setBusy(false);
        props.onDeleted(target);
      },
      (e: unknown) => {
        setBusy(false);
        setError(asPrognosError(e));
      },
    );
  };

  if (target === null) return null;
  const goes = impact?.lines.filter((l) => !l.startsWith('kept:')) ?? [];
  const kept = impact?.lines.filter((l) => l.startsWith('kept:')) ?? [];
  return (
    <ConfirmDialog
      open
      title={`Delete ${target.kind}?`}
      confirmLabel="Delete"
      danger
      busy={busy || impact === null}
      onConfirm={confirm}
      onCancel={props.onCancel}
    >
      {error !== null && <ErrorMessage error={error} title="The delete could not go ahead" testId="delete-impact-error" />}
      {impact === null && error === null && <p className="muted">Finding what goes with it…</p>}
      {impact !== null && (
        <div data-testid="delete-impact">
          <p>
            <strong>{impact.target}</strong> will be removed from the store
            {goes.length > 0 ? ', with:' : '.'}
          </p>
          {goes.length > 0 && (
            <ul data-testid="delete-impact-lines">
              {goes.map((l) => (
                <li key={l}>{l}</li>
              ))}
            </ul>
          )}
          {kept.map((l) => (
            <p key={l} className="hint">
              {l.replace(/^kept: /, 'Kept: ')}
            </p>
          ))}
          <p>This cannot be undone.</p>
        </div>
      )}
    </ConfirmDialog>
  );
}
