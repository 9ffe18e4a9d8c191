/**
 * Sensor catalogue: per dataset, each setting and sensor column's display name, physical quantity and
 * unit. Only labels: internal column and feature ids (`s2`, `s2_mean_30`) never change, so runs,
 * bundles and reports stay compatible; every view, chart and report shows the catalogue's names.
 */
import { z } from 'zod';

export const sensorEntrySchema = z.object({
  /** the column's id in Prognos (`s2`, `setting1`, a sanitized CSV header) */
  column: z.string().min(1).max(200),
  /** short display name (`T24`) */
  name: z.string().trim().min(1).max(60),
  /** physical quantity in words (`Total temperature at LPC outlet`); '' when unknown */
  quantity: z.string().trim().max(120),
  /** physical unit (`°R`, `psia`); '' for a dimensionless or unknown quantity */
  unit: z.string().trim().max(24),
});
export type SensorEntry = z.infer<typeof sensorEntrySchema>;

export const sensorCatalogueSchema = z.array(sensorEntrySchema).max(5000);
export type SensorCatalogue = z.infer<typeof sensorCatalogueSchema>;

/**
 * The C-MAPSS channels as NASA documents them (Saxena, Goebel, Simon and Eklund, "Damage propagation
 * modeling for aircraft engine run-to-failure simulation", PHM 2008, table 2), and the three
 * operational settings (altitude, Mach number, throttle resolver angle; section 4 of the same paper).
 */
export const CMAPSS_PRESET: readonly SensorEntry[] = [
  { column: 'setting1', name: 'Altitude', quantity: 'Operational setting 1: altitude', unit: 'kft' },
  { column: 'setting2', name: 'Mach', quantity: 'Operational setting 2: Mach number', unit: '' },
  { column: 'setting3', name: 'TRA', quantity: 'Operational setting 3: throttle resolver angle', unit: '°' },
  { column: 's1', name: 'T2', quantity: 'Total temperature at fan inlet', unit: '°R' },
  { column: 's2', name: 'T24', quantity: 'Total temperature at LPC outlet', unit: '°R' },
  { column: 's3', name: 'T30', quantity: 'Total temperature at HPC outlet', unit: '°R' },
  { column: 's4', name: 'T50', quantity: 'Total temperature at LPT outlet', unit: '°R' },
  { column: 's5', name: 'P2', quantity: 'Pressure at fan inlet', unit: 'psia' },
  { column: 's6', name: 'P15', quantity: 'Total pressure in bypass duct', unit: 'psia' },
  { column: 's7', name: 'P30', quantity: 'Total pressure at HPC outlet', unit: 'psia' },
  { column: 's8', name: 'Nf', quantity: 'Physical fan speed', unit: 'rpm' },
  { column: 's9', name: 'Nc', quantity: 'Physical core speed', unit: 'rpm' },
  { column: 's10', name: 'epr', quantity: 'Engine pressure ratio (P50/P2)', unit: '' },
  { column: 's11', name: 'Ps30', quantity: 'Static pressure at HPC outlet', unit: 'psia' },
  { column: 's12', name: 'phi', quantity: 'Ratio of fuel flow to Ps30', unit: 'pps/psi' },
  { column: 's13', name: 'NRf', quantity: 'Corrected fan speed', unit: 'rpm' },
  { column: 's14', name: 'NRc', quantity: 'Corrected core speed', unit: 'rpm' },
  { column: 's15', name: 'BPR', quantity: 'Bypass ratio', unit: '' },
  { column: 's16', name: 'farB', quantity: 'Burner fuel-air ratio', unit: '' },
  { column: 's17', name: 'htBleed', quantity: 'Bleed enthalpy', unit: '' },
  { column: 's18', name: 'Nf_dmd', quantity: 'Demanded fan speed', unit: 'rpm' },
  { column: 's19', name: 'PCNfR_dmd', quantity: 'Demanded corrected fan speed', unit: 'rpm' },
  { column: 's20', name: 'W31', quantity: 'HPT coolant bleed', unit: 'lbm/s' },
  { column: 's21', name: 'W32', quantity: 'LPT coolant bleed', unit: 'lbm/s' },
];

const PRESET_BY_COLUMN = new Map(CMAPSS_PRESET.map((e) => [e.column, e]));

/** What a catalogue needs to know about a column. */
export interface CatalogueColumn {
  readonly name: string;
  readonly original: string;
  readonly role: 'unit' | 'cycle' | 'setting' | 'sensor';
}

/** True when the value columns are exactly C-MAPSS's setting1..3 and s1..s21 (the file layout). */
export function isCmapssLayout(columns: readonly CatalogueColumn[]): boolean {
  const values = columns.filter((c) => c.role === 'setting' || c.role === 'sensor');
  return values.length > 0 && values.every((c) => PRESET_BY_COLUMN.has(c.name) && c.original === c.name);
}

/**
 * The catalogue a dataset has until the analyst edits it: the C-MAPSS preset for C-MAPSS columns
 * (text files, or CSV whose headers are C-MAPSS's own names), else each column's header as its name.
 */
export function defaultCatalogue(columns: readonly CatalogueColumn[]): SensorCatalogue {
  const cmapss = isCmapssLayout(columns);
  return columns
    .filter((c) => c.role === 'setting' || c.role === 'sensor')
    .map((c) => {
      const preset = cmapss ? PRESET_BY_COLUMN.get(c.name) : undefined;
      return preset === undefined ? { column: c.name, name: c.original.trim() === '' ? c.name : c.original.trim().slice(0, 60), quantity: '', unit: '' } : { ...preset };
    });
}

/**
 * The stored catalogue completed for `columns`: entries for columns the dataset does not have are
 * dropped, and a column without an entry gets its default.
 */
export function completeCatalogue(columns: readonly CatalogueColumn[], stored: SensorCatalogue | null | undefined): SensorCatalogue {
  const byColumn = new Map((stored ?? []).map((e) => [e.column, e]));
  return defaultCatalogue(columns).map((d) => byColumn.get(d.column) ?? d);
}

/**
 * The catalogue of data known only by its column ids (a file that is not in the store, as a drift
 * report names it): each id's default, so C-MAPSS ids read as the preset's names and others as themselves.
 */
export function catalogueOfIds(settings: readonly string[], sensors: readonly string[]): SensorCatalogue {
  const columns = [...settings.map((name) => ({ name, original: name, role: 'setting' as const })), ...sensors.map((name) => ({ name, original: name, role: 'sensor' as const }))];
  return defaultCatalogue(columns);
}

/** Problems with an edited catalogue against the dataset's columns (empty when it is fine). */
export function catalogueProblems(catalogue: SensorCatalogue, columns: readonly string[]): string[] {
  const known = new Set(columns);
  const seen = new Set<string>();
  const names = new Map<string, string>();
  const problems: string[] = [];
  for (const e of catalogue) {
    if (!known.has(e.column)) problems.push(`the sensor catalogue names column "${e.column}", which is not a setting or sensor of this dataset`);
    if (seen.has(e.column)) problems.push(`the sensor catalogue lists column "${e.column}" twice`);
    seen.add(e.column);
    const other = names.get(e.name.toLowerCase());
    if (other !== undefined && other !== e.column) problems.push(`display name "${e.name}" is given to both ${other} and ${e.column}`);
    names.set(e.name.toLowerCase(), e.column);
  }
  return problems;
}

/** Looks up display names; a column without an entry is shown by its id. */
export class SensorLabels {
  private readonly byColumn: ReadonlyMap<string, SensorEntry>;
  constructor(catalogue: SensorCatalogue | null | undefined) {
    this.byColumn = new Map((catalogue ?? []).map((e) => [e.column, e]));
  }

  entry(column: string): SensorEntry | undefined {
    return this.byColumn.get(column);
  }

  /** `T24` (or the id itself) */
  name(column: string): string {
    return this.byColumn.get(column)?.name ?? column;
  }

  /** `°R`, or '' */
  unit(column: string): string {
    return this.byColumn.get(column)?.unit ?? '';
  }

  /** `T24 (°R)`, or `T24` without a unit */
  withUnit(column: string): string {
    const u = this.unit(column);
    return u === '' ? this.name(column) : `${this.name(column)} (${u})`;
  }

  /** `T24 — Total temperature at LPC outlet, °R (s2)`: for tooltips */
  describe(column: string): string {
    const e = this.byColumn.get(column);
    if (e === undefined) return column;
    const what = [e.quantity, e.unit].filter((s) => s !== '').join(', ');
    return `${e.name}${what === '' ? '' : ` — ${what}`} (${column})`;
  }

  /** `s2_mean_30` → `T24 mean (30 cycles)`; ids this catalogue cannot read are returned unchanged */
  feature(id: string): string {
    return featureLabel(id, this).text;
  }

  /** the feature's label with its unit where it has one: `T24 mean (30 cycles), °R` */
  featureWithUnit(id: string): string {
    const l = featureLabel(id, this);
    return l.unit === '' ? l.text : `${l.text}, ${l.unit}`;
  }
}

const STAT_LABELS: Record<string, string> = { mean: 'mean', std: 'std', min: 'min', max: 'max', slope: 'slope' };

/** A feature id read back into words: the sensor's display name, what is computed, and its unit. */
export function featureLabel(id: string, labels: SensorLabels): { text: string; unit: string; column: string | null } {
  if (labels.entry(id) !== undefined) return { text: labels.name(id), unit: labels.unit(id), column: id };
  if (id === 'cycle') return { text: 'age (cycle number)', unit: 'cycles', column: null };
  const regime = /^regime(\d+)_(cycles|share)$/.exec(id);
  if (regime !== null) {
    return regime[2] === 'cycles'
      ? { text: `cycles in regime ${regime[1]}`, unit: 'cycles', column: null }
      : { text: `share of cycles in regime ${regime[1]}`, unit: '', column: null };
  }
  const stat = /^(.+)_(mean|std|min|max|slope)_(\d+)$/.exec(id);
  if (stat !== null && labels.entry(stat[1]!) !== undefined) {
    const col = stat[1]!;
    const u = labels.unit(col);
    return { text: `${labels.name(col)} ${STAT_LABELS[stat[2]!]} (${stat[3]} cycles)`, unit: stat[2] === 'slope' ? (u === '' ? 'per cycle' : `${u}/cycle`) : u, column: col };
  }
  const since = /^(.+)_vs_start$/.exec(id);
  if (since !== null && labels.entry(since[1]!) !== undefined) {
    const col = since[1]!;
    return { text: `${labels.name(col)} change since the unit's start`, unit: labels.unit(col), column: col };
  }
  const trend = /^(.+)_trend$/.exec(id);
  if (trend !== null && labels.entry(trend[1]!) !== undefined) {
    const col = trend[1]!;
    const u = labels.unit(col);
    return { text: `${labels.name(col)} trend since the unit's start`, unit: u === '' ? 'per cycle' : `${u}/cycle`, column: col };
  }
  const tail = /^(.+)_(ewma|diff)$/.exec(id);
  if (tail !== null && labels.entry(tail[1]!) !== undefined) {
    const col = tail[1]!;
    const u = labels.unit(col);
    return tail[2] === 'ewma'
      ? { text: `${labels.name(col)} EWMA`, unit: u, column: col }
      : { text: `${labels.name(col)} change per cycle`, unit: u === '' ? '' : `${u}/cycle`, column: col };
  }
  return { text: id, unit: '', column: null };
}
