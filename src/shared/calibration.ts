/**
 * What a run records about the calibration of its headline probability (the ensemble, or the GBDT
 * alone): the method and its parameters, how it was chosen, and the expected calibration error with
 * the reliability diagram's bins on the validation and test units, before and after calibrating.
 */
import { z } from 'zod';

export const calibrationParamsSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('none') }),
  z.object({ method: z.literal('platt'), a: z.number(), b: z.number() }),
  z.object({ method: z.literal('isotonic'), x: z.array(z.number()), y: z.array(z.number()) }),
]);

export const reliabilityBinSchema = z.object({
  lower: z.number(),
  upper: z.number(),
  meanPredicted: z.number().nullable(),
  observed: z.number().nullable(),
  count: z.number().int(),
});
export type ReliabilityBinValue = z.infer<typeof reliabilityBinSchema>;

const splitFiguresSchema = z.object({
  /** expected calibration error: 10 equal-width bins, weighted by count */
  ece: z.object({ validation: z.number().nullable(), test: z.number().nullable() }),
  reliability: z.object({ validation: z.array(reliabilityBinSchema), test: z.array(reliabilityBinSchema).nullable() }),
});

export const calibrationReportSchema = z.object({
  /** the method in force (params.method) */
  method: z.enum(['none', 'platt', 'isotonic']),
  /** what the config asked for */
  requested: z.enum(['auto', 'none', 'platt', 'isotonic']),
  /** 'cv': chosen by cross-validation over the validation units; 'config': named by the config */
  chosenBy: z.enum(['cv', 'config']),
  /** the model whose probability is calibrated */
  model: z.enum(['ensemble', 'gbdt']),
  /** the ensemble weight of the GBDT when it was fitted (1 without an LSTM) */
  weight: z.number(),
  params: calibrationParamsSchema,
  /** mean held-out log-loss of each candidate (empty when the config named the method) */
  cv: z.array(z.object({ method: z.enum(['none', 'platt', 'isotonic']), logLoss: z.number() })),
  folds: z.number().int(),
  ...splitFiguresSchema.shape,
  /** the same figures for the probability before calibration */
  uncalibrated: splitFiguresSchema,
});
export type CalibrationReport = z.infer<typeof calibrationReportSchema>;

/** A calibration's parameters as stored (structurally the `Calibration` of the training pipeline). */
export type CalibrationParams =
  | { readonly method: 'none' }
  | { readonly method: 'platt'; readonly a: number; readonly b: number }
  | { readonly method: 'isotonic'; readonly x: readonly number[]; readonly y: readonly number[] };

/** probabilities are clamped to [PLATT_EPS, 1 − PLATT_EPS] before the logit (the same constant in pipeline.onnx) */
export const PLATT_EPS = 1e-7;

export function logit(p: number): number {
  const q = p < PLATT_EPS ? PLATT_EPS : p > 1 - PLATT_EPS ? 1 - PLATT_EPS : p;
  return Math.log(q / (1 - q));
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

function interpolate(x: readonly number[], y: readonly number[], v: number): number {
  const last = x.length - 1;
  if (v <= x[0]!) return y[0]!;
  if (v >= x[last]!) return y[last]!;
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid]! <= v) lo = mid;
    else hi = mid;
  }
  return y[lo]! + ((y[hi]! - y[lo]!) * (v - x[lo]!)) / (x[hi]! - x[lo]!);
}

/**
 * The calibrated probabilities (a copy). platt: σ(a·logit(p) + b); isotonic: linear interpolation
 * through the knots, constant beyond the ends; none: p unchanged.
 */
export function applyCalibration(c: CalibrationParams, p: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(p);
  switch (c.method) {
    case 'none':
      return out;
    case 'platt':
      for (let i = 0; i < out.length; i++) out[i] = sigmoid(c.a * logit(out[i]!) + c.b);
      return out;
    case 'isotonic':
      for (let i = 0; i < out.length; i++) out[i] = interpolate(c.x, c.y, out[i]!);
      return out;
  }
}
