import type { PipelineRunRecord, PipelineStepRecord } from '../../../../shared/pipelines';
import { formatShortDate } from '../../../../shared/format';

const STATUS_LABELS: Record<PipelineStepRecord['status'], string> = {
  pending: 'Waiting',
  running: 'Running',
  done: 'Done',
  cached: 'Reused (cached)',
  failed: 'Failed',
  skipped: 'Skipped',
  cancelled: 'Cancelled',
};

/** Seconds between two times, or '' while the second is not known. */
export function secondsBetween(start: string | null, end: string | null): string {
  if (start === null || end === null) return '';
  return `${((Date.parse(end) - Date.parse(start)) / 1000).toFixed(1)} s`;
}

export function statusLabel(s: PipelineStepRecord['status']): string {
  return STATUS_LABELS[s];
}

/** One pipeline run: each step's status, attempts, time and what it did, with its log on demand. */
export function PipelineRunDetail(props: { run: PipelineRunRecord }) {
  const { run } = props;
  return (
    <section className="panel pipelines-run" aria-labelledby="pipelines-run-title" data-testid="pipeline-run-detail" data-run-id={run.pipelineRunId} data-status={run.status}>
      <h2 className="panel__title" id="pipelines-run-title">
        Run of “{run.name}”{' '}
        <span className={`pipeline-status pipeline-status--${run.status}`} data-testid="pipeline-run-status">
          {run.status}
        </span>
      </h2>
      <p className="muted">
        {run.pipelineRunId} · started {formatShortDate(run.startedAt)}
        {run.finishedAt === null ? '' : ` · ${secondsBetween(run.startedAt, run.finishedAt)}`}
      </p>
      {run.error !== null && (
        <p className="notice notice--error" data-testid="pipeline-run-error">
          {run.error}
        </p>
      )}
      <div className="table-scroll">
        <table className="data-table pipelines-steps">
          <thead>
            <tr>
              <th scope="col">Step</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Attempts
              </th>
              <th scope="col" className="num">
                Time
              </th>
              <th scope="col">What it did</th>
            </tr>
          </thead>
          <tbody>
            {run.steps.map((s) => (
              <tr key={s.step} data-testid="pipeline-step" data-step={s.step} data-status={s.status}>
                <th scope="row">{s.step}</th>
                <td>
                  <span className={`pipeline-status pipeline-status--${s.status}`}>{statusLabel(s.status)}</span>
                </td>
                <td className="num">{s.attempts}</td>
                <td className="num">{secondsBetween(s.startedAt, s.finishedAt)}</td>
                <td className="pipelines-steps__what">
                  <span>{s.summary ?? s.error ?? ''}</span>
                  {s.log !== '' && (
                    <details className="pipelines-log">
                      <summary>Log</summary>
                      <pre data-testid="pipeline-step-log">{s.log}</pre>
                    </details>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
