/**
 * How long this process's main thread held its event loop at a stretch while some work ran: its own
 * CPU time (/proc/self/task/<pid>/stat, in ticks of 10 ms) between two ticks of a 5 ms timer. That is
 * what blocking is. The wall-clock gap between ticks (perf_hooks.monitorEventLoopDelay) also counts the
 * time the process waited for a core, which on a loaded machine is hundreds of milliseconds whatever
 * the thread does (Linux only, as the tests that use it).
 */
import { readFileSync } from 'node:fs';

const statPath = `/proc/self/task/${process.pid}/stat`;

/** The main thread's CPU time in ms (utime + stime, fields 14 and 15 of its stat). */
function mainCpuMs(): number {
  const stat = readFileSync(statPath, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

/**
 * The stretches (ms of the main thread's CPU) between two timer ticks while `work` ran: the longest,
 * and the 99th percentile (nearest rank).
 */
export async function mainThreadBusy(work: () => Promise<unknown>): Promise<{ busyMaxMs: number; busyP99Ms: number }> {
  let last = mainCpuMs();
  const stretches: number[] = [];
  const ticker = setInterval(() => {
    const cpu = mainCpuMs();
    stretches.push(cpu - last);
    last = cpu;
  }, 5);
  try {
    await work();
  } finally {
    clearInterval(ticker);
    stretches.push(mainCpuMs() - last);
  }
  stretches.sort((a, b) => a - b);
  return { busyMaxMs: stretches[stretches.length - 1]!, busyP99Ms: stretches[Math.ceil(0.99 * stretches.length) - 1]! };
}
