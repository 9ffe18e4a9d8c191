import type { ColumnStats } from '../../../../shared/schemas';
import { formatStat } from '../../lib/format';

const ROLE_LABELS: Record<ColumnStats['role'], string> = {
  unit: 'unit',
  cycle: 'cycle',
  setting: 'setting',
  sensor: 'sensor',
};

/** Per-column statistics; constant columns are flagged because they carry no information. */
export function ColumnStatsTable({ columns }: { columns: readonly ColumnStats[] }) {
  return (
    <div className="table-scroll">
      <table className="data-table" data-testid="column-stats">
        <thead>
          <tr>
            <th scope="col">Column</th>
            <th scope="col">Role</th>
            <th scope="col" className="num">
              Min
            </th>
            <th scope="col" className="num">
              Max
            </th>
            <th scope="col" className="num">
              Mean
            </th>
            <th scope="col" className="num">
              Std
            </th>
            <th scope="col">Note</th>
          </tr>
        </thead>
        <tbody>
          {columns.map((c) => (
            <tr
              key={c.name}
              className={c.constant ? 'is-constant' : undefined}
              data-testid="column-stat-row"
              data-column={c.name}
              data-constant={c.constant}
            >
              <th scope="row" title={c.original !== c.name ? `in the file: ${c.original}` : undefined}>
                {c.name}
              </th>
              <td>{ROLE_LABELS[c.role]}</td>
              <td className="num">{formatStat(c.min)}</td>
              <td className="num">{formatStat(c.max)}</td>
              <td className="num">{formatStat(c.mean)}</td>
              <td className="num">{formatStat(c.std)}</td>
              <td>{c.constant && <span className="tag tag--warning">constant</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
