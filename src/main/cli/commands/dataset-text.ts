/** How the data commands show a dataset: its JSON and its operating-regimes line. */
import type { DatasetRecord } from '../../../shared/schemas';
import { regimeCountText } from '../../core/data/regimes';

export function datasetJson(d: DatasetRecord): Record<string, unknown> {
  return {
    datasetId: d.datasetId,
    name: d.name,
    rows: d.rows,
    units: d.units,
    minCycles: d.minCycles,
    maxCycles: d.maxCycles,
    format: d.format,
    sourceFile: d.sourceFile,
    rulFile: d.rulFile,
    fingerprint: d.fingerprint,
    createdAt: d.createdAt,
    regimes: d.regimes,
    role: d.role,
  };
}

/** "6 operating regimes (k-means on setting1, setting2, setting3)", or why none were detected. */
export function regimesLine(d: DatasetRecord): string {
  const r = d.regimes;
  if (r === null) return 'operating regimes: not detected yet (imported before detection; `prognos dataset ID` detects them)';
  const on = r.settings.length === 0 ? '' : ` on ${r.settings.join(', ')}`;
  return `${regimeCountText(r.k)}${on}${r.note === undefined ? '' : ` (${r.note})`}${r.k > 1 ? `: rows ${r.rows.join(', ')}` : ''}`;
}
