import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { JobFinished, JobResult } from '../../../shared/contract';
import { PrognosError } from '../../../shared/errors';
import { useApi, useJobStatus, useJobTracker } from '../api/context';
import type { JobStatus } from '../api/job-tracker';
import { asPrognosError } from '../lib/errors';
import { waitForJob } from './wait-for-job';

export type TrackedPhase<I> =
  | { readonly kind: 'idle' }
  | { readonly kind: 'starting'; readonly label: string }
  | { readonly kind: 'running'; readonly label: string; readonly jobId: string; readonly info: I };

export type TrackedOutcome<R, I> =
  | { readonly kind: 'done'; readonly value: R; readonly info: I }
  | { readonly kind: 'failed'; readonly error: PrognosError; readonly info: I | null }
  | { readonly kind: 'cancelled'; readonly info: I | null };

export interface TrackedJob<R, I> {
  readonly phase: TrackedPhase<I>;
  readonly status: JobStatus | undefined;
  readonly outcome: TrackedOutcome<R, I> | null;
  readonly busy: boolean;
  /** starts a job unless one is running; `onDone` sees the result first (e.g. to store it) */
  readonly start: (
    label: string,
    begin: () => Promise<I & { jobId: string }>,
    onDone?: (value: R, info: I) => void,
  ) => Promise<void>;
  /**
   * follows a job already running that this page did not start (after a reload, or started in another
   * window) as if it had: progress, Cancel and its outcome; nothing happens while a job is followed
   */
  readonly attach: (label: string, info: I & { jobId: string }, onDone?: (value: R, info: I) => void) => Promise<void>;
  readonly cancel: () => void;
  readonly dismiss: () => void;
}

function failureOf(finished: JobFinished): PrognosError {
  return finished.error === undefined
    ? new PrognosError('INTERNAL', 'The job failed without saying why.')
    : PrognosError.fromValue(finished.error);
}

/**
 * One background job at a time: start it, follow its progress through the job tracker, cancel it,
 * and keep how it ended. `pick` turns the job's result into the value the caller wants (or null
 * when the result is not of the expected kind).
 */
export function useTrackedJob<R, I>(pick: (result: JobResult | undefined, info: I) => R | null): TrackedJob<R, I> {
  const api = useApi();
  const jobs = useJobTracker();
  const [phase, setPhase] = useState<TrackedPhase<I>>({ kind: 'idle' });
  const [outcome, setOutcome] = useState<TrackedOutcome<R, I> | null>(null);
  const busyRef = useRef(false);
  const cancelRequested = useRef(false);
  const runningJob = useRef<string | null>(null);
  const pickRef = useRef(pick);
  useEffect(() => {
    pickRef.current = pick;
  }, [pick]);

  const status = useJobStatus(phase.kind === 'running' ? phase.jobId : null);

  const run = useCallback(
    async (label: string, begin: () => Promise<I & { jobId: string }>, onDone?: (value: R, info: I) => void) => {
      if (busyRef.current) return;
      busyRef.current = true;
      cancelRequested.current = false;
      setOutcome(null);
      setPhase({ kind: 'starting', label });
      let info: I | null = null;
      try {
        const started = await begin();
        info = started;
        runningJob.current = started.jobId;
        setPhase({ kind: 'running', label, jobId: started.jobId, info: started });
        if (cancelRequested.current) void api.jobsCancel({ jobId: started.jobId }).catch(() => undefined);
        const finished = await waitForJob(api, jobs, started.jobId);
        if (finished.state === 'done') {
          const value = pickRef.current(finished.result, started);
          if (value !== null) onDone?.(value, started);
          setOutcome(
            value === null
              ? {
                  kind: 'failed',
                  error: new PrognosError('INTERNAL', 'The job ended without a result.'),
                  info: started,
                }
              : { kind: 'done', value, info: started },
          );
        } else if (finished.state === 'cancelled') {
          setOutcome({ kind: 'cancelled', info: started });
        } else {
          setOutcome({ kind: 'failed', error: failureOf(finished), info: started });
        }
      } catch (e) {
        const error = asPrognosError(e);
        setOutcome(error.code === 'CANCELLED' ? { kind: 'cancelled', info } : { kind: 'failed', error, info });
      } finally {
        busyRef.current = false;
        runningJob.current = null;
        setPhase({ kind: 'idle' });
      }
    },
    [api, jobs],
  );

  const start = run;
  const attach = useCallback(
    (label: string, info: I & { jobId: string }, onDone?: (value: R, info: I) => void) =>
      run(label, () => Promise.resolve(info), onDone),
    [run],
  );

  const cancel = useCallback(() => {
    cancelRequested.current = true;
    const jobId = runningJob.current;
    if (jobId === null) return;
    api.jobsCancel({ jobId }).catch((e: unknown) => {
      setOutcome({ kind: 'failed', error: asPrognosError(e), info: null });
    });
  }, [api]);

  const dismiss = useCallback(() => setOutcome(null), []);

  return useMemo(
    () => ({ phase, status, outcome, busy: phase.kind !== 'idle', start, attach, cancel, dismiss }),
    [phase, status, outcome, start, attach, cancel, dismiss],
  );
}
