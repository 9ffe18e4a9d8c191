/**
 * The headline probability's calibration as ONNX nodes (opset ≤ 17), computed in float64 and cast
 * back to float32:
 * - platt: σ(a·log(q / (1 − q)) + b), q = Clip(p, 1e-7, 1 − 1e-7);
 * - isotonic: the piecewise-linear interpolation through the knots as a sum of clamped ramps,
 *   y₀ + Σᵢ slopeᵢ·min(max(p − xᵢ, 0), wᵢ) with wᵢ = xᵢ₊₁ − xᵢ, slopeᵢ = (yᵢ₊₁ − yᵢ)/wᵢ — constant
 *   beyond the end knots, as applyCalibration.
 */
import { PLATT_EPS } from '../../../shared/calibration';
import type { Calibration } from '../rul/types';
import { validateCalibration } from '../eval/calibration';
import { attr, DataType, type GraphBuilder } from './onnx';

/** Adds the calibration of float32 `p` [N]; returns a float32 [N] value (named `output` when given). */
export function addCalibration(b: GraphBuilder, p: string, c: Calibration, output?: string): string {
  validateCalibration(c, 'pipeline.onnx');
  const outOpts = output === undefined ? { hint: 'p_calibrated' } : { outputs: [output] };
  if (c.method === 'none') return b.node('Identity', [p], [], outOpts);
  const p64 = b.node('Cast', [p], [attr.int('to', DataType.DOUBLE)], { hint: 'p_uncalibrated' });
  let q: string;
  if (c.method === 'platt') {
    const clipped = b.node('Clip', [p64, b.f64('calib_eps', [], [PLATT_EPS]), b.f64('calib_one_minus_eps', [], [1 - PLATT_EPS])]);
    const odds = b.node('Div', [clipped, b.node('Sub', [b.f64('calib_one', [], [1]), clipped])]);
    const z = b.node('Add', [b.node('Mul', [b.node('Log', [odds]), b.f64('platt_a', [], [c.a])]), b.f64('platt_b', [], [c.b])]);
    q = b.node('Sigmoid', [z], [], { hint: 'p_platt' });
  } else {
    const K = c.x.length;
    if (K === 1) {
      q = b.node('Add', [b.node('Mul', [p64, b.f64('calib_zero', [], [0])]), b.f64('iso_y0', [], [c.y[0]!])]);
    } else {
      const x = c.x.slice(0, K - 1);
      const w = x.map((v, i) => c.x[i + 1]! - v);
      const slope = w.map((wi, i) => (c.y[i + 1]! - c.y[i]!) / wi);
      const column = b.node('Unsqueeze', [p64, b.i64('calib_axes', [1], [1])]);
      const ramp = b.node('Min', [b.node('Max', [b.node('Sub', [column, b.f64('iso_x', [K - 1], x)]), b.f64('calib_zero', [], [0])]), b.f64('iso_w', [K - 1], w)]);
      const sum = b.node('ReduceSum', [b.node('Mul', [ramp, b.f64('iso_slope', [K - 1], slope)]), b.i64('calib_sum_axes', [1], [1])], [attr.int('keepdims', 0)]);
      q = b.node('Add', [sum, b.f64('iso_y0', [], [c.y[0]!])], [], { hint: 'p_isotonic' });
    }
  }
  return b.node('Cast', [q], [attr.int('to', DataType.FLOAT)], outOpts);
}
