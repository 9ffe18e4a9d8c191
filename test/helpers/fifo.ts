/**
 * FIFOs that prove a file was never opened: a reader that opens one blocks in open() until a writer
 * appears, so opening the write end without blocking succeeds while a reader waits (and fails with
 * ENXIO when nobody has it open).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, utimesSync, writeFileSync } from 'node:fs';

export function makeFifo(path: string): string {
  execFileSync('mkfifo', [path]);
  return path;
}

/** Throws unless no process has the FIFO open for reading, now or blocked in open(). */
export function assertNoReader(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENXIO') return;
    throw e;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  throw new Error(`${path} was opened for reading`);
}

export const OLD_ATIME = new Date('2001-01-01T00:00:00Z');

/** A regular file whose next read moves its access time (atime older than mtime → relatime updates it). */
export function makeTrap(path: string, text: string): string {
  writeFileSync(path, text);
  utimesSync(path, OLD_ATIME, new Date());
  return path;
}
