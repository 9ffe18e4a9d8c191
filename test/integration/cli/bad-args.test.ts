/**
 * Bad arguments to the built CLI: each is one line on stderr naming the option and the reason,
 * exit 1, and nothing written (no output file, no store, the file given as a store untouched).
 */
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, requireBuild, tempDir } from '../../helpers/paths';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
function prognos(args: string[], options: SpawnSyncOptions = {}): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, PROGNOS_HOME: '' }, ...options });
  return { code: r.status ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
/** exit 1 and exactly one line on stderr, matching `reason` */
function expectRefused(r: Run, reason: RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(reason);
}

let root: string;
let store: string;
beforeAll(() => {
  requireBuild();
  root = tempDir('prognos-bad-args-');
  store = join(root, 'store');
});

describe('bad numbers', () => {
  const cases: [string[], RegExp][] = [
    [['synth', '--units', '-5'], /^prognos synth: --units must be a positive whole number \(1 or more\), got -5\.$/],
    [['synth', '--units=-5'], /^prognos synth: --units must be a positive whole number \(1 or more\), got -5\.$/],
    [['synth', '--units', '0'], /--units must be a positive whole number/],
    [['synth', '--units', '2.5'], /--units must be a whole number, got "2\.5"/],
    [['synth', '--units', '5000000'], /--units must be from 1 to 1000000, got 5000000/],
    [['synth', '--seed', '1.5'], /^prognos synth: --seed must be a whole number, got "1\.5"\.$/],
    [['synth', '--seed', 'abc'], /--seed must be a whole number, got "abc"/],
    [['synth', '--units'], /^prognos synth: --units needs a value\.$/],
    [['demo', '--units', '-5'], /^prognos demo: --units must be a positive whole number/],
    [['demo', '--seed', '0.5'], /^prognos demo: --seed must be a whole number/],
    [['features', '--dataset', 'ds_none', '--top', '0'], /^prognos features: --top must be a positive whole number \(1 or more\), got 0\.$/],
    [['features', '--dataset', 'ds_none', '--top', '-3'], /^prognos features: --top must be a positive whole number/],
    [['train', '--dataset', 'ds_none', '--seed', '1.5'], /^prognos train: --seed must be a whole number/],
    [['serve', '--port', '70000'], /^prognos serve: --port must be from 0 to 65535, got 70000\.$/],
    [['serve', '--port', '-1'], /^prognos serve: --port must be from 0 to 65535, got -1\.$/],
    [['serve', '--port', 'abc'], /^prognos serve: --port must be a whole number, got "abc"\.$/],
  ];
  for (const [args, reason] of cases) {
    it(`prognos ${args.join(' ')}`, () => {
      const out = join(root, `${args.join('_').replace(/[^\w-]/g, '')}.txt`);
      const r = prognos([...args, ...(args[0] === 'synth' ? ['--out', out] : []), '--store', store]);
      expectRefused(r, reason);
      expect(existsSync(out)).toBe(false);
      expect(existsSync(store)).toBe(false); // refused before the store was opened or created
    });
  }

  it('--json: the same refusal as one JSON error document', () => {
    const r = prognos(['synth', '--units', '-5', '--out', join(root, 'j.txt'), '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'INVALID_INPUT', message: '--units must be a positive whole number (1 or more), got -5.' } });
  });
});

describe('bad store paths', () => {
  it('a store path that is a file: refused, the file untouched', () => {
    const file = join(root, 'not-a-store.db');
    writeFileSync(file, 'precious');
    for (const args of [['datasets'], ['store', 'backup', join(root, 'b.db')], ['demo', '--units', '2']]) {
      expectRefused(prognos([...args, '--store', file]), /: --store .*not-a-store\.db: is a file, not a folder\.$/);
    }
    expectRefused(prognos(['datasets', '--store', join(file, 'sub')]), /--store .*not-a-store\.db\/sub: cannot create the folder: .*not-a-store\.db is a file\.$/);
    expectRefused(prognos(['datasets'], { env: { ...process.env, PROGNOS_HOME: file } }), /PROGNOS_HOME .*not-a-store\.db: is a file, not a folder\.$/);
    expect(readFileSync(file, 'utf8')).toBe('precious');
    expect(existsSync(join(root, 'b.db'))).toBe(false);
  });

  it('a store folder this user may not read or write: refused, nothing created in it', () => {
    const locked = join(root, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    // root may write anywhere, so as root the CLI runs as the unprivileged user `nobody`
    const asRoot = process.getuid?.() === 0;
    const asUser: SpawnSyncOptions = asRoot ? { uid: 65534, gid: 65534 } : {};
    if (asRoot) chmodSync(root, 0o755); // nobody may reach the locked folder, not write in it
    try {
      const r = prognos(['datasets', '--store', locked], asUser);
      expectRefused(r, /--store .*locked: cannot read and write the folder: permission denied\.$/);
      expectRefused(prognos(['datasets', '--store', join(locked, 'new')], asUser), /--store .*locked\/new: cannot create the folder: permission denied\.$/);
      expect(readdirSync(locked)).toEqual([]);
    } finally {
      chmodSync(locked, 0o755);
    }
  });
});

describe('a port in use', () => {
  let blocker: Server;
  let port = 0;
  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    port = typeof address === 'object' && address !== null ? address.port : 0;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  });

  it('serve --port N where N is taken: one line naming the port, exit 1', async () => {
    // spawn (not spawnSync): the port's holder lives in this process and must keep answering
    const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--store', join(root, 'serve-store')], { env: { ...process.env, PROGNOS_HOME: '' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expectRefused({ code: code ?? -1, stdout: '', stderr }, new RegExp(`^prognos serve: --port ${port}: already in use by another program`));
  });
});
