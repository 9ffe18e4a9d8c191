import { useMemo, useState } from 'react';
import type { RunRulValue } from '../../../../shared/schemas';
import { EChart } from '../../components/EChart';
import { Segmented, type SegmentedOption } from '../../components/Segmented';
import { formatFixed, formatInteger } from '../../lib/format';
import { buildRulOption } from './rul-chart';

const MODEL_NAMES: Record<string, string> = { gbdt: 'GBDT', lstm: 'LSTM', ensemble: 'Ensemble' };
const ORDER = ['gbdt', 'lstm', 'ensemble'];
const SPLITS: readonly SegmentedOption<'validation' | 'test'>[] = [
  { value: 'validation', label: 'Validation' },
  { value: 'test', label: 'Test' },
];
type RulMetrics = RunRulValue['metrics'][string]['validation'];

function Row({ model, split, m }: { model: string; split: 'validation' | 'test'; m: RulMetrics | null }) {
  const prefix = `rul-${model}-${split}`;
  const label = split === 'validation' ? 'Validation' : 'Test';
  if (m === null) {
    return (
      <tr data-testid={`${prefix}-row`}>
        <th scope="row">{label}</th>
        <td colSpan={5} className="muted">
          — no test units
        </td>
      </tr>
    );
  }
  return (
    <tr data-testid={`${prefix}-row`}>
      <th scope="row">{label}</th>
      <td className="num" data-testid={`${prefix}-rmse`} data-value={m.rmse}>
        {formatFixed(m.rmse, 2)}
      </td>
      <td className="num" data-testid={`${prefix}-mae`} data-value={m.mae}>
        {formatFixed(m.mae, 2)}
      </td>
      <td className="num" data-testid={`${prefix}-phm08`} data-value={m.phm08}>
        {formatFixed(m.phm08, 1)}
      </td>
      <td className="num" data-testid={`${prefix}-coverage`} data-value={m.coverage ?? ''}>
        {m.coverage === null ? '—' : `${formatFixed(100 * m.coverage, 0)} %`}
      </td>
      <td className="num">{formatInteger(m.n)}</td>
    </tr>
  );
}

/** Remaining useful life: each model's scores and the headline model's predictions against the truth. */
export function RulPanel({ rul }: { rul: RunRulValue }) {
  const models = Object.keys(rul.metrics).sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
  const hasTest = rul.points.test.length > 0;
  const [split, setSplit] = useState<'validation' | 'test'>('validation');
  const option = useMemo(() => buildRulOption(rul.points[split], split, rul.cap), [rul, split]);
  const headline = rul.metrics.ensemble !== undefined ? 'Ensemble' : 'GBDT';
  return (
    <section className="panel" aria-labelledby="results-rul-title" data-testid="results-rul">
      <h2 className="panel__title" id="results-rul-title">
        Remaining useful life{' '}
        <span className="hint panel__title-note">
          target min(RUL, {formatInteger(rul.cap)}); {formatFixed(100 * rul.coverage, 0)} % conformal interval from the
          validation units; scored at one cut cycle per unit against the uncapped true RUL
          {rul.gbdtFeatures === undefined ? '' : `; GBDT on ${formatInteger(rul.gbdtFeatures)} features${rul.gbdtTrends === undefined || rul.gbdtTrends === 0 ? '' : `, ${formatInteger(rul.gbdtTrends)} of them trends since the start`}`}
          {rul.metrics.ensemble !== undefined ? `; ensemble weight ${formatFixed(rul.weight, 2)} on the GBDT` : ''}
        </span>
      </h2>
      <div className="results-pair">
        <table className="data-table compact-table" data-testid="results-rul-table">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col" className="num" title="Root mean squared error (cycles)">
                RMSE
              </th>
              <th scope="col" className="num" title="Mean absolute error (cycles)">
                MAE
              </th>
              <th
                scope="col"
                className="num"
                title="PHM08 score: Σ exp(−d/13) − 1 for early and exp(d/10) − 1 for late predictions, d = predicted − true; lower is better"
              >
                PHM08
              </th>
              <th scope="col" className="num" title="Share of units whose true RUL lies inside the interval">
                Coverage
              </th>
              <th scope="col" className="num">
                Units
              </th>
            </tr>
          </thead>
          {models.map((model) => (
            <tbody key={model}>
              <tr>
                <th scope="rowgroup" colSpan={6}>
                  {MODEL_NAMES[model] ?? model}
                </th>
              </tr>
              <Row model={model} split="validation" m={rul.metrics[model]!.validation} />
              <Row model={model} split="test" m={rul.metrics[model]!.test} />
            </tbody>
          ))}
        </table>
        <div>
          <Segmented
            legend={`${headline} RUL of the`}
            options={hasTest ? SPLITS : SPLITS.map((o) => ({ ...o, disabled: o.value === 'test' }))}
            value={split}
            onChange={setSplit}
            testId="results-rul-split"
          />
          <EChart
            option={option}
            height={340}
            testId="results-rul-chart"
            label={`Predicted against true remaining useful life of the ${split} units, with intervals`}
          />
        </div>
      </div>
    </section>
  );
}
