import { useCallback, useSyncExternalStore } from 'react';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

function currentHash(): string {
  return window.location.hash;
}

/** `#/results/run_1` → { viewId: 'results', param: 'run_1' } */
export function parseRoute(hash: string): { viewId: string; param: string | null } {
  const match = /^#\/([\w-]+)(?:\/([^/?#]+))?/.exec(hash);
  const param = match?.[2];
  return { viewId: match?.[1] ?? '', param: param === undefined ? null : decodeURIComponent(param) };
}

export function routeHref(viewId: string, param?: string | null): string {
  return param === undefined || param === null ? `#/${viewId}` : `#/${viewId}/${encodeURIComponent(param)}`;
}

/** Moves to a view (and an item in it, e.g. a run), keeping the place in the address for reloads. */
export function navigate(viewId: string, param?: string | null): void {
  window.location.hash = routeHref(viewId, param);
}

/** The active view id and its parameter from the address (`#/datasets`, `#/results/<runId>`). */
export function useHashRoute(): [string, (viewId: string, param?: string | null) => void, string | null] {
  const hash = useSyncExternalStore(subscribe, currentHash);
  const { viewId, param } = parseRoute(hash);
  const go = useCallback((id: string, p?: string | null) => navigate(id, p), []);
  return [viewId, go, param];
}
