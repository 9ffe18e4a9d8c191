import { useMemo, useState } from 'react';
import type { ColumnDrift } from '../../../../shared/drift';
import { formatStat } from '../../lib/format';
import { METHOD_SHORT, DEFAULT_SORT, barFraction, exceedance, nextSort, sortColumns, type SortKey, type SortState } from './drift-model';

const HEADERS: ReadonlyArray<{ key: SortKey; label: string; num: boolean; title: string }> = [
  { key: 'name', label: 'Name', num: false, title: 'The column’s name as the run lists it' },
  { key: 'method', label: 'Method', num: false, title: 'The method that decides (Auto resolves per column)' },
  { key: 'score', label: 'Score', num: true, title: 'The method’s effect size (KS: the statistic D)' },
  { key: 'threshold', label: 'Threshold', num: true, title: 'KS: on the p-value; the others: on the score' },
  { key: 'pValue', label: 'p-value', num: true, title: 'KS only: the two-sample p-value beside its statistic' },
  { key: 'exceedance', label: 'Against threshold', num: false, title: 'The mark is the threshold; past it the column drifts' },
  { key: 'drifted', label: 'Drifted', num: false, title: 'Whether the column drifts under this rule' },
];

function ScoreBar({ c }: { c: ColumnDrift }) {
  const f = barFraction(c);
  const e = exceedance(c);
  return (
    <span className="drift-bar" title={`${Number.isFinite(e) ? e.toFixed(2) : '∞'} × the threshold`}>
      <span className="drift-bar__track">
        <span className={c.drifted ? 'drift-bar__fill drift-bar__fill--drift' : 'drift-bar__fill'} style={{ width: `${(f * 100).toFixed(1)}%` }} />
        <span className="drift-bar__mark" aria-hidden="true" />
      </span>
    </span>
  );
}

/** The per-column verdicts under the rule in force, sortable; a click on a row selects its column. */
export function ColumnTable(props: {
  columns: readonly ColumnDrift[];
  selected: string | null;
  onSelect: (name: string) => void;
  testId: string;
  /** a column or feature id in the dataset's sensor names (`s11_mean_10` → `Ps30 mean (10 cycles)`) */
  label?: (name: string) => string;
}) {
  const label = props.label ?? ((name: string) => name);
  const [sort, setSort] = useState<SortState>(DEFAULT_SORT);
  const rows = useMemo(() => sortColumns(props.columns, sort), [props.columns, sort]);
  if (props.columns.length === 0) return <p className="muted drift-table__empty">No columns in this report.</p>;
  return (
    <div className="table-scroll drift-table" data-testid={props.testId} data-sort={`${sort.key}:${sort.descending ? 'desc' : 'asc'}`}>
      <table className="data-table">
        <thead>
          <tr>
            {HEADERS.map((h) => (
              <th
                key={h.key}
                scope="col"
                className={h.num ? 'num' : undefined}
                aria-sort={sort.key === h.key ? (sort.descending ? 'descending' : 'ascending') : 'none'}
                title={h.title}
              >
                <button
                  type="button"
                  className={sort.key === h.key ? 'drift-table__sort is-active' : 'drift-table__sort'}
                  onClick={() => setSort((s) => nextSort(s, h.key))}
                  data-testid={`${props.testId}-sort-${h.key}`}
                >
                  {h.label}
                  <span className="drift-table__arrow" aria-hidden="true">
                    {sort.key === h.key ? (sort.descending ? '▼' : '▲') : ''}
                  </span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr
              key={c.name}
              className={[c.name === props.selected ? 'is-chosen' : '', c.drifted ? 'is-drifted' : ''].filter(Boolean).join(' ') || undefined}
              onClick={() => props.onSelect(c.name)}
              data-testid={`${props.testId}-row`}
              data-name={c.name}
              data-drifted={c.drifted}
              data-method={c.method}
              data-score={c.score}
              data-threshold={c.threshold}
            >
              <th scope="row" className="drift-table__name">
                <button
                  type="button"
                  className="drift-table__pick"
                  onClick={(e) => {
                    e.stopPropagation();
                    props.onSelect(c.name);
                  }}
                  title={`Show the distributions of ${label(c.name) === c.name ? c.name : `${label(c.name)} (${c.name})`}`}
                  aria-pressed={c.name === props.selected}
                >
                  {label(c.name)}
                </button>
              </th>
              <td>{METHOD_SHORT[c.method]}</td>
              <td className="num">{formatStat(c.score)}</td>
              <td className="num">{formatStat(c.threshold)}</td>
              <td className="num">{c.method === 'ks' && c.pValue !== undefined ? formatStat(c.pValue) : <span className="muted">—</span>}</td>
              <td className="drift-table__bar">
                <ScoreBar c={c} />
              </td>
              <td>
                {c.drifted ? (
                  <span className="alert-badge" data-testid="drift-badge">
                    drift
                  </span>
                ) : (
                  <span className="muted">no</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
