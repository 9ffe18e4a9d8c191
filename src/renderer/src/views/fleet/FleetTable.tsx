import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useMemo, useRef, useState, type CSSProperties } from 'react';
import { formatFixed, formatInteger } from '../../lib/format';
import { rulText, type Outcome, type RankedUnit } from './fleet-summary';
import { unitColor } from './risk-chart-option';

type SortKey = 'rank' | 'unit' | 'cycle' | 'gbdt' | 'lstm' | 'rul' | 'trueRul';

const ROW_HEIGHT = 30;
export const MAX_PLOTTED = 20;

const OUTCOME_LABELS: Record<Outcome, string> = {
  'true-alert': 'True alert',
  'false-alarm': 'False alarm',
  missed: 'Missed',
  quiet: 'No alert, no failure',
};

function outcomeTitle(o: Outcome, w: number): string {
  switch (o) {
    case 'true-alert':
      return `Alert, and the unit fails within ${w} cycles`;
    case 'false-alarm':
      return `Alert, but the unit runs more than ${w} more cycles`;
    case 'missed':
      return `No alert, yet the unit fails within ${w} cycles`;
    case 'quiet':
      return `No alert, and the unit runs more than ${w} more cycles`;
  }
}

interface Column {
  readonly key: SortKey | 'plot' | 'risk' | 'alert' | 'outcome';
  readonly label: string;
  readonly title: string;
  readonly width: number;
  readonly grow?: boolean;
  readonly num?: boolean;
  /** sorted descending first */
  readonly descending?: boolean;
}

/** The leading columns that name the unit stay in place when the table scrolls sideways. */
const PINNED: ReadonlySet<Column['key']> = new Set<Column['key']>(['plot', 'rank', 'unit']);

/** Each pinned column's offset from the left edge (the widths of the pinned columns before it). */
function pinnedOffsets(columns: readonly Column[]): Map<Column['key'], number> {
  const out = new Map<Column['key'], number>();
  let left = 0;
  for (const c of columns) {
    if (!PINNED.has(c.key)) break;
    out.set(c.key, left);
    left += c.width;
  }
  return out;
}

/** The cell's size, and for a pinned column its sticky offset. */
function cellStyle(c: Column, pinned: ReadonlyMap<Column['key'], number>): CSSProperties {
  const size = c.grow === true ? { flex: '1 1 auto', minWidth: c.width } : { width: c.width };
  const left = pinned.get(c.key);
  return left === undefined ? size : { ...size, left };
}

/** The pinned class, and on the last pinned column the edge that marks where the others slide under. */
function pinClass(c: Column, pinned: ReadonlyMap<Column['key'], number>): string {
  if (!pinned.has(c.key)) return '';
  const last = [...pinned.keys()].pop();
  return c.key === last ? ' vtable__cell--pinned vtable__cell--pin-edge' : ' vtable__cell--pinned';
}

function sortValue(u: RankedUnit, key: SortKey): number | undefined {
  switch (key) {
    case 'rank':
      return u.rank;
    case 'unit':
      return u.unit;
    case 'cycle':
      return u.cycle;
    case 'gbdt':
      return u.parts.gbdt;
    case 'lstm':
      return u.parts.lstm;
    case 'rul':
      return u.rul;
    case 'trueRul':
      return u.trueRul;
  }
}

interface RowProps {
  u: RankedUnit;
  index: number;
  start: number;
  columns: readonly Column[];
  pinned: ReadonlyMap<Column['key'], number>;
  plotIndex: number;
  canPlotMore: boolean;
  /** the first unit below the alert threshold in risk order */
  belowCut: boolean;
  labelWindow: number;
  /** nominal coverage of the RUL intervals */
  rulCoverage: number | undefined;
  onTogglePlot: (unit: number) => void;
}

const FleetRow = memo(function FleetRow(p: RowProps) {
  const { u } = p;
  const plotted = p.plotIndex >= 0;
  const cells = p.columns.map((c) => {
    const style = cellStyle(c, p.pinned);
    const pin = pinClass(c, p.pinned);
    const cls = `vtable__cell${c.num === true ? ' vtable__cell--num' : ''}${pin}`;
    switch (c.key) {
      case 'plot':
        return (
          <div key={c.key} className={`vtable__cell vtable__cell--check${pin}`} role="cell" style={style}>
            <input
              type="checkbox"
              checked={plotted}
              disabled={!plotted && !p.canPlotMore}
              onChange={() => p.onTogglePlot(u.unit)}
              aria-label={`Plot unit ${u.unit}`}
              title={!plotted && !p.canPlotMore ? `At most ${MAX_PLOTTED} units can be plotted` : undefined}
              data-testid={`fleet-plot-${u.unit}`}
            />
            {plotted && <span className="swatch" style={{ background: unitColor(p.plotIndex) }} aria-hidden="true" />}
          </div>
        );
      case 'rank':
        return (
          <div key={c.key} className={cls} role="cell" style={style} data-testid="fleet-rank">
            {formatInteger(u.rank)}
          </div>
        );
      case 'unit':
        return (
          <div key={c.key} className={`${cls} vtable__cell--strong`} role="cell" style={style} data-testid="fleet-unit">
            {u.unit}
          </div>
        );
      case 'cycle':
        return (
          <div key={c.key} className={cls} role="cell" style={style}>
            {formatInteger(u.cycle)}
          </div>
        );
      case 'risk':
        return (
          <div key={c.key} className="vtable__cell risk-cell" role="cell" style={style}>
            <span className="risk-cell__track" aria-hidden="true">
              <span
                className={u.alert ? 'risk-cell__bar risk-cell__bar--alert' : 'risk-cell__bar'}
                style={{ width: `${Math.max(0, Math.min(1, u.probability)) * 100}%` }}
              />
            </span>
            <span className="risk-cell__value" data-testid="fleet-probability">
              {formatFixed(u.probability, 4)}
            </span>
          </div>
        );
      case 'alert':
        return (
          <div key={c.key} className="vtable__cell" role="cell" style={style}>
            {u.alert && (
              <span className="alert-badge" data-testid="fleet-alert-badge">
                Alert
              </span>
            )}
          </div>
        );
      case 'gbdt':
        return (
          <div key={c.key} className={cls} role="cell" style={style} data-testid="fleet-part-gbdt">
            {formatFixed(u.parts.gbdt, 4)}
          </div>
        );
      case 'lstm':
        return (
          <div key={c.key} className={cls} role="cell" style={style} data-testid="fleet-part-lstm">
            {formatFixed(u.parts.lstm, 4)}
          </div>
        );
      case 'rul':
        return (
          <div
            key={c.key}
            className={cls}
            role="cell"
            style={style}
            data-testid="fleet-rul"
            data-rul={u.rul}
            data-rul-low={u.rulLow}
            data-rul-high={u.rulHigh}
            title={
              u.rul === undefined
                ? undefined
                : `Predicted ${formatFixed(u.rul, 1)} cycles; ${p.rulCoverage === undefined ? '' : `${Math.round(p.rulCoverage * 100)} % `}interval ${formatFixed(u.rulLow, 1)} to ${formatFixed(u.rulHigh, 1)}`
            }
          >
            {rulText(u)}
          </div>
        );
      case 'trueRul':
        return (
          <div
            key={c.key}
            className={`${cls}${u.trueRul !== undefined && u.trueRul <= p.labelWindow ? ' vtable__cell--failing' : ''}`}
            role="cell"
            style={style}
            data-testid="fleet-true-rul"
          >
            {u.trueRul === undefined ? '—' : formatInteger(u.trueRul)}
          </div>
        );
      case 'outcome':
        return (
          <div key={c.key} className="vtable__cell" role="cell" style={style}>
            {u.outcome !== null && u.outcome !== 'quiet' && (
              <span className={`outcome outcome--${u.outcome}`} title={outcomeTitle(u.outcome, p.labelWindow)}>
                {OUTCOME_LABELS[u.outcome]}
              </span>
            )}
          </div>
        );
    }
  });
  return (
    <div
      className={[
        'vtable__row',
        p.index % 2 === 1 ? 'vtable__row--odd' : '',
        u.alert ? 'is-alert' : '',
        plotted ? 'is-plotted' : '',
        p.belowCut ? 'vtable__row--cut' : '',
      ]
        .filter((c) => c !== '')
        .join(' ')}
      role="row"
      aria-rowindex={p.index + 2}
      style={{ height: ROW_HEIGHT, transform: `translateY(${p.start}px)` }}
      data-testid="fleet-row"
      data-unit={u.unit}
      data-rank={u.rank}
      data-probability={u.probability}
      data-alert={u.alert}
      data-outcome={u.outcome ?? ''}
      title={p.belowCut ? 'Units from here on are below the alert threshold' : undefined}
    >
      {cells}
    </div>
  );
});

/**
 * The scored units, virtualised so a fleet of thousands scrolls smoothly: ranked by risk, sortable,
 * filterable to alerts, with a checkbox per unit that adds it to the chart.
 */
export function FleetTable(props: {
  ranked: readonly RankedUnit[];
  labelWindow: number;
  rulCoverage?: number;
  plotted: readonly number[];
  onTogglePlot: (unit: number) => void;
}) {
  const { ranked, labelWindow, rulCoverage, plotted, onTogglePlot } = props;
  const hasLstm = useMemo(() => ranked.some((u) => u.parts.lstm !== undefined), [ranked]);
  const hasPredictedRul = useMemo(() => ranked.some((u) => u.rul !== undefined), [ranked]);
  const hasRul = useMemo(() => ranked.some((u) => u.trueRul !== undefined), [ranked]);
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 'rank', descending: false });
  const [alertsOnly, setAlertsOnly] = useState(false);
  const [find, setFind] = useState('');
  const scrollRef = useRef<HTMLDivElement>(null);

  const columns = useMemo<Column[]>(() => {
    const cols: Column[] = [
      { key: 'plot', label: 'Plot', title: 'Plot the unit’s risk over its cycles', width: 52 },
      { key: 'rank', label: 'Rank', title: 'Position by failure-risk probability (1 = highest)', width: 64, num: true },
      { key: 'unit', label: 'Unit', title: 'Unit (engine) number', width: 64, num: true },
      {
        key: 'cycle',
        label: 'Last cycle',
        title: 'The unit’s latest cycle: where it was scored',
        width: 88,
        num: true,
        descending: true,
      },
      {
        key: 'risk',
        label: 'Failure risk',
        title: `Probability that the unit fails within ${labelWindow} cycles`,
        width: 200,
        grow: true,
      },
      { key: 'alert', label: 'Alert', title: 'Probability at or above the threshold', width: 72 },
      {
        key: 'gbdt',
        label: 'GBDT',
        title: 'The GBDT’s probability (its part of the ensemble)',
        width: 84,
        num: true,
        descending: true,
      },
    ];
    if (hasLstm)
      cols.push({
        key: 'lstm',
        label: 'LSTM',
        title: 'The LSTM’s probability (its part of the ensemble)',
        width: 84,
        num: true,
        descending: true,
      });
    if (hasPredictedRul)
      cols.push({
        key: 'rul',
        label: 'RUL',
        title: `Predicted remaining useful life in cycles, with its ${rulCoverage === undefined ? '' : `${Math.round(rulCoverage * 100)} % `}interval`,
        width: 116,
        num: true,
      });
    if (hasRul) {
      cols.push({
        key: 'trueRul',
        label: 'True RUL',
        title: `Remaining cycles after the last one, from the RUL file (≤ ${labelWindow}: fails within the label window)`,
        width: 84,
        num: true,
      });
      cols.push({ key: 'outcome', label: 'Outcome', title: 'The alert against the true RUL', width: 112 });
    }
    return cols;
  }, [hasLstm, hasPredictedRul, hasRul, labelWindow, rulCoverage]);

  const rows = useMemo(() => {
    const f = find.trim();
    const shown = ranked.filter((u) => (!alertsOnly || u.alert) && (f === '' || String(u.unit).startsWith(f)));
    const dir = sort.descending ? -1 : 1;
    return shown.sort((a, b) => {
      const va = sortValue(a, sort.key);
      const vb = sortValue(b, sort.key);
      if (va === undefined && vb === undefined) return a.rank - b.rank;
      if (va === undefined) return 1;
      if (vb === undefined) return -1;
      return dir * (va - vb) || a.rank - b.rank;
    });
  }, [ranked, alertsOnly, find, sort]);

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });

  const byRisk = sort.key === 'rank' && !sort.descending;
  const plotIndex = useMemo(() => new Map(plotted.map((u, i) => [u, i])), [plotted]);
  const canPlotMore = plotted.length < MAX_PLOTTED;
  const minWidth = columns.reduce((s, c) => s + c.width, 0);
  const pinned = useMemo(() => pinnedOffsets(columns), [columns]);

  return (
    <div className="vtable">
      <div className="vtable__tools">
        <input
          type="search"
          inputMode="numeric"
          className="input input--small vtable__find"
          placeholder="Find unit"
          aria-label="Find a unit by number"
          value={find}
          onChange={(e) => setFind(e.target.value)}
          data-testid="fleet-find"
        />
        <label className="check">
          <input
            type="checkbox"
            checked={alertsOnly}
            onChange={(e) => setAlertsOnly(e.target.checked)}
            data-testid="fleet-alerts-only"
          />
          Alerts only
        </label>
        <span className="hint vtable__count" data-testid="fleet-shown">
          {rows.length === ranked.length
            ? `${formatInteger(rows.length)} units`
            : `${formatInteger(rows.length)} of ${formatInteger(ranked.length)} units`}
        </span>
      </div>
      <div
        className="vtable__scroll"
        ref={scrollRef}
        role="table"
        aria-label="Units ranked by failure risk"
        aria-rowcount={rows.length + 1}
        tabIndex={0}
        data-testid="fleet-table"
      >
        <div style={{ minWidth }}>
          <div className="vtable__header" role="row" aria-rowindex={1}>
            {columns.map((c) => {
              const style = cellStyle(c, pinned);
              const key: SortKey | null =
                c.key === 'plot' || c.key === 'risk' || c.key === 'alert' || c.key === 'outcome' ? null : c.key;
              const active = key !== null && sort.key === key;
              return (
                <div
                  key={c.key}
                  className={`vtable__cell${c.num === true ? ' vtable__cell--num' : ''}${pinClass(c, pinned)}`}
                  role="columnheader"
                  aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : undefined}
                  style={style}
                >
                  {key === null ? (
                    <span className="vtable__label" title={c.title}>
                      {c.label}
                    </span>
                  ) : (
                    <button
                      type="button"
                      className={active ? 'vtable__sort is-active' : 'vtable__sort'}
                      title={c.title}
                      onClick={() =>
                        setSort((s) =>
                          s.key === key
                            ? { key, descending: !s.descending }
                            : { key, descending: c.descending === true },
                        )
                      }
                      data-testid={`fleet-sort-${c.key}`}
                    >
                      {c.label}
                      <span aria-hidden="true" className="vtable__arrow">
                        {active ? (sort.descending ? '▼' : '▲') : ''}
                      </span>
                    </button>
                  )}
                </div>
              );
            })}
          </div>
          <div className="vtable__body" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => {
              const u = rows[item.index];
              if (u === undefined) return null;
              return (
                <FleetRow
                  key={u.unit}
                  u={u}
                  index={item.index}
                  start={item.start}
                  columns={columns}
                  pinned={pinned}
                  plotIndex={plotIndex.get(u.unit) ?? -1}
                  canPlotMore={canPlotMore}
                  belowCut={byRisk && !u.alert && rows[item.index - 1]?.alert === true}
                  labelWindow={labelWindow}
                  rulCoverage={rulCoverage}
                  onTogglePlot={onTogglePlot}
                />
              );
            })}
          </div>
          {rows.length === 0 && (
            <p className="empty vtable__empty">{alertsOnly ? 'No unit is on alert.' : 'No unit matches.'}</p>
          )}
        </div>
      </div>
    </div>
  );
}
