/**
 * The hand-written ONNX writer: protobuf wire encoding checked byte for byte, and tiny graphs that
 * onnxruntime loads and runs (float/double/int64 raw-data initializers, every attribute kind used,
 * symbolic batch dimensions), then read back with inspectModel.
 */
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { attr, DataType, encodeModel, GraphBuilder, inspectModel, IR_VERSION, ONNX_ML_DOMAIN } from '../../../src/main/core/export/onnx';
import { decodeFields, ProtoWriter, repeatedVarints, WIRE_LENGTH } from '../../../src/main/core/export/onnx/proto';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('protobuf wire format', () => {
  it('encodes varints, negative int64, floats, doubles and nested messages', () => {
    expect(hex(new ProtoWriter().int64(1, 150).finish())).toBe('089601');
    expect(hex(new ProtoWriter().int64(1, 0).finish())).toBe('0800');
    expect(hex(new ProtoWriter().int64(2, -1).finish())).toBe('10ffffffffffffffffff01');
    expect(hex(new ProtoWriter().int64(1, 2 ** 40).finish())).toBe('08808080808020');
    expect(hex(new ProtoWriter().float(3, 1).finish())).toBe('1d0000803f');
    expect(hex(new ProtoWriter().double(4, -2).finish())).toBe('2100000000000000c0');
    expect(hex(new ProtoWriter().string(2, 'testing').finish())).toBe('120774657374696e67');
    const inner = new ProtoWriter().int64(1, 150).finish();
    expect(hex(new ProtoWriter().message(3, inner).finish())).toBe('1a03089601');
  });

  it('reads back what it writes, packed or not', () => {
    const w = new ProtoWriter().int64(8, 7).int64(8, -3).string(1, 'x').bytes(2, Uint8Array.from([8, 1, 2]));
    const fields = decodeFields(w.finish());
    expect(fields.map((f) => f.field)).toEqual([8, 8, 1, 2]);
    expect(repeatedVarints(fields, 8)).toEqual([7n, -3n]);
    // packed form of [1, 2] in field 2
    expect(repeatedVarints(fields.filter((f) => f.field === 2 && f.wire === WIRE_LENGTH), 2)).toEqual([8n, 1n, 2n]);
    expect(() => decodeFields(Uint8Array.from([0x0a, 0x05, 0x01]))).toThrow(/truncated/);
  });
});

describe('ONNX models written by Prognos load in onnxruntime', () => {
  it('runs a float graph with initializers, broadcasting and a symbolic batch dimension', async () => {
    const b = new GraphBuilder('tiny');
    const x = b.input('x', DataType.FLOAT, ['N', 3]);
    const w = b.f32('w', [3, 2], [1, 2, 3, 4, 5, 6]);
    const bias = b.f32('b', [2], [0.5, -0.5]);
    b.node('Add', [b.node('MatMul', [x, w]), bias], [], { outputs: ['y'] });
    b.output('y', DataType.FLOAT, ['N', 2]);
    const bytes = encodeModel({ graph: b.build('tiny doc'), opsets: [{ domain: '', version: 17 }], producerVersion: '9.9', metadata: { k: 'v' } });

    const info = inspectModel(bytes);
    expect(info.irVersion).toBe(IR_VERSION);
    expect(info.producerName).toBe('prognos');
    expect(info.producerVersion).toBe('9.9');
    expect(info.opsets).toEqual([{ domain: '', version: 17 }]);
    expect(info.inputs).toEqual([{ name: 'x', elemType: DataType.FLOAT, shape: ['N', 3] }]);
    expect(info.outputs).toEqual([{ name: 'y', elemType: DataType.FLOAT, shape: ['N', 2] }]);
    expect(info.operators).toEqual([':MatMul', ':Add']);
    expect(info.metadata).toEqual({ k: 'v' });

    const s = await InferenceSession.create(bytes);
    try {
      const out = await s.run({ x: new Tensor('float32', Float32Array.from([1, 0, 0, 0, 1, 1]), [2, 3]) });
      expect(out.y!.dims).toEqual([2, 2]);
      expect(Array.from(out.y!.data as Float32Array)).toEqual([1.5, 1.5, 8.5, 9.5]);
    } finally {
      await s.release();
    }
  });

  it('keeps float64 and int64 values exact and writes int, ints, string and tensor attributes', async () => {
    const b = new GraphBuilder('types');
    const x = b.input('x', DataType.DOUBLE, ['N', 2]);
    const k = b.input('k', DataType.INT64, ['N']);
    const big = 2 ** 52 + 1;
    b.node('Add', [x, b.f64('c', [2], [0.1, 1e-300])], [], { outputs: ['y'] });
    b.node('Add', [k, b.i64('kc', [1], [big])], [], { outputs: ['k2'] });
    const t = b.node('Transpose', [x], [attr.ints('perm', [1, 0])]);
    b.node('Cast', [t], [attr.int('to', DataType.FLOAT)], { outputs: ['t32'] });
    const constant = { name: 'value', dataType: DataType.INT64, dims: [2], values: BigInt64Array.from([-5n, 7n]) } as const;
    b.node('Constant', [], [attr.tensor('value', constant)], { outputs: ['const'] });
    b.node('Identity', [k], [], { outputs: ['kk'] });
    b.output('y', DataType.DOUBLE, ['N', 2]);
    b.output('k2', DataType.INT64, ['N']);
    b.output('t32', DataType.FLOAT, [2, 'N']);
    b.output('const', DataType.INT64, [2]);
    b.output('kk', DataType.INT64, ['N']);
    const bytes = encodeModel({ graph: b.build(), opsets: [{ domain: '', version: 17 }] });
    const s = await InferenceSession.create(bytes);
    try {
      const out = await s.run({ x: new Tensor('float64', Float64Array.from([1, 2, 3, 4]), [2, 2]), k: new Tensor('int64', BigInt64Array.from([1n, -2n]), [2]) });
      expect(Array.from(out.y!.data as Float64Array)).toEqual([1 + 0.1, 2 + 1e-300, 3 + 0.1, 4 + 1e-300]);
      expect(Array.from(out.k2!.data as BigInt64Array)).toEqual([BigInt(big) + 1n, BigInt(big) - 2n]);
      expect(Array.from(out.t32!.data as Float32Array)).toEqual([1, 3, 2, 4]);
      expect(Array.from(out.const!.data as BigInt64Array)).toEqual([-5n, 7n]);
    } finally {
      await s.release();
    }
  });

  it('writes string-list and float-list attributes (a one-split TreeEnsembleClassifier in ai.onnx.ml)', async () => {
    const b = new GraphBuilder('stump');
    const x = b.input('x', DataType.FLOAT, ['N', 1]);
    b.nodeN(
      'TreeEnsembleClassifier',
      [x],
      [
        attr.floats('base_values', [0]),
        attr.ints('class_ids', [0, 0]),
        attr.ints('class_nodeids', [1, 2]),
        attr.ints('class_treeids', [0, 0]),
        attr.floats('class_weights', [-1, 1]),
        attr.ints('classlabels_int64s', [0, 1]),
        attr.ints('nodes_falsenodeids', [2, 0, 0]),
        attr.ints('nodes_featureids', [0, 0, 0]),
        attr.ints('nodes_missing_value_tracks_true', [1, 0, 0]),
        attr.strings('nodes_modes', ['BRANCH_LT', 'LEAF', 'LEAF']),
        attr.ints('nodes_nodeids', [0, 1, 2]),
        attr.ints('nodes_treeids', [0, 0, 0]),
        attr.ints('nodes_truenodeids', [1, 0, 0]),
        attr.floats('nodes_values', [0.25, 0, 0]),
        attr.string('post_transform', 'LOGISTIC'),
      ],
      { domain: ONNX_ML_DOMAIN, outputs: ['label', 'p'] },
    );
    b.output('label', DataType.INT64, ['N']);
    b.output('p', DataType.FLOAT, ['N', 2]);
    const bytes = encodeModel({ graph: b.build(), opsets: [{ domain: '', version: 17 }, { domain: ONNX_ML_DOMAIN, version: 3 }] });
    const s = await InferenceSession.create(bytes);
    try {
      const out = await s.run({ x: new Tensor('float32', Float32Array.from([0, 0.25, NaN]), [3, 1]) });
      const p = out.p!.data as Float32Array;
      const s1 = 1 / (1 + Math.exp(-1));
      // 0 < 0.25 → left (−1); 0.25 is not < 0.25 → right (+1); NaN follows the true (left) branch
      expect(p[1]).toBeCloseTo(1 - s1, 6);
      expect(p[3]).toBeCloseTo(s1, 6);
      expect(p[5]).toBeCloseTo(1 - s1, 6);
      expect(p[0]! + p[1]!).toBeCloseTo(1, 6);
      expect(Array.from(out.label!.data as BigInt64Array)).toEqual([0n, 1n, 0n]);
    } finally {
      await s.release();
    }
  });

  it('refuses operator sets above the supported versions', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', DataType.FLOAT, [1]);
    b.output(x, DataType.FLOAT, [1]);
    expect(() => encodeModel({ graph: b.build(), opsets: [{ domain: '', version: 18 }] })).toThrow(/opset/);
    expect(() => encodeModel({ graph: b.build(), opsets: [{ domain: ONNX_ML_DOMAIN, version: 4 }] })).toThrow(/opset/);
  });
});
