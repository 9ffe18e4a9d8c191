/**
 * Chunks over time (NannyML's chunkers, for fleets): N rows in (unit, cycle) order, cycle ranges of
 * N cycles, or one chunk per import batch. The reference is chunked the same way, and each statistic's
 * alert band is the reference chunks' mean ± 3 standard deviations.
 */
import type { Chunking } from '../../../shared/drift';

export interface Chunks {
  readonly labels: string[];
  /** row indices of each chunk, ascending */
  readonly rows: Int32Array[];
}

/** Chunks of one side. `batch` is read when chunking by batches (absent: one chunk). */
export function chunkRows(cycle: Int32Array, chunking: Chunking, batch?: Int32Array): Chunks {
  const n = cycle.length;
  if (chunking.by === 'rows') {
    const labels: string[] = [];
    const rows: Int32Array[] = [];
    for (let start = 0; start < n; start += chunking.size) {
      const end = Math.min(n, start + chunking.size);
      labels.push(`rows ${start + 1}–${end}`);
      rows.push(Int32Array.from({ length: end - start }, (_, k) => start + k));
    }
    return { labels, rows };
  }
  const keyOf = chunking.by === 'cycles' ? (i: number): number => Math.floor((cycle[i]! - 1) / chunking.size) : (i: number): number => batch?.[i] ?? 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const k = keyOf(i);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const keys = [...counts.keys()].sort((a, b) => a - b);
  const slot = new Map(keys.map((k, j) => [k, j]));
  const rows = keys.map((k) => new Int32Array(counts.get(k)!));
  const fill = new Int32Array(keys.length);
  for (let i = 0; i < n; i++) {
    const j = slot.get(keyOf(i))!;
    rows[j]![fill[j]!++] = i;
  }
  const labels = keys.map((k) => (chunking.by === 'cycles' ? `cycles ${k * chunking.size + 1}–${(k + 1) * chunking.size}` : batch === undefined ? 'all rows' : `batch ${k + 1}`));
  return { labels, rows };
}

/**
 * The reference chunked as the current data is. By rows and by cycles: the same rule, keeping chunks
 * of at least half the chunk size (a short tail would widen the band with noise). The reference has
 * no import batches, so for batches it is cut into chunks of the current batches' median row count.
 */
export function referenceChunks(cycle: Int32Array, chunking: Chunking, current: Chunks): Chunks {
  if (chunking.by === 'batches') {
    const sizes = current.rows.map((r) => r.length).sort((a, b) => a - b);
    const size = Math.max(1, sizes[Math.floor((sizes.length - 1) / 2)] ?? cycle.length);
    return keepFull(chunkRows(cycle, { by: 'rows', size }), size);
  }
  if (chunking.by === 'rows') return keepFull(chunkRows(cycle, chunking), chunking.size);
  // cycle ranges: a range's rows are whatever the reference has there; keep those with enough rows
  const all = chunkRows(cycle, chunking);
  const typical = current.rows.length === 0 ? 1 : Math.max(1, Math.floor(current.rows.reduce((s, r) => s + r.length, 0) / current.rows.length));
  return keepFull(all, Math.min(typical, Math.max(...all.rows.map((r) => r.length))));
}

function keepFull(c: Chunks, size: number): Chunks {
  const keep = c.rows.map((r) => r.length * 2 >= size);
  if (!keep.some(Boolean)) return c;
  return { labels: c.labels.filter((_, j) => keep[j]), rows: c.rows.filter((_, j) => keep[j]) };
}

/** NannyML's band: mean ± 3 sample standard deviations of the reference chunks' values (null with fewer than 2). */
export function band(values: readonly (number | null)[]): { lower: number | null; upper: number | null } {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length < 2) return { lower: null, upper: null };
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  const sd = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (v.length - 1));
  return { lower: mean - 3 * sd, upper: mean + 3 * sd };
}

/** Alert per chunk: outside the band. */
export function alertsOf(values: readonly (number | null)[], b: { lower: number | null; upper: number | null }): boolean[] {
  return values.map((x) => x !== null && ((b.lower !== null && x < b.lower) || (b.upper !== null && x > b.upper)));
}
