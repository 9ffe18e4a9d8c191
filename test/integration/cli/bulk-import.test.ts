/**
 * A large `prognos import` is started again by the launcher with glibc's huge-page malloc
 * (bin/bulk-env.cjs) where the kernel gives huge pages on request. What the user sees is the same as
 * without it: the result, a bad line's error and its exit code, and Ctrl-C — which reaches both
 * processes at once — cancels the import cleanly instead of killing it.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, requireBuild, tempDir } from '../../helpers/paths';

const thpOnRequest = (): boolean => {
  try {
    return readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8').includes('[madvise]');
  } catch {
    return false;
  }
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const childOf = (pid: number): number | undefined => {
  const r = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  const first = r.stdout.trim().split('\n')[0];
  return first === undefined || first === '' ? undefined : Number(first);
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Whether the process has `path` open. */
const hasOpen = (pid: number, path: string): boolean => {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === path;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
};

/** The environment without a tunable of the caller's, so that the launcher decides. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.GLIBC_TUNABLES;
  return env;
}

function datasetsIn(store: string): unknown[] {
  return JSON.parse(execFileSync(process.execPath, [CLI, 'datasets', '--store', store, '--json'], { encoding: 'utf8' })) as unknown[];
}

describe.runIf(process.platform === 'linux' && thpOnRequest())('a large import', () => {
  let file: string;
  let lines: number;
  beforeAll(() => {
    requireBuild();
    // large enough that Ctrl-C lands while it is parsed (~120 MB)
    file = join(tempDir(), 'fleet-3500.txt');
    execFileSync(process.execPath, [CLI, 'synth', '--units', '3500', '--seed', '3', '--out', file]);
    expect(statSync(file).size).toBeGreaterThanOrEqual(32 * 1024 * 1024);
    lines = readFileSync(file, 'latin1').split('\n').filter((l) => l !== '').length;
  });

  it('runs in a second process with glibc.malloc.hugetlb=1, which gets huge pages, and prints what one process would', async () => {
    const store = tempDir();
    const launcher = spawn(process.execPath, [CLI, 'import', file, '--store', store, '--json'], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    launcher.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((r) => launcher.once('exit', (code) => r(code)));
    let environ: string[] | undefined;
    let hugeKiB = 0;
    let done = false;
    void exited.then(() => (done = true));
    while (!done) {
      const child = childOf(launcher.pid!);
      if (child !== undefined) {
        try {
          environ ??= readFileSync(`/proc/${child}/environ`, 'utf8').split('\0');
          const m = /AnonHugePages:\s+(\d+) kB/.exec(readFileSync(`/proc/${child}/smaps_rollup`, 'utf8'));
          hugeKiB = Math.max(hugeKiB, Number(m?.[1] ?? 0));
        } catch {
          // it ended between the two reads
        }
      }
      await sleep(20);
    }
    expect(await exited).toBe(0);
    expect(environ).toContain('GLIBC_TUNABLES=glibc.malloc.hugetlb=1');
    expect(hugeKiB).toBeGreaterThan(0);
    expect((JSON.parse(stdout) as { rows: number }).rows).toBe(lines);
    expect(datasetsIn(store)).toHaveLength(1);
  });

  it('a bad line still fails with its file, line and reason, and exit code 1, storing nothing', () => {
    const dir = tempDir();
    const bad = join(dir, 'bad-fleet.txt');
    copyFileSync(file, bad);
    appendFileSync(bad, '3501 1 0.1 0.2 100.0 oops\n');
    const store = tempDir();
    const r = spawnSync(process.execPath, [CLI, 'import', bad, '--store', store], { env: cleanEnv(), encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`bad-fleet.txt:${lines + 1}`);
    expect(datasetsIn(store)).toHaveLength(0);
  });

  it('Ctrl-C (SIGINT to both processes at once) cancels the import cleanly: exit code 1, nothing stored, no process left', async () => {
    const store = tempDir();
    // its own process group, as a terminal's foreground job: Ctrl-C signals the whole group
    const launcher = spawn(process.execPath, [CLI, 'import', file, '--store', store], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stderr = '';
    launcher.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => launcher.once('close', (code, signal) => r({ code, signal })));
    // interrupt while the file is being parsed, once the import job follows Ctrl-C: the relaunched process
    // has the file open (its worker parses) and the store too, which it opens ~0.2 s before the job
    // starts (before that, Ctrl-C simply ends the process, with nothing stored either); the parse of this
    // file goes on for a second more
    let child: number | undefined;
    const deadline = Date.now() + 30_000;
    while (child === undefined || !(hasOpen(child, file) && hasOpen(child, join(store, 'prognos.db')))) {
      expect(Date.now()).toBeLessThan(deadline);
      await sleep(5);
      child ??= childOf(launcher.pid!);
    }
    await sleep(350);
    process.kill(-launcher.pid!, 'SIGINT');
    const { code, signal } = await exited;
    expect({ code, signal }).toEqual({ code: 1, signal: null });
    expect(stderr).toContain('Cancelling…');
    expect(stderr).toMatch(/cancelled/i);
    expect(alive(child)).toBe(false);
    expect(datasetsIn(store)).toHaveLength(0);
  });
});
