/** Test-only C-MAPSS loader (the product parser lives in src/main/core/data). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CMAPSS } from '../../helpers/paths';
import { CMAPSS_VALUE_COLUMNS, type FleetTable } from '../../../src/main/core/data/table';

export const CMAPSS_DIR = process.env.PROGNOS_CMAPSS_DIR ?? CMAPSS;

export function parseCmapss(text: string, rulText?: string): FleetTable {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const n = lines.length;
  const unit = new Int32Array(n);
  const cycle = new Int32Array(n);
  const values = CMAPSS_VALUE_COLUMNS.map(() => new Float64Array(n));
  lines.forEach((line, i) => {
    const f = line.trim().split(/\s+/);
    if (f.length !== 26) throw new Error(`line ${i + 1}: expected 26 columns, got ${f.length}`);
    unit[i] = Number(f[0]);
    cycle[i] = Number(f[1]);
    for (let c = 0; c < 24; c++) values[c]![i] = Number(f[c + 2]);
  });
  let rulAtEnd: Map<number, number> | undefined;
  if (rulText !== undefined) {
    const ruls = rulText
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '')
      .map((l) => Number(l.trim()));
    const units = [...new Set(unit)];
    rulAtEnd = new Map(units.map((u, i) => [u, ruls[i]!]));
  }
  return rulAtEnd === undefined
    ? { rowCount: n, unit, cycle, columns: CMAPSS_VALUE_COLUMNS, values }
    : { rowCount: n, unit, cycle, columns: CMAPSS_VALUE_COLUMNS, values, rulAtEnd };
}

export function loadCmapss(name: string, rulName?: string): FleetTable {
  const text = readFileSync(join(CMAPSS_DIR, name), 'utf8');
  const rul = rulName === undefined ? undefined : readFileSync(join(CMAPSS_DIR, rulName), 'utf8');
  return parseCmapss(text, rul);
}
