/**
 * The bundle a server serves: verified, its models loaded, its request schemas compiled. A server
 * holds one at a time and swaps it on reload; each request holds the one it started with until it
 * ends (`acquire`/`release`), so a swapped-out model is closed only once its requests are done.
 */
import AjvCompiler from '@fastify/ajv-compiler';
import { createHash } from 'node:crypto';
import { InferenceSession } from 'onnxruntime-node';
import { PrognosError } from '../../shared/errors';
import { readBundle, type BundleManifest, type BundleTrust, type TrustedKey } from '../core/export';
import { MANIFEST_FILE, OPENAPI_FILE } from '../core/export/manifest';
import { buildOpenApi } from '../core/export/openapi';
import { BundleScorer, type UnitScore } from '../core/export/score';
import type { FleetTable } from '../core/data/table';
import { FastScorer, SERVE_SESSION_OPTIONS } from './fast-scorer';
import { KeyIndex } from './memory-cache';
import { PredictBodyReader } from './predict-body';
import { ThreadScorer } from './score-thread';

export interface ValidationIssue {
  /** where, as `units[3].rows[7].cycle` */
  readonly field: string;
  readonly message: string;
}

export type Validator = (data: unknown) => ValidationIssue | undefined;

export interface LoadOptions {
  readonly requireSigned: boolean;
  readonly trustedKeys: readonly TrustedKey[];
  /**
   * 'fast' (the default): FastScorer (the features the models read, micro-batched single-threaded
   * sessions) on the calling thread; 'thread' (`--scoring thread`): the same FastScorer in a worker
   * thread of its own (score-thread.ts); 'plain': BundleScorer's 'models' engine, as `prognos predict --bundle`
   * scores. All give the same numbers; 'plain' is there to check it.
   */
  readonly scoring?: 'fast' | 'thread' | 'plain';
}

/** What scores units: FastScorer, or BundleScorer's models engine. */
export interface UnitScorer {
  scoreUnits(table: FleetTable): Promise<UnitScore[]>;
  close(): Promise<void>;
}

export class LoadedModel {
  private inflight = 0;
  private retired = false;
  private closed = false;
  private idle: (() => void) | undefined;
  /** the raw-body fast path's index (request bytes → cache key), for this bundle only */
  readonly rawKeys = new KeyIndex();

  private constructor(
    readonly path: string,
    readonly manifest: BundleManifest,
    /** SHA-256 of manifest.json, hex: the bundle's identity in cache keys and the log */
    readonly manifestSha256: string,
    readonly trust: BundleTrust,
    readonly openapi: Record<string, unknown>,
    readonly scorer: UnitScorer,
    /** the raw ONNX models served on the KServe v2 routes (`gbdt`, `lstm`) */
    readonly raw: ReadonlyMap<string, InferenceSession>,
    readonly validatePredict: Validator,
    readonly validateRows: Validator,
    readonly loadedAt: Date,
    /** POST /predict's usual bodies read straight into a table (predict-body.ts); undefined: the general path reads every body */
    readonly bodyReader: PredictBodyReader | undefined,
  ) {}

  /** Verifies the bundle (refused under `requireSigned` unless a trusted key signed it) and loads it. */
  static async load(path: string, opts: LoadOptions): Promise<LoadedModel> {
    const verify = { trustedKeys: opts.trustedKeys, requireTrusted: opts.requireSigned };
    const bundle = await readBundle(path, verify);
    const manifestBytes = bundle.files.get(MANIFEST_FILE)!;
    const openapiBytes = bundle.files.get(OPENAPI_FILE);
    const openapi = openapiBytes === undefined ? buildOpenApi(bundle.manifest) : (JSON.parse(Buffer.from(openapiBytes).toString('utf8')) as Record<string, unknown>);
    const schemas = componentSchemas(openapi);
    const validatePredict = compile(inline({ $ref: '#/components/schemas/PredictRequest' }, schemas));
    const validateRows = compile({
      type: 'object',
      required: ['rows'],
      properties: { rows: { type: 'array', minItems: 1, items: inline({ $ref: '#/components/schemas/HistoryRow' }, schemas) } },
    });
    const sha = createHash('sha256').update(manifestBytes).digest('hex');
    const raw = new Map<string, InferenceSession>();
    let scorer: UnitScorer | undefined;
    try {
      raw.set('gbdt', await InferenceSession.create(bundle.files.get(bundle.manifest.models.gbdt.file)!, SERVE_SESSION_OPTIONS));
      const lstm = bundle.manifest.models.lstm;
      if (lstm !== undefined) raw.set('lstm', await InferenceSession.create(bundle.files.get(lstm.file)!, SERVE_SESSION_OPTIONS));
      if (opts.scoring === 'plain') {
        const plain = await BundleScorer.open(path, { ...verify, engine: 'models' });
        scorer = plain;
        if (plain.manifest.runId !== bundle.manifest.runId || plain.manifest.created !== bundle.manifest.created) {
          throw new PrognosError('CONFLICT', `${path} changed while it was being loaded; load it again`);
        }
      } else if (opts.scoring === 'thread') {
        scorer = await ThreadScorer.open(bundle.manifest, bundle.files);
      } else {
        const gbdt = raw.get('gbdt')!;
        const lstmSession = raw.get('lstm');
        scorer = await FastScorer.open(bundle.manifest, bundle.files, lstmSession === undefined ? { gbdt } : { gbdt, lstm: lstmSession });
      }
    } catch (e) {
      await scorer?.close();
      await Promise.all([...raw.values()].map((s) => s.release()));
      if (e instanceof PrognosError) throw e;
      throw new PrognosError('BAD_FILE', `onnxruntime cannot load a model of ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return new LoadedModel(path, bundle.manifest, sha, bundle.trust, openapi, scorer, raw, validatePredict, validateRows, new Date(), PredictBodyReader.of(bundle.manifest, openapi));
  }

  /** rows the feature store keeps per unit: the manifest's minimum history, or undefined for the whole history */
  get historyBound(): number | undefined {
    const p = this.manifest.pipeline;
    if (p === null || p.requiresFullHistory) return undefined;
    return Math.max(p.minHistoryRows, this.manifest.windowLength);
  }

  acquire(): void {
    this.inflight++;
  }

  release(): void {
    this.inflight--;
    if (this.inflight === 0 && this.idle !== undefined) this.idle();
  }

  get requestsInFlight(): number {
    return this.inflight;
  }

  /** Waits for the requests holding this model to finish, then releases its sessions. */
  async retire(): Promise<void> {
    if (this.retired) return;
    this.retired = true;
    if (this.inflight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    await this.close();
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.scorer.close();
    await Promise.all([...this.raw.values()].map((s) => s.release()));
  }
}

function componentSchemas(openapi: Record<string, unknown>): Record<string, unknown> {
  const components = openapi.components as { schemas?: Record<string, unknown> } | undefined;
  if (components?.schemas === undefined) throw new PrognosError('BAD_FILE', `${OPENAPI_FILE}: no components.schemas`);
  return components.schemas;
}

/** The schema with every `#/components/schemas/X` reference replaced by X itself (the schemas are not recursive). */
function inline(schema: unknown, schemas: Record<string, unknown>, depth = 0): unknown {
  if (depth > 32) throw new PrognosError('BAD_FILE', `${OPENAPI_FILE}: schema references nest too deeply`);
  if (Array.isArray(schema)) return schema.map((s) => inline(s, schemas, depth + 1));
  if (typeof schema !== 'object' || schema === null) return schema;
  const o = schema as Record<string, unknown>;
  if (typeof o.$ref === 'string') {
    const m = /^#\/components\/schemas\/(.+)$/.exec(o.$ref);
    const target = m === null ? undefined : schemas[m[1]!];
    if (target === undefined) throw new PrognosError('BAD_FILE', `${OPENAPI_FILE}: unresolved reference ${o.$ref}`);
    return inline(target, schemas, depth + 1);
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, k === 'description' ? v : inline(v, schemas, depth + 1)]));
}

interface AjvError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

type AjvValidate = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

/** Fastify's own schema compiler (Ajv 8), strict about types: no coercion, nothing removed or defaulted. */
const buildCompiler = AjvCompiler()({}, { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false, strict: false } });

function compile(schema: unknown): Validator {
  const validate = buildCompiler({ schema: schema as Record<string, unknown>, method: 'POST', url: '/', httpPart: 'body' }) as unknown as AjvValidate;
  return (data) => {
    if (validate(data)) return undefined;
    const e = validate.errors?.[0];
    if (e === undefined) return { field: '', message: 'does not follow the input contract' };
    return describe(e);
  };
}

/** `/units/3/rows/7` → `units[3].rows[7]` */
export function fieldOf(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(part) ? `[${part}]` : out === '' ? part : `.${part}`;
  }
  return out;
}

function describe(e: AjvError): ValidationIssue {
  const at = fieldOf(e.instancePath);
  const join = (name: string): string => (at === '' ? name : `${at}.${name}`);
  switch (e.keyword) {
    case 'required': {
      const missing = String(e.params.missingProperty);
      return { field: join(missing), message: /rows\[\d+\]$/.test(at) ? `missing column ${missing}` : `missing ${missing}` };
    }
    case 'type':
      return { field: at, message: `must be ${String(e.params.type)}` };
    case 'minItems':
      return { field: at, message: `needs at least ${String(e.params.limit)} item(s)` };
    case 'additionalProperties':
      return { field: join(String(e.params.additionalProperty)), message: 'is not expected here' };
    default:
      return { field: at, message: e.message ?? `fails ${e.keyword}` };
  }
}
