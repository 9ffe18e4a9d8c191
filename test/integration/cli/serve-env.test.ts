/**
 * `prognos serve` is a long-running serving process: it runs with the serving environment
 * (bin/serving-env.cjs: two malloc arenas, so worker threads don't grow its memory), and a stop
 * signal reaches the server, leaving no process behind; Ctrl-C, which it gets twice (from the
 * terminal and from the launcher), stops it once.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isProcessAlive } from '../../../src/main/core/store/owner';
import { CLI, requireBuild, tempDir } from '../../helpers/paths';

describe.runIf(process.platform === 'linux')('prognos serve', () => {
  /** `group`: in a process group of its own, as a terminal's foreground job */
  async function startServe(group = false): Promise<{ parent: ReturnType<typeof spawn>; server: number }> {
    requireBuild();
    const env = { ...process.env };
    delete env.MALLOC_ARENA_MAX;
    const parent = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--store', tempDir()], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: group });
    let out = '';
    parent.stdout.on('data', (d: Buffer) => (out += d.toString()));
    parent.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 60_000;
    while (!/serving on http:\/\/127\.0\.0\.1:\d+/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(out).toMatch(/serving on http:\/\/127\.0\.0\.1:\d+/);
    // the server is the process holding the port: the launcher's child, started with the serving environment
    const server = Number(execFileSync('pgrep', ['-P', String(parent.pid)], { encoding: 'utf8' }).trim().split('\n')[0]);
    return { parent, server };
  }

  async function gone(pid: number): Promise<boolean> {
    const deadline = Date.now() + 10_000;
    while (isProcessAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    return !isProcessAlive(pid);
  }

  it('serves from a process with MALLOC_ARENA_MAX=2 and stops on SIGTERM', async () => {
    const { parent, server } = await startServe();
    const environ = readFileSync(`/proc/${server}/environ`, 'utf8').split('\0');
    expect(environ).toContain('MALLOC_ARENA_MAX=2');
    const exited = new Promise<number | null>((r) => parent.once('exit', (code) => r(code)));
    parent.kill('SIGTERM');
    await exited;
    expect(await gone(server)).toBe(true);
  });

  it('Ctrl-C, which reaches the launcher and the server at once, stops it cleanly: exit code 0, no server left', async () => {
    const { parent, server } = await startServe(true);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => parent.once('exit', (code, signal) => r({ code, signal })));
    process.kill(-parent.pid!, 'SIGINT');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(await gone(server)).toBe(true);
  });

  it('stops when its launcher is killed outright (SIGKILL), leaving no server behind', async () => {
    const { parent, server } = await startServe();
    parent.kill('SIGKILL');
    expect(await gone(server)).toBe(true);
  });
});
