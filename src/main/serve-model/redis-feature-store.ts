/**
 * Unit histories in Redis (`--redis URL`), shared by every replica. Each unit is a sorted set
 * `prognos:fs:unit:<unit>` of JSON rows scored by cycle. An append is one Lua script, so it is atomic
 * against every other replica: it checks that the new cycles come after the unit's last stored cycle,
 * adds the rows, trims the unit to its bound (oldest first) and keeps two counters for the metrics
 * (`prognos:fs:units`, a set of unit numbers, and `prognos:fs:rows`, the rows held).
 */
import type { Redis } from 'ioredis';
import { PrognosError } from '../../shared/errors';
import { checkCycleOrder } from './history-rows';
import { closeRedis, connectRedis, redisAnswers, type RedisClientOptions } from './redis-client';
import type { FeatureStore, HistoryRow } from './types';

export const REDIS_FEATURE_PREFIX = 'prognos:fs:';

/**
 * KEYS: unit zset, units set, rows counter. ARGV: maxRows (0: no bound), unit, then cycle/json pairs.
 * Returns {0, rowsHeld, lastCycle} or, for a cycle not after the previous one, {1, rowIndex, previousCycle}.
 */
const APPEND_SCRIPT = `
local maxRows = tonumber(ARGV[1])
local n = (#ARGV - 2) / 2
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local prev = nil
if #last > 0 then prev = tonumber(last[2]) end
for i = 0, n - 1 do
  local c = tonumber(ARGV[3 + 2 * i])
  if prev ~= nil and c <= prev then
    return {1, i, tostring(prev)}
  end
  prev = c
end
for i = 0, n - 1 do
  redis.call('ZADD', KEYS[1], ARGV[3 + 2 * i], ARGV[4 + 2 * i])
end
local total = redis.call('ZCARD', KEYS[1])
local trimmed = 0
if maxRows > 0 and total > maxRows then
  trimmed = total - maxRows
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, trimmed - 1)
end
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('INCRBY', KEYS[3], n - trimmed)
return {0, total - trimmed, tostring(prev)}
`;

export interface RedisFeatureStoreOptions extends RedisClientOptions {
  /** rows kept per unit (the newest); undefined keeps the whole history (`requiresFullHistory`) */
  readonly maxRows?: number;
  /** key prefix (default `prognos:fs:`); replicas that share histories must share it */
  readonly prefix?: string;
}

function unavailable(op: string, e: unknown): PrognosError {
  const why = e instanceof Error ? e.message : String(e);
  return new PrognosError('INTERNAL', `the feature store (Redis) does not answer: ${op} failed: ${why}`, {
    backend: 'redis',
    unavailable: true,
  });
}

/** Checks the rows before they reach Redis: finite numbers, whole cycles strictly increasing (as the in-process store). */
function checkRows(unit: number, rows: readonly HistoryRow[]): void {
  if (!Number.isSafeInteger(unit)) throw new PrognosError('INVALID_INPUT', `unit: ${String(unit)} is not a whole number`, { field: 'unit' });
  if (rows.length === 0) throw new PrognosError('INVALID_INPUT', 'rows: at least one row is needed', { field: 'rows' });
  checkCycleOrder(rows, undefined);
  rows.forEach((row, i) => {
    for (const [name, v] of Object.entries(row)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new PrognosError('INVALID_INPUT', `rows[${i}].${name}: must be a finite number`, { field: `rows[${i}].${name}` });
      }
    }
  });
}

export class RedisFeatureStore implements FeatureStore {
  readonly kind = 'redis' as const;
  private readonly prefix: string;
  private readonly maxRows: number | undefined;

  constructor(
    private readonly client: Redis,
    opts: Pick<RedisFeatureStoreOptions, 'maxRows' | 'prefix'> = {},
  ) {
    if (opts.maxRows !== undefined && !(Number.isSafeInteger(opts.maxRows) && opts.maxRows > 0)) {
      throw new PrognosError('INVALID_INPUT', `maxRows: ${opts.maxRows} must be a positive integer`);
    }
    this.prefix = opts.prefix ?? REDIS_FEATURE_PREFIX;
    this.maxRows = opts.maxRows;
  }

  static async open(url: string, opts: RedisFeatureStoreOptions = {}): Promise<RedisFeatureStore> {
    // appends carry whole histories: a longer timeout than the cache's
    const client = await connectRedis(url, { name: 'prognos-feature-store', commandTimeoutMs: 2000, ...opts });
    return new RedisFeatureStore(client, opts);
  }

  private unitKey(unit: number): string {
    return `${this.prefix}unit:${unit}`;
  }

  async append(unit: number, rows: readonly HistoryRow[]): Promise<{ rows: number; lastCycle: number }> {
    checkRows(unit, rows);
    const args: string[] = [String(this.maxRows ?? 0), String(unit)];
    for (const row of rows) args.push(String(row.cycle), JSON.stringify(row));
    let reply: unknown;
    try {
      reply = await this.client.eval(APPEND_SCRIPT, 3, this.unitKey(unit), `${this.prefix}units`, `${this.prefix}rows`, ...args);
    } catch (e) {
      throw unavailable('append', e);
    }
    if (!Array.isArray(reply) || reply.length !== 3) throw new PrognosError('INTERNAL', `feature store: unexpected reply ${JSON.stringify(reply)}`);
    const [status, a, b] = reply as [number, number, string];
    if (status === 1) {
      // the rows are in order among themselves (checked above): the first one is not after what another replica stored
      const cycle = rows[a]!.cycle!;
      throw new PrognosError('INVALID_INPUT', `rows[${a}].cycle: cycle ${cycle} is not after the unit's last stored cycle ${b} (cycles must be strictly increasing)`, {
        field: `rows[${a}].cycle`,
      });
    }
    return { rows: a, lastCycle: Number(b) };
  }

  async history(unit: number): Promise<HistoryRow[] | undefined> {
    let members: string[];
    try {
      members = await this.client.zrange(this.unitKey(unit), 0, -1);
    } catch (e) {
      throw unavailable('history', e);
    }
    if (members.length === 0) return undefined;
    return members.map((m) => JSON.parse(m) as HistoryRow);
  }

  async size(): Promise<{ units: number; rows: number }> {
    try {
      const [units, rows] = await Promise.all([this.client.scard(`${this.prefix}units`), this.client.get(`${this.prefix}rows`)]);
      return { units, rows: rows === null ? 0 : Number(rows) };
    } catch (e) {
      throw unavailable('size', e);
    }
  }

  healthy(): Promise<boolean> {
    return redisAnswers(this.client);
  }

  close(): Promise<void> {
    return closeRedis(this.client);
  }
}
