import { createContext, useContext, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import type { PrognosApi } from '../../../shared/contract';
import type { JobStatus, JobTracker } from './job-tracker';
import type { Transport } from './transport';

interface ApiContextValue {
  readonly transport: Transport;
  readonly jobs: JobTracker;
}

const ApiContext = createContext<ApiContextValue | null>(null);

export function ApiProvider({
  transport,
  jobs,
  children,
}: {
  transport: Transport;
  jobs: JobTracker;
  children: ReactNode;
}) {
  const value = useMemo(() => ({ transport, jobs }), [transport, jobs]);
  return <ApiContext.Provider value={value}>{children}</ApiContext.Provider>;
}

function useApiContext(): ApiContextValue {
  const value = useContext(ApiContext);
  if (value === null) throw new Error('ApiProvider is missing above this component.');
  return value;
}

export function useApi(): PrognosApi {
  return useApiContext().transport.api;
}

export function useTransport(): Transport {
  return useApiContext().transport;
}

export function useJobTracker(): JobTracker {
  return useApiContext().jobs;
}

/** The live status of one job (undefined until the first event about it arrives). */
export function useJobStatus(jobId: string | null): JobStatus | undefined {
  const jobs = useJobTracker();
  return useSyncExternalStore(jobs.subscribe, () => jobs.get(jobId));
}
