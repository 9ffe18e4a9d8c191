/**
 * Reads back the header of an ONNX model: IR version, producer, operator sets, graph inputs and
 * outputs with their types and shapes, and the operators used. Enough to check that a bundled
 * model is one this version can serve, without a runtime.
 */
import { type Dim, DataType, type DataTypeCode } from './model';
import { ProtoDecodeError, WIRE_LENGTH, WIRE_VARINT, asInt64, decodeFields, type ProtoField, utf8 } from './proto';

export interface InspectedValue {
  readonly name: string;
  readonly elemType: number;
  readonly shape: Dim[];
}

export interface InspectedModel {
  readonly irVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly opsets: { domain: string; version: number }[];
  readonly inputs: InspectedValue[];
  readonly outputs: InspectedValue[];
  readonly initializers: string[];
  /** `domain:op` (domain empty for ai.onnx), once each, in first-use order. */
  readonly operators: string[];
  readonly nodeCount: number;
  readonly metadata: Record<string, string>;
}

export { ProtoDecodeError };

function messages(fields: readonly ProtoField[], field: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const f of fields) if (f.field === field && f.wire === WIRE_LENGTH) out.push(f.value);
  return out;
}

function str(fields: readonly ProtoField[], field: number): string {
  let s = '';
  for (const f of fields) if (f.field === field && f.wire === WIRE_LENGTH) s = utf8(f.value);
  return s;
}

function int(fields: readonly ProtoField[], field: number): number {
  let v = 0;
  for (const f of fields) if (f.field === field && f.wire === WIRE_VARINT) v = Number(asInt64(f.value));
  return v;
}

function valueInfo(b: Uint8Array): InspectedValue {
  const f = decodeFields(b);
  const name = str(f, 1);
  let elemType = 0;
  const shape: Dim[] = [];
  const type = messages(f, 2)[0];
  if (type !== undefined) {
    const tensor = messages(decodeFields(type), 1)[0];
    if (tensor !== undefined) {
      const tf = decodeFields(tensor);
      elemType = int(tf, 1);
      const sh = messages(tf, 2)[0];
      if (sh !== undefined) {
        for (const d of messages(decodeFields(sh), 1)) {
          const df = decodeFields(d);
          const param = str(df, 2);
          shape.push(param !== '' ? param : int(df, 1));
        }
      }
    }
  }
  return { name, elemType, shape };
}

/** Throws ProtoDecodeError when the bytes are not a well-formed ModelProto. */
export function inspectModel(bytes: Uint8Array): InspectedModel {
  const m = decodeFields(bytes);
  const graphBytes = messages(m, 7)[0];
  if (graphBytes === undefined) throw new ProtoDecodeError('no graph');
  const g = decodeFields(graphBytes);
  const operators: string[] = [];
  const seen = new Set<string>();
  const nodes = messages(g, 1);
  for (const n of nodes) {
    const nf = decodeFields(n);
    const key = `${str(nf, 7)}:${str(nf, 4)}`;
    if (!seen.has(key)) {
      seen.add(key);
      operators.push(key);
    }
  }
  const metadata: Record<string, string> = {};
  for (const e of messages(m, 14)) {
    const ef = decodeFields(e);
    metadata[str(ef, 1)] = str(ef, 2);
  }
  return {
    irVersion: int(m, 1),
    producerName: str(m, 2),
    producerVersion: str(m, 3),
    opsets: messages(m, 8).map((o) => {
      const of = decodeFields(o);
      return { domain: str(of, 1), version: int(of, 2) };
    }),
    inputs: messages(g, 11).map(valueInfo),
    outputs: messages(g, 12).map(valueInfo),
    initializers: messages(g, 5).map((t) => str(decodeFields(t), 8)),
    operators,
    nodeCount: nodes.length,
    metadata,
  };
}

export function elemTypeName(code: number): string {
  const names: Record<number, string> = {
    [DataType.FLOAT]: 'float32',
    [DataType.DOUBLE]: 'float64',
    [DataType.INT64]: 'int64',
    [DataType.INT32]: 'int32',
    [DataType.BOOL]: 'bool',
    [DataType.UINT8]: 'uint8',
    [DataType.INT8]: 'int8',
    [DataType.STRING]: 'string',
  };
  return names[code] ?? `type ${code}`;
}

export type { DataTypeCode };
