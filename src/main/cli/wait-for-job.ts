/** Waiting for a job from the CLI, over any services that have the event bus and the job manager (AppServices, or the import's lighter set). */
import type { JobFinished } from '../../shared/contract';
import { PrognosError } from '../../shared/errors';
import type { EventBus } from '../services/events';
import type { JobManager } from '../services/jobs';
import type { Output } from './output';

type JobServices = { readonly bus: EventBus; readonly jobs: JobManager };

/** Two SIGINTs this close together are one Ctrl-C. */
const SAME_INTERRUPT_MS = 250;

/** Follows a job to its end, drawing progress on the terminal; Ctrl-C cancels it cleanly. The job's end, whatever it is. */
export async function followJob(services: JobServices, jobId: string, out: Output): Promise<JobFinished> {
  const unsubscribe = services.bus.subscribe((e) => {
    if (e.name === 'job:progress' && e.payload.jobId === jobId) out.progress(e.payload.fraction, e.payload.message);
  });
  // Ctrl-C reaches a relaunched command twice at once (from the terminal, and forwarded by bin/prognos.js):
  // one interrupt; another one later stops the process at once, as it would without this handler
  let interrupted: number | undefined;
  const onSigint = (): void => {
    if (interrupted === undefined) {
      interrupted = Date.now();
      out.note('Cancelling…');
      services.jobs.cancel(jobId);
    } else if (Date.now() - interrupted > SAME_INTERRUPT_MS) {
      process.off('SIGINT', onSigint);
      process.kill(process.pid, 'SIGINT');
    }
  };
  process.on('SIGINT', onSigint);
  try {
    return await services.jobs.wait(jobId);
  } finally {
    process.off('SIGINT', onSigint);
    if (interrupted !== undefined) {
      // the cancelled job may end before that Ctrl-C's second copy arrives: it too is the same interrupt
      const same = (): void => undefined;
      process.on('SIGINT', same);
      setTimeout(() => process.off('SIGINT', same), SAME_INTERRUPT_MS).unref();
    }
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
