import { useState } from 'react';
import type { NotificationEntry } from '../../../../shared/alerts';
import { formatDate, formatShortDate } from '../../lib/format';

const SEVERITY_LABEL: Record<NotificationEntry['severity'], string> = {
  info: 'Info',
  warning: 'Warning',
  critical: 'Critical',
};

/** Where a notification's drift report opens. */
export function reportHref(reportId: string): string {
  return `#/drift?report=${encodeURIComponent(reportId)}`;
}

/** "Delivered (1 attempt)", "Failed after 5 attempts: no answer…", "Sending (attempt 2)…" */
export function deliverySummary(n: NotificationEntry): string | null {
  const d = n.delivery;
  if (d === undefined) return null;
  const attempts = `${d.attempts} ${d.attempts === 1 ? 'attempt' : 'attempts'}`;
  if (d.state === 'delivered') return `Webhook: delivered (${attempts})`;
  if (d.state === 'failed')
    return `Webhook: failed after ${attempts}${d.lastError === null ? '' : ` — ${d.lastError}`}`;
  return d.attempts === 0
    ? 'Webhook: sending…'
    : `Webhook: retrying (${attempts} so far${d.lastError === null ? '' : ` — ${d.lastError}`})`;
}

function Attempts({ n }: { n: NotificationEntry }) {
  const [open, setOpen] = useState(false);
  if (n.attempts.length === 0) return null;
  return (
    <div className="notification__attempts">
      <button
        type="button"
        className="button button--quiet button--small"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        {open ? 'Hide attempts' : `Show ${n.attempts.length === 1 ? 'the attempt' : `${n.attempts.length} attempts`}`}
      </button>
      {open && (
        <table className="data-table notification__attempt-table" data-testid="delivery-attempts">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Time</th>
              <th scope="col">Status</th>
              <th scope="col">Took</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {n.attempts.map((a) => (
              <tr key={a.attempt}>
                <td>{a.attempt}</td>
                <td title={a.at}>{formatDate(a.at)}</td>
                <td>{a.status ?? '—'}</td>
                <td>
                  {a.durationMs < 1000 ? `${Math.round(a.durationMs)} ms` : `${(a.durationMs / 1000).toFixed(1)} s`}
                </td>
                <td>{a.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** Notifications, newest first: severity, title, time, text, the report link and the webhook delivery. */
export function NotificationList(props: { notifications: readonly NotificationEntry[]; onRead: (id: string) => void }) {
  if (props.notifications.length === 0) {
    return (
      <p className="muted notification-empty" data-testid="notifications-empty">
        No notifications yet. Alert rules are checked whenever a drift report is stored.
      </p>
    );
  }
  return (
    <ul className="notification-list" data-testid="notification-list">
      {props.notifications.map((n) => {
        const delivery = deliverySummary(n);
        return (
          <li
            key={n.notificationId}
            className={`notification notification--${n.severity}${n.read ? '' : ' notification--unread'}`}
            data-testid="notification"
            data-notification-id={n.notificationId}
            data-severity={n.severity}
            data-read={n.read ? 'true' : 'false'}
          >
            <div className="notification__head">
              <span className={`notification__severity notification__severity--${n.severity}`}>
                {SEVERITY_LABEL[n.severity]}
              </span>
              <strong className="notification__title">{n.title}</strong>
              <time className="notification__time" dateTime={n.createdAt} title={formatDate(n.createdAt)}>
                {formatShortDate(n.createdAt)}
              </time>
            </div>
            <p className="notification__body">{n.body}</p>
            <div className="notification__actions">
              {n.reportId !== null && (
                <a
                  className="notification__link"
                  href={reportHref(n.reportId)}
                  data-testid="notification-report-link"
                  onClick={() => props.onRead(n.notificationId)}
                >
                  Open the drift report
                </a>
              )}
              {!n.read && (
                <button
                  type="button"
                  className="button button--quiet button--small"
                  onClick={() => props.onRead(n.notificationId)}
                >
                  Mark read
                </button>
              )}
            </div>
            {delivery !== null && (
              <div
                className={`notification__delivery notification__delivery--${n.delivery?.state ?? 'none'}`}
                data-testid="notification-delivery"
              >
                {delivery}
              </div>
            )}
            <Attempts n={n} />
          </li>
        );
      })}
    </ul>
  );
}
