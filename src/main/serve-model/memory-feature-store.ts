/** The in-process feature store: each unit's latest rows, bounded as the bundle requires. */
import { checkCycleOrder } from './history-rows';
import type { FeatureStore, HistoryRow } from './types';

export interface MemoryFeatureStoreOptions {
  /** rows kept per unit (the manifest's minHistoryRows); undefined keeps the whole history */
  readonly maxRows?: number;
}

export class MemoryFeatureStore implements FeatureStore {
  readonly kind = 'memory' as const;
  private readonly units = new Map<number, HistoryRow[]>();
  private readonly maxRows: number | undefined;

  constructor(opts: MemoryFeatureStoreOptions = {}) {
    this.maxRows = opts.maxRows;
  }

  append(unit: number, rows: readonly HistoryRow[]): Promise<{ rows: number; lastCycle: number }> {
    const held = this.units.get(unit) ?? [];
    checkCycleOrder(rows, held.at(-1)?.cycle);
    // copies: the caller's objects are never kept
    const next = [...held, ...rows.map((r) => ({ ...r }))];
    const kept = this.maxRows === undefined || next.length <= this.maxRows ? next : next.slice(next.length - this.maxRows);
    if (kept.length > 0) this.units.set(unit, kept);
    return Promise.resolve({ rows: kept.length, lastCycle: kept.at(-1)?.cycle ?? 0 });
  }

  history(unit: number): Promise<HistoryRow[] | undefined> {
    const rows = this.units.get(unit);
    return Promise.resolve(rows === undefined ? undefined : rows.map((r) => ({ ...r })));
  }

  size(): Promise<{ units: number; rows: number }> {
    let rows = 0;
    for (const r of this.units.values()) rows += r.length;
    return Promise.resolve({ units: this.units.size, rows });
  }

  healthy(): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    this.units.clear();
    return Promise.resolve();
  }
}
