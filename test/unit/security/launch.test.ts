import { describe, expect, it } from 'vitest';
import { DEV_SWITCHES, launchSettings, switchName } from '../../../src/main/security/launch';

const env = { ELECTRON_RENDERER_URL: 'http://localhost:5173', PROGNOS_SQLITE_BINDING: '/tmp/evil.node', PROGNOS_HOME: '/data/prognos' };

describe('launch settings', () => {
  it('a development run uses the dev server and keeps its switches', () => {
    const s = launchSettings({ isPackaged: false, env, argv: ['electron', '.', '--inspect=9229', '--remote-debugging-port=9222'], platform: 'linux' });
    expect(s).toEqual({ devServerUrl: 'http://localhost:5173', dropEnv: [], refusedSwitches: [] });
  });

  it('a packaged app ignores ELECTRON_RENDERER_URL and drops the native-module override, keeping the store setting', () => {
    const s = launchSettings({ isPackaged: true, env, argv: ['/opt/Prognos/prognos'], platform: 'linux' });
    expect(s.devServerUrl).toBeUndefined();
    expect(s.dropEnv.sort()).toEqual(['ELECTRON_RENDERER_URL', 'PROGNOS_SQLITE_BINDING']);
    expect(s.dropEnv).not.toContain('PROGNOS_HOME');
    expect(s.refusedSwitches).toEqual([]);
  });

  it('a packaged app refuses every debugging or sandbox-weakening switch, however it is spelled', () => {
    const argv = [
      '/opt/Prognos/prognos',
      '--remote-debugging-port=9222',
      '--inspect',
      '--inspect-brk=0.0.0.0:9229',
      '-js-flags=--allow-natives-syntax',
      '--NO-SANDBOX',
      '--renderer-cmd-prefix=xterm -e',
      '--gpu-launcher=/bin/sh -c id',
      '--store=/data/store',
    ];
    const s = launchSettings({ isPackaged: true, env: {}, argv, platform: 'linux' });
    expect(s.refusedSwitches.sort()).toEqual(['gpu-launcher', 'inspect', 'inspect-brk', 'js-flags', 'no-sandbox', 'remote-debugging-port', 'renderer-cmd-prefix']);
    for (const sw of DEV_SWITCHES) {
      expect(launchSettings({ isPackaged: true, env: {}, argv: ['x', `--${sw}`], platform: 'linux' }).refusedSwitches, sw).toEqual([sw]);
    }
  });

  it('reads Windows-style switches on Windows only, and nothing after `--`', () => {
    expect(launchSettings({ isPackaged: true, env: {}, argv: ['x', '/remote-debugging-port=1'], platform: 'win32' }).refusedSwitches).toEqual(['remote-debugging-port']);
    expect(launchSettings({ isPackaged: true, env: {}, argv: ['x', '/no-sandbox'], platform: 'linux' }).refusedSwitches).toEqual([]);
    expect(launchSettings({ isPackaged: true, env: {}, argv: ['x', '--', '--inspect'], platform: 'linux' }).refusedSwitches).toEqual([]);
    expect(launchSettings({ isPackaged: true, env: {}, argv: ['--inspect'], platform: 'linux' }).refusedSwitches).toEqual([]); // argv[0] is the executable
    expect(switchName('--inspect=1', 'linux')).toBe('inspect');
    expect(switchName('file.csv', 'linux')).toBeUndefined();
  });
});
