import type { ColumnStats } from '../../../../shared/schemas';
import { formatStat } from '../../lib/format';
import type { SensorLabels } from '../../../../shared/sensor-catalogue';

const ROLE_LABELS: Record<ColumnStats['role'], string> = {
  unit: 'unit',
  cycle: 'cycle',
  setting: 'operating setting',
  sensor: 'sensor',
};

/** Per-column statistics; constant columns are flagged because they carry no information. */
export function ColumnStatsTable({ columns, labels }: { columns: readonly ColumnStats[]; labels?: SensorLabels }) {
  return (
    <div className="table-scroll">
      <table className="data-table" data-testid="column-stats">
        <thead>
          <tr>
            <th scope="col">Column</th>
            <th scope="col">Name</th>
            <th scope="col">Unit</th>
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
              <td title={labels?.entry(c.name)?.quantity}>{labels?.entry(c.name)?.name ?? ''}</td>
              <td>{labels?.unit(c.name) ?? ''}</td>
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
