/** Electron entry: one secure window, a thin router to the services, nothing else. */
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session, shell, type OpenDialogOptions } from 'electron';
import { existsSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IPC_EVENT, IPC_INVOKE } from '../shared/ipc';
import { createIpcHandler } from './ipc/handle';
import { APP_ROOT, IMPORT_WORKER, TRAIN_WORKER, PRELOAD_SCRIPT, RENDERER_DIR, SHIPPED_BUNDLES, appVersion } from './paths';
import { CONTENT_SECURITY_POLICY } from './server/browser-host';
import { AppServices } from './services/app-services';
import { logger } from './services/logger';
import { resolveStoreDir } from './services/store-dir';
import { APP_ORIGIN, isAppUrl, mainWindowOptions } from './window-options';

const log = logger('main');
const devServerUrl = process.env.ELECTRON_RENDERER_URL;

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
]);

/** The one place that opens external links: https only, after a check. */
export function openExternal(url: string): void {
  if (/^https:\/\/[^\s]+$/.test(url)) void shell.openExternal(url);
  else log.warn(`refused to open ${url}`);
}

function serveAppProtocol(): void {
  protocol.handle('app', (request) => {
    const { pathname } = new URL(request.url);
    const rel = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
    const file = normalize(join(RENDERER_DIR, rel));
    if (!file.startsWith(normalize(RENDERER_DIR) + sep)) return new Response('Not found', { status: 404 });
    return net.fetch(pathToFileURL(file).toString());
  });
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

async function createWindow(services: AppServices): Promise<void> {
  const win = new BrowserWindow(mainWindowOptions(PRELOAD_SCRIPT));
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
  win.webContents.on('will-navigate', (event, url) => {
    if (!isOwnPage(url)) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  win.once('ready-to-show', () => win.show());
  await win.loadURL(devServerUrl ?? `${APP_ORIGIN}/index.html`);
}

async function start(): Promise<void> {
  // better-sqlite3 built for Electron's ABI by set-up (the package's own build is for Node)
  const electronSqlite = join(APP_ROOT, 'node_modules', '.prognos-electron', 'better_sqlite3.node');
  if (process.env.PROGNOS_SQLITE_BINDING === undefined && existsSync(electronSqlite)) process.env.PROGNOS_SQLITE_BINDING = electronSqlite;
  await app.whenReady();
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
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
    chooseFile,
  });
  log.info(`store at ${services.store.dir}; app root ${APP_ROOT}`);
  await createWindow(services);
  app.on('window-all-closed', () => {
    void services.close().then(() => app.quit());
  });
}

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, devServerUrl)) event.preventDefault();
  });
});

start().catch((e: unknown) => {
  log.error('failed to start', e);
  app.exit(1);
});
