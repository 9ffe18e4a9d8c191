/**
 * How the workbench starts a model server process (`out/main/cli.js serve-model …`), behind one small
 * interface so that model-server.ts does not care:
 *
 * - `nodeLauncher` (the CLI, browser mode, tests, a development run of the desktop app):
 *   child_process.spawn of the script by this process's own executable, with an IPC channel the
 *   child never uses but watches: when this process is gone, even killed by SIGKILL, the channel
 *   closes and the server stops. In Electron (development) it sets ELECTRON_RUN_AS_NODE.
 * - `utilityProcessLauncher` (the packaged desktop app, whose RunAsNode fuse is off): Electron's
 *   utilityProcess.fork, a Node child of the app's own executable that needs no fuse. Chromium ends
 *   utility processes with the app; the app also stops every server when it quits. `utilityProcess`
 *   is passed in by src/main/index.ts, so nothing here imports electron.
 */
import { spawn } from 'node:child_process';
import { sep } from 'node:path';
import type { Readable } from 'node:stream';

/** A started server process, whichever way it was started. */
export interface ServerProcess {
  readonly pid: number | undefined;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** true once the process has ended */
  readonly exited: boolean;
  /** SIGTERM (graceful: the server finishes its requests) or SIGKILL */
  kill(signal: 'SIGTERM' | 'SIGKILL'): void;
  /** once, when the process has ended and its output is read (`signal` when a signal ended it and the launcher knows) */
  onClose(cb: (code: number | null, signal: string | null) => void): void;
  /** once, when the process could not be started */
  onError(cb: (e: Error) => void): void;
}

export interface ServerLauncher {
  /** 'node': child_process with an IPC lifeline; 'utility': Electron's utilityProcess */
  readonly kind: 'node' | 'utility';
  launch(script: string, args: readonly string[], env: NodeJS.ProcessEnv): ServerProcess;
}

/** child_process.spawn of `script` by `execPath` (default: this process's executable) with an IPC lifeline. */
export function nodeLauncher(execPath: string = process.execPath): ServerLauncher {
  return {
    kind: 'node',
    launch(script, args, env) {
      const child = spawn(execPath, [script, ...args], {
        // the IPC channel is the child's lifeline: it closes when this process dies
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        // Electron in a development run executes the script as Node
        env: { ...env, ELECTRON_RUN_AS_NODE: '1' },
        windowsHide: true,
      });
      return {
        get pid() {
          return child.pid;
        },
        stdout: child.stdout,
        stderr: child.stderr,
        get exited() {
          return child.exitCode !== null || child.signalCode !== null;
        },
        kill(signal) {
          child.kill(signal);
        },
        onClose(cb) {
          child.once('close', (code, signal) => cb(code, signal));
        },
        onError(cb) {
          child.once('error', cb);
        },
      };
    },
  };
}

/** What this file uses of Electron's `utilityProcess` (src/main/index.ts passes the real one). */
export interface UtilityProcessApi {
  fork(
    modulePath: string,
    args?: string[],
    options?: { env?: NodeJS.ProcessEnv; stdio?: 'pipe'; serviceName?: string },
  ): UtilityChild;
}

export interface UtilityChild {
  readonly pid: number | undefined;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  kill(): boolean;
  once(event: 'exit', listener: (code: number) => void): this;
  once(event: 'spawn', listener: () => void): this;
  once(event: 'error', listener: (type: string, location: string, report: string) => void): this;
}

/** Electron's utilityProcess.fork of `script` (the packaged app: no RunAsNode fuse needed). */
export function utilityProcessLauncher(utility: UtilityProcessApi): ServerLauncher {
  return {
    kind: 'utility',
    launch(script, args, env) {
      // the CLI runs from inside app.asar, where its JavaScript dependencies are (an unpacked copy could
      // not require them); native modules load from app.asar.unpacked, as in the app's main process
      const inAsar = script.replace(`app.asar.unpacked${sep}`, `app.asar${sep}`);
      const child = utility.fork(inAsar, [...args], { env, stdio: 'pipe', serviceName: 'Prognos model server' });
      // pid is cleared when the process exits: keep it for SIGKILL and the status
      let pid: number | undefined = child.pid;
      child.once('spawn', () => (pid = child.pid));
      let exited = false;
      const closed: ((code: number | null, signal: string | null) => void)[] = [];
      const failed: ((e: Error) => void)[] = [];
      child.once('exit', (code) => {
        exited = true;
        // the output streams end with the process; give their last chunks a turn first
        setImmediate(() => {
          for (const cb of closed) cb(code, null);
        });
      });
      child.once('error', (type, location) => {
        for (const cb of failed) cb(new Error(`the model server process failed (${type} at ${location})`));
      });
      return {
        get pid() {
          return pid;
        },
        stdout: child.stdout as Readable | null,
        stderr: child.stderr as Readable | null,
        get exited() {
          return exited;
        },
        kill(signal) {
          if (exited) return;
          // utilityProcess.kill() is SIGTERM on POSIX (graceful); SIGKILL goes to the pid
          if (signal === 'SIGTERM' || pid === undefined || process.platform === 'win32') child.kill();
          else process.kill(pid, 'SIGKILL');
        },
        onClose(cb) {
          closed.push(cb);
        },
        onError(cb) {
          failed.push(cb);
        },
      };
    },
  };
}
