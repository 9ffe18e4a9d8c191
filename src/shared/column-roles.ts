/**
 * Column roles at import: which column holds the unit, which the cycle, which are operating settings,
 * which sensors, and which are ignored. The guess here is what the import dialog and the CLI start
 * from; the analyst's choice is remembered per header signature (migration 011).
 */
import { z } from 'zod';
import { sensorCatalogueSchema } from './sensor-catalogue';

export const COLUMN_ROLES = ['unit', 'cycle', 'setting', 'sensor', 'ignore'] as const;
export type ImportColumnRole = (typeof COLUMN_ROLES)[number];

/** header → role, every column of the file named (what the mapping step sends and remembers) */
export const rolesByHeaderSchema = z.record(z.string(), z.enum(COLUMN_ROLES));

/** A remembered mapping: the roles of a header and, optionally, its sensor catalogue. */
export const rememberedMappingSchema = z.object({
  signature: z.string(),
  headers: z.array(z.string()),
  roles: rolesByHeaderSchema,
  catalogue: sensorCatalogueSchema.nullable(),
  updatedAt: z.string(),
});
export type RememberedMapping = z.infer<typeof rememberedMappingSchema>;

/** C-MAPSS text has no header: its 26 columns by position. */
export const CMAPSS_HEADERS: readonly string[] = [
  'unit',
  'cycle',
  'setting1',
  'setting2',
  'setting3',
  ...Array.from({ length: 21 }, (_, i) => `s${i + 1}`),
];

const UNIT_NAMES = new Set(['unit', 'units', 'unit_id', 'unit_nr', 'unit_no', 'unit_number', 'engine', 'engine_id', 'engine_nr', 'engine_no', 'engine_number', 'id', 'asset', 'asset_id', 'serial', 'serial_number']);
const CYCLE_NAMES = new Set(['cycle', 'cycles', 'cycle_nr', 'cycle_no', 'time', 'time_cycles', 'time_in_cycles', 't', 'step', 'flight', 'flight_nr', 'flights']);
const SETTING_NAMES = new Set(['alt', 'altitude', 'mach', 'mach_number', 'tra', 'throttle', 'throttle_resolver_angle', 'op', 'operating_condition']);

/** lower case, runs of anything but letters and digits as one underscore */
export function headerKey(header: string): string {
  return header
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** The role a header's name suggests on its own. */
export function roleFromName(header: string): ImportColumnRole {
  const key = headerKey(header);
  if (UNIT_NAMES.has(key)) return 'unit';
  if (CYCLE_NAMES.has(key)) return 'cycle';
  if (SETTING_NAMES.has(key) || /^(op|operational|operating)_?(setting|set|cond|condition)?_?\d*$/.test(key) || /^setting_?\d*$/.test(key)) return 'setting';
  return 'sensor';
}

/** Headers that carry no name (empty, or numbers such as a pandas index): the C-MAPSS positions apply. */
function unnamed(headers: readonly string[]): boolean {
  return headers.every((h) => h.trim() === '' || /^(col(umn)?_?)?\d+$/i.test(h.trim()));
}

/**
 * Guesses every column's role: a 26-column file with C-MAPSS's layout (its own names, or no names)
 * takes C-MAPSS's positions; otherwise names decide (unit/engine/id → unit; cycle/time/t → cycle;
 * setting/op/alt/mach/tra → setting; anything else a sensor). Only the first unit and the first cycle
 * candidate get those roles; later candidates are ignored, as an identifier is not a measurement.
 */
export function guessColumnRoles(headers: readonly string[]): ImportColumnRole[] {
  if (headers.length === CMAPSS_HEADERS.length && (unnamed(headers) || headers.every((h, i) => headerKey(h) === CMAPSS_HEADERS[i]))) {
    return CMAPSS_HEADERS.map((h) => (h === 'unit' ? 'unit' : h === 'cycle' ? 'cycle' : h.startsWith('setting') ? 'setting' : 'sensor'));
  }
  let unit = false;
  let cycle = false;
  return headers.map((h) => {
    const role = roleFromName(h);
    if (role === 'unit') {
      if (unit) return 'ignore';
      unit = true;
    }
    if (role === 'cycle') {
      if (cycle) return 'ignore';
      cycle = true;
    }
    return role;
  });
}

/** Why a role assignment cannot be imported (empty when it can). */
export function roleProblems(headers: readonly string[], roles: readonly ImportColumnRole[]): string[] {
  const problems: string[] = [];
  for (const role of ['unit', 'cycle'] as const) {
    const at = roles.flatMap((r, i) => (r === role ? [headers[i] ?? `column ${i + 1}`] : []));
    if (at.length === 0) problems.push(`no column is the ${role}`);
    if (at.length > 1) problems.push(`${at.length} columns are the ${role} (${at.join(', ')}); choose one`);
  }
  if (!roles.some((r) => r === 'sensor')) problems.push('no column is a sensor');
  return problems;
}

/** Splits one CSV line (quotes optional, `""` escapes a quote); for previews. */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(field.trim());
      field = '';
    } else field += ch;
  }
  out.push(field.replace(/\r$/, '').trim());
  return out;
}

export interface FileHead {
  readonly format: 'cmapss' | 'csv';
  /** CSV: the header as written; C-MAPSS text: its positional names */
  readonly headers: string[];
  /** the first data rows, cell text as written */
  readonly rows: string[][];
}

/**
 * Reads the head of a fleet file from its first bytes: CSV when the first non-blank line has a comma
 * (as the importer decides), else C-MAPSS text.
 */
export function readFileHead(text: string, maxRows = 8, format?: 'cmapss' | 'csv'): FileHead {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  // the last line may be cut off by the byte limit: keep it only when it is the whole file's end
  const nonBlank = lines.filter((l) => l.trim() !== '');
  const fmt = format ?? ((nonBlank[0] ?? '').includes(',') ? 'csv' : 'cmapss');
  if (fmt === 'csv') {
    const [head, ...rest] = nonBlank;
    return { format: 'csv', headers: head === undefined ? [] : splitCsvLine(head), rows: rest.slice(0, maxRows).map(splitCsvLine) };
  }
  return { format: 'cmapss', headers: [...CMAPSS_HEADERS], rows: nonBlank.slice(0, maxRows).map((l) => l.trim().split(/\s+/)) };
}
