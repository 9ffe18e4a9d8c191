/**
 * The calibration step of the training pipeline: after the ensemble weight is chosen, the headline
 * probability (the ensemble, or the GBDT alone) is calibrated on the validation units — the method
 * chosen by cross-validation grouped by unit unless the config names one — and the test units are
 * only scored with it.
 */
import type { CalibrationReport } from '../../../shared/calibration';
import { applyCalibration, chooseCalibration, fitCalibration, reliability } from '../eval/calibration';
import type { Calibration } from '../rul/types';

export type CalibrationSetting = 'auto' | Calibration['method'];

export interface CalibratedScores {
  readonly valid: Float64Array;
  readonly test?: Float64Array;
  readonly report: CalibrationReport;
}

export function calibrateHeadline(
  model: 'ensemble' | 'gbdt',
  weight: number,
  requested: CalibrationSetting,
  valid: { readonly p: Float64Array; readonly label: Uint8Array; readonly unit: ArrayLike<number> },
  test: { readonly p: Float64Array; readonly label: Uint8Array } | undefined,
  seed: number,
): CalibratedScores {
  const choice =
    requested === 'auto'
      ? chooseCalibration(valid.p, valid.label, valid.unit, { seed })
      : { calibration: fitCalibration(requested, valid.p, valid.label), chosenBy: 'config' as const, cv: [], folds: 0 };
  const params = choice.calibration;
  const cValid = applyCalibration(params, valid.p);
  const cTest = test === undefined ? undefined : applyCalibration(params, test.p);
  const figures = (v: Float64Array, t: Float64Array | undefined): Pick<CalibrationReport, 'ece' | 'reliability'> => {
    const rv = reliability(v, valid.label);
    const rt = t === undefined || test === undefined ? undefined : reliability(t, test.label);
    return { ece: { validation: rv.ece, test: rt?.ece ?? null }, reliability: { validation: rv.bins, test: rt?.bins ?? null } };
  };
  const report: CalibrationReport = {
    method: params.method,
    requested,
    chosenBy: choice.chosenBy,
    model,
    weight,
    params: params.method === 'isotonic' ? { method: 'isotonic', x: [...params.x], y: [...params.y] } : params,
    cv: choice.cv.map((c) => ({ ...c })),
    folds: choice.folds,
    ...figures(cValid, cTest),
    uncalibrated: figures(valid.p, test?.p),
  };
  return { valid: cValid, ...(cTest === undefined ? {} : { test: cTest }), report };
}
