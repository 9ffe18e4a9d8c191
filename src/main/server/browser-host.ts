/**
 * Browser mode: the built renderer and the same contract over HTTP + SSE, on 127.0.0.1 only,
 * guarded by a random per-launch token. Requests from another origin or host are refused.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { toErrorValue, type Result } from '../../shared/errors';
import type { AppServices } from '../services/app-services';
import { dispatch } from '../services/dispatch';
import { logger } from '../services/logger';
import { SECURITY_HEADERS } from '../security/headers';
import { resolveStaticPath } from '../security/static-path';
import { BUNDLE_DOWNLOAD_PATH, sendBundleArchive } from './bundle-download';

const log = logger('serve');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export interface BrowserHost {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

export interface BrowserHostOptions {
  services: AppServices;
  rendererDir: string;
  port?: number;
  token?: string;
}

export async function startBrowserHost(opts: BrowserHostOptions): Promise<BrowserHost> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const tokenBuf = Buffer.from(token);
  const sse = new Set<ServerResponse>();
  let port = 0;

  const allowedHosts = (): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const tokenOk = (candidate: string | undefined): boolean => {
    if (candidate === undefined) return false;
    const b = Buffer.from(candidate);
    return b.length === tokenBuf.length && timingSafeEqual(b, tokenBuf);
  };
  const bearer = (req: IncomingMessage): string | undefined => {
    const h = req.headers.authorization;
    return h?.startsWith('Bearer ') === true ? h.slice(7) : undefined;
  };
  const sendJson = (res: ServerResponse, status: number, body: Result<unknown>): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(text);
  };
  const refuse = (res: ServerResponse, status: 401 | 403 | 404 | 405 | 413, message: string): void =>
    sendJson(res, status, { ok: false, error: { code: status === 404 ? 'NOT_FOUND' : 'FORBIDDEN', message } });

  const unsubscribe = opts.services.bus.subscribe((event) => {
    const frame = `event: ${event.name}\ndata: ${JSON.stringify(event.payload)}\n\n`;
    for (const res of sse) res.write(frame);
  });

  const readJson = async (req: IncomingMessage, limit = 1024 * 1024): Promise<unknown> => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw new Error('request body too large');
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    return text === '' ? {} : (JSON.parse(text) as unknown);
  };

  const serveStatic = (req: IncomingMessage, res: ServerResponse, pathname: string): void => {
    const file = resolveStaticPath(opts.rendererDir, pathname);
    if (file === undefined || !existsSync(file) || !statSync(file).isFile()) {
      refuse(res, 404, 'Not found.');
      return;
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'cache-control': file.endsWith('index.html') ? 'no-store' : 'max-age=3600',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // DNS-rebinding and cross-origin guard: our host only, our origin only
    if (!allowedHosts().has(req.headers.host ?? '')) return refuse(res, 403, 'Unknown host.');
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedHosts().has(origin.replace(/^http:\/\//, ''))) {
      return refuse(res, 403, `Requests from ${origin} are refused.`);
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const path = url.pathname;
    if (!path.startsWith('/api/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed.');
      return serveStatic(req, res, path);
    }
    if (path === '/api/events') {
      if (!tokenOk(url.searchParams.get('token') ?? bearer(req))) return refuse(res, 401, 'Missing or wrong token.');
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': connected\n\n');
      sse.add(res);
      req.on('close', () => sse.delete(res));
      return;
    }
    if (!tokenOk(bearer(req))) return refuse(res, 401, 'Missing or wrong token.');
    if (path === BUNDLE_DOWNLOAD_PATH) {
      if (req.method !== 'GET') return refuse(res, 405, 'Use GET.');
      return sendBundleArchive(opts.services.exports, res, url.searchParams.get('bundleId'));
    }
    if (req.method !== 'POST') return refuse(res, 405, 'Use POST.');
    if (path === '/api/upload') {
      const name = url.searchParams.get('name') ?? 'upload';
      try {
        const uploadId = await opts.services.uploads.receive(name, req);
        return sendJson(res, 200, { ok: true, value: { uploadId } });
      } catch (e) {
        return sendJson(res, 400, { ok: false, error: toErrorValue(e) });
      }
    }
    if (path.startsWith('/api/rpc/')) {
      const channel = decodeURIComponent(path.slice('/api/rpc/'.length));
      let input: unknown;
      try {
        input = await readJson(req);
      } catch (e) {
        return sendJson(res, 400, { ok: false, error: { code: 'INVALID_INPUT', message: `Bad request body: ${(e as Error).message}` } });
      }
      const result = await dispatch(opts.services.handlers, channel, input);
      const status = result.ok ? 200 : result.error.code === 'FORBIDDEN' ? 404 : 200;
      return sendJson(res, status, result);
    }
    return refuse(res, 404, `Not found: ${path}`);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log.error('request failed', e);
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: toErrorValue(e) });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const heartbeat = setInterval(() => {
    for (const res of sse) res.write(': keep-alive\n\n');
  }, 15_000);
  heartbeat.unref();

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      clearInterval(heartbeat);
      unsubscribe();
      for (const res of sse) res.end();
      sse.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
