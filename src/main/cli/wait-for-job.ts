/** Waiting for a job from the CLI, over any services that have the event bus and the job manager (AppServices, or the import's lighter set). */
import type { JobFinished } from '../../shared/contract';
import { PrognosError } from '../../shared/errors';
import type { EventBus } from '../services/events';
import type { JobManager } from '../services/jobs';
import { onInterrupt } from './interrupt';
import type { Output } from './output';

type JobServices = { readonly bus: EventBus; readonly jobs: JobManager };

/** Follows a job to its end, drawing progress on the terminal; Ctrl-C cancels it cleanly. The job's end, whatever it is. */
export async function followJob(services: JobServices, jobId: string, out: Output): Promise<JobFinished> {
  const unsubscribe = services.bus.subscribe((e) => {
    if (e.name === 'job:progress' && e.payload.jobId === jobId) out.progress(e.payload.fraction, e.payload.message);
  });
  const release = onInterrupt(['SIGINT'], () => {
    out.note('Cancelling…');
    services.jobs.cancel(jobId);
  });
  if (process.env.PROGNOS_DEBUG === '1') process.stderr.write(`prognos: following job ${jobId} (Ctrl-C cancels it)\n`);
  try {
    return await services.jobs.wait(jobId);
  } finally {
    release();
    unsubscribe();
  }
}

/** As followJob, and a job that did not end done throws its error. */
export async function waitForJob(services: JobServices, jobId: string, out: Output): Promise<JobFinished> {
  const finished = await followJob(services, jobId, out);
  if (finished.state !== 'done') {
    const err = finished.error ?? { code: 'INTERNAL' as const, message: `job ${finished.state}` };
    throw PrognosError.fromValue(err);
  }
  return finished;
}
