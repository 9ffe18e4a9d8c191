/**
 * A local model server started from the workbench (`prognos serve-model` as a child process): what
 * the Export view sends to start, stop and try one, and the status it reads back.
 */
import { z } from 'zod';

export const MODEL_SERVER_HOST = '127.0.0.1';
/** lines of the server's stdout and stderr kept for the panel */
export const MODEL_SERVER_LOG_LINES = 200;

export const modelServerStateSchema = z.enum(['starting', 'ready', 'stopping', 'stopped', 'failed']);
export type ModelServerState = z.infer<typeof modelServerStateSchema>;

export const modelServerStartSchema = z.object({
  bundleId: z.string().min(1),
  /** 0 or absent: a free port */
  port: z.number().int().min(0).max(65535).optional(),
  /** seconds a prediction stays cached (0: off); default 300 */
  cacheTtlSeconds: z.number().int().min(0).max(86_400).optional(),
  /** refuse the bundle unless a key of the store's keyring signed it */
  requireSigned: z.boolean().optional(),
});
export type ModelServerStart = z.infer<typeof modelServerStartSchema>;

/** One prediction as the server's ring buffer holds it (GET /predictions/recent). */
export const servedPredictionSchema = z.object({
  time: z.string(),
  unit: z.number(),
  cycle: z.number(),
  probability: z.number(),
  rul: z.number().nullable(),
  rulLow: z.number().nullable(),
  rulHigh: z.number().nullable(),
  alert: z.boolean(),
  latencyMs: z.number(),
  cacheHit: z.boolean(),
  route: z.string(),
});
export type ServedPrediction = z.infer<typeof servedPredictionSchema>;

/** Read from the server's GET /metrics (Prometheus text); requests and latency count the scoring routes only. */
export const modelServerMetricsSchema = z.object({
  /** answered requests on the scoring routes (the panel's own polling of /metrics, /readyz and /predictions/recent is left out) */
  requests: z.number(),
  /** by status class, e.g. { "2xx": 10, "4xx": 1 } */
  byStatus: z.record(z.string(), z.number()),
  /** latency quantiles of those requests, interpolated in the histogram's buckets as Prometheus' histogram_quantile does; null before any request */
  p50Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
  cacheHits: z.number(),
  cacheMisses: z.number(),
  /** hits / (hits + misses); null before any look-up */
  cacheHitRatio: z.number().nullable(),
  predictions: z.number(),
  alerts: z.number(),
});
export type ModelServerMetrics = z.infer<typeof modelServerMetricsSchema>;

export const modelServerStatusSchema = z.object({
  bundleId: z.string(),
  state: modelServerStateSchema,
  /** http://127.0.0.1:PORT once the server listens */
  url: z.string().nullable(),
  port: z.number().int().nullable(),
  pid: z.number().int().nullable(),
  options: z.object({ cacheTtlSeconds: z.number().int(), requireSigned: z.boolean(), port: z.number().int() }).nullable(),
  startedAt: z.string().nullable(),
  /** why it failed: the server's own message */
  error: z.string().nullable(),
  /** the last lines the server wrote (stdout and stderr), oldest first */
  log: z.array(z.string()),
  /** while ready; null when they could not be read */
  metrics: modelServerMetricsSchema.nullable(),
  /** newest first, while ready */
  recent: z.array(servedPredictionSchema),
});
export type ModelServerStatus = z.infer<typeof modelServerStatusSchema>;

export const modelServerTrySchema = z.object({
  bundleId: z.string().min(1),
  datasetId: z.string().min(1),
  unit: z.number().int(),
});

export const modelServerTryResultSchema = z.object({
  /** what was sent: one unit's whole history */
  unit: z.number().int(),
  rows: z.number().int(),
  /** the HTTP status and the X-Prognos-Cache header */
  status: z.number().int(),
  cache: z.string().nullable(),
  /** round trip seen by the workbench */
  elapsedMs: z.number(),
  /** the response body as the server sent it (a prediction, or an error naming the field) */
  body: z.unknown(),
});
export type ModelServerTryResult = z.infer<typeof modelServerTryResultSchema>;
