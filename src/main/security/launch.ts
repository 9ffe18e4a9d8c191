/**
 * What a launch may change about the app. A packaged app ignores the development hooks: the dev
 * server address (ELECTRON_RENDERER_URL), the native-module override (PROGNOS_SQLITE_BINDING) and
 * every debugging or sandbox-weakening command-line switch. Those only work in a development run
 * (app.isPackaged false). Pure: the caller passes app.isPackaged, process.env and process.argv.
 */

/** Environment variables honoured only when not packaged. */
export const DEV_ONLY_ENV = ['ELECTRON_RENDERER_URL', 'PROGNOS_SQLITE_BINDING'] as const;

/**
 * Switches a packaged app refuses to run with: remote debugging and the Node inspector (attach a
 * debugger, run code in the app), V8 flags, sandbox and web-security off, and the command-prefix
 * switches that make Chromium start a program of the caller's choosing.
 */
export const DEV_SWITCHES = [
  'remote-debugging-port',
  'remote-debugging-pipe',
  'remote-debugging-address',
  'remote-allow-origins',
  'inspect',
  'inspect-brk',
  'inspect-port',
  'inspect-publish-uid',
  'debug',
  'debug-brk',
  'js-flags',
  'no-sandbox',
  'disable-web-security',
  'disable-site-isolation-trials',
  'allow-file-access-from-files',
  'ignore-certificate-errors',
  'renderer-cmd-prefix',
  'gpu-launcher',
  'utility-cmd-prefix',
  'gpu-process-cmd-prefix',
  'ppapi-plugin-launcher',
  'browser-subprocess-path',
] as const;

export interface LaunchInput {
  isPackaged: boolean;
  env: Readonly<Record<string, string | undefined>>;
  /** process.argv, the executable first */
  argv: readonly string[];
  platform?: NodeJS.Platform;
}

export interface LaunchSettings {
  /** the renderer's dev server, development runs only */
  devServerUrl: string | undefined;
  /** dev-only variables present in the environment that this launch must drop */
  dropEnv: string[];
  /** dev switches given on a packaged app's command line (the app refuses to start) */
  refusedSwitches: string[];
}

/** The switch name an argument sets, as Chromium and Node parse it (`--x`, `--x=v`, `-x`, `/x` on Windows). */
export function switchName(arg: string, platform: NodeJS.Platform = process.platform): string | undefined {
  const m = /^(?:--?|\/)([^=\s]+)/.exec(arg);
  if (m === null || (arg.startsWith('/') && platform !== 'win32')) return undefined;
  return m[1]!.toLowerCase();
}

export function launchSettings(input: LaunchInput): LaunchSettings {
  const platform = input.platform ?? process.platform;
  if (!input.isPackaged) {
    const url = input.env.ELECTRON_RENDERER_URL;
    return { devServerUrl: url === undefined || url === '' ? undefined : url, dropEnv: [], refusedSwitches: [] };
  }
  const dropEnv = DEV_ONLY_ENV.filter((name) => input.env[name] !== undefined);
  const refused = new Set<string>();
  const dev = new Set<string>(DEV_SWITCHES);
  for (const arg of input.argv.slice(1)) {
    if (arg === '--') break; // Chromium stops reading switches here
    const name = switchName(arg, platform);
    if (name !== undefined && dev.has(name)) refused.add(name);
  }
  return { devServerUrl: undefined, dropEnv, refusedSwitches: [...refused] };
}
