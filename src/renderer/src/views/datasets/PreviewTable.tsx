import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { PrognosError } from '../../../../shared/errors';
import type { ColumnStats } from '../../../../shared/schemas';
import { useApi } from '../../api/context';
import { ErrorMessage } from '../../components/ErrorMessage';
import { asPrognosError } from '../../lib/errors';
import { decimalsNeeded, formatCell, formatInteger } from '../../lib/format';

const PAGE_SIZE = 500;
const ROW_HEIGHT = 24;
const MAX_CACHED_PAGES = 80;
const INDEX_WIDTH = 72;

function columnWidth(role: ColumnStats['role'] | undefined): number {
  return role === 'unit' || role === 'cycle' ? 64 : 92;
}

interface RowProps {
  index: number;
  start: number;
  row: number[] | undefined;
  columns: readonly string[];
  widths: readonly number[];
  /** decimals per column, once the first page has been seen */
  decimals: readonly number[] | null;
}

/** One row; memoised so rows that stay in view are not rendered again while scrolling. */
const PreviewRow = memo(function PreviewRow({ index, start, row, columns, widths, decimals }: RowProps) {
  return (
    <div
      className={index % 2 === 1 ? 'preview__row preview__row--odd' : 'preview__row'}
      role="row"
      aria-rowindex={index + 2}
      data-row-index={index}
      data-loaded={row !== undefined}
      style={{ height: ROW_HEIGHT, transform: `translateY(${start}px)` }}
    >
      <div className="preview__cell preview__cell--index" role="cell" style={{ width: INDEX_WIDTH }}>
        {formatInteger(index + 1)}
      </div>
      {columns.map((c, i) => (
        <div key={c} className="preview__cell" role="cell" style={{ width: widths[i] }} data-column={c}>
          {row === undefined ? '' : formatCell(row[i] ?? NaN, decimals?.[i])}
        </div>
      ))}
    </div>
  );
});

/**
 * The raw rows of a dataset, virtualised: only the visible rows are in the page, and rows are
 * fetched in pages of 500 as the analyst scrolls.
 */
export function PreviewTable(props: { datasetId: string; totalRows: number; columnStats: readonly ColumnStats[] }) {
  const { datasetId, totalRows, columnStats } = props;
  const api = useApi();
  const scrollRef = useRef<HTMLDivElement>(null);
  const pages = useRef(new Map<number, number[][]>());
  const inflight = useRef(new Set<number>());
  const [, setVersion] = useState(0);
  const [columns, setColumns] = useState<string[]>(() => columnStats.map((c) => c.name));
  const [error, setError] = useState<PrognosError | null>(null);
  const [decimals, setDecimals] = useState<number[] | null>(null);

  const roles = useMemo(() => new Map(columnStats.map((c) => [c.name, c])), [columnStats]);
  const widths = useMemo(() => columns.map((c) => columnWidth(roles.get(c)?.role)), [columns, roles]);
  const totalWidth = INDEX_WIDTH + widths.reduce((a, b) => a + b, 0);

  const virtualizer = useVirtualizer({
    count: totalRows,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  const firstIndex = items[0]?.index ?? 0;
  const lastIndex = items[items.length - 1]?.index ?? 0;

  const fetchPage = useCallback(
    (page: number) => {
      if (pages.current.has(page) || inflight.current.has(page)) return;
      inflight.current.add(page);
      api.datasetsPreview({ datasetId, offset: page * PAGE_SIZE, limit: PAGE_SIZE }).then(
        (preview) => {
          inflight.current.delete(page);
          pages.current.set(page, preview.rows);
          if (pages.current.size > MAX_CACHED_PAGES) {
            const oldest = pages.current.keys().next().value;
            if (oldest !== undefined) pages.current.delete(oldest);
          }
          setColumns((prev) =>
            prev.length === preview.columns.length && prev.every((c, i) => c === preview.columns[i])
              ? prev
              : preview.columns,
          );
          // the first page seen fixes each column's decimals, so values line up on the point
          setDecimals(
            (prev) => prev ?? preview.columns.map((_, i) => decimalsNeeded(preview.rows.map((r) => r[i] ?? 0))),
          );
          setError(null);
          setVersion((v) => v + 1);
        },
        (e: unknown) => {
          inflight.current.delete(page);
          setError(asPrognosError(e));
        },
      );
    },
    [api, datasetId],
  );

  useEffect(() => {
    if (totalRows === 0) return;
    const firstPage = Math.floor(firstIndex / PAGE_SIZE);
    const lastPage = Math.floor(lastIndex / PAGE_SIZE);
    for (let p = firstPage; p <= lastPage; p++) {
      const cached = pages.current.get(p);
      if (cached !== undefined) {
        // refresh its place in the eviction order
        pages.current.delete(p);
        pages.current.set(p, cached);
      }
      fetchPage(p);
    }
  }, [firstIndex, lastIndex, totalRows, fetchPage]);

  const rowAt = (index: number): number[] | undefined =>
    pages.current.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];

  return (
    <div className="preview">
      <div className="preview__bar">
        <span data-testid="preview-range">
          {totalRows === 0
            ? 'No rows'
            : `Rows ${formatInteger(firstIndex + 1)}–${formatInteger(Math.min(lastIndex + 1, totalRows))} of ${formatInteger(totalRows)}`}
        </span>
      </div>
      {error !== null && <ErrorMessage error={error} title="Rows could not be loaded" testId="preview-error" />}
      <div
        className="preview__scroll"
        ref={scrollRef}
        role="table"
        aria-label="Dataset rows"
        aria-rowcount={totalRows + 1}
        aria-colcount={columns.length + 1}
        tabIndex={0}
        data-testid="preview-table"
      >
        <div style={{ width: totalWidth }}>
          <div className="preview__header" role="row" aria-rowindex={1}>
            <div className="preview__cell preview__cell--index" role="columnheader" style={{ width: INDEX_WIDTH }}>
              Row
            </div>
            {columns.map((c, i) => {
              const stats = roles.get(c);
              return (
                <div
                  key={c}
                  className={stats?.constant === true ? 'preview__cell preview__cell--constant' : 'preview__cell'}
                  role="columnheader"
                  style={{ width: widths[i] }}
                  title={stats === undefined ? c : `${c} · ${stats.role}${stats.constant ? ' · constant' : ''}`}
                >
                  {c}
                </div>
              );
            })}
          </div>
          <div className="preview__body" style={{ height: virtualizer.getTotalSize() }}>
            {items.map((item) => (
              <PreviewRow
                key={item.key}
                index={item.index}
                start={item.start}
                row={rowAt(item.index)}
                columns={columns}
                widths={widths}
                decimals={decimals}
              />
            ))}
          </div>
        </div>
      </div>
    </div>
  );
}
