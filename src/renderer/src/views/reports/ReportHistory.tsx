import type { PrognosError } from '../../../../shared/errors';
import type { ReportRecord } from '../../../../shared/report';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formatInteger, formatShortDate, plural } from '../../lib/format';
import { modelText, shortSha } from './reports-model';

/** The stored reports, newest first, with their inputs; a click opens one. */
export function ReportHistory(props: {
  records: readonly ReportRecord[] | null;
  error: PrognosError | null;
  openId: string | null;
  onOpen: (reportId: string) => void;
  onRetry: () => void;
}) {
  const { records } = props;
  return (
    <section className="panel reports-history" aria-labelledby="reports-history-title" data-testid="report-history">
      <h2 className="panel__title" id="reports-history-title">
        Generated reports
        {records !== null && (
          <span className="panel__count" data-testid="report-history-count">
            {formatInteger(records.length)}
          </span>
        )}
      </h2>
      {props.error !== null && (
        <div className="stack-s">
          <ErrorMessage error={props.error} title="The reports could not be listed" />
          <button type="button" className="button button--small" onClick={props.onRetry}>
            Retry
          </button>
        </div>
      )}
      {records === null && props.error === null && <p className="muted">Loading…</p>}
      {records !== null && records.length === 0 && <p className="muted" data-testid="report-history-empty">No report generated yet.</p>}
      {records !== null && records.length > 0 && (
        <ul className="reports-history__list">
          {records.map((r) => (
            <li key={r.reportId}>
              <button
                type="button"
                className={r.reportId === props.openId ? 'reports-history__item is-open' : 'reports-history__item'}
                onClick={() => props.onOpen(r.reportId)}
                aria-current={r.reportId === props.openId ? 'true' : undefined}
                data-testid="report-history-item"
                data-report-id={r.reportId}
                data-sha256={r.sha256}
                data-pages={r.pages}
              >
                <span className="reports-history__line">
                  <strong className="reports-history__name">{r.fleet}</strong>
                  <span className={r.atRisk > 0 ? 'alert-badge' : 'tag tag--muted'} title="Units the model alerts on (at risk now)">
                    {formatInteger(r.atRisk)} at risk
                  </span>
                </span>
                <span className="reports-history__meta">{r.title}</span>
                <span className="reports-history__meta">
                  {formatShortDate(r.createdAt)} · {modelText(r.source)}
                </span>
                <span className="reports-history__meta">
                  {r.templateName} · {plural(r.pages, 'page')} · {plural(r.units, 'unit')}, {formatInteger(r.soon)} soon
                </span>
                <span className="reports-history__meta reports-history__sha" title={`SHA-256 of the PDF: ${r.sha256}`}>
                  sha256 {shortSha(r.sha256)}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
