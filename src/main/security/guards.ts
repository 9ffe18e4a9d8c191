/**
 * The guards every web contents, the session and the app get. The Electron objects are passed in
 * (typed by the few members used; types only, nothing of electron is loaded), so a test can hand in
 * fakes and check that each guard is registered and denies.
 */

import type { Session, WebContents } from 'electron';

/** The members of a web contents the guards use (a test passes a fake that records them). */
export type GuardableContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;
/** The members of a session the guards use. */
export type GuardableSession = Pick<Session, 'on' | 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>;

export interface ContentsGuardOptions {
  /** our own pages: the only URLs a frame may navigate or be redirected to */
  isOwnPage: (url: string) => boolean;
  /** where a link that asks for a new window goes instead (the system browser, after its own check) */
  openExternal: (url: string) => void;
  /** a refused navigation, for the log */
  onRefused?: (what: string, url: string) => void;
}

/**
 * Navigation and redirects only to our own pages; no webview (and, should one still be attached,
 * it gets no preload and no Node); no new windows: a link opens in the system browser.
 */
export function guardWebContents(contents: GuardableContents, opts: ContentsGuardOptions): void {
  const navigationGuard =
    (what: string) =>
    (details: { url: string; preventDefault(): void }): void => {
      if (opts.isOwnPage(details.url)) return;
      details.preventDefault();
      opts.onRefused?.(what, details.url);
    };
  contents.on('will-navigate', navigationGuard('navigation'));
  contents.on('will-frame-navigate', navigationGuard('frame navigation'));
  contents.on('will-redirect', navigationGuard('redirect'));
  contents.on('will-attach-webview', (event, webPreferences, params) => {
    delete webPreferences.preload;
    webPreferences.nodeIntegration = false;
    webPreferences.nodeIntegrationInSubFrames = false;
    webPreferences.contextIsolation = true;
    webPreferences.sandbox = true;
    webPreferences.webSecurity = true;
    event.preventDefault();
    opts.onRefused?.('webview', params.src ?? '');
  });
  contents.setWindowOpenHandler(({ url }) => {
    opts.openExternal(url);
    return { action: 'deny' };
  });
}

/**
 * The workbench needs no permission (camera, microphone, notifications, clipboard reads, devices,
 * geolocation…) and downloads nothing through the renderer: every request and every check is denied.
 */
export function guardSession(session: GuardableSession): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.on('will-download', (event) => event.preventDefault());
}

export interface SingleInstanceApp {
  requestSingleInstanceLock(): boolean;
  quit(): void;
  on(event: 'second-instance', listener: () => void): unknown;
}

export interface FocusableWindow {
  isDestroyed(): boolean;
  isMinimized(): boolean;
  restore(): void;
  show(): void;
  focus(): void;
}

/**
 * One instance per user: a second launch quits at once and the first one comes to the front
 * (two processes writing one store would fight over its lock). Returns false in the second one.
 */
export function claimSingleInstance(app: SingleInstanceApp, mainWindow: () => FocusableWindow | undefined): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => {
    const win = mainWindow();
    if (win === undefined || win.isDestroyed()) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  });
  return true;
}
