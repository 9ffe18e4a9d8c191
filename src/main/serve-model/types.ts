/**
 * The model server (`prognos serve-model`): the seams between the HTTP server and its backends.
 * Each backend has an in-process implementation (the default, one replica) and a shared one (Redis
 * for the cache and the feature store, PostgreSQL for the prediction log) so that N stateless
 * replicas behind a load balancer behave as one server.
 */

/** One raw history row as POST /predict and the feature store take it: `cycle` plus raw columns. */
export type HistoryRow = Readonly<Record<string, number>>;

/** Results keyed by the bundle's hash and the exact input; entries expire after their TTL. */
export interface PredictionCache {
  readonly kind: 'memory' | 'redis';
  /** the cached response body (JSON text), or undefined on a miss or when the backend is down */
  get(key: string): Promise<string | undefined>;
  /** stores a response body for `ttlSeconds`; a backend that is down is skipped, never an error */
  set(key: string, body: string, ttlSeconds: number): Promise<void>;
  /** whether the backend answers now (always true in process) */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

/** Unit histories, bounded per unit as the bundle requires (`maxRows`; undefined: whole history). */
export interface FeatureStore {
  readonly kind: 'memory' | 'redis';
  /**
   * Appends rows (cycles strictly increasing, and after the unit's last stored cycle) and trims the
   * unit to its bound. Throws INVALID_INPUT naming the row on unordered or duplicate cycles.
   */
  append(unit: number, rows: readonly HistoryRow[]): Promise<{ rows: number; lastCycle: number }>;
  /** the unit's stored rows, oldest first; undefined for an unknown unit */
  history(unit: number): Promise<HistoryRow[] | undefined>;
  /** units and rows held (for the metrics) */
  size(): Promise<{ units: number; rows: number }>;
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

/** One logged prediction. */
export interface PredictionRecord {
  /** ISO 8601 */
  readonly time: string;
  readonly bundleSha256: string;
  readonly unit: number;
  readonly cycle: number;
  readonly probability: number;
  readonly gbdt: number;
  readonly lstm: number | null;
  readonly rul: number | null;
  readonly rulLow: number | null;
  readonly rulHigh: number | null;
  readonly alert: boolean;
  readonly latencyMs: number;
  readonly cacheHit: boolean;
  /** the route that made it: "/predict", "/units/{unit}/risk", "/v2/models/{name}/infer" */
  readonly route: string;
  /** the API key's id (never the key), null without keys */
  readonly keyId: string | null;
}

/**
 * Where predictions go. `write` never blocks the request: records are queued and written in
 * batches; with PostgreSQL down they are appended to a durable local spool and replayed, in order,
 * when it is back. Nothing is lost unless the local disk is.
 */
export interface PredictionLog {
  readonly kind: 'sqlite' | 'postgres';
  write(records: readonly PredictionRecord[]): void;
  /** writes everything queued or spooled; resolves when the backend holds it (or rejects if it is down) */
  flush(): Promise<void>;
  /** records queued in memory or spooled on disk, not yet in the backend */
  pending(): number;
  healthy(): Promise<boolean>;
  /** flushes what it can, keeps the rest in the spool */
  close(): Promise<void>;
}
