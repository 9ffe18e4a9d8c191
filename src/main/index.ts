/** Electron entry: one secure window, a thin router to the services, nothing else. */
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session, shell, utilityProcess, type OpenDialogOptions, type SaveDialogOptions } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { IPC_EVENT, IPC_INVOKE } from '../shared/ipc';
import { createIpcHandler } from './ipc/handle';
import { APP_ROOT, IMPORT_WORKER, TRAIN_WORKER, PRELOAD_SCRIPT, RENDERER_DIR, SHIPPED_BUNDLES, appVersion } from './paths';
import { createAppProtocolHandler } from './security/app-protocol';
import { claimSingleInstance, guardSession, guardWebContents } from './security/guards';
import { CONTENT_SECURITY_POLICY } from './security/headers';
import { launchSettings } from './security/launch';
import { AppServices } from './services/app-services';
import { utilityProcessLauncher } from './services/server-launcher';
import { logger } from './services/logger';
import { resolveStoreDir } from './services/store-dir';
import { APP_ORIGIN, isAppUrl, mainWindowOptions } from './window-options';

const log = logger('main');
// a packaged app ignores the dev server, the native-module override and refuses debugging switches
const launch = launchSettings({ isPackaged: app.isPackaged, env: process.env, argv: process.argv });
for (const name of launch.dropEnv) delete process.env[name];
const devServerUrl = launch.devServerUrl;
let mainWindow: BrowserWindow | undefined;

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
]);

/** The one place that opens external links: https only, after a check. */
export function openExternal(url: string): void {
  if (/^https:\/\/[^\s]+$/.test(url)) void shell.openExternal(url);
  else log.warn(`refused to open ${url}`);
}

function serveAppProtocol(): void {
  protocol.handle('app', createAppProtocolHandler({ rendererDir: RENDERER_DIR, fetchFile: (url) => net.fetch(url) }));
}

/** The open dialog behind `files:choose`: the only way a path reaches the services from the app's window. */
let chooserWindow: BrowserWindow | undefined;
async function chooseFile(purpose: 'data' | 'bundle-zip' | 'bundle-folder'): Promise<string | undefined> {
  const options: OpenDialogOptions =
    purpose === 'bundle-folder'
      ? { title: 'Choose a bundle folder', properties: ['openDirectory'] }
      : purpose === 'bundle-zip'
        ? { title: 'Choose a bundle', properties: ['openFile'], filters: [{ name: 'Bundle', extensions: ['zip'] }] }
        : { title: 'Choose a data file', properties: ['openFile'] };
  const r = chooserWindow === undefined || chooserWindow.isDestroyed() ? await dialog.showOpenDialog(options) : await dialog.showOpenDialog(chooserWindow, options);
  return r.canceled ? undefined : r.filePaths[0];
}

/** The save dialog behind `bundles:save`: main chooses where the bundle's archive goes, never the page. */
async function chooseSavePath(defaultName: string): Promise<string | undefined> {
  const options: SaveDialogOptions = { title: 'Save the bundle', defaultPath: join(app.getPath('downloads'), defaultName), filters: [{ name: 'Bundle', extensions: ['zip'] }] };
  const r = chooserWindow === undefined || chooserWindow.isDestroyed() ? await dialog.showSaveDialog(options) : await dialog.showSaveDialog(chooserWindow, options);
  return r.canceled || r.filePath === undefined || r.filePath === '' ? undefined : r.filePath;
}

async function createWindow(services: AppServices): Promise<void> {
  const win = new BrowserWindow(mainWindowOptions(PRELOAD_SCRIPT));
  mainWindow = win;
  chooserWindow = win;
  const isOwnPage = (url: string): boolean => isAppUrl(url, devServerUrl);
  const handler = createIpcHandler(services.handlers, isOwnPage);
  ipcMain.handle(IPC_INVOKE, (event, channel: unknown, input: unknown) =>
    handler(
      { url: event.senderFrame?.url ?? '', isOurMainFrame: event.senderFrame === win.webContents.mainFrame },
      typeof channel === 'string' ? channel : '',
      input,
    ),
  );
  const unsubscribe = services.bus.subscribe((e) => {
    if (!win.isDestroyed()) win.webContents.send(IPC_EVENT, e.name, e.payload);
  });
  win.on('closed', () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_INVOKE);
  });
  win.once('ready-to-show', () => win.show());
  await win.loadURL(devServerUrl ?? `${APP_ORIGIN}/index.html`);
}

async function start(): Promise<void> {
  // better-sqlite3 built for Electron's ABI by set-up (the package's own build is for Node)
  const electronSqlite = join(APP_ROOT, 'node_modules', '.prognos-electron', 'better_sqlite3.node');
  if (process.env.PROGNOS_SQLITE_BINDING === undefined && existsSync(electronSqlite)) process.env.PROGNOS_SQLITE_BINDING = electronSqlite;
  await app.whenReady();
  guardSession(session.defaultSession);
  // pages over http(s) (the dev server only); app:// responses carry the headers themselves
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  serveAppProtocol();
  const storeFlag = process.argv.find((a) => a.startsWith('--store='))?.slice('--store='.length);
  const services = new AppServices({
    storeDir: resolveStoreDir(storeFlag ?? (process.env.PROGNOS_HOME === undefined ? app.getPath('userData') : undefined)),
    mode: 'electron',
    importWorker: IMPORT_WORKER,
    trainWorker: TRAIN_WORKER,
    version: appVersion(),
    shippedBundles: SHIPPED_BUNDLES,
    reveal: (path) => shell.showItemInFolder(path),
    reportsDir: join(app.getPath('documents'), 'Prognos reports'),
    chooseFile,
    chooseSavePath,
    // the packaged app's RunAsNode fuse is off: model servers run as Electron utility processes (in development runs too)
    modelServerLauncher: utilityProcessLauncher(utilityProcess),
  });
  log.info(`store at ${services.store.dir}; app root ${APP_ROOT}`);
  await createWindow(services);
  app.on('window-all-closed', () => {
    void services.close().then(() => app.quit());
  });
}

// every web contents, the main window's and any other, gets the navigation, webview and window guards
app.on('web-contents-created', (_e, contents) => {
  guardWebContents(contents, {
    isOwnPage: (url) => isAppUrl(url, devServerUrl),
    openExternal,
    onRefused: (what, url) => log.warn(`refused ${what} to ${url}`),
  });
});

if (launch.refusedSwitches.length > 0) {
  log.error(`refusing to start: ${launch.refusedSwitches.map((s) => `--${s}`).join(', ')} is not allowed in the packaged app`);
  app.exit(1);
} else if (claimSingleInstance(app, () => mainWindow)) {
  app.enableSandbox();
  start().catch((e: unknown) => {
    log.error('failed to start', e);
    app.exit(1);
  });
}
