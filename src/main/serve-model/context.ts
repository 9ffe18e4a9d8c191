/** What every route of the model server shares: the loaded bundle, the backends, the metrics and the scoring path. */
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { pickUnits, unitSpans, type FleetTable, type UnitSpan } from '../core/data/table';
import type { UnitScore } from '../core/export/score';
import type { ApiKey } from './api-keys';
import type { ServeMetrics } from './metrics';
import type { LoadedModel } from './model';
import type { ParsedBody } from './predict-body';
import { serveProfile } from './profile';
import { canonicalJson, tableOf, unitPrediction, type UnitHistory } from './request';
import type { FeatureStore, PredictionCache, PredictionLog, PredictionRecord } from './types';

/** What a scoring call hands to observers (online drift, tests). */
export interface ScoredEvent {
  readonly route: string;
  readonly table: FleetTable;
  readonly scores: readonly UnitScore[];
  readonly model: LoadedModel;
}

export interface ServeContext {
  /** the model serving now */
  current(): LoadedModel;
  /** runs `fn` with the current model held, so a reload cannot release it meanwhile */
  withModel<T>(fn: (m: LoadedModel) => Promise<T>): Promise<T>;
  readonly cache: PredictionCache;
  readonly featureStore: FeatureStore;
  readonly log: PredictionLog;
  readonly metrics: ServeMetrics;
  readonly cacheTtlSeconds: number;
  readonly onScored?: (e: ScoredEvent) => void;
}

/** The key the auth hook found for a request (undefined without keys). */
export function keyOf(req: FastifyRequest): ApiKey | undefined {
  return (req as FastifyRequest & { prognosKey?: ApiKey }).prognosKey;
}

export function setKey(req: FastifyRequest, key: ApiKey): void {
  (req as FastifyRequest & { prognosKey?: ApiKey }).prognosKey = key;
}

/**
 * Units per onnxruntime call, as the score worker behind `prognos predict` scores them. onnxruntime's
 * tree ensembles sum a batch of up to 50 rows over the trees in parallel and a larger batch row by
 * row, and the two orders of summation can differ in the last bit of a float32 output (a RUL of ~100
 * moves by 7.6e-6); blocks of 50 keep the server's numbers equal to the CLI's bit for bit.
 */
export const SCORE_BLOCK_UNITS = 50;

export interface Scored {
  /** the response body, JSON text */
  readonly body: string;
  /** 'hit' | 'miss', or 'off' when the cache is off */
  readonly cache: 'hit' | 'miss' | 'off';
}

interface PredictionBody {
  units: Record<string, unknown>[];
  threshold: number;
  runId: string;
}

/** A request's units, however they were read: what scoring needs of them. */
interface ScoreInput {
  readonly count: number;
  /** canonicalJson of the units (the cache key's input) */
  canonical(): string;
  /** all units in one table, checked as a whole (an error names the unit's place in the request) */
  whole(): FleetTable;
  /** units [a, b) in a table of their own */
  block(a: number, b: number): FleetTable;
}

/**
 * Scores units (POST /predict, GET /units/{unit}/risk): through the cache (key: the manifest's
 * SHA-256 and the canonical JSON of the input), then logs one record per unit and counts them.
 * `shape` turns the predictions into the route's body.
 */
export function scoreUnits(
  ctx: ServeContext,
  m: LoadedModel,
  route: string,
  req: FastifyRequest,
  units: readonly UnitHistory[],
  shape: (p: PredictionBody) => unknown = (p) => p,
  /** the request's rawBodyKey: remembered with the cache key, so the same bytes hit without parsing */
  rawKey?: string,
): Promise<Scored> {
  const input: ScoreInput = {
    count: units.length,
    canonical: () => canonicalJson(units),
    whole: () => tableOf(units, m.manifest),
    block: (a, b) => tableOf(units.slice(a, b), m.manifest),
  };
  return scoreInput(ctx, m, route, req, input, shape, rawKey);
}

/** scoreUnits for a body PredictBodyReader has read straight into a table: the same answer, cache key and log. */
export function scoreParsed(ctx: ServeContext, m: LoadedModel, route: string, req: FastifyRequest, parsed: ParsedBody, rawKey?: string): Promise<Scored> {
  let spans: UnitSpan[] | undefined;
  const input: ScoreInput = {
    count: parsed.unitCount,
    canonical: () => parsed.canonicalUnits(),
    whole: () => parsed.table,
    block: (a, b) => pickUnits(parsed.table, (spans ??= unitSpans(parsed.table)).slice(a, b)),
  };
  return scoreInput(ctx, m, route, req, input, (p) => p, rawKey);
}

async function scoreInput(ctx: ServeContext, m: LoadedModel, route: string, req: FastifyRequest, units: ScoreInput, shape: (p: PredictionBody) => unknown, rawKey: string | undefined): Promise<Scored> {
  const started = performance.now();
  const useCache = ctx.cacheTtlSeconds > 0;
  const cacheKey = useCache ? `prognos:predict:${m.manifestSha256}:${createHash('sha256').update(route).update('\n').update(units.canonical()).digest('hex')}` : '';
  let body: string | undefined;
  let predictions: PredictionBody | undefined;
  let hit = false;
  if (useCache) {
    body = await ctx.cache.get(cacheKey).catch(() => undefined);
    hit = body !== undefined;
    ctx.metrics.observeCache(hit);
  }
  const profile = serveProfile();
  if (body === undefined) {
    let t = profile === undefined ? 0 : performance.now();
    const lap = (stage: string): void => {
      if (profile === undefined) return;
      const now = performance.now();
      profile.add(stage, now - t);
      t = now;
    };
    // checked as a whole first, so an error names the unit's place in the request
    const whole = units.whole();
    lap('table');
    const scores: UnitScore[] = [];
    for (let a = 0; a < units.count; a += SCORE_BLOCK_UNITS) {
      const table = units.count <= SCORE_BLOCK_UNITS ? whole : units.block(a, a + SCORE_BLOCK_UNITS);
      const block = await m.scorer.scoreUnits(table);
      scores.push(...block);
      ctx.onScored?.({ route, table, scores: block, model: m });
    }
    lap('score');
    predictions = { units: scores.map(unitPrediction), threshold: m.manifest.threshold, runId: m.manifest.runId };
    body = JSON.stringify(shape(predictions));
    lap('serialise');
    if (useCache) await ctx.cache.set(cacheKey, body, ctx.cacheTtlSeconds).catch(() => undefined);
  } else {
    predictions = predictionsOf(JSON.parse(body) as unknown);
  }
  if (useCache && rawKey !== undefined) m.rawKeys.set(rawKey, cacheKey);
  const logged = profile === undefined ? 0 : performance.now();
  logPredictions(ctx, m, route, req, predictions, hit, started);
  profile?.add('log', performance.now() - logged);
  profile?.add('handler', performance.now() - started);
  return { body, cache: useCache ? (hit ? 'hit' : 'miss') : 'off' };
}

/** The raw-body fast path's key: the route and the SHA-256 of the request's exact bytes. */
export function rawBodyKey(route: string, raw: Buffer): string {
  return createHash('sha256').update(route).update('\n').update(raw).digest('base64');
}

/**
 * The cache-hit fast path: bytes answered before (same bundle, same route) are looked up before the
 * body is parsed or validated, and answered with the cached body as it was stored. Undefined when
 * the bytes are new or their entry has left the cache: the request then takes the full path.
 */
export async function cachedByRawBody(ctx: ServeContext, m: LoadedModel, route: string, req: FastifyRequest, rawKey: string): Promise<Scored | undefined> {
  if (ctx.cacheTtlSeconds <= 0) return undefined;
  const key = m.rawKeys.get(rawKey);
  if (key === undefined) return undefined;
  const started = performance.now();
  const body = await ctx.cache.get(key).catch(() => undefined);
  if (body === undefined) return undefined;
  ctx.metrics.observeCache(true);
  logPredictions(ctx, m, route, req, predictionsOf(JSON.parse(body) as unknown), true, started);
  return { body, cache: 'hit' };
}

/** One log record per unit, and the prediction counters. */
function logPredictions(ctx: ServeContext, m: LoadedModel, route: string, req: FastifyRequest, predictions: PredictionBody, hit: boolean, started: number): void {
  const latencyMs = performance.now() - started;
  const time = new Date().toISOString();
  const keyId = keyOf(req)?.name ?? null;
  const records: PredictionRecord[] = predictions.units.map((u) => {
    const parts = u.parts as { gbdt: number; lstm?: number };
    return {
      time,
      bundleSha256: m.manifestSha256,
      unit: u.unit as number,
      cycle: u.cycle as number,
      probability: u.probability as number,
      gbdt: parts.gbdt,
      lstm: parts.lstm ?? null,
      rul: (u.rul as number | undefined) ?? null,
      rulLow: (u.rulLow as number | undefined) ?? null,
      rulHigh: (u.rulHigh as number | undefined) ?? null,
      alert: u.alert as boolean,
      latencyMs,
      cacheHit: hit,
      route,
      keyId,
    };
  });
  ctx.log.write(records);
  ctx.metrics.observePredictions(records.length, records.filter((r) => r.alert).length);
}

/** The predictions inside a cached body (either route's shape). */
function predictionsOf(doc: unknown): PredictionBody {
  const d = doc as Partial<PredictionBody> & Record<string, unknown>;
  if (Array.isArray(d.units)) return d as PredictionBody;
  // GET /units/{unit}/risk: one prediction at the top level
  return { units: [d], threshold: Number(d.threshold), runId: String(d.runId) };
}
