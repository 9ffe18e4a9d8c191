import type { PrognosError } from '../../../../shared/errors';
import type { PipelineRunRecord } from '../../../../shared/pipelines';
import { ErrorMessage } from '../../components/ErrorMessage';
import { secondsBetween, statusLabel } from './PipelineRunDetail';

/** The pipeline runs, newest first, each with its steps' statuses; a click opens one. */
export function PipelineHistory(props: {
  runs: readonly PipelineRunRecord[] | null;
  error: PrognosError | null;
  openId: string | null;
  onOpen: (pipelineRunId: string) => void;
  onRetry: () => void;
  describeDate: (iso: string) => string;
}) {
  const { runs } = props;
  return (
    <section className="panel pipelines-history" aria-labelledby="pipelines-history-title" data-testid="pipeline-history">
      <h2 className="panel__title" id="pipelines-history-title">
        History
      </h2>
      {props.error !== null && (
        <div className="stack-s">
          <ErrorMessage error={props.error} title="The pipeline runs could not be listed" />
          <button type="button" className="button button--small" onClick={props.onRetry}>
            Retry
          </button>
        </div>
      )}
      {runs === null && props.error === null && <p className="muted">Loading…</p>}
      {runs !== null && runs.length === 0 && (
        <p className="muted" data-testid="pipeline-history-empty">
          No pipeline run yet.
        </p>
      )}
      {runs !== null && runs.length > 0 && (
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Pipeline</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Time
                </th>
                <th scope="col">Steps</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.pipelineRunId} className={r.pipelineRunId === props.openId ? 'is-highlighted' : undefined} data-testid="pipeline-history-item" data-run-id={r.pipelineRunId} data-status={r.status}>
                  <th scope="row">
                    <button type="button" className="button button--quiet button--small" onClick={() => props.onOpen(r.pipelineRunId)} aria-current={r.pipelineRunId === props.openId ? 'true' : undefined}>
                      {props.describeDate(r.startedAt)}
                    </button>
                  </th>
                  <td>{r.name}</td>
                  <td>
                    <span className={`pipeline-status pipeline-status--${r.status}`}>{r.status}</span>
                  </td>
                  <td className="num">{secondsBetween(r.startedAt, r.finishedAt)}</td>
                  <td>
                    <span className="pipelines-chips">
                      {r.steps.map((s) => (
                        <span key={s.step} className={`pipeline-status pipeline-status--${s.status}`} title={`${s.step}: ${statusLabel(s.status)}`} data-step={s.step} data-status={s.status}>
                          {s.step}
                        </span>
                      ))}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
