import type { JobFinished, PrognosApi } from '../../../shared/contract';
import type { JobTracker } from '../api/job-tracker';

const POLL_MS = 4000;

/**
 * Resolves when a job ends: from its `job:finished` event, or, should the event stream have dropped
 * it (a reconnect, a sleeping laptop), from asking for the job's state every few seconds.
 */
export function waitForJob(api: PrognosApi, jobs: JobTracker, jobId: string): Promise<JobFinished> {
  return new Promise<JobFinished>((resolve) => {
    let settled = false;
    const timer = window.setInterval(() => {
      api.jobsGet({ jobId }).then(
        (status) => {
          if (status.state !== 'running') finish(status);
        },
        () => undefined,
      );
    }, POLL_MS);
    function finish(finished: JobFinished): void {
      if (settled) return;
      settled = true;
      window.clearInterval(timer);
      resolve(finished);
    }
    void jobs.waitFor(jobId).then(finish);
  });
}
