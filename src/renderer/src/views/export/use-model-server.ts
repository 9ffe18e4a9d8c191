import { useCallback, useEffect, useRef, useState } from 'react';
import type { PrognosError } from '../../../../shared/errors';
import type { ModelServerStart, ModelServerStatus } from '../../../../shared/model-server';
import { useApi } from '../../api/context';
import { asPrognosError } from '../../lib/errors';

/** how often the panel reads the server's state, metrics and recent predictions while it runs */
export const POLL_MS = 1000;
const RECENT_SHOWN = 20;

const LIVE = new Set<ModelServerStatus['state']>(['starting', 'ready', 'stopping']);

/**
 * The model server of one bundle, as main reports it: read once when the panel opens (one may be
 * running from before), then every POLL_MS while it is starting, ready or stopping.
 */
export function useModelServer(bundleId: string) {
  const api = useApi();
  const [status, setStatus] = useState<ModelServerStatus | null>(null);
  const [error, setError] = useState<PrognosError | null>(null);
  const [busy, setBusy] = useState<'start' | 'stop' | null>(null);
  // answers of polls that started before an action finished are dropped
  const generation = useRef(0);

  const refresh = useCallback(async () => {
    const g = generation.current;
    try {
      const s = await api.modelServerStatus({ bundleId, recent: RECENT_SHOWN });
      if (g === generation.current) setStatus(s);
    } catch (e) {
      if (g === generation.current) setError(asPrognosError(e));
    }
  }, [api, bundleId]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const live = (status !== null && LIVE.has(status.state)) || busy !== null;
  useEffect(() => {
    if (!live) return;
    let stopped = false;
    let timer: number | undefined;
    const tick = async () => {
      await refresh();
      if (!stopped) timer = window.setTimeout(() => void tick(), POLL_MS);
    };
    timer = window.setTimeout(() => void tick(), POLL_MS);
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [live, refresh]);

  const act = useCallback(
    async (kind: 'start' | 'stop', call: () => Promise<ModelServerStatus>) => {
      setBusy(kind);
      setError(null);
      try {
        const s = await call();
        generation.current++;
        setStatus(s);
      } catch (e) {
        setError(asPrognosError(e));
      } finally {
        setBusy(null);
      }
      void refresh();
    },
    [refresh],
  );

  const start = useCallback(
    (options: Omit<ModelServerStart, 'bundleId'>) => {
      // shown as starting at once; the call answers when the server is ready or has failed
      setStatus((s) =>
        s === null ? s : { ...s, state: 'starting', error: null, url: null, metrics: null, recent: [], log: [] },
      );
      return act('start', () => api.modelServerStart({ bundleId, ...options }));
    },
    [act, api, bundleId],
  );
  const stop = useCallback(() => act('stop', () => api.modelServerStop({ bundleId })), [act, api, bundleId]);

  return { status, error, busy, start, stop, dismissError: () => setError(null) };
}
