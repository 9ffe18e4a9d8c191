/**
 * `prognos serve-model` refuses to start rather than serve unsafely: beyond 127.0.0.1 without keys,
 * with a bad key file, an untrusted bundle under --require-signed, a bad option. Each exits 1 with one
 * line naming the option or file and the reason. Runs the built CLI (out/main/cli.js).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, requireBuild, tempDir } from '../../helpers/paths';
import { DEMO_BUNDLE } from './serve-helpers';

let home: string;

function serveModel(...args: string[]): { code: number; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: home };
  delete env.PROGNOS_HOME;
  const r = spawnSync(process.execPath, [CLI, 'serve-model', ...args], { encoding: 'utf8', env, timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  requireBuild();
  home = tempDir();
});

describe('prognos serve-model refuses to start', () => {
  it('on 0.0.0.0 without API keys', () => {
    const r = serveModel('--bundle', DEMO_BUNDLE, '--host', '0.0.0.0', '--port', '0');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--host 0\.0\.0\.0: without --api-keys the server listens on 127\.0\.0\.1 only/);
    expect(r.stdout).not.toMatch(/model server on/);
  });

  it('with a key file holding a short key, naming the file and line', () => {
    const keys = join(tempDir(), 'keys.txt');
    writeFileSync(keys, '# keys\nops:0123456789abcdef:admin\nweak:secret\n');
    const r = serveModel('--bundle', DEMO_BUNDLE, '--api-keys', keys, '--port', '0');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/keys\.txt:3.*shorter than 16 characters/);
  });

  it('with the unsigned demo bundle under --require-signed', () => {
    const r = serveModel('--bundle', DEMO_BUNDLE, '--require-signed', '--port', '0');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not signed by a trusted key \(unsigned\); the trust policy requires one/);
    expect(r.stdout).not.toMatch(/model server on/);
  });

  it('with a bad option value, naming it', () => {
    expect(serveModel('--bundle', DEMO_BUNDLE, '--cache-ttl', '-5').stderr).toMatch(/--cache-ttl/);
    expect(serveModel('--bundle', DEMO_BUNDLE, '--port', '70000').stderr).toMatch(/--port/);
    expect(serveModel('--port', '0').stderr).toMatch(/--bundle is required/);
    expect(serveModel('--bundle', join(home, 'nothing-here')).code).toBe(1);
  });

  it('documents itself in --help', () => {
    const r = spawnSync(process.execPath, [CLI, 'serve-model', '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/serve-model --bundle B .*--api-keys FILE.*--require-signed/);
  });
});
