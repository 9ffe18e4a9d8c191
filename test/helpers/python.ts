/**
 * Runs Python snippets with Debian's interpreter (/usr/bin/python3), which carries python3-xgboost
 * and python3-numpy; the `python3` on PATH may be a different installation without them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const SYSTEM_PYTHON = '/usr/bin/python3';

export interface PythonResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface PythonOptions {
  /** Extra arguments, visible to the script as sys.argv[1:]. */
  args?: string[];
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Runs `code` (read by the interpreter from stdin) and returns its exit status and output. */
export function runPython(code: string, opts: PythonOptions = {}): PythonResult {
  const r = spawnSync(SYSTEM_PYTHON, ['-', ...(opts.args ?? [])], {
    input: code,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 600_000,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...opts.env },
  });
  const stderr = r.error === undefined ? r.stderr : `${r.stderr}\n${r.error.message}`;
  return { status: r.status, stdout: r.stdout, stderr };
}

/** Like runPython but throws with the script's stderr when it exits non-zero; returns stdout. */
export function runPythonOrThrow(code: string, opts: PythonOptions = {}): string {
  const r = runPython(code, opts);
  if (r.status !== 0) {
    throw new Error(`${SYSTEM_PYTHON} exited with ${String(r.status)}:\n${r.stderr.trim()}`);
  }
  return r.stdout;
}

/** Runs a script that prints one JSON document on its last stdout line and parses it. */
export function runPythonJson<T>(code: string, opts: PythonOptions = {}): T {
  const lines = runPythonOrThrow(code, opts).trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? 'null') as T;
}

/** Whether SYSTEM_PYTHON exists and imports every module; `reason` explains a failure. */
export function pythonModulesAvailable(modules: readonly string[]): { ok: boolean; reason: string } {
  if (!existsSync(SYSTEM_PYTHON)) return { ok: false, reason: `${SYSTEM_PYTHON} not found` };
  const r = runPython(modules.map((m) => `import ${m}`).join('\n'), { timeoutMs: 60_000 });
  if (r.status === 0) return { ok: true, reason: '' };
  const last = r.stderr.trim().split('\n').pop() ?? 'unknown error';
  return { ok: false, reason: `${SYSTEM_PYTHON} cannot import ${modules.join(', ')}: ${last}` };
}
