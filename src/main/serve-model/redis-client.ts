/**
 * The one way the model server talks to Redis (shared by the cache and the feature store): short
 * command timeouts and no offline queue, so a Redis that is down turns into a quick, clear failure
 * instead of a request that hangs; reconnection with a bounded backoff, forever, in the background.
 */
import { Redis } from 'ioredis';
import { PrognosError } from '../../shared/errors';
import { logger } from '../services/logger';

const log = logger('serve-model:redis');

export interface RedisClientOptions {
  /** a command not answered within this many ms fails (default 500) */
  readonly commandTimeoutMs?: number;
  /** how long `connectRedis` waits for the first connection before returning anyway (default 2000) */
  readonly connectWaitMs?: number;
  /** a name shown in CLIENT LIST and the log */
  readonly name?: string;
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/**
 * Opens a client for `url` (redis://[user:pass@]host:port[/db]) and waits up to `connectWaitMs` for it
 * to be ready. A Redis that is down does not fail this: the client keeps reconnecting by itself and
 * its users treat the outage as a miss. A URL that is not a Redis URL is INVALID_INPUT.
 */
export async function connectRedis(url: string, opts: RedisClientOptions = {}): Promise<Redis> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PrognosError('INVALID_INPUT', `--redis: "${redactUrl(url)}" is not a URL (expected redis://host:port)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new PrognosError('INVALID_INPUT', `--redis: "${redactUrl(url)}" must start with redis:// or rediss://`);
  }
  const shown = redactUrl(url);
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    commandTimeout: opts.commandTimeoutMs ?? 500,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    // reconnect forever: 100 ms, 200 ms, … capped at 2 s
    retryStrategy: (times: number) => Math.min(times * 100, 2000),
    connectionName: opts.name ?? 'prognos-serve-model',
  });
  let down = false;
  client.on('error', (e: Error) => {
    // ioredis reports every failed reconnect; say it once per outage
    if (!down) log.warn(`Redis at ${shown} does not answer: ${e.message}; retrying in the background`);
    down = true;
  });
  client.on('ready', () => {
    if (down) log.info(`Redis at ${shown} answers again`);
    down = false;
  });
  const wait = opts.connectWaitMs ?? 2000;
  await Promise.race([
    client.connect().catch(() => undefined),
    new Promise<void>((r) => setTimeout(r, wait).unref()),
  ]);
  return client;
}

/** Whether the client's Redis answers a PING now. */
export async function redisAnswers(client: Redis): Promise<boolean> {
  if (client.status !== 'ready') return false;
  try {
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  }
}

/** Closes a client: QUIT when connected, else drops the socket and stops reconnecting. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // fall through to disconnect
    }
  }
  client.disconnect(false);
}
