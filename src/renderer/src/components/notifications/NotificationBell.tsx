import { useCallback, useEffect, useRef, useState } from 'react';
import type { NotificationList as NotificationListValue } from '../../../../shared/alerts';
import type { PrognosError } from '../../../../shared/errors';
import { useApi } from '../../api/context';
import { asPrognosError } from '../../lib/errors';
import { ErrorMessage } from '../ErrorMessage';
import { Tabs } from '../Tabs';
import { NotificationList } from './NotificationList';
import { RuleEditor } from './RuleEditor';
import { WebhookSettings } from './WebhookSettings';
import './notifications.css';

type PanelTab = 'notifications' | 'rules' | 'webhook';
const TABS = [
  { key: 'notifications', label: 'Notifications' },
  { key: 'rules', label: 'Rules' },
  { key: 'webhook', label: 'Webhook' },
] as const;

/** The header's bell: the unread count, live; a click opens the notifications, the rules and the webhook. */
export function NotificationBell() {
  const api = useApi();
  const [open, setOpen] = useState(false);
  const [tab, setTab] = useState<PanelTab>('notifications');
  const [list, setList] = useState<NotificationListValue | null>(null);
  const [unread, setUnread] = useState<number | null>(null);
  const [error, setError] = useState<PrognosError | null>(null);
  const openRef = useRef(open);
  openRef.current = open;
  const root = useRef<HTMLDivElement>(null);

  const refresh = useCallback(() => {
    api.notificationsList({ limit: 100 }).then(
      (l) => {
        setList(l);
        setUnread(l.unread);
        setError(null);
      },
      (e: unknown) => setError(asPrognosError(e)),
    );
  }, [api]);

  useEffect(() => {
    refresh();
    return api.on('notifications:changed', (e) => {
      setUnread(e.unread);
      if (openRef.current) refresh();
    });
  }, [api, refresh]);

  useEffect(() => {
    if (!open) return;
    refresh();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    const onDown = (e: MouseEvent) => {
      if (root.current !== null && e.target instanceof Node && !root.current.contains(e.target)) setOpen(false);
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('mousedown', onDown);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('mousedown', onDown);
    };
  }, [open, refresh]);

  const markRead = (input: { notificationIds: string[] } | { all: true }) => {
    api.notificationsRead(input).then(
      (r) => {
        setUnread(r.unread);
        refresh();
      },
      (e: unknown) => setError(asPrognosError(e)),
    );
  };

  const count = unread ?? 0;
  return (
    <div className="bell" ref={root}>
      <button
        type="button"
        className={`bell__button${count > 0 ? ' bell__button--unread' : ''}`}
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-label={count > 0 ? `Notifications: ${count} unread` : 'Notifications'}
        title={count > 0 ? `${count} unread notifications` : 'Notifications'}
        onClick={() => setOpen((o) => !o)}
        data-testid="notification-bell"
      >
        <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
          <path
            fill="currentColor"
            d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2z"
          />
        </svg>
        {count > 0 && (
          <span className="bell__badge" data-testid="notification-unread">
            {count > 99 ? '99+' : count}
          </span>
        )}
      </button>
      {open && (
        <div
          className="bell__panel"
          role="dialog"
          aria-label="Notifications and alert rules"
          data-testid="notification-panel"
        >
          <div className="bell__panel-head">
            <Tabs items={TABS} active={tab} onChange={setTab} label="Alerts" idPrefix="alerts" />
            {tab === 'notifications' && count > 0 && (
              <button
                type="button"
                className="button button--quiet button--small"
                onClick={() => markRead({ all: true })}
                data-testid="notifications-read-all"
              >
                Mark all read
              </button>
            )}
          </div>
          <div className="bell__panel-body">
            {error !== null && <ErrorMessage error={error} onDismiss={() => setError(null)} />}
            {tab === 'notifications' &&
              (list === null ? (
                <p className="muted">Loading…</p>
              ) : (
                <NotificationList
                  notifications={list.notifications}
                  onRead={(id) => markRead({ notificationIds: [id] })}
                />
              ))}
            {tab === 'rules' && <RuleEditor />}
            {tab === 'webhook' && <WebhookSettings />}
          </div>
        </div>
      )}
    </div>
  );
}
