import { useMemo, useState } from 'react';
import type { PrognosError } from '../../../../shared/errors';
import type { RunSummary } from '../../../../shared/schemas';
import { useApi } from '../../api/context';
import { DeleteConfirm } from '../../components/DeleteConfirm';
import { RenameField } from '../../components/RenameField';
import { useWorkingContext } from '../../state/working-context';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formatDate, formatInteger, formatPercent, formatScore, formatShortDate } from '../../lib/format';
import { routeHref } from '../../lib/use-hash-route';
import { useFollowJob } from '../../state/use-follow-job';
import { useWorkbench } from '../../state/workbench';
import { useRuns } from '../../state/use-runs';

const STATUS_LABELS: Record<RunSummary['status'], string> = {
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

function newestFirst(a: RunSummary, b: RunSummary): number {
  return b.createdAt.localeCompare(a.createdAt);
}

function F2Cell({ value, run, split }: { value: number | null; run: RunSummary; split: 'validation' | 'test' }) {
  const why =
    run.status !== 'done'
      ? `No ${split} score: the run is ${run.status}.`
      : split === 'test'
        ? 'No test score: the split has no test units, or the test units have no failures.'
        : 'No validation score: the validation units have no failures and nothing was flagged.';
  return (
    <td
      className="num"
      title={value === null ? why : undefined}
      data-testid={`run-${split === 'test' ? 'test' : 'val'}-f2`}
    >
      {formatScore(value)}
    </td>
  );
}

/** The status of a run started elsewhere: its progress while it trains; the list reloads when it ends. */
function FollowedStatus({ jobId, onEnd }: { jobId: string; onEnd: () => void }) {
  const status = useFollowJob(jobId, onEnd);
  return (
    <span className="status status--running" title={status?.message} data-testid="run-status">
      Training{status === undefined ? '…' : ` ${formatPercent(status.fraction)}`}
    </span>
  );
}

/** Every training run in the store, newest first: status, when, headline scores, open and delete. */
export function RunList(props: { highlight: string | null }) {
  const api = useApi();
  const { bumpRuns, trainJob } = useWorkbench();
  const [state, reload, last] = useRuns();
  const runs = last === undefined ? null : [...last].sort(newestFirst);
  const [pending, setPending] = useState<RunSummary | null>(null);
  const [error, setError] = useState<PrognosError | null>(null);
  const activeRun = trainJob.phase.kind === 'running' ? trainJob.phase.info.runId : null;

  const ctx = useWorkingContext();
  const deleteTarget = useMemo(() => (pending === null ? null : { kind: 'run' as const, runId: pending.runId }), [pending]);
  const renamed = () => {
    bumpRuns();
    ctx.refresh();
  };

  return (
    <section className="panel" aria-labelledby="runs-title">
      <h2 className="panel__title" id="runs-title">
        Runs {runs !== null && <span className="panel__count">{formatInteger(runs.length)}</span>}
      </h2>
      {state.status === 'error' && (
        <div className="stack-s">
          <ErrorMessage error={state.error} title="The runs could not be loaded" testId="runs-error" />
          <button type="button" className="button button--small" onClick={reload}>
            Retry
          </button>
        </div>
      )}
      {error !== null && (
        <ErrorMessage
          error={error}
          title="The run could not be deleted"
          onDismiss={() => setError(null)}
          testId="run-delete-error"
        />
      )}
      {runs === null && state.status === 'loading' && <p className="muted">Loading…</p>}
      {runs !== null && runs.length === 0 && (
        <p className="empty" data-testid="runs-empty">
          No runs yet. Start one with the config on the left.
        </p>
      )}
      {runs !== null && runs.length > 0 && (
        <div className="table-scroll runs-table">
          <table className="data-table" data-testid="run-list">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Dataset</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col" className="num" title="F2 on the validation units at the tuned threshold">
                  Val F2
                </th>
                <th scope="col" className="num" title="F2 on the held-out test units at the tuned threshold">
                  Test F2
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr
                  key={r.runId}
                  className={r.runId === props.highlight ? 'is-highlighted' : undefined}
                  data-testid="run-row"
                  data-run-id={r.runId}
                  data-status={r.status}
                >
                  <th scope="row">
                    <a
                      className="mono run-link"
                      href={routeHref('results', r.runId)}
                      title={r.runId}
                      data-testid="run-open"
                    >
                      {r.name ?? r.runId.replace(/^run_/, '').slice(-8)}
                    </a>
                  </th>
                  <td className="runs-table__dataset" title={r.datasetName ?? r.datasetId}>
                    {r.datasetName ?? <span className="muted">deleted dataset</span>}
                  </td>
                  <td>
                    {r.status === 'running' && r.runId !== activeRun && r.jobId !== null ? (
                      <FollowedStatus jobId={r.jobId} onEnd={bumpRuns} />
                    ) : (
                      <span
                        className={`status status--${r.status}`}
                        title={r.error ?? undefined}
                        data-testid="run-status"
                      >
                        {r.runId === activeRun ? 'Training…' : STATUS_LABELS[r.status]}
                      </span>
                    )}
                  </td>
                  <td title={formatDate(r.createdAt)}>{formatShortDate(r.createdAt)}</td>
                  <F2Cell value={r.validationF2} run={r} split="validation" />
                  <F2Cell value={r.testF2} run={r} split="test" />
                  <td className="runs-table__actions">
                    <RenameField
                      name={r.name ?? ''}
                      what="run"
                      testId="run"
                      showName={false}
                      onRename={(name) => api.runsRename({ runId: r.runId, name }).then(renamed)}
                    />
                    <button
                      type="button"
                      className="button button--quiet button--small runs-table__delete"
                      onClick={() => setPending(r)}
                      disabled={r.status === 'running'}
                      aria-label={`Delete run ${r.runId}`}
                      title={r.status === 'running' ? 'A running run cannot be deleted; cancel it first' : undefined}
                      data-testid="run-delete"
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <DeleteConfirm
        target={deleteTarget}
        onCancel={() => setPending(null)}
        onDeleted={() => {
          setPending(null);
          renamed();
        }}
      />
    </section>
  );
}
