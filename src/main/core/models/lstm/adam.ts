/**
 * Adam as Keras applies it (β1 0.9, β2 0.999, ε 1e-7):
 * m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g², w ← w − lr·√(1 − β2^t)/(1 − β1^t) · m/(√v + ε).
 * The update runs on one flat float32 copy of the weights (40 k numbers for the default model),
 * which costs far less than a few hundred small tensor ops per step; the trainer then writes the
 * new values into the model's tf.Variables.
 */
export class FlatAdam {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private t = 0;

  constructor(
    size: number,
    private readonly learningRate: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-7,
  ) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }

  /** One step: `weights` is updated in place from `grads` (same length). */
  step(weights: Float32Array, grads: Float32Array): void {
    this.t++;
    const { m, v, beta1, beta2, epsilon } = this;
    const lr = (this.learningRate * Math.sqrt(1 - beta2 ** this.t)) / (1 - beta1 ** this.t);
    for (let i = 0; i < weights.length; i++) {
      const g = grads[i]!;
      const mi = beta1 * m[i]! + (1 - beta1) * g;
      const vi = beta2 * v[i]! + (1 - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      weights[i] = weights[i]! - (lr * mi) / (Math.sqrt(vi) + epsilon);
    }
  }
}
