/**
 * The app:// protocol handler: serves the built renderer from one folder, with the security headers
 * on every response. Headers set through session.webRequest do not reach custom protocols, so they
 * are set here. Electron's net.fetch is passed in, so a test can drive the handler without Electron.
 */
import { pathToFileURL } from 'node:url';
import { SECURITY_HEADERS } from './headers';
import { resolveStaticPath } from './static-path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'prognos';

export interface AppProtocolOptions {
  /** the folder that holds index.html and the built assets */
  rendererDir: string;
  /** Electron's net.fetch (file: URLs) */
  fetchFile: (fileUrl: string) => Promise<Response>;
}

function refused(status: 400 | 404 | 405, text: string): Response {
  return new Response(text, { status, headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' } });
}

export function createAppProtocolHandler(opts: AppProtocolOptions): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refused(405, 'Method not allowed');
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return refused(400, 'Bad request');
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || url.username !== '' || url.password !== '') {
      return refused(404, 'Not found');
    }
    const file = resolveStaticPath(opts.rendererDir, url.pathname);
    if (file === undefined) return refused(404, 'Not found');
    let response: Response;
    try {
      response = await opts.fetchFile(pathToFileURL(file).toString());
    } catch {
      return refused(404, 'Not found');
    }
    if (!response.ok) return refused(404, 'Not found');
    const headers = new Headers(response.headers);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) headers.set(name, value);
    headers.set('cache-control', 'no-store');
    return new Response(request.method === 'HEAD' ? null : response.body, { status: response.status, statusText: response.statusText, headers });
  };
}
