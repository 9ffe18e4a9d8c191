/**
 * The model server's background threads (the prediction log's SQLite writer, the online drift window)
 * give way to the threads that answer requests. Their work comes in bursts (a 500-record commit every
 * 200 ms, a second's sampled histories through the feature engine), and on a machine whose cores the
 * serving event loops already keep busy (`--workers N` on N cores) a burst took a core from a serving
 * loop for its whole length: every request of that loop waited it out, which is the latency tail.
 *
 * On Linux a nice value belongs to a thread, not to its process: setpriority(PRIO_PROCESS, 0) from a
 * thread (os.setPriority with no pid) sets that thread's alone, so these threads run at the lowest
 * priority and the serving threads keep theirs. They still run whenever a core is free, and the
 * kernel's scheduler never starves a thread, however low. On other systems the call would set the
 * whole process's priority, so it is made on Linux only.
 */
import { setPriority } from 'node:os';

/** the nice value of the background threads: the lowest priority */
const BACKGROUND_NICE = 19;

/** Lowers the calling thread's priority below the serving threads' (Linux; elsewhere nothing). */
export function runInBackground(): void {
  if (process.platform !== 'linux') return;
  try {
    setPriority(BACKGROUND_NICE);
  } catch {
    // a sandbox may refuse it: the thread then keeps the process's priority, as before
  }
}
