import { useMemo } from 'react';
import type { CalibrationReport } from '../../../../shared/calibration';
import { EChart } from '../../components/EChart';
import { formatFixed, formatScore } from '../../lib/format';
import { buildReliabilityOption } from './calibration-chart';

const MODEL_NAMES: Record<string, string> = { gbdt: 'GBDT', ensemble: 'ensemble' };

function describe(c: CalibrationReport): string {
  const model = MODEL_NAMES[c.model] ?? c.model;
  const chosen =
    c.chosenBy === 'cv'
      ? `chosen by ${c.folds}-fold cross-validation over the validation units (lowest held-out log-loss)`
      : 'as the training config asked';
  switch (c.params.method) {
    case 'none':
      return `The ${model} probability is used as it is: no calibration, ${chosen}.`;
    case 'platt':
      return `Platt scaling of the ${model} probability, p′ = σ(${formatFixed(c.params.a, 3)}·logit(p) ${c.params.b < 0 ? '−' : '+'} ${formatFixed(Math.abs(c.params.b), 3)}), fitted on the validation units, ${chosen}.`;
    case 'isotonic':
      return `Isotonic regression of the ${model} probability (${c.params.x.length} knots), fitted on the validation units, ${chosen}.`;
  }
}

/** The calibration of the run's headline probability: method, ECE and the reliability diagram. */
export function CalibrationPanel({ calibration: c }: { calibration: CalibrationReport }) {
  const option = useMemo(() => buildReliabilityOption(c), [c]);
  const row = (label: string, split: 'validation' | 'test') => (
    <tr data-testid={`calibration-ece-${split}`}>
      <th scope="row">{label}</th>
      <td className="num" data-testid={`calibration-ece-${split}-value`} data-value={c.ece[split] ?? ''}>
        {formatScore(c.ece[split])}
      </td>
      <td className="num">{formatScore(c.uncalibrated.ece[split])}</td>
    </tr>
  );
  return (
    <section className="panel" aria-labelledby="calibration-title" data-testid="calibration-panel" data-method={c.method}>
      <h2 className="panel__title" id="calibration-title">
        Calibration <span className="hint panel__title-note">does a predicted 0.3 fail 30 % of the time?</span>
      </h2>
      <p className="hint" data-testid="calibration-method">
        {describe(c)}
      </p>
      <div className="results-pair">
        <EChart
          option={option}
          height={320}
          testId="reliability-chart"
          label="Reliability diagram: observed failure frequency against mean predicted probability, per bin"
        />
        <div>
          <table className="data-table compact-table" data-testid="calibration-ece">
            <thead>
              <tr>
                <th scope="col">Expected calibration error</th>
                <th scope="col" className="num">
                  Calibrated
                </th>
                <th scope="col" className="num">
                  Before
                </th>
              </tr>
            </thead>
            <tbody>
              {row('Validation', 'validation')}
              {row('Test', 'test')}
            </tbody>
          </table>
          <p className="hint">
            ECE: rows put in 10 equal-width bins of predicted probability; the mean gap between predicted and observed
            frequency, weighted by the rows in each bin. Validation figures are in-sample for the calibration; the test
            units played no part in it.
          </p>
        </div>
      </div>
    </section>
  );
}
