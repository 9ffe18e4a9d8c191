import { useEffect, useRef, useState } from 'react';
import { useApi, useJobStatus, useJobTracker } from '../api/context';
import type { JobStatus } from '../api/job-tracker';

const POLL_MS = 4000;

/**
 * Follows a job this page did not start (a run started in another window, or before a reload): its
 * progress from the job events, or from asking for its state should no event have arrived yet, and
 * `onEnd` once it ends. Nothing is followed for a null id.
 */
export function useFollowJob(jobId: string | null, onEnd: () => void): JobStatus | undefined {
  const api = useApi();
  const jobs = useJobTracker();
  const live = useJobStatus(jobId);
  const [polled, setPolled] = useState<{ jobId: string; status: JobStatus } | null>(null);
  const onEndRef = useRef(onEnd);
  useEffect(() => {
    onEndRef.current = onEnd;
  }, [onEnd]);

  useEffect(() => {
    if (jobId === null) return;
    let following = true;
    const end = () => {
      if (!following) return;
      following = false;
      onEndRef.current();
    };
    const ask = () => {
      api.jobsGet({ jobId }).then(
        (s) => {
          if (!following) return;
          if (s.state === 'running') {
            setPolled({
              jobId,
              status: { jobId, kind: s.kind, state: 'running', fraction: s.fraction, message: s.message },
            });
          } else end();
        },
        () => undefined,
      );
    };
    ask();
    const timer = window.setInterval(ask, POLL_MS);
    void jobs.waitFor(jobId).then(end);
    return () => {
      following = false;
      window.clearInterval(timer);
    };
  }, [api, jobs, jobId]);

  return live ?? (polled !== null && polled.jobId === jobId ? polled.status : undefined);
}
