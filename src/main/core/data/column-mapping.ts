/**
 * Column roles at import, on the Node side: the head of a file (its header and first rows), a C-MAPSS
 * text table re-cut to the roles an analyst chose, and a sensor catalogue given per header turned
 * into one keyed by the dataset's column ids.
 */
import { open } from 'node:fs/promises';
import { badFile, PrognosError } from '../../../shared/errors';
import { CMAPSS_HEADERS, readFileHead, type FileHead, type ImportColumnRole } from '../../../shared/column-roles';
import type { SensorCatalogue } from '../../../shared/sensor-catalogue';
import type { ColumnInfo, FleetTable } from './table';

const HEAD_BYTES = 64 * 1024;

/** The header and first rows of a file, from its first 64 KiB (a short read; never the whole file). */
export async function readHead(path: string, displayName: string, format?: 'cmapss' | 'csv', maxRows = 8): Promise<FileHead> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT') throw new PrognosError('NOT_FOUND', `${displayName}: file not found`);
    throw badFile([{ file: displayName, reason: `cannot be read (${code ?? String(e)})` }]);
  }
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
    let text = buf.toString('utf8', 0, bytesRead);
    // a cut-off last line is not shown
    if (bytesRead === HEAD_BYTES) text = text.slice(0, Math.max(0, text.lastIndexOf('\n')));
    return readFileHead(text, maxRows, format);
  } finally {
    await fh.close();
  }
}

/**
 * A C-MAPSS text table with the analyst's roles: settings and sensors may swap roles or be ignored
 * (dropped); the unit and the cycle stay the first two columns, as the format fixes them.
 */
export function applyCmapssRoles(table: FleetTable, map: Readonly<Record<string, ImportColumnRole>>, file: string): FleetTable {
  const issues: { file: string; column: string; reason: string }[] = [];
  for (const [column, role] of Object.entries(map)) {
    const at = CMAPSS_HEADERS.indexOf(column);
    if (at < 0) issues.push({ file, column, reason: `the column map names "${column}", which is not a C-MAPSS column (unit, cycle, setting1–3, s1–s21)` });
    else if (at < 2 && role !== column) issues.push({ file, column, reason: `in C-MAPSS text the ${column} is always column ${at + 1}; it cannot be "${role}"` });
    else if (at >= 2 && (role === 'unit' || role === 'cycle')) issues.push({ file, column, reason: `in C-MAPSS text the ${role} is always column ${role === 'unit' ? 1 : 2}; "${column}" cannot be the ${role}` });
  }
  if (issues.length > 0) throw badFile(issues);
  const columns: ColumnInfo[] = [];
  const values: Float64Array[] = [];
  // settings first, then sensors, each in file order (as the CSV importer lays them out)
  for (const role of ['setting', 'sensor'] as const) {
    table.columns.forEach((c, j) => {
      const r = map[c.name] ?? c.role;
      if (r !== role) return;
      columns.push({ ...c, role });
      values.push(table.values[j]!);
    });
  }
  if (!columns.some((c) => c.role === 'sensor')) throw badFile([{ file, reason: 'the column map leaves no sensor column' }]);
  return { ...table, columns, values };
}

/**
 * A catalogue whose entries name columns by their header (as the mapping step and remembered mappings
 * do) keyed by the dataset's column ids instead; entries for columns the dataset lacks are dropped.
 */
export function catalogueByColumnId(catalogue: SensorCatalogue, columns: readonly ColumnInfo[]): SensorCatalogue {
  const byOriginal = new Map(columns.map((c) => [c.original, c.name]));
  const ids = new Set(columns.map((c) => c.name));
  const out: SensorCatalogue = [];
  const seen = new Set<string>();
  for (const e of catalogue) {
    const id = byOriginal.get(e.column) ?? (ids.has(e.column) ? e.column : undefined);
    if (id === undefined || seen.has(id)) continue;
    seen.add(id);
    out.push({ ...e, column: id });
  }
  return out;
}
