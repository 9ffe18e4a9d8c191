/**
 * The subset of onnx.proto (IR version 8) that Prognos writes: ModelProto, GraphProto, NodeProto,
 * AttributeProto, TensorProto (raw little-endian data), ValueInfoProto with tensor types and shapes.
 * Field numbers follow onnx.proto.
 */
import { ProtoWriter } from './proto';

export const IR_VERSION = 8;
export const PRODUCER_NAME = 'prognos';
/** Highest operator set versions written (older runtimes load them). */
export const MAX_ONNX_OPSET = 17;
export const MAX_ONNX_ML_OPSET = 3;
export const ONNX_DOMAIN = '';
export const ONNX_ML_DOMAIN = 'ai.onnx.ml';

/** TensorProto.DataType values. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  DOUBLE: 11,
} as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values. */
const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

export type TensorValues = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

export interface TensorDef {
  readonly name: string;
  readonly dataType: DataTypeCode;
  readonly dims: readonly number[];
  /** Element values; for BOOL and UINT8 one byte each. */
  readonly values: TensorValues;
}

export type AttributeDef =
  | { readonly name: string; readonly kind: 'float'; readonly value: number }
  | { readonly name: string; readonly kind: 'int'; readonly value: number }
  | { readonly name: string; readonly kind: 'string'; readonly value: string }
  | { readonly name: string; readonly kind: 'tensor'; readonly value: TensorDef }
  | { readonly name: string; readonly kind: 'floats'; readonly value: ArrayLike<number> }
  | { readonly name: string; readonly kind: 'ints'; readonly value: ArrayLike<number> }
  | { readonly name: string; readonly kind: 'strings'; readonly value: readonly string[] };

export const attr = {
  float: (name: string, value: number): AttributeDef => ({ name, kind: 'float', value }),
  int: (name: string, value: number): AttributeDef => ({ name, kind: 'int', value }),
  string: (name: string, value: string): AttributeDef => ({ name, kind: 'string', value }),
  tensor: (name: string, value: TensorDef): AttributeDef => ({ name, kind: 'tensor', value }),
  floats: (name: string, value: ArrayLike<number>): AttributeDef => ({ name, kind: 'floats', value }),
  ints: (name: string, value: ArrayLike<number>): AttributeDef => ({ name, kind: 'ints', value }),
  strings: (name: string, value: readonly string[]): AttributeDef => ({ name, kind: 'strings', value }),
};

export interface NodeDef {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  /** '' (or absent) for the default ai.onnx domain. */
  readonly domain?: string;
  readonly attributes?: readonly AttributeDef[];
}

/** A dimension: a fixed size or a symbolic name (e.g. 'N' for the batch). */
export type Dim = number | string;

export interface ValueInfoDef {
  readonly name: string;
  readonly elemType: DataTypeCode;
  readonly shape: readonly Dim[];
  readonly doc?: string;
}

export interface GraphDef {
  readonly name: string;
  readonly nodes: readonly NodeDef[];
  readonly initializers: readonly TensorDef[];
  readonly inputs: readonly ValueInfoDef[];
  readonly outputs: readonly ValueInfoDef[];
  readonly doc?: string;
}

export interface OpsetImport {
  readonly domain: string;
  readonly version: number;
}

export interface ModelDef {
  readonly graph: GraphDef;
  readonly opsets: readonly OpsetImport[];
  readonly producerVersion?: string;
  readonly doc?: string;
  /** Free-form key/value pairs (ModelProto.metadata_props). */
  readonly metadata?: Readonly<Record<string, string>>;
}

const ELEMENT_BYTES: Record<number, number> = {
  [DataType.FLOAT]: 4,
  [DataType.DOUBLE]: 8,
  [DataType.INT64]: 8,
  [DataType.INT32]: 4,
  [DataType.UINT8]: 1,
  [DataType.INT8]: 1,
  [DataType.BOOL]: 1,
};

/** Tensor values as little-endian bytes, whatever the platform's byte order. */
export function rawData(t: TensorDef): Uint8Array {
  const size = ELEMENT_BYTES[t.dataType];
  if (size === undefined) throw new Error(`tensor ${t.name}: data type ${t.dataType} is not supported`);
  const count = t.dims.reduce((a, d) => a * d, 1);
  if (t.values.length !== count) {
    throw new Error(`tensor ${t.name}: ${t.values.length} values for dims [${t.dims.join(', ')}]`);
  }
  const out = new Uint8Array(count * size);
  const view = new DataView(out.buffer);
  const v = t.values;
  for (let i = 0; i < count; i++) {
    switch (t.dataType) {
      case DataType.FLOAT:
        view.setFloat32(i * 4, Number(v[i]), true);
        break;
      case DataType.DOUBLE:
        view.setFloat64(i * 8, Number(v[i]), true);
        break;
      case DataType.INT64:
        view.setBigInt64(i * 8, typeof v[i] === 'bigint' ? (v[i] as bigint) : BigInt(v[i] as number), true);
        break;
      case DataType.INT32:
        view.setInt32(i * 4, Number(v[i]), true);
        break;
      default:
        out[i] = Number(v[i]);
    }
  }
  return out;
}

export function encodeTensor(t: TensorDef): Uint8Array {
  const w = new ProtoWriter();
  for (const d of t.dims) w.int64(1, d);
  w.int32(2, t.dataType);
  w.string(8, t.name);
  w.bytes(9, rawData(t));
  return w.finish();
}

function encodeAttribute(a: AttributeDef): Uint8Array {
  const w = new ProtoWriter();
  w.string(1, a.name);
  switch (a.kind) {
    case 'float':
      w.float(2, a.value);
      w.int32(20, AttributeType.FLOAT);
      break;
    case 'int':
      w.int64(3, a.value);
      w.int32(20, AttributeType.INT);
      break;
    case 'string':
      w.string(4, a.value);
      w.int32(20, AttributeType.STRING);
      break;
    case 'tensor':
      w.message(5, encodeTensor(a.value));
      w.int32(20, AttributeType.TENSOR);
      break;
    case 'floats':
      for (let i = 0; i < a.value.length; i++) w.float(7, a.value[i]!);
      w.int32(20, AttributeType.FLOATS);
      break;
    case 'ints':
      for (let i = 0; i < a.value.length; i++) w.int64(8, a.value[i]!);
      w.int32(20, AttributeType.INTS);
      break;
    case 'strings':
      for (const s of a.value) w.string(9, s);
      w.int32(20, AttributeType.STRINGS);
      break;
  }
  return w.finish();
}

function encodeNode(n: NodeDef): Uint8Array {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name !== undefined) w.string(3, n.name);
  w.string(4, n.opType);
  for (const a of n.attributes ?? []) w.message(5, encodeAttribute(a));
  if (n.domain !== undefined && n.domain !== '') w.string(7, n.domain);
  return w.finish();
}

function encodeValueInfo(v: ValueInfoDef): Uint8Array {
  const shape = new ProtoWriter();
  for (const d of v.shape) {
    const dim = new ProtoWriter();
    if (typeof d === 'number') dim.int64(1, d);
    else dim.string(2, d);
    shape.message(1, dim.finish());
  }
  const tensorType = new ProtoWriter().int32(1, v.elemType).message(2, shape.finish()).finish();
  const type = new ProtoWriter().message(1, tensorType).finish();
  const w = new ProtoWriter().string(1, v.name).message(2, type);
  if (v.doc !== undefined) w.string(3, v.doc);
  return w.finish();
}

function encodeGraph(g: GraphDef): Uint8Array {
  const w = new ProtoWriter();
  for (const n of g.nodes) w.message(1, encodeNode(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, encodeTensor(t));
  if (g.doc !== undefined) w.string(10, g.doc);
  for (const i of g.inputs) w.message(11, encodeValueInfo(i));
  for (const o of g.outputs) w.message(12, encodeValueInfo(o));
  return w.finish();
}

/** Serialises a model to ONNX protobuf bytes (IR version 8, producer "prognos"). */
export function encodeModel(m: ModelDef): Uint8Array {
  for (const o of m.opsets) {
    const max = o.domain === ONNX_ML_DOMAIN ? MAX_ONNX_ML_OPSET : o.domain === ONNX_DOMAIN ? MAX_ONNX_OPSET : Infinity;
    if (o.version > max) throw new Error(`opset ${o.domain || 'ai.onnx'} ${o.version} is above the supported ${max}`);
  }
  const w = new ProtoWriter();
  w.int64(1, IR_VERSION);
  w.string(2, PRODUCER_NAME);
  if (m.producerVersion !== undefined) w.string(3, m.producerVersion);
  if (m.doc !== undefined) w.string(6, m.doc);
  w.message(7, encodeGraph(m.graph));
  for (const o of m.opsets) w.message(8, new ProtoWriter().string(1, o.domain).int64(2, o.version).finish());
  for (const [key, value] of Object.entries(m.metadata ?? {})) {
    w.message(14, new ProtoWriter().string(1, key).string(2, value).finish());
  }
  return w.finish();
}
