import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';

interface PackContext {
  electronPlatformName: string;
  appOutDir: string;
  packager: { appInfo: { productFilename: string }; executableName: string };
}
const hook = createRequire(import.meta.url)('../../../build/after-pack.cjs') as { default: (context: PackContext) => Promise<void> };

// electron-builder.yml must run this hook, or none of this matters
const builderConfig = readFileSync(join(__dirname, '../../../electron-builder.yml'), 'utf8');

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// state bytes of the fuse wire ('1', '0'), as Electron's fuse sentinel format defines them
const E = 0x31;
const D = 0x30;
/**
 * A stand-in for an Electron binary: random bytes around the fuse sentinel, then the wire
 * (version 1, length, one state byte per fuse) with Electron's shipped defaults and a ninth fuse
 * this version of @electron/fuses does not know.
 */
function fakeElectron(states: number[] = [E, D, E, E, D, D, D, E, E]): Buffer {
  return Buffer.concat([randomBytes(4096), Buffer.from(SENTINEL, 'ascii'), Buffer.from([1, states.length, ...states]), randomBytes(4096)]);
}

const root = mkdtempSync(join(tmpdir(), 'prognos-after-pack-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function packed(platform: 'linux' | 'win32', binary: Buffer) {
  const appOutDir = mkdtempSync(join(root, `${platform}-`));
  const file = join(appOutDir, platform === 'win32' ? 'Prognos.exe' : 'prognos');
  writeFileSync(file, binary);
  const context: PackContext = { electronPlatformName: platform, appOutDir, packager: { appInfo: { productFilename: 'Prognos' }, executableName: 'prognos' } };
  return { file, context };
}

describe('after-pack hook (Electron fuses)', () => {
  it('is the afterPack hook electron-builder runs', () => {
    expect(builderConfig).toMatch(/^afterPack: build\/after-pack\.cjs$/m);
  });

  for (const platform of ['linux', 'win32'] as const) {
    it(`flips the hardening fuses in the ${platform} binary, read back with @electron/fuses`, async () => {
      const before = fakeElectron();
      const { file, context } = packed(platform, before);
      await hook.default(context);
      const wire = await getCurrentFuseWire(file);
      expect(wire.version).toBe('1');
      expect(wire[FuseV1Options.RunAsNode]).toBe(D);
      expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(D);
      expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(D);
      expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(E);
      expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(E);
      expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(E);
      expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(D);
      // fuses the hook does not set keep Electron's value; nothing but the wire changed
      expect(wire[FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]).toBe(D);
      const after = readFileSync(file);
      expect(after.length).toBe(before.length);
      const wireAt = before.indexOf(SENTINEL) + SENTINEL.length + 2;
      const changed = [...after.keys()].filter((i) => after[i] !== before[i]);
      expect(changed.every((i) => i >= wireAt && i < wireAt + 9)).toBe(true);
      expect(after[wireAt + 8]).toBe(E);
    });
  }

  it('fails the packaging when the binary has no fuse wire', async () => {
    const { context } = packed('linux', randomBytes(8192));
    await expect(hook.default(context)).rejects.toThrow(/sentinel/);
  });

  it('fails the packaging when the binary is too old to have every fuse', async () => {
    const { context } = packed('linux', fakeElectron([E, D, E, E, D]));
    await expect(hook.default(context)).rejects.toThrow(/not long enough/);
  });
});
