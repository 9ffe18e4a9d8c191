import type { DatasetSummary } from '../../../../shared/schemas';
import { formatInteger, formatStat } from '../../lib/format';

function Figure(props: { label: string; value: string; testId: string; note?: string; title?: string }) {
  return (
    <div className="figure" title={props.title}>
      <dt className="figure__label">{props.label}</dt>
      <dd className="figure__value" data-testid={props.testId}>
        {props.value}
      </dd>
      {props.note !== undefined && <dd className="figure__note">{props.note}</dd>}
    </div>
  );
}

/** The headline figures of a dataset. */
export function SummaryFigures({ summary }: { summary: DatasetSummary }) {
  return (
    <dl className="figures" data-testid="dataset-summary">
      <Figure label="Rows" value={formatInteger(summary.rows)} testId="summary-rows" />
      <Figure label="Units" value={formatInteger(summary.units)} testId="summary-units" />
      <div className="figure figure--group">
        <dt className="figure__label">Cycles per unit</dt>
        <dd className="figure__triple">
          <span>
            <span className="figure__sub">min</span>
            <span className="figure__value" data-testid="summary-cycles-min">
              {formatInteger(summary.minCycles)}
            </span>
          </span>
          <span>
            <span className="figure__sub">median</span>
            <span className="figure__value" data-testid="summary-cycles-median">
              {formatStat(summary.medianCycles)}
            </span>
          </span>
          <span>
            <span className="figure__sub">max</span>
            <span className="figure__value" data-testid="summary-cycles-max">
              {formatInteger(summary.maxCycles)}
            </span>
          </span>
        </dd>
      </div>
      <Figure
        label="RUL file"
        value={summary.hasRul ? 'Yes' : 'No'}
        testId="summary-has-rul"
        note={summary.hasRul ? 'test set' : 'run to failure'}
      />
      <Figure
        label="Constant"
        value={formatInteger(summary.constantColumns.length)}
        testId="summary-constant-count"
        note={summary.constantColumns.length === 1 ? 'column' : 'columns'}
        title={summary.constantColumns.length === 0 ? undefined : `Constant: ${summary.constantColumns.join(', ')}`}
      />
    </dl>
  );
}
