import { useCallback } from 'react';
import { useApi } from '../api/context';
import { useAsync } from '../lib/use-async';
import { useWorkbench } from './workbench';

/** The store's runs, loaded again whenever a run starts, ends or is deleted (the workbench's runsVersion). */
export function useRuns() {
  const api = useApi();
  const { runsVersion } = useWorkbench();
  const load = useCallback(() => {
    void runsVersion;
    return api.runsList({});
  }, [api, runsVersion]);
  return useAsync(load);
}
