/**
 * `prognos serve-model`: a bundle behind the production HTTP server (docs/serve-model.md). With
 * `--workers N` (N > 1) this command runs twice over: once as the primary, which forks N workers and
 * looks after them (serve-model/cluster.ts), and once in each worker, which is the server below with
 * its cache, feature store and metrics shared through the primary and Redis.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PrognosError } from '../../../shared/errors';
import type { TrustedKey } from '../../core/export';
import { readBundle } from '../../core/export';
import { parseEd25519PublicKey } from '../../core/export/signing';
import { STORE_FILE } from '../../core/store/store-file';
import { ExperimentStore } from '../../core/store/store';
import { resolveStoreDir } from '../../services/store-dir';
import { ApiKeys } from '../../serve-model/api-keys';
import { createBackends } from '../../serve-model/backends';
import { serveWorkerLink, startServePrimary, type ServeWorkerLink } from '../../serve-model/cluster';
import { createModelServer, DEFAULT_CACHE_TTL_SECONDS, DEFAULT_RATE_LIMIT, isLoopback } from '../../serve-model/server';
import { validateAlertingOptions } from '../../serve-model/alerting';
import { createServeMetrics } from '../../serve-model/metrics';
import type { LoadedModel } from '../../serve-model/model';
import { createServeMonitoring } from '../../serve-model/monitoring';
import { DEFAULT_DRIFT_INTERVAL_MS, DEFAULT_DRIFT_WINDOW_ROWS } from '../../serve-model/online-drift';
import { intOption, parseCommandArgs, portOption, requireOption } from '../args';
import type { Output } from '../output';

/** The keyring: --trusted-key files, plus the store's keyring when the store exists (never created here). */
function keyring(storeFlag: string | undefined, files: readonly string[]): { keys: TrustedKey[]; storePolicyRequiresSigned: boolean } {
  const keys: TrustedKey[] = files.map((f, i) => {
    let text: string;
    try {
      text = readFileSync(resolve(f), 'utf8');
    } catch (e) {
      throw new PrognosError('NOT_FOUND', `--trusted-key ${f}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)}).`);
    }
    const k = parseEd25519PublicKey(text, `--trusted-key ${f}`);
    return { keyId: k.fingerprint, name: `trusted-key-${i + 1}`, publicKeyPem: k.pem };
  });
  const dir = resolveStoreDir(storeFlag);
  if (!existsSync(join(dir, STORE_FILE))) {
    if (storeFlag !== undefined) throw new PrognosError('NOT_FOUND', `--store ${storeFlag}: no store there.`);
    return { keys, storePolicyRequiresSigned: false };
  }
  const store = ExperimentStore.open(dir);
  try {
    return { keys: [...keys, ...store.trustedKeys()], storePolicyRequiresSigned: store.trustPolicy().requireSigned };
  } finally {
    store.close();
  }
}

export async function serveModelCommand(argv: string[], out: Output): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    bundle: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    'api-keys': { type: 'string' },
    'require-signed': { type: 'boolean', default: false },
    'trusted-key': { type: 'string', multiple: true },
    redis: { type: 'string' },
    postgres: { type: 'string' },
    'spool-dir': { type: 'string' },
    'require-backends': { type: 'boolean', default: false },
    'cache-ttl': { type: 'string' },
    log: { type: 'string' },
    'body-limit': { type: 'string' },
    'rate-limit': { type: 'string' },
    'drift-window': { type: 'string' },
    'drift-interval': { type: 'string' },
    'alert-webhook': { type: 'string' },
    'alert-rate': { type: 'string' },
    'alert-cooldown': { type: 'string' },
    scoring: { type: 'string' },
    workers: { type: 'string' },
  });
  // started with an IPC channel (the workbench does): the channel must not keep this process alive
  process.channel?.unref();
  const bundlePath = resolve(requireOption(values.bundle, 'bundle'));
  const workers = intOption(values.workers, 'workers', 1, { min: 1, max: 64 });
  if (workers > 1 && values.redis === undefined) {
    throw new PrognosError(
      'INVALID_INPUT',
      `--workers ${workers} needs --redis URL: the workers are separate processes, and without Redis each keeps a cache and a feature store of its own, so cycles appended through one worker (POST /units/{unit}/cycles) would be unknown to the worker that scores the next request. Give --redis (the workers then share it, as replicas do), or run one worker.`,
    );
  }
  const link = workers > 1 ? serveWorkerLink() : undefined;
  if (workers > 1 && link === undefined) return servePrimary(workers, out);
  const port = portOption(values.port, 'port', 8080);
  const host = values.host ?? '127.0.0.1';
  const apiKeys = values['api-keys'] === undefined ? undefined : ApiKeys.load(resolve(values['api-keys']));
  if (apiKeys === undefined && !isLoopback(host)) {
    throw new PrognosError('INVALID_INPUT', `--host ${host}: without --api-keys the server listens on 127.0.0.1 only; give an API key file to listen on other addresses.`);
  }
  const scoring = values.scoring ?? 'inline';
  if (scoring !== 'thread' && scoring !== 'inline') throw new PrognosError('INVALID_INPUT', `--scoring ${scoring}: 'inline' (the thread that answers requests scores, the default) or 'thread' (a worker thread scores).`);
  const cacheTtlSeconds = intOption(values['cache-ttl'], 'cache-ttl', DEFAULT_CACHE_TTL_SECONDS, { min: 0, max: 86_400 });
  const bodyLimitBytes = intOption(values['body-limit'], 'body-limit', 8 * 1024 * 1024, { min: 1024, max: 1024 * 1024 * 1024 });
  const perSecond = intOption(values['rate-limit'], 'rate-limit', DEFAULT_RATE_LIMIT.perSecond, { min: 0, max: 1_000_000 });
  const { keys, storePolicyRequiresSigned } = keyring(values.store, values['trusted-key'] ?? []);
  const requireSigned = values['require-signed'] || storePolicyRequiresSigned;
  const logFile = resolve(values.log ?? 'prognos-predictions.db');
  // with several workers, the start-up and shutdown notes come from worker 1 and the primary only
  const note = link === undefined || link.slot === 1 ? (m: string): void => out.note(m) : (): void => undefined;
  // online drift and alerts: in worker 1 alone (cluster.ts)
  const monitored = link === undefined || link.slot === 1;
  const driftWindow = intOption(values['drift-window'], 'drift-window', DEFAULT_DRIFT_WINDOW_ROWS, { min: 0, max: 1_000_000 });
  const driftIntervalS = intOption(values['drift-interval'], 'drift-interval', DEFAULT_DRIFT_INTERVAL_MS / 1000, { min: 1, max: 3600 });
  const alertWebhook = values['alert-webhook'];
  if (alertWebhook === undefined && (values['alert-rate'] !== undefined || values['alert-cooldown'] !== undefined)) {
    throw new PrognosError('INVALID_INPUT', `--${values['alert-rate'] !== undefined ? 'alert-rate' : 'alert-cooldown'} needs --alert-webhook URL (where the alerts go).`);
  }
  const alertRatePct = values['alert-rate'] === undefined ? undefined : intOption(values['alert-rate'], 'alert-rate', undefined, { min: 1, max: 99 });
  const alertCooldownMin = values['alert-cooldown'] === undefined ? undefined : intOption(values['alert-cooldown'], 'alert-cooldown', undefined, { min: 0, max: 10_080 });
  const alerts =
    alertWebhook === undefined
      ? undefined
      : {
          webhookUrl: alertWebhook,
          ...(alertRatePct === undefined ? {} : { alertRate: { rate: alertRatePct / 100 } }),
          ...(alertCooldownMin === undefined ? {} : { cooldownMs: alertCooldownMin * 60_000 }),
        };
  if (alerts !== undefined) validateAlertingOptions(alerts);
  const monitoring = createServeMonitoring({
    bundlePath,
    metrics: createServeMetrics(),
    drift: driftWindow === 0 || !monitored ? false : { windowRows: driftWindow, intervalMs: driftIntervalS * 1000 },
    ...(alerts === undefined || !monitored ? {} : { alerts }),
  });

  // the feature store's bound comes from the manifest (checked again, fully, when the server loads the bundle)
  const manifest = (await readBundle(bundlePath, { trustedKeys: keys, requireTrusted: requireSigned })).manifest;
  const p = manifest.pipeline;
  const maxRows = p === null || p.requiresFullHistory ? undefined : Math.max(p.minHistoryRows, manifest.windowLength);
  const backends = await createBackends({
    ...(values.redis === undefined ? {} : { redisUrl: values.redis }),
    ...(values.postgres === undefined ? {} : { postgresUrl: values.postgres }),
    // a spool has one owner: each worker keeps one of its own
    ...(link === undefined
      ? values['spool-dir'] === undefined
        ? {}
        : { spoolDir: resolve(values['spool-dir']) }
      : { spoolDir: join(resolve(values['spool-dir'] ?? `${logFile}.spool`), `worker-${link.slot}`) }),
    logFile,
    maxRows,
  });
  // one worker of several: GET /metrics answers for every worker, and POST /admin/reload reloads them all
  const metrics = link === undefined ? monitoring.metrics : { ...monitoring.metrics, render: () => link.renderMetrics() };
  let server: Awaited<ReturnType<typeof createModelServer>> | undefined;
  try {
    server = await createModelServer({
      bundlePath,
      host,
      port,
      ...(apiKeys === undefined ? {} : { apiKeys }),
      requireSigned,
      trustedKeys: keys,
      cache: backends.cache,
      featureStore: backends.featureStore,
      log: backends.log,
      cacheTtlSeconds,
      bodyLimitBytes,
      rateLimit: perSecond === 0 ? null : { perSecond, burst: 2 * perSecond },
      requireBackends: values['require-backends'],
      metrics,
      onScored: monitoring.onScored,
      scoring: scoring === 'thread' ? 'thread' : 'fast',
      ...(link === undefined ? {} : { worker: link.slot, peersNotReady: () => link.peersNotReady(), reloadRoute: () => reloadEverywhere(link, () => server?.model) }),
    });
    const started = server;
    monitoring.metrics.setReadiness(() => started.ready());
    link?.attach({ reload: () => started.reload(), metricsJson: () => monitoring.metrics.registry.getMetricsAsJSON() });
    await server.listen();
  } catch (e) {
    // the loaded bundle's threads end with it
    await server?.close();
    await monitoring.close();
    await backends.close();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new PrognosError('INVALID_INPUT', `--port ${port}: already in use by another program.`);
    if (code === 'EACCES' || code === 'EPERM') throw new PrognosError('INVALID_INPUT', `--port ${port}: permission denied.`);
    throw e;
  }
  const m = server.model;
  if (link === undefined) {
    // the one stdout line tools and tests parse (with --workers N the primary writes it once all listen)
    process.stdout.write(`Prognos model server on ${server.url}\n`);
  } else {
    link.listening(server.url);
  }
  note(`Bundle: ${bundlePath} (run ${m.manifest.runId}, manifest SHA-256 ${m.manifestSha256.slice(0, 16)}…)`);
  note(`Signature: ${m.trust.summary}${requireSigned ? ' (signed bundles required)' : ''}`);
  note(`Backends: ${backends.describe()}; cache TTL ${cacheTtlSeconds === 0 ? 'off' : `${cacheTtlSeconds} s`}`);
  note(
    apiKeys === undefined
      ? 'No --api-keys: listening on 127.0.0.1 only, every route open to this machine.'
      : `API keys: ${apiKeys.size} from ${values['api-keys']}; required on every route but /healthz, /readyz, /v2/health/* and /metrics.`,
  );
  // the signal handlers are in place before anything else is awaited: the server answers /readyz already
  const running = server;
  // a worker of several stops when the primary says so, which reports for all
  const stopped = stopSignal(
    link === undefined ? note : (): void => undefined,
    () => {
      note('SIGHUP: reloading the bundle…');
      running.reload().then(
        (n) => note(`Reloaded: run ${n.manifest.runId}, manifest SHA-256 ${n.manifestSha256.slice(0, 16)}…`),
        (e: unknown) => note(`Reload refused, the previous bundle keeps serving: ${e instanceof Error ? e.message : String(e)}`),
      );
    },
    link,
  );
  // with several workers, online drift watches worker 1's requests: the connections are handed out in turn, so 1 in N of the traffic
  note(`Monitoring: ${await monitoring.start()}${link === undefined || driftWindow === 0 ? '' : ` (worker 1's requests: 1 in ${workers} of the traffic)`}`);
  await stopped;
  await server.close();
  await monitoring.close();
  await backends.close();
  if (link === undefined) note('Stopped: every request answered, the prediction log flushed.');
  else link.stopped();
  return 0;
}

/**
 * Resolves when the server should stop: SIGINT, SIGTERM, the process that started this one gone, or
 * (a worker of several) the primary's word; SIGHUP calls `reload` meanwhile.
 */
function stopSignal(note: (m: string) => void, reload: () => void, link?: ServeWorkerLink): Promise<void> {
  return new Promise<void>((resolveStop) => {
    const stop = (signal: string): void => {
      note(`${signal}: not ready any more; finishing the requests in flight…`);
      process.off('SIGHUP', reload);
      resolveStop();
    };
    process.on('SIGHUP', reload);
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    if (link !== undefined) {
      // the primary's IPC channel is node:cluster's, which ends the worker should the primary die
      void link.stopRequested.then(() => stop('Stopping'));
    }
    // the channel closes when the process that started this one is gone, even killed by SIGKILL: stop too
    else if (process.channel !== undefined) {
      if (process.connected) process.once('disconnect', () => stop('The parent process is gone'));
      else stop('The parent process is gone');
    }
    // started as an Electron utility process (the desktop app): no IPC channel, so watch the parent's pid
    else if (process.env.PROGNOS_PARENT_PID !== undefined && /^\d+$/.test(process.env.PROGNOS_PARENT_PID)) {
      const parent = Number(process.env.PROGNOS_PARENT_PID);
      const watch = setInterval(() => {
        try {
          process.kill(parent, 0);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ESRCH') return;
          clearInterval(watch);
          stop('The parent process is gone');
        }
      }, 1000);
      watch.unref();
    }
  });
}

/** POST /admin/reload in a worker of several: every worker reloads (this one too); the answer is this worker's new model. */
async function reloadEverywhere(link: ServeWorkerLink, current: () => LoadedModel | undefined): Promise<LoadedModel> {
  await link.reloadAll();
  const m = current();
  if (m === undefined) throw new PrognosError('CONFLICT', 'the server is still starting');
  return m;
}

/**
 * `--workers N`, N > 1: this process forks the workers (the same command, each told its slot) and
 * looks after them; it loads no bundle and answers no request (serve-model/cluster.ts).
 */
async function servePrimary(workers: number, out: Output): Promise<number> {
  const primary = startServePrimary(workers, (line) => process.stderr.write(`${line}\n`));
  const stopped = stopSignal(
    (m) => out.note(m),
    () => {
      out.note(`SIGHUP: reloading the bundle in ${everyWorker(workers)}…`);
      void primary.reloadAll().then((failures) => {
        if (failures.length === 0) out.note(`Reloaded in ${everyWorker(workers)}.`);
        for (const f of failures) out.note(`Reload refused by worker ${f.worker}, its previous bundle keeps serving: ${f.message}`);
      });
    },
  );
  let url: string;
  try {
    url = await Promise.race([primary.started, stopped.then(() => undefined)]) ?? '';
  } catch {
    // worker 1 could not start and said why on stderr
    return 1;
  }
  if (url === '') return primary.stop();
  process.stdout.write(`Prognos model server on ${url}\n`);
  out.note(`Workers: ${workers} processes (pids ${primary.pids().join(', ')}) on one port, the connections handed out in turn by this process (pid ${process.pid}); cache and feature store shared in Redis`);
  await Promise.race([stopped, primary.gaveUp]);
  const code = await primary.stop();
  out.note(code === 0 ? `Stopped: ${everyWorker(workers)} answered their requests and flushed their prediction logs.` : 'Stopped: a worker did not stop cleanly (see above).');
  return code;
}

const everyWorker = (n: number): string => (n === 2 ? 'both workers' : `all ${n} workers`);
