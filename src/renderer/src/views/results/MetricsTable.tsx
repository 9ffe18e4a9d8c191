import type { MetricsValue, RunDetail } from '../../../../shared/schemas';
import { formatInteger, formatScore } from '../../lib/format';
import { METRIC_COLUMNS, whyMissing } from './metric-notes';

const MODEL_NAMES: Record<string, string> = { gbdt: 'GBDT', lstm: 'LSTM', ensemble: 'Ensemble' };

function MetricsRow(props: {
  model: string;
  split: 'validation' | 'test';
  m: MetricsValue | null;
  testSplitEmpty: boolean;
}) {
  const { model, split, m } = props;
  const label = split === 'validation' ? 'Validation' : 'Test';
  const prefix = `metric-${model}-${split}`;
  if (m === null) {
    const why = props.testSplitEmpty
      ? 'No test units: the split gives the test part 0 units.'
      : 'No test metrics were recorded for this run.';
    return (
      <tr data-testid={`${prefix}-row`}>
        <th scope="row">{label}</th>
        <td colSpan={METRIC_COLUMNS.length + 3} className="muted" title={why}>
          — {why}
        </td>
      </tr>
    );
  }
  return (
    <tr data-testid={`${prefix}-row`}>
      <th scope="row">{label}</th>
      {METRIC_COLUMNS.map((c) => {
        const v = m[c.key];
        return (
          <td
            key={c.key}
            className={c.key === 'f2' ? 'num metrics-table__headline' : 'num'}
            title={v === null ? whyMissing(c.key, m) : undefined}
            data-testid={`${prefix}-${c.key}`}
            data-value={v ?? ''}
          >
            {formatScore(v)}
          </td>
        );
      })}
      <td className="num" data-testid={`${prefix}-n`}>
        {formatInteger(m.n)}
      </td>
      <td className="num" data-testid={`${prefix}-positives`}>
        {formatInteger(m.positives)}
      </td>
      <td className="num muted" title="Failure rows as a share of all rows">
        {m.n === 0 ? '—' : `${((100 * m.positives) / m.n).toFixed(1)} %`}
      </td>
    </tr>
  );
}

/** Validation and test figures of each model at the tuned threshold. */
export function MetricsTable({ run }: { run: RunDetail }) {
  const models = Object.keys(run.metrics);
  return (
    <div className="table-scroll">
      <table className="data-table metrics-table" data-testid="metrics-table">
        <thead>
          <tr>
            <th scope="col">Split</th>
            {METRIC_COLUMNS.map((c) => (
              <th key={c.key} scope="col" className="num" title={c.title}>
                {c.label}
              </th>
            ))}
            <th scope="col" className="num" title="Evaluation rows (rows with a full history window)">
              Rows
            </th>
            <th scope="col" className="num" title="Failure rows: RUL ≤ W">
              Positives
            </th>
            <th scope="col" className="num" title="Failure rows as a share of all rows">
              Rate
            </th>
          </tr>
        </thead>
        {models.map((model) => {
          const entry = run.metrics[model];
          if (entry === undefined) return null;
          return (
            <tbody key={model}>
              {models.length > 1 && (
                <tr>
                  <th colSpan={METRIC_COLUMNS.length + 4} className="metrics-table__model">
                    {MODEL_NAMES[model] ?? model}
                  </th>
                </tr>
              )}
              <MetricsRow model={model} split="validation" m={entry.validation} testSplitEmpty={false} />
              <MetricsRow model={model} split="test" m={entry.test} testSplitEmpty={run.units.test === 0} />
            </tbody>
          );
        })}
      </table>
    </div>
  );
}
