import { describe, expect, it } from 'vitest';
import { isAppUrl, mainWindowOptions } from '../../../src/main/window-options';
import { createIpcHandler } from '../../../src/main/ipc/handle';
import type { Handlers } from '../../../src/main/services/app-services';

describe('main window', () => {
  it('runs sandboxed and isolated, without Node, webviews or insecure content', () => {
    const w = mainWindowOptions('/app/out/preload/index.js').webPreferences;
    expect(w).toMatchObject({
      preload: '/app/out/preload/index.js',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('recognises only its own pages', () => {
    expect(isAppUrl('app://prognos/index.html')).toBe(true);
    expect(isAppUrl('app://evil/index.html')).toBe(false);
    expect(isAppUrl('https://example.com/')).toBe(false);
    expect(isAppUrl('file:///etc/passwd')).toBe(false);
    expect(isAppUrl('http://localhost:5173/x', 'http://localhost:5173')).toBe(true);
    expect(isAppUrl('http://localhost:5174/x', 'http://localhost:5173')).toBe(false);
  });
});

describe('IPC handler', () => {
  const handlers = {
    'datasets:get': ({ datasetId }: { datasetId: string }) => Promise.resolve({ datasetId }),
  } as unknown as Handlers;
  const handle = createIpcHandler(handlers, (url) => isAppUrl(url));
  const own = { url: 'app://prognos/index.html', isOurMainFrame: true };

  it('accepts a well-formed call from our main frame', async () => {
    await expect(handle(own, 'datasets:get', { datasetId: 'ds_1' })).resolves.toEqual({ ok: true, value: { datasetId: 'ds_1' } });
  });

  it('refuses a foreign sender: a subframe or another page', async () => {
    const sub = await handle({ ...own, isOurMainFrame: false }, 'datasets:get', { datasetId: 'x' });
    const foreign = await handle({ url: 'https://evil.example/', isOurMainFrame: true }, 'datasets:get', { datasetId: 'x' });
    expect(sub).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(foreign).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('refuses unknown channels and malformed input as values', async () => {
    expect(await handle(own, 'fs:readFile', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await handle(own, 'datasets:get', { datasetId: 7 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await handle(own, 'datasets:get', { datasetId: '' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});
