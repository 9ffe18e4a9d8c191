import { spawnSync } from 'node:child_process';

/** Debian's python3 (the reference tools are installed from Debian packages). */
export const PYTHON = '/usr/bin/python3';

export function pythonHas(module: string): boolean {
  return spawnSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
}

/** Runs a python snippet that prints one JSON document on its last line. */
export function runPythonJson<T>(code: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env): T {
  const r = spawnSync(PYTHON, ['-c', code, ...args], { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`python reference failed: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}
