/**
 * The same architecture as a standard tfjs-layers model (tf.sequential with two tf.layers.lstm and a
 * small custom attention layer). It is the reference the fast path is checked against, the
 * baseline of the `lstm-epoch` benchmark, and a way to hand a trained model to tools that take a
 * tfjs LayersModel (`toLayersModel(model).save(...)`).
 */
import * as tf from '@tensorflow/tfjs';
import type { LstmArchitecture, LstmModel } from './model';

interface AttentionConfig {
  units: number;
  name?: string;
}

/** score_t = v · tanh(h_t · W + b), α = softmax over t, output Σ_t α_t h_t. Input [B, T, u]. */
export class AdditiveAttention extends tf.layers.Layer {
  static readonly className = 'PrognosAdditiveAttention';
  readonly units: number;
  private W: tf.LayerVariable | undefined;
  private b: tf.LayerVariable | undefined;
  private v: tf.LayerVariable | undefined;

  constructor(config: AttentionConfig) {
    super(config.name === undefined ? {} : { name: config.name });
    this.units = config.units;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const features = shape[shape.length - 1]!;
    this.W = this.addWeight('W', [features, this.units], 'float32', tf.initializers.glorotUniform({}));
    this.b = this.addWeight('b', [this.units], 'float32', tf.initializers.zeros());
    this.v = this.addWeight('v', [this.units], 'float32', tf.initializers.glorotUniform({}));
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape[0]!, shape[2]!];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const h = Array.isArray(inputs) ? inputs[0]! : inputs;
      const [B, T, u] = h.shape as [number, number, number];
      const e = tf.tanh(tf.add(tf.matMul(tf.reshape(h, [B * T, u]), this.W!.read()), this.b!.read()));
      const scores = tf.reshape(tf.matMul(e, tf.reshape(this.v!.read(), [this.units, 1])), [B, T]);
      const alpha = tf.softmax(scores, -1);
      return tf.sum(tf.mul(tf.expandDims(alpha, 2), h), 1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units };
  }
}
tf.serialization.registerClass(AdditiveAttention);

/**
 * LSTM(u1, return sequences) → LSTM(u2, return sequences) → attention → dropout → dense(1, sigmoid).
 * `dropoutSeed` seeds the dropout layer's mask (tf.dropout with that seed), so a test can hand the
 * very same mask to the fast path.
 */
export function buildLayersModel(arch: LstmArchitecture, opts: { dropoutSeed?: number } = {}): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.lstm({
        units: arch.units1,
        returnSequences: true,
        recurrentActivation: 'sigmoid',
        inputShape: [arch.length, arch.features],
      }),
      tf.layers.lstm({ units: arch.units2, returnSequences: true, recurrentActivation: 'sigmoid' }),
      new AdditiveAttention({ units: arch.attentionUnits }),
      tf.layers.dropout(
        opts.dropoutSeed === undefined ? { rate: arch.dropout } : { rate: arch.dropout, seed: opts.dropoutSeed },
      ),
      tf.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
}

/** A tfjs-layers model holding a copy of `model`'s weights (same order and layout). */
export function toLayersModel(model: LstmModel): tf.Sequential {
  const lm = buildLayersModel(model.architecture);
  const arrays = model.weightArrays();
  const tensors = lm.getWeights().map((w, i) => tf.tensor(arrays[i]!, w.shape, 'float32'));
  lm.setWeights(tensors);
  tf.dispose(tensors);
  return lm;
}
