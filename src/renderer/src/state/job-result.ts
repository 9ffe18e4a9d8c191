import type { JobResult, PrognosApi } from '../../../shared/contract';
import { PrognosError } from '../../../shared/errors';
import type { JobTracker } from '../api/job-tracker';
import { waitForJob } from './wait-for-job';

/**
 * Waits for a job and gives its result when `accept` recognises it; a failed job rethrows its
 * error, a cancelled one throws CANCELLED.
 */
export async function jobResult<R extends JobResult>(api: PrognosApi, jobs: JobTracker, jobId: string, accept: (r: JobResult) => r is R): Promise<R> {
  const finished = await waitForJob(api, jobs, jobId);
  if (finished.state === 'done') {
    if (finished.result !== undefined && accept(finished.result)) return finished.result;
    throw new PrognosError('INTERNAL', 'The job ended without the expected result.');
  }
  if (finished.error !== undefined) throw PrognosError.fromValue(finished.error);
  throw new PrognosError(finished.state === 'cancelled' ? 'CANCELLED' : 'INTERNAL', `The job was ${finished.state}.`);
}
