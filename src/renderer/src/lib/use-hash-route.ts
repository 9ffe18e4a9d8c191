import { useCallback, useSyncExternalStore } from 'react';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

function currentViewId(): string {
  const match = /^#\/([\w-]+)/.exec(window.location.hash);
  return match?.[1] ?? '';
}

/** The active view id from the address (`#/datasets`), so a reload keeps the place. */
export function useHashRoute(): [string, (viewId: string) => void] {
  const viewId = useSyncExternalStore(subscribe, currentViewId);
  const navigate = useCallback((id: string) => {
    window.location.hash = `#/${id}`;
  }, []);
  return [viewId, navigate];
}
