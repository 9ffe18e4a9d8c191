/**
 * Who owns a run (or a file being written): the process id plus what tells that process apart from
 * a later one that reuses its id. On Linux that is the start time from /proc/<pid>/stat; elsewhere
 * nothing the OS offers cheaply, and a heartbeat stamped by the owner decides alone.
 */
import { readFileSync } from 'node:fs';

/** The start time of process `pid` as the OS records it (`linux:<ticks since boot>`), or null where unknown. */
export function processStartOf(pid: number): string | null {
  if (process.platform !== 'linux' || !Number.isSafeInteger(pid) || pid <= 0) return null;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
  // starttime is field 22 of the line, the 20th after the closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = fields[19];
  return start !== undefined && /^\d+$/.test(start) ? `linux:${start}` : null;
}

export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface Owner {
  pid: number;
  /** processStartOf(pid) when the owner registered; null where unknown */
  start: string | null;
}

export interface OwnerProbe {
  alive(pid: number): boolean;
  startOf(pid: number): string | null;
}

export const SYSTEM_PROBE: OwnerProbe = { alive: isProcessAlive, startOf: processStartOf };

/** This process, as recorded for the runs and files it owns. */
export function selfOwner(): Owner {
  return { pid: process.pid, start: processStartOf(process.pid) };
}

/**
 * Whether the recorded owner still is the process it was: the pid is alive and, where a start time
 * was recorded and the OS still reports one, it is the same (a reused pid has a different one).
 */
export function ownerIsAlive(owner: Owner, probe: OwnerProbe = SYSTEM_PROBE): boolean {
  if (!probe.alive(owner.pid)) return false;
  // no start time recorded (not Linux, or an older build): the pid and the heartbeat must do
  if (owner.start === null) return true;
  return probe.startOf(owner.pid) === owner.start;
}
