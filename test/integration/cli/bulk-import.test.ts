/**
 * A large `prognos import` is started again by the launcher with glibc's huge-page malloc
 * (bin/bulk-env.cjs) where the kernel gives huge pages on request. What the user sees is the same as
 * without it: the result, a bad line's error and its exit code, and Ctrl-C — which reaches both
 * processes at once — cancels the import cleanly instead of killing it.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isProcessAlive } from '../../../src/main/core/store/owner';
import { CLI, REPO, requireBuild, tempDir } from '../../helpers/paths';

const thpOnRequest = (): boolean => {
  try {
    return readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8').includes('[madvise]');
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

/** The environment without a tunable of the caller's, so that the launcher decides. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.GLIBC_TUNABLES;
  return env;
}

function datasetsIn(store: string): unknown[] {
  return JSON.parse(execFileSync(process.execPath, [CLI, 'datasets', '--store', store, '--json'], { encoding: 'utf8' })) as unknown[];
}

/** Whether this glibc knows glibc.malloc.hugetlb (the launcher asks for it only then). */
const hugetlbTunable = (): boolean => {
  const { hasHugetlbTunable } = createRequire(import.meta.url)(join(REPO, 'bin', 'bulk-env.cjs')) as { hasHugetlbTunable: (v: string | undefined) => boolean };
  const header = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header;
  return hasHugetlbTunable(header.glibcVersionRuntime);
};

describe.runIf(process.platform === 'linux' && thpOnRequest() && hugetlbTunable())('a large import', () => {
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

  it('runs in a second process with glibc.malloc.hugetlb=1, whose heap asks the kernel for huge pages, and prints what one process would', async () => {
    const store = tempDir();
    const launcher = spawn(process.execPath, [CLI, 'import', file, '--store', store, '--json'], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    launcher.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((r) => launcher.once('exit', (code) => r(code)));
    let environ: string[] | undefined;
    let hugeKiB = 0;
    let askingMappings = 0;
    let done = false;
    void exited.then(() => (done = true));
    while (!done) {
      const child = childOf(launcher.pid!);
      if (child !== undefined) {
        try {
          // once it runs node (between fork and exec it still has the launcher's environment)
          if (environ === undefined && readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('prognos.js')) environ = readFileSync(`/proc/${child}/environ`, 'utf8').split('\0');
          const m = /AnonHugePages:\s+(\d+) kB/.exec(readFileSync(`/proc/${child}/smaps_rollup`, 'utf8'));
          hugeKiB = Math.max(hugeKiB, Number(m?.[1] ?? 0));
          // mappings that malloc marked MADV_HUGEPAGE ("hg"): what the tunable does. Whether the
          // kernel then has free huge pages to give depends on how fragmented memory is.
          askingMappings = Math.max(askingMappings, readFileSync(`/proc/${child}/smaps`, 'utf8').split('\n').filter((l) => l.startsWith('VmFlags:') && / hg\b/.test(l)).length);
        } catch {
          // it ended between the two reads
        }
      }
      await sleep(20);
    }
    expect(await exited).toBe(0);
    expect(environ).toContain('GLIBC_TUNABLES=glibc.malloc.hugetlb=1');
    expect(askingMappings).toBeGreaterThan(0);
    console.log(`huge-page malloc: ${askingMappings} mappings ask for huge pages; ${(hugeKiB / 1024).toFixed(0)} MiB of them were given`);
    expect((JSON.parse(stdout) as { rows: number }).rows).toBe(lines);
    expect(datasetsIn(store)).toHaveLength(1);
  });

  it('should the second process fail to start, imports in the first', () => {
    // a preload that makes every spawn of node fail as a missing program does (ENOENT, no process)
    const preload = join(tempDir(), 'spawn-fails.cjs');
    writeFileSync(
      preload,
      "const cp = require('node:child_process'); const spawn = cp.spawn; cp.spawn = (cmd, args, opts) => spawn(cmd === process.execPath ? '/nonexistent/node' : cmd, args, opts);\n",
    );
    const store = tempDir();
    const r = spawnSync(process.execPath, ['--require', preload, CLI, 'import', file, '--store', store, '--json'], { env: cleanEnv(), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { rows: number }).rows).toBe(lines);
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
    const launcher = spawn(process.execPath, [CLI, 'import', file, '--store', store], { env: { ...cleanEnv(), PROGNOS_DEBUG: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stderr = '';
    launcher.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => launcher.once('close', (code, signal) => r({ code, signal })));
    // interrupt while the file is being parsed, as soon as the import job follows Ctrl-C (PROGNOS_DEBUG
    // says so; before that, Ctrl-C simply ends the process, with nothing stored either)
    const deadline = Date.now() + 60_000;
    while (!stderr.includes('(Ctrl-C cancels it)')) {
      expect(Date.now()).toBeLessThan(deadline);
      await sleep(2);
    }
    const child = childOf(launcher.pid!);
    expect(child).toBeDefined();
    process.kill(-launcher.pid!, 'SIGINT');
    const { code, signal } = await exited;
    expect({ code, signal }).toEqual({ code: 1, signal: null });
    expect(stderr).toContain('Cancelling…');
    expect(stderr).toMatch(/cancelled/i);
    expect(isProcessAlive(child!)).toBe(false);
    expect(datasetsIn(store)).toHaveLength(0);
  });
});
