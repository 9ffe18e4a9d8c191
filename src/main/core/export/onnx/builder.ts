/**
 * A small graph builder: unique value names, constants as initializers, nodes in insertion order
 * (which is a topological order because a node can only use values made before it).
 */
import {
  type AttributeDef,
  DataType,
  type DataTypeCode,
  type GraphDef,
  type NodeDef,
  type TensorDef,
  type TensorValues,
  type ValueInfoDef,
  type Dim,
} from './model';

export interface NodeOptions {
  readonly domain?: string;
  /** Number of outputs (default 1) or their exact names. */
  readonly outputs?: number | readonly string[];
  /** Prefix of generated output names. */
  readonly hint?: string;
}

export class GraphBuilder {
  private readonly nodes: NodeDef[] = [];
  private readonly initializers: TensorDef[] = [];
  private readonly inputs: ValueInfoDef[] = [];
  private readonly outputs: ValueInfoDef[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  constructor(private readonly name: string) {}

  /** A fresh value name starting with `hint`. */
  fresh(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_]/g, '_');
    let n = `${base}_${this.counter++}`;
    while (this.used.has(n)) n = `${base}_${this.counter++}`;
    this.used.add(n);
    return n;
  }

  private claim(name: string): string {
    if (this.used.has(name)) throw new Error(`value name ${name} is used twice`);
    this.used.add(name);
    return name;
  }

  input(name: string, elemType: DataTypeCode, shape: readonly Dim[], doc?: string): string {
    this.inputs.push({ name: this.claim(name), elemType, shape, ...(doc === undefined ? {} : { doc }) });
    return name;
  }

  /** Declares an already produced value as a graph output. */
  output(name: string, elemType: DataTypeCode, shape: readonly Dim[], doc?: string): void {
    this.outputs.push({ name, elemType, shape, ...(doc === undefined ? {} : { doc }) });
  }

  /** An initializer; returns its name. */
  tensor(hint: string, dataType: DataTypeCode, dims: readonly number[], values: TensorValues): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, dataType, dims: [...dims], values });
    return name;
  }

  f32(hint: string, dims: readonly number[], values: ArrayLike<number>): string {
    return this.tensor(hint, DataType.FLOAT, dims, Float32Array.from(values));
  }

  f64(hint: string, dims: readonly number[], values: ArrayLike<number>): string {
    return this.tensor(hint, DataType.DOUBLE, dims, Float64Array.from(values));
  }

  i64(hint: string, dims: readonly number[], values: readonly number[]): string {
    return this.tensor(hint, DataType.INT64, dims, BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  /** Adds a node; returns the names of its outputs. */
  nodeN(opType: string, inputs: readonly string[], attributes: readonly AttributeDef[] = [], opts: NodeOptions = {}): string[] {
    const spec = opts.outputs ?? 1;
    const outs =
      typeof spec === 'number'
        ? Array.from({ length: spec }, () => this.fresh(opts.hint ?? opType.toLowerCase()))
        : spec.map((n) => this.claim(n));
    this.nodes.push({
      opType,
      inputs: [...inputs],
      outputs: outs,
      name: this.fresh(`n_${opType}`),
      ...(opts.domain === undefined ? {} : { domain: opts.domain }),
      ...(attributes.length === 0 ? {} : { attributes }),
    });
    return outs;
  }

  /** Adds a single-output node; returns its output name. */
  node(opType: string, inputs: readonly string[], attributes: readonly AttributeDef[] = [], opts: NodeOptions = {}): string {
    return this.nodeN(opType, inputs, attributes, opts)[0]!;
  }

  build(doc?: string): GraphDef {
    return {
      name: this.name,
      nodes: [...this.nodes],
      initializers: [...this.initializers],
      inputs: [...this.inputs],
      outputs: [...this.outputs],
      ...(doc === undefined ? {} : { doc }),
    };
  }
}
