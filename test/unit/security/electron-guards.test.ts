import { describe, expect, it } from 'vitest';
import { claimSingleInstance, guardSession, guardWebContents, type FocusableWindow, type GuardableContents, type GuardableSession } from '../../../src/main/security/guards';
import { isAppUrl } from '../../../src/main/window-options';

type Listener = (...args: unknown[]) => unknown;

/** An object that records `on` registrations and `set…Handler` calls, like Electron's would keep them. */
function recorder() {
  const listeners = new Map<string, Listener[]>();
  const handlers = new Map<string, Listener>();
  const on = (event: string, listener: Listener): void => {
    listeners.set(event, [...(listeners.get(event) ?? []), listener]);
  };
  const setter = (name: string) => (h: Listener) => handlers.set(name, h);
  const emit = (event: string, ...args: unknown[]): void => {
    for (const l of listeners.get(event) ?? []) l(...args);
  };
  return { on, listeners, handlers, setter, emit };
}

function navEvent(url: string) {
  const e = { url, prevented: false, preventDefault: () => (e.prevented = true) };
  return e;
}

function guardedContents() {
  const r = recorder();
  const contents = { on: r.on, setWindowOpenHandler: r.setter('windowOpen') };
  const opened: string[] = [];
  const refused: string[] = [];
  guardWebContents(contents as unknown as GuardableContents, {
    isOwnPage: (url) => isAppUrl(url),
    openExternal: (url) => opened.push(url),
    onRefused: (what) => refused.push(what),
  });
  return { ...r, opened, refused };
}

describe('web contents guards', () => {
  it('registers will-navigate, will-frame-navigate, will-redirect, will-attach-webview and a window-open handler', () => {
    const { listeners, handlers } = guardedContents();
    for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect', 'will-attach-webview']) expect(listeners.get(event)?.length, event).toBe(1);
    expect(handlers.has('windowOpen')).toBe(true);
  });

  it('blocks navigation and redirects to anything but our own pages', () => {
    const { emit, refused } = guardedContents();
    for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      for (const url of ['https://evil.example/', 'file:///etc/passwd', 'app://evil/index.html', 'javascript:alert(1)', 'data:text/html,<script>1</script>', 'http://127.0.0.1:5173/']) {
        const e = navEvent(url);
        emit(event, e, url);
        expect(e.prevented, `${event} ${url}`).toBe(true);
      }
      const own = navEvent('app://prognos/index.html#/train');
      emit(event, own, own.url);
      expect(own.prevented, event).toBe(false);
    }
    expect(refused).toContain('redirect');
  });

  it('refuses every webview and strips what it would have been given', () => {
    const { emit } = guardedContents();
    const e = navEvent('');
    const prefs: Record<string, unknown> = { preload: '/tmp/evil.js', nodeIntegration: true, contextIsolation: false, sandbox: false, webSecurity: false };
    emit('will-attach-webview', e, prefs, { src: 'https://evil.example/' });
    expect(e.prevented).toBe(true);
    expect(prefs).toEqual({ nodeIntegration: false, nodeIntegrationInSubFrames: false, contextIsolation: true, sandbox: true, webSecurity: true });
  });

  it('denies every new window; https links go to the system browser only', () => {
    const { handlers, opened } = guardedContents();
    const open = handlers.get('windowOpen')!;
    for (const url of ['https://example.com/docs', 'file:///etc/passwd', 'app://prognos/index.html']) expect(open({ url })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://example.com/docs', 'file:///etc/passwd', 'app://prognos/index.html']);
  });
});

describe('session guards', () => {
  function guarded() {
    const r = recorder();
    const session = {
      on: r.on,
      setPermissionRequestHandler: r.setter('request'),
      setPermissionCheckHandler: r.setter('check'),
      setDevicePermissionHandler: r.setter('device'),
    };
    guardSession(session as unknown as GuardableSession);
    return r;
  }

  it('registers a permission request handler, a permission check handler and a device handler that deny everything', () => {
    const { handlers } = guarded();
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'clipboard-sanitized-write', 'openExternal', 'fullscreen', 'hid', 'serial', 'usb']) {
      const answers: boolean[] = [];
      handlers.get('request')!({}, permission, (granted: boolean) => answers.push(granted), {});
      expect(answers, permission).toEqual([false]);
      expect(handlers.get('check')!({}, permission, 'app://prognos', {}), permission).toBe(false);
    }
    expect(handlers.get('device')!({ deviceType: 'usb', origin: 'app://prognos' })).toBe(false);
  });

  it('cancels downloads started by a page', () => {
    const { emit, listeners } = guarded();
    expect(listeners.get('will-download')?.length).toBe(1);
    const e = navEvent('');
    emit('will-download', e, {}, {});
    expect(e.prevented).toBe(true);
  });
});

describe('single instance', () => {
  function fakeApp(lock: boolean) {
    const r = recorder();
    let quit = 0;
    const app = { on: r.on, requestSingleInstanceLock: () => lock, quit: () => void quit++ };
    return { app, r, quits: () => quit };
  }
  function fakeWindow(minimized: boolean) {
    const calls: string[] = [];
    const win: FocusableWindow = {
      isDestroyed: () => false,
      isMinimized: () => minimized,
      restore: () => void calls.push('restore'),
      show: () => void calls.push('show'),
      focus: () => void calls.push('focus'),
    };
    return { win, calls };
  }

  it('the second instance quits without starting', () => {
    const { app, r, quits } = fakeApp(false);
    expect(claimSingleInstance(app, () => undefined)).toBe(false);
    expect(quits()).toBe(1);
    expect(r.listeners.has('second-instance')).toBe(false);
  });

  it('the first instance keeps running and comes to the front when a second one starts', () => {
    const { app, r, quits } = fakeApp(true);
    const { win, calls } = fakeWindow(true);
    expect(claimSingleInstance(app, () => win)).toBe(true);
    expect(quits()).toBe(0);
    r.emit('second-instance', {}, ['prognos']);
    expect(calls).toEqual(['restore', 'show', 'focus']);
  });
});
