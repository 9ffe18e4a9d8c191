import { Suspense, useCallback, type KeyboardEvent } from 'react';
import { useApi, useTransport } from './api/context';
import { ContextBar } from './components/ContextBar';
import { ErrorBoundary } from './components/ErrorBoundary';
import { NotificationBell } from './components/notifications/NotificationBell';
import { useAsync } from './lib/use-async';
import { useHashRoute } from './lib/use-hash-route';
import { DEFAULT_VIEW_ID, VIEWS } from './views/registry';

function StoreLocation() {
  const api = useApi();
  const load = useCallback(() => api.appInfo({}), [api]);
  const [info] = useAsync(load);
  if (info.status === 'loading') return <span className="app-header__store app-header__store--muted">Connecting…</span>;
  if (info.status === 'error') {
    return (
      <span
        className="app-header__store app-header__store--error"
        role="alert"
        data-testid="app-info-error"
        title={info.error.message}
      >
        Not connected: {info.error.message}
      </span>
    );
  }
  return (
    <>
      <span className="app-header__version" data-testid="app-version">
        v{info.value.version}
      </span>
      <span className="app-header__store" title={info.value.storeDir}>
        <span className="app-header__store-label">Store</span>
        <code data-testid="store-dir">{info.value.storeDir}</code>
      </span>
    </>
  );
}

/** The sidebar's arrow keys: Up and Down move to the previous or next view, Home and End to the ends. */
function moveNavFocus(e: KeyboardEvent<HTMLUListElement>) {
  const items = [...e.currentTarget.querySelectorAll<HTMLAnchorElement>('a.app-nav__item')];
  const at = items.findIndex((a) => a === document.activeElement);
  if (at < 0) return;
  const last = items.length - 1;
  const targets: Record<string, number> = {
    ArrowDown: Math.min(at + 1, last),
    ArrowUp: Math.max(at - 1, 0),
    Home: 0,
    End: last,
  };
  const next = targets[e.key];
  if (next === undefined) return;
  e.preventDefault();
  items[next]?.focus();
}

export function App() {
  const transport = useTransport();
  const [routeId, navigate] = useHashRoute();
  const active = VIEWS.find((v) => v.id === routeId) ?? VIEWS.find((v) => v.id === DEFAULT_VIEW_ID) ?? VIEWS[0];

  return (
    <div className="app">
      <header className="app-header">
        <span className="app-header__product">Prognos</span>
        <StoreLocation />
        <NotificationBell />
        {transport.mode === 'browser' && <span className="app-header__mode">Browser mode</span>}
      </header>
      <nav className="app-nav" aria-label="Views">
        <ul onKeyDown={moveNavFocus}>
          {VIEWS.map((v) => (
            <li key={v.id}>
              <a
                href={`#/${v.id}`}
                className={v === active ? 'app-nav__item app-nav__item--active' : 'app-nav__item'}
                aria-current={v === active ? 'page' : undefined}
                title={v.description}
                data-testid={`nav-${v.id}`}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(v.id);
                }}
              >
                {v.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main className="app-main app-main--with-context" aria-label={active?.label}>
        {active !== undefined && <ContextBar uses={active.uses} viewLabel={active.label} />}
        <div className="app-main__view">
          {active !== undefined && (
            <ErrorBoundary key={active.id} where={`the ${active.label} view`}>
              <Suspense fallback={<p className="view-pad muted">Loading…</p>}>
                <active.component />
              </Suspense>
            </ErrorBoundary>
          )}
        </div>
      </main>
    </div>
  );
}
