import { useCallback, useEffect, useState } from 'react';
import type { PrognosError } from '../../../shared/errors';
import { asPrognosError } from './errors';

export type AsyncState<T> =
  | { readonly status: 'loading' }
  | { readonly status: 'ok'; readonly value: T }
  | { readonly status: 'error'; readonly error: PrognosError };

const LOADING = { status: 'loading' } as const;

/**
 * Runs `load` whenever it changes (wrap it in useCallback) or `reload` is called. Answers that
 * arrive after a newer request started are dropped; during a reload the last answer stays visible.
 * The third element is the last value loaded by any `load`, for views that keep showing it while
 * the next one arrives.
 */
export function useAsync<T>(load: (() => Promise<T>) | null): [AsyncState<T>, () => void, T | undefined] {
  const [result, setResult] = useState<{ for: unknown; state: AsyncState<T> }>({ for: null, state: LOADING });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    if (load === null) return;
    let current = true;
    load().then(
      (value) => {
        if (current) setResult({ for: load, state: { status: 'ok', value } });
      },
      (e: unknown) => {
        if (current) setResult({ for: load, state: { status: 'error', error: asPrognosError(e) } });
      },
    );
    return () => {
      current = false;
    };
  }, [load, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const last = result.state.status === 'ok' ? result.state.value : undefined;
  return [result.for === load ? result.state : LOADING, reload, last];
}
