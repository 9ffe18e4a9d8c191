import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useMemo, useRef, useState } from 'react';
import type { FeatureRanking } from '../../../../shared/schemas';
import { MiddleTruncate } from '../../components/MiddleTruncate';
import { formatFixed, formatInteger } from '../../lib/format';
import type { SensorLabels } from '../../../../shared/sensor-catalogue';

type FeatureRow = FeatureRanking['features'][number];

export type SortKey =
  | 'rank'
  | 'name'
  | 'combined'
  | 'mutualInfo'
  | 'spearman'
  | 'monotonicity'
  | 'trendability'
  | 'prognosability'
  | 'gain';

interface Column {
  key: SortKey;
  label: string;
  title: string;
  width: number;
  /** sorted ascending first (lower is better) */
  ascending: boolean;
  value: (f: FeatureRow) => number | string | undefined;
  format: (f: FeatureRow) => string;
}

const COLUMNS: readonly Column[] = [
  {
    key: 'rank',
    label: 'Rank',
    title: 'Position by the combined score (1 = best)',
    width: 74,
    ascending: true,
    value: (f) => f.rank,
    format: (f) => formatInteger(f.rank),
  },
  {
    key: 'name',
    label: 'Feature',
    title: 'Engineered feature (hover a name for its formula; click it to plot its trend)',
    width: 0,
    ascending: true,
    value: (f) => f.name,
    format: (f) => f.name,
  },
  {
    key: 'combined',
    label: 'Combined',
    title: 'Weighted mean of the per-metric ranks (lower is better)',
    width: 100,
    ascending: true,
    value: (f) => f.combined,
    format: (f) => formatFixed(f.combined, 2),
  },
  {
    key: 'mutualInfo',
    label: 'Mutual info',
    title: 'Mutual information with the failure label, in nats (higher is better)',
    width: 106,
    ascending: false,
    value: (f) => f.mutualInfo,
    format: (f) => formatFixed(f.mutualInfo, 4),
  },
  {
    key: 'spearman',
    label: '|Spearman|',
    title: 'Absolute Spearman correlation with RUL (higher is better); hover a value for its sign',
    width: 106,
    ascending: false,
    value: (f) => f.spearman,
    format: (f) => formatFixed(f.spearman, 3),
  },
  {
    key: 'monotonicity',
    label: 'Monotonicity',
    title: 'Mean over units of |#increases − #decreases| / (n − 1) (higher is better)',
    width: 118,
    ascending: false,
    value: (f) => f.monotonicity,
    format: (f) => formatFixed(f.monotonicity, 3),
  },
  {
    key: 'trendability',
    label: 'Trendability',
    title: 'Smallest |correlation| between the trajectories of two units (higher is better)',
    width: 114,
    ascending: false,
    value: (f) => f.trendability,
    format: (f) => formatFixed(f.trendability, 3),
  },
  {
    key: 'prognosability',
    label: 'Prognosability',
    title: 'exp(−spread of the value at failure / mean travel from start to failure) (higher is better)',
    width: 126,
    ascending: false,
    value: (f) => f.prognosability,
    format: (f) => formatFixed(f.prognosability, 3),
  },
  {
    key: 'gain',
    label: 'Gain',
    title: 'Total split gain in a quick GBDT fit (higher is better); — when the ranking ran without it',
    width: 110,
    ascending: false,
    value: (f) => f.gain,
    format: (f) => formatFixed(f.gain, 1),
  },
];

export const SORT_LABELS: Record<SortKey, string> = Object.fromEntries(COLUMNS.map((c) => [c.key, c.label])) as Record<
  SortKey,
  string
>;

const ROW_HEIGHT = 28;
const CHECK_WIDTH = 36;
const NAME_MIN_WIDTH = 180;

function compare(a: number | string | undefined, b: number | string | undefined): number {
  if (a === undefined && b === undefined) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  if (typeof a === 'string' || typeof b === 'string')
    return String(a).localeCompare(String(b), 'en', { numeric: true });
  return a - b;
}

interface RowProps {
  feature: FeatureRow;
  index: number;
  start: number;
  selected: boolean;
  focused: boolean;
  formula: string;
  /** the feature in the analyst's words: `T24 mean (30 cycles)` */
  label: string;
  lockLast: boolean;
  onToggle: (name: string) => void;
  onFocus: (name: string) => void;
}

const RankingRow = memo(function RankingRow(p: RowProps) {
  const f = p.feature;
  return (
    <div
      className={[
        'ranking__row',
        p.index % 2 === 1 ? 'ranking__row--odd' : '',
        p.selected ? 'is-selected' : '',
        p.focused ? 'is-focused' : '',
      ]
        .filter((c) => c !== '')
        .join(' ')}
      role="row"
      aria-rowindex={p.index + 2}
      aria-selected={p.selected}
      style={{ height: ROW_HEIGHT, transform: `translateY(${p.start}px)` }}
      data-testid="ranking-row"
      data-feature={f.name}
      data-rank={f.rank}
      data-selected={p.selected}
    >
      <div className="ranking__cell ranking__cell--check" role="cell" style={{ width: CHECK_WIDTH }}>
        <input
          type="checkbox"
          checked={p.selected}
          disabled={p.selected && p.lockLast}
          onChange={() => p.onToggle(f.name)}
          aria-label={`Use ${p.label} for training`}
          data-testid={`ranking-pick-${f.name}`}
        />
      </div>
      {COLUMNS.map((c) =>
        c.key === 'name' ? (
          <div
            key={c.key}
            className="ranking__cell ranking__cell--name"
            role="cell"
            style={{ minWidth: NAME_MIN_WIDTH }}
          >
            <button
              type="button"
              className="ranking__name"
              title={`${p.label} (${f.name})\n${p.formula}`}
              onClick={() => p.onFocus(f.name)}
              data-testid="ranking-feature-name"
            >
              <MiddleTruncate text={p.label} title={`${p.label} (${f.name})\n${p.formula}`} />
            </button>
          </div>
        ) : (
          <div
            key={c.key}
            className="ranking__cell ranking__cell--num"
            role="cell"
            style={{ width: c.width }}
            title={c.key === 'spearman' ? `signed ρ = ${formatFixed(f.spearmanSigned, 3)}` : undefined}
          >
            {c.format(f)}
          </div>
        ),
      )}
    </div>
  );
});

/**
 * Every ranked feature, virtualised, sortable by each metric, with a checkbox per feature that adds
 * it to (or removes it from) the training selection.
 */
export function RankingTable(props: {
  ranking: FeatureRanking;
  selected: ReadonlySet<string>;
  focused: string | null;
  onToggle: (name: string) => void;
  onFocus: (name: string) => void;
  /** display names of the dataset's sensors */
  labels?: SensorLabels;
}) {
  const { ranking, selected, focused, onToggle, onFocus, labels } = props;
  const [sort, setSort] = useState<{ key: SortKey; ascending: boolean }>({ key: 'rank', ascending: true });
  const [filter, setFilter] = useState('');
  const [onlySelected, setOnlySelected] = useState(false);
  const scrollRef = useRef<HTMLDivElement>(null);

  const formulas = useMemo(() => new Map(ranking.defs.map((d) => [d.name, d.formula])), [ranking]);
  const rows = useMemo(() => {
    const column = COLUMNS.find((c) => c.key === sort.key) ?? COLUMNS[0]!;
    const f = filter.trim().toLowerCase();
    const shown = ranking.features.filter(
      (r) =>
        (f === '' || r.name.toLowerCase().includes(f) || (labels?.featureWithUnit(r.name).toLowerCase().includes(f) ?? false)) &&
        (!onlySelected || selected.has(r.name)),
    );
    const dir = sort.ascending ? 1 : -1;
    return shown.sort((a, b) => {
      const va = column.value(a);
      const vb = column.value(b);
      // features without a value sort last in either direction
      if (va === undefined || vb === undefined) return compare(va, vb);
      return dir * compare(va, vb) || a.rank - b.rank;
    });
  }, [ranking, sort, filter, onlySelected, selected, labels]);

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });

  const fixedWidth = CHECK_WIDTH + COLUMNS.reduce((s, c) => s + c.width, 0);
  const lockLast = selected.size <= 1;

  return (
    <div className="ranking">
      <div className="ranking__tools">
        <input
          type="search"
          className="input input--small ranking__filter"
          placeholder="Filter features (e.g. s11, slope, _30)"
          aria-label="Filter features by name"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          data-testid="ranking-filter"
        />
        <label className="check">
          <input
            type="checkbox"
            checked={onlySelected}
            onChange={(e) => setOnlySelected(e.target.checked)}
            data-testid="ranking-only-selected"
          />
          Selected only
        </label>
        <span className="hint ranking__count" data-testid="ranking-shown">
          {rows.length === ranking.features.length
            ? `${formatInteger(rows.length)} features`
            : `${formatInteger(rows.length)} of ${formatInteger(ranking.features.length)} features`}
        </span>
      </div>
      <div
        className="ranking__scroll"
        ref={scrollRef}
        role="table"
        aria-label="Feature ranking"
        aria-rowcount={rows.length + 1}
        tabIndex={0}
        data-testid="ranking-table"
      >
        <div style={{ minWidth: fixedWidth + NAME_MIN_WIDTH }}>
          <div className="ranking__header" role="row" aria-rowindex={1}>
            <div className="ranking__cell ranking__cell--check" role="columnheader" style={{ width: CHECK_WIDTH }}>
              <span className="visually-hidden">Use for training</span>
            </div>
            {COLUMNS.map((c) => {
              const active = sort.key === c.key;
              return (
                <div
                  key={c.key}
                  className={
                    c.key === 'name' ? 'ranking__cell ranking__cell--name' : 'ranking__cell ranking__cell--num'
                  }
                  role="columnheader"
                  aria-sort={active ? (sort.ascending ? 'ascending' : 'descending') : 'none'}
                  style={c.key === 'name' ? { minWidth: NAME_MIN_WIDTH } : { width: c.width }}
                >
                  <button
                    type="button"
                    className={active ? 'ranking__sort is-active' : 'ranking__sort'}
                    title={c.title}
                    onClick={() =>
                      setSort((s) =>
                        s.key === c.key
                          ? { key: c.key, ascending: !s.ascending }
                          : { key: c.key, ascending: c.ascending },
                      )
                    }
                    data-testid={`ranking-sort-${c.key}`}
                  >
                    {c.label}
                    {c.key !== 'name' && (
                      <span
                        className="ranking__better"
                        title={c.ascending ? 'lower is better' : 'higher is better'}
                        data-testid={`ranking-better-${c.key}`}
                      >
                        {c.ascending ? ' ↓' : ' ↑'}
                        <span className="visually-hidden">{c.ascending ? ' (lower is better)' : ' (higher is better)'}</span>
                      </span>
                    )}
                    <span aria-hidden="true" className="ranking__arrow">
                      {active ? (sort.ascending ? '▲' : '▼') : ''}
                    </span>
                  </button>
                </div>
              );
            })}
          </div>
          <div className="ranking__body" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => {
              const f = rows[item.index];
              if (f === undefined) return null;
              return (
                <RankingRow
                  key={f.name}
                  feature={f}
                  index={item.index}
                  start={item.start}
                  selected={selected.has(f.name)}
                  focused={focused === f.name}
                  formula={formulas.get(f.name) ?? ''}
                  label={labels?.featureWithUnit(f.name) ?? f.name}
                  lockLast={lockLast}
                  onToggle={onToggle}
                  onFocus={onFocus}
                />
              );
            })}
          </div>
          {rows.length === 0 && <p className="empty ranking__empty">No feature matches the filter.</p>}
        </div>
      </div>
    </div>
  );
}
