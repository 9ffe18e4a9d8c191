import { useMemo } from 'react';
import { useApi } from '../../api/context';
import type { DriftClient } from './drift-client';

/** The drift channels of the contract, as the view uses them. */
export function useDriftClient(): DriftClient {
  const api = useApi();
  return useMemo(
    () => ({
      start: (request) => api.driftStart(request),
      list: (query) => api.driftList(query),
      get: (reportId) => api.driftGet({ reportId }),
    }),
    [api],
  );
}
