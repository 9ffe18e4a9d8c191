/**
 * The model server (`prognos serve-model`): a bundle behind Fastify. Routes are plugins of their own
 * (routes/*.ts); this file wires the loaded bundle, the backends, API keys, rate limits, errors,
 * readiness, reload and shutdown.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AddressInfo } from 'node:net';
import { PrognosError } from '../../shared/errors';
import type { TrustedKey } from '../core/export';
import { logger } from '../services/logger';
import { presentedKey, RateLimiter, type ApiKeys } from './api-keys';
import { setKey, type ScoredEvent, type ServeContext } from './context';
import { HttpError, sendError, toHttp } from './http-errors';
import { createServeMetrics, type ServeMetrics } from './metrics';
import { LoadedModel } from './model';
import { serveProfile } from './profile';
import { kserveRoutes } from './routes/kserve';
import { opsRoutes } from './routes/ops';
import { predictRoutes } from './routes/predict';
import { recentRoutes } from './routes/recent';
import { unitRoutes } from './routes/units';
import type { FeatureStore, PredictionCache, PredictionLog } from './types';

const log = logger('serve-model');

export const DEFAULT_BODY_LIMIT = 8 * 1024 * 1024;
export const DEFAULT_CACHE_TTL_SECONDS = 300;
export const DEFAULT_RATE_LIMIT = { perSecond: 100, burst: 200 } as const;

export interface ModelServerOptions {
  readonly bundlePath: string;
  /** default 127.0.0.1; anything but a loopback address needs `apiKeys` */
  readonly host?: string;
  /** default 8080; 0 picks a free port */
  readonly port?: number;
  readonly apiKeys?: ApiKeys;
  /** refuse a bundle no key of `trustedKeys` signed (at start and on reload) */
  readonly requireSigned?: boolean;
  readonly trustedKeys?: readonly TrustedKey[];
  readonly cache: PredictionCache;
  readonly featureStore: FeatureStore;
  readonly log: PredictionLog;
  /** the Prometheus registry and its helpers (default: a fresh one) */
  readonly metrics?: ServeMetrics;
  /** seconds a prediction stays cached (default 300; 0 turns the cache off) */
  readonly cacheTtlSeconds?: number;
  /** largest request body in bytes (default 8 MiB); larger ones get 413 */
  readonly bodyLimitBytes?: number;
  /** per API key; null turns it off (it is off without API keys) */
  readonly rateLimit?: { readonly perSecond: number; readonly burst: number } | null;
  /** readiness also needs the cache and feature store to answer (shared backends) */
  readonly requireBackends?: boolean;
  /** called after every scoring that was not a cache hit (online drift) */
  readonly onScored?: (e: ScoredEvent) => void;
  /** 'fast' (default: FastScorer on this thread), 'thread' (FastScorer in a worker thread) or 'plain' (BundleScorer's models engine; the same numbers, slower): see LoadOptions */
  readonly scoring?: 'fast' | 'thread' | 'plain';
  /** one worker of several (`--workers N`, cluster.ts): its slot (1…N), which GET /healthz names with its pid */
  readonly worker?: number;
  /** one worker of several: why another worker is not ready, or undefined when all are */
  readonly peersNotReady?: () => string | undefined;
  /** what POST /admin/reload runs (default: reload()); one worker of several asks every worker to reload */
  readonly reloadRoute?: () => Promise<LoadedModel>;
}

export interface ModelServer {
  /** http://host:port once listening */
  readonly url: string;
  /** the model serving now */
  readonly model: LoadedModel;
  readonly metrics: ServeMetrics;
  listen(): Promise<string>;
  /** readiness goes false, new connections are refused, in-flight requests finish, the model is released */
  close(): Promise<void>;
  /** loads and verifies a bundle (default: the same path again) beside the current one and swaps to it; a bad one is refused and the current one keeps serving */
  reload(path?: string): Promise<LoadedModel>;
  ready(): Promise<boolean>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function signatureLabel(m: LoadedModel): string {
  return m.trust.keyId === null ? m.trust.verdict : `${m.trust.verdict}:${m.trust.keyId.slice(0, 16)}`;
}

export async function createModelServer(opts: ModelServerOptions): Promise<ModelServer> {
  const host = opts.host ?? '127.0.0.1';
  if (opts.apiKeys === undefined && !isLoopback(host)) {
    throw new PrognosError('INVALID_INPUT', `--host ${host}: without --api-keys the server listens on 127.0.0.1 only; give an API key file to listen on other addresses.`);
  }
  const loadOpts = { requireSigned: opts.requireSigned ?? false, trustedKeys: opts.trustedKeys ?? [], scoring: opts.scoring ?? 'fast' };
  let current = await LoadedModel.load(opts.bundlePath, loadOpts);
  const metrics = opts.metrics ?? createServeMetrics();
  metrics.setModel({ runId: current.manifest.runId, bundleSha256: current.manifestSha256, signature: signatureLabel(current), loadedAtMs: current.loadedAt.getTime() });
  metrics.setSources({ featureStore: opts.featureStore, predictionLog: opts.log });
  let closing = false;
  let url = '';
  let reloading: Promise<LoadedModel> | undefined;

  const ctx: ServeContext = {
    current: () => current,
    async withModel(fn) {
      const m = current;
      m.acquire();
      try {
        return await fn(m);
      } finally {
        m.release();
      }
    },
    cache: opts.cache,
    featureStore: opts.featureStore,
    log: opts.log,
    metrics,
    cacheTtlSeconds: opts.cacheTtlSeconds ?? DEFAULT_CACHE_TTL_SECONDS,
    ...(opts.onScored === undefined ? {} : { onScored: opts.onScored }),
  };

  const readiness = async (): Promise<{ ready: boolean; reason?: string; backends: Record<string, boolean> }> => {
    const answer = async (p: Promise<boolean>): Promise<boolean> => p.catch(() => false);
    const [cache, featureStore, predictionLog] = await Promise.all([answer(opts.cache.healthy()), answer(opts.featureStore.healthy()), answer(opts.log.healthy())]);
    const backends = { cache, featureStore, predictionLog };
    if (closing) return { ready: false, reason: 'shutting down', backends };
    if (opts.requireBackends === true && !(cache && featureStore)) return { ready: false, reason: 'a required backend does not answer', backends };
    const peers = opts.peersNotReady?.();
    if (peers !== undefined) return { ready: false, reason: peers, backends };
    return { ready: true, backends };
  };

  const reload = (path?: string): Promise<LoadedModel> => {
    // one reload at a time; a second waits for the first and then loads again
    const run = async (): Promise<LoadedModel> => {
      const next = await LoadedModel.load(path ?? current.path, loadOpts);
      const old = current;
      current = next;
      metrics.setModel({ runId: next.manifest.runId, bundleSha256: next.manifestSha256, signature: signatureLabel(next), loadedAtMs: next.loadedAt.getTime() });
      log.info(`now serving ${next.path} (run ${next.manifest.runId}, manifest ${next.manifestSha256.slice(0, 12)}); the previous bundle is released once its ${old.requestsInFlight} request(s) finish`);
      void old.retire().catch((e: unknown) => log.error('releasing the previous bundle failed', e));
      return next;
    };
    const p = (reloading ?? Promise.resolve(current)).catch(() => current).then(run);
    reloading = p;
    return p;
  };

  const limiter = opts.apiKeys !== undefined && opts.rateLimit !== null ? new RateLimiter((opts.rateLimit ?? DEFAULT_RATE_LIMIT).perSecond, (opts.rateLimit ?? DEFAULT_RATE_LIMIT).burst) : undefined;

  const app: FastifyInstance = Fastify({
    bodyLimit: opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
    logger: false,
    // keep-alive connections with no request in flight are closed at shutdown; busy ones finish first,
    // and their responses say `Connection: close` (the onSend hook below)
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  });

  const isPublic = (req: FastifyRequest): boolean => (req.routeOptions.config as { public?: boolean } | undefined)?.public === true;

  const authorize = (req: FastifyRequest, reply: FastifyReply): void => {
    if (opts.apiKeys === undefined || isPublic(req)) return;
    const presented = presentedKey(req.headers);
    if (presented === undefined) throw new HttpError(401, 'FORBIDDEN', 'an API key is required: send "Authorization: Bearer KEY" or "X-API-Key: KEY"', 'Authorization', { 'WWW-Authenticate': 'Bearer' });
    const key = opts.apiKeys.match(presented);
    if (key === undefined) throw new HttpError(401, 'FORBIDDEN', 'the API key is not valid', 'Authorization', { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    setKey(req, key);
    const wait = limiter?.take(key.name) ?? 0;
    if (wait > 0) {
      void reply.header('Retry-After', String(wait));
      throw new HttpError(429, 'FORBIDDEN', `rate limit: key ${key.name} may send ${limiter!.perSecond} requests per second (bursts of ${limiter!.burst}); retry after ${wait} s`, undefined, { 'Retry-After': String(wait) });
    }
  };
  // the per-request hooks take callbacks, not promises: they run on every request, and do no I/O
  app.addHook('onRequest', (req, reply, done) => {
    log.debug(`${req.method} ${req.url} received`);
    try {
      authorize(req, reply);
    } catch (e) {
      done(e as Error);
      return;
    }
    done();
  });

  // a response finished after shutdown began closes its connection: a keep-alive socket that was busy
  // when close() started would otherwise hold the process until its keep-alive timeout (72 s)
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });

  const profile = serveProfile();
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(route, req.method, reply.statusCode, reply.elapsedTime / 1000);
    if (profile !== undefined && route === '/predict') profile.add('total', reply.elapsedTime);
    done();
  });

  app.setErrorHandler((e, req, reply) => {
    const h = toHttp(e);
    if (h.status >= 500) log.error(`${req.method} ${req.url} failed`, e);
    if (req.url.startsWith('/v2/')) {
      for (const [k, v] of Object.entries(h.headers)) void reply.header(k, v);
      return reply.code(h.status).send({ error: (h.body.error as { message: string }).message });
    }
    return sendError(reply, e);
  });

  app.setNotFoundHandler((req, reply) => sendError(reply, new HttpError(404, 'NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));

  predictRoutes(app, ctx);
  unitRoutes(app, ctx);
  kserveRoutes(app, ctx, async () => (await readiness()).ready);
  opsRoutes(app, ctx, { readiness, reload: opts.reloadRoute ?? (() => reload()), keysRequired: opts.apiKeys !== undefined, ...(opts.worker === undefined ? {} : { worker: opts.worker }) });
  recentRoutes(app, ctx);

  let closed: Promise<void> | undefined;
  return {
    get url() {
      return url;
    },
    get model() {
      return current;
    },
    metrics,
    async listen() {
      await app.listen({ host, port: opts.port ?? 8080 });
      const a = app.server.address() as AddressInfo;
      url = `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
      return url;
    },
    close() {
      closed ??= (async () => {
        closing = true;
        await app.close();
        await reloading?.catch(() => undefined);
        await current.retire();
      })();
      return closed;
    },
    reload,
    async ready() {
      return (await readiness()).ready;
    },
  };
}
