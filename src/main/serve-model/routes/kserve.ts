/**
 * The Open Inference Protocol (KServe v2) for the bundle (docs/serve-model.md, "KServe v2"):
 *
 * - `prognos`: the whole pipeline. Inputs `unit` INT32 [N], `cycle` INT32 [N] and `history` FP64 or
 *   FP32 [N, C] (the bundle's history columns, in the order GET /v2/models/prognos lists them), the
 *   rows of each unit together and in cycle order. Outputs, one per unit in input order: `unit`,
 *   `cycle` (INT32), `probability`, `gbdt`, `lstm` (FP64), `alert` (BOOL), and with a RUL model `rul`,
 *   `rul_low`, `rul_high` (FP64). Cached and logged like POST /predict.
 * - `gbdt`, `lstm`: the bundle's raw ONNX models, tensors as the manifest describes them.
 *
 * Errors on these routes are `{ "error": "message" }` as the protocol says.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Tensor, type InferenceSession } from 'onnxruntime-node';
import { PrognosError } from '../../../shared/errors';
import type { TensorSpec } from '../../core/export/manifest';
import { scoreUnits, type ServeContext } from '../context';
import { HttpError } from '../http-errors';
import type { LoadedModel } from '../model';
import type { UnitHistory } from '../request';
import type { HistoryRow } from '../types';

type Datatype = 'BOOL' | 'INT32' | 'INT64' | 'FP32' | 'FP64';

interface TensorMeta {
  readonly name: string;
  readonly datatype: Datatype;
  readonly shape: number[];
}

interface InferTensor {
  name: string;
  datatype: string;
  shape: number[];
  data: unknown;
}

const ONNX_TO_V2: Record<TensorSpec['type'], Datatype> = { float32: 'FP32', float64: 'FP64', int64: 'INT64' };

function bad(message: string, field?: string): HttpError {
  return new HttpError(400, 'INVALID_INPUT', message, field);
}

function specMeta(t: TensorSpec): TensorMeta {
  return { name: t.name, datatype: ONNX_TO_V2[t.type], shape: t.shape.map((d) => (typeof d === 'number' ? d : -1)) };
}

function modelNames(m: LoadedModel): string[] {
  return ['prognos', ...m.raw.keys()];
}

function metadata(m: LoadedModel, name: string): Record<string, unknown> {
  const version = m.manifestSha256.slice(0, 12);
  const man = m.manifest;
  if (name === 'prognos') {
    const C = man.rawInput.historyColumns.length;
    const outputs: TensorMeta[] = [
      { name: 'unit', datatype: 'INT32', shape: [-1] },
      { name: 'cycle', datatype: 'INT32', shape: [-1] },
      { name: 'probability', datatype: 'FP64', shape: [-1] },
      { name: 'gbdt', datatype: 'FP64', shape: [-1] },
      ...(man.models.lstm === undefined ? [] : [{ name: 'lstm', datatype: 'FP64' as const, shape: [-1] }]),
      { name: 'alert', datatype: 'BOOL', shape: [-1] },
      ...(man.rul === undefined ? [] : (['rul', 'rul_low', 'rul_high'] as const).map((n) => ({ name: n, datatype: 'FP64' as const, shape: [-1] }))),
    ];
    return {
      name,
      versions: [version],
      platform: 'prognos_pipeline',
      inputs: [
        { name: 'unit', datatype: 'INT32', shape: [-1] },
        { name: 'cycle', datatype: 'INT32', shape: [-1] },
        { name: 'history', datatype: 'FP64', shape: [-1, C] },
      ],
      outputs,
      parameters: { columns: man.rawInput.historyColumns, threshold: man.threshold, runId: man.runId },
    };
  }
  const entry = name === 'gbdt' ? man.models.gbdt : man.models.lstm!;
  return {
    name,
    versions: [version],
    platform: 'onnx_onnxv1',
    inputs: (entry.inputs ?? []).map(specMeta),
    outputs: (entry.outputs ?? []).map(specMeta),
    parameters: { features: name === 'gbdt' ? man.selectedFeatures : (man.lstmFeatures ?? []) },
  };
}

function flatten(data: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(data)) for (const d of data) flatten(d, out);
  else out.push(data);
  return out;
}

function parseInputs(body: unknown): InferTensor[] {
  const b = body as { inputs?: unknown };
  if (typeof body !== 'object' || body === null || !Array.isArray(b.inputs) || b.inputs.length === 0) throw bad('inputs: expected a non-empty array of tensors', 'inputs');
  return b.inputs.map((raw, i) => {
    const t = raw as Partial<InferTensor>;
    const at = `inputs[${i}]`;
    if (typeof t !== 'object' || t === null || typeof t.name !== 'string') throw bad(`${at}.name: missing`, `${at}.name`);
    if (typeof t.datatype !== 'string') throw bad(`${at}.datatype: missing`, `${at}.datatype`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0)) throw bad(`${at}.shape: expected an array of whole numbers ≥ 0`, `${at}.shape`);
    const data = flatten(t.data);
    const size = t.shape.reduce((a, d) => a * d, 1);
    if (data.length !== size) throw bad(`${at}.data: ${data.length} values for shape [${t.shape.join(', ')}] (${size})`, `${at}.data`);
    return { name: t.name, datatype: t.datatype, shape: t.shape, data };
  });
}

function numbers(t: InferTensor, at: string, integer: boolean): number[] {
  return (t.data as unknown[]).map((v, k) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) throw bad(`${at}.data[${k}]: expected ${integer ? 'a whole number' : 'a finite number'}`, `${at}.data[${k}]`);
    return v;
  });
}

/** The `prognos` model's tensors as unit histories (rows of a unit together, in order). */
function historiesOf(inputs: InferTensor[], m: LoadedModel): UnitHistory[] {
  const find = (name: string, types: readonly string[]): { t: InferTensor; at: string } => {
    const i = inputs.findIndex((t) => t.name === name);
    if (i < 0) throw bad(`inputs: no tensor named ${name}`, 'inputs');
    const t = inputs[i]!;
    if (!types.includes(t.datatype)) throw bad(`inputs[${i}].datatype: ${name} must be ${types.join(' or ')}, got ${t.datatype}`, `inputs[${i}].datatype`);
    return { t, at: `inputs[${i}]` };
  };
  const cols = m.manifest.rawInput.historyColumns;
  const u = find('unit', ['INT32', 'INT64']);
  const c = find('cycle', ['INT32', 'INT64']);
  const h = find('history', ['FP64', 'FP32']);
  const N = u.t.shape[0] ?? 0;
  if (u.t.shape.length !== 1 || N === 0) throw bad(`${u.at}.shape: expected [N] with N ≥ 1`, `${u.at}.shape`);
  if (c.t.shape.length !== 1 || c.t.shape[0] !== N) throw bad(`${c.at}.shape: expected [${N}] like unit`, `${c.at}.shape`);
  if (h.t.shape.length !== 2 || h.t.shape[0] !== N || h.t.shape[1] !== cols.length) {
    throw bad(`${h.at}.shape: expected [${N}, ${cols.length}] (rows × the columns ${cols.join(', ')})`, `${h.at}.shape`);
  }
  const units = numbers(u.t, u.at, true);
  const cycles = numbers(c.t, c.at, true);
  const values = numbers(h.t, h.at, false);
  const out: { unit: number; rows: HistoryRow[] }[] = [];
  const seen = new Set<number>();
  for (let r = 0; r < N; r++) {
    const unit = units[r]!;
    let last = out.at(-1);
    if (last === undefined || last.unit !== unit) {
      if (seen.has(unit)) throw bad(`${u.at}.data[${r}]: the rows of unit ${unit} are not together`, `${u.at}.data[${r}]`);
      seen.add(unit);
      last = { unit, rows: [] };
      out.push(last);
    }
    const row: Record<string, number> = { cycle: cycles[r]! };
    cols.forEach((name, k) => (row[name] = values[r * cols.length + k]!));
    last.rows.push(row);
  }
  return out;
}

async function inferRaw(session: InferenceSession, m: LoadedModel, name: string, inputs: InferTensor[]): Promise<InferTensor[]> {
  const entry = name === 'gbdt' ? m.manifest.models.gbdt : m.manifest.models.lstm!;
  const feeds: Record<string, Tensor> = {};
  for (const spec of entry.inputs ?? []) {
    const i = inputs.findIndex((t) => t.name === spec.name);
    if (i < 0) throw bad(`inputs: no tensor named ${spec.name}`, 'inputs');
    const t = inputs[i]!;
    const want = ONNX_TO_V2[spec.type];
    if (t.datatype !== want) throw bad(`inputs[${i}].datatype: ${spec.name} must be ${want}, got ${t.datatype}`, `inputs[${i}].datatype`);
    const fixed = spec.shape.map((d) => (typeof d === 'number' ? d : -1));
    if (t.shape.length !== fixed.length || fixed.some((d, k) => d >= 0 && d !== t.shape[k])) {
      throw bad(`inputs[${i}].shape: expected [${fixed.join(', ')}] (-1: any), got [${t.shape.join(', ')}]`, `inputs[${i}].shape`);
    }
    const vals = numbers(t, `inputs[${i}]`, spec.type === 'int64');
    feeds[spec.name] =
      spec.type === 'float32'
        ? new Tensor('float32', Float32Array.from(vals), t.shape)
        : spec.type === 'float64'
          ? new Tensor('float64', Float64Array.from(vals), t.shape)
          : new Tensor('int64', BigInt64Array.from(vals, (v) => BigInt(v)), t.shape);
  }
  const out = await session.run(feeds);
  return (entry.outputs ?? []).map((spec) => {
    const t = out[spec.name];
    if (t === undefined) throw new PrognosError('INTERNAL', `onnxruntime returned no output ${spec.name}`);
    const data = t.data instanceof BigInt64Array ? Array.from(t.data, (v) => Number(v)) : Array.from(t.data as Float32Array);
    return { name: spec.name, datatype: ONNX_TO_V2[spec.type], shape: [...t.dims], data };
  });
}

function v2Error(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).send({ error: message });
}

export function kserveRoutes(app: FastifyInstance, ctx: ServeContext, ready: () => Promise<boolean>): void {
  app.get('/v2', (_req, reply) => reply.send({ name: 'prognos', version: ctx.current().manifest.appVersion, extensions: [] }));
  app.get('/v2/health/live', { config: { public: true } }, (_req, reply) => reply.send({ live: true }));
  app.get('/v2/health/ready', { config: { public: true } }, async (_req, reply) => {
    const r = await ready();
    return reply.code(r ? 200 : 503).send({ ready: r });
  });
  app.get('/v2/models/:name', async (req, reply) => {
    const { name } = req.params as { name: string };
    const m = ctx.current();
    if (!modelNames(m).includes(name)) return v2Error(reply, 404, `no model named ${name}; the models are ${modelNames(m).join(', ')}`);
    return metadata(m, name);
  });
  app.get('/v2/models/:name/ready', async (req, reply) => {
    const { name } = req.params as { name: string };
    const m = ctx.current();
    if (!modelNames(m).includes(name)) return v2Error(reply, 404, `no model named ${name}`);
    return { name, ready: await ready() };
  });
  app.post('/v2/models/:name/infer', async (req, reply) => {
    const { name } = req.params as { name: string };
    const id = (req.body as { id?: unknown } | null)?.id;
    const result = await ctx.withModel(async (m) => {
      if (!modelNames(m).includes(name)) throw new HttpError(404, 'NOT_FOUND', `no model named ${name}; the models are ${modelNames(m).join(', ')}`);
      const inputs = parseInputs(req.body);
      const version = m.manifestSha256.slice(0, 12);
      if (name !== 'prognos') return { cache: undefined, body: { model_name: name, model_version: version, outputs: await inferRaw(m.raw.get(name)!, m, name, inputs) } };
      const scored = await scoreUnits(ctx, m, '/v2/models/{name}/infer', req, historiesOf(inputs, m));
      const p = JSON.parse(scored.body) as { units: { unit: number; cycle: number; probability: number; parts: { gbdt: number; lstm?: number }; alert: boolean; rul?: number; rulLow?: number; rulHigh?: number }[] };
      const U = p.units.length;
      const col = (n: string, datatype: Datatype, data: unknown[]): InferTensor => ({ name: n, datatype, shape: [U], data });
      const outputs = [
        col('unit', 'INT32', p.units.map((u) => u.unit)),
        col('cycle', 'INT32', p.units.map((u) => u.cycle)),
        col('probability', 'FP64', p.units.map((u) => u.probability)),
        col('gbdt', 'FP64', p.units.map((u) => u.parts.gbdt)),
        ...(m.manifest.models.lstm === undefined ? [] : [col('lstm', 'FP64', p.units.map((u) => u.parts.lstm))]),
        col('alert', 'BOOL', p.units.map((u) => u.alert)),
        ...(m.manifest.rul === undefined
          ? []
          : [col('rul', 'FP64', p.units.map((u) => u.rul)), col('rul_low', 'FP64', p.units.map((u) => u.rulLow)), col('rul_high', 'FP64', p.units.map((u) => u.rulHigh))]),
      ];
      return { cache: scored.cache, body: { model_name: name, model_version: version, outputs } };
    });
    const requested = (req.body as { outputs?: { name?: unknown }[] }).outputs;
    const body = result.body as { outputs: InferTensor[] } & Record<string, unknown>;
    if (Array.isArray(requested) && requested.length > 0) {
      const names = new Set(requested.map((o) => o.name));
      body.outputs = body.outputs.filter((o) => names.has(o.name));
    }
    if (typeof id === 'string') body.id = id;
    if (result.cache !== undefined) void reply.header('X-Prognos-Cache', result.cache);
    return reply.send(body);
  });
}
