/**
 * A bundle's drift reference (`drift/` in the bundle, format `prognos-drift-reference/1`): what a
 * server, or `prognos drift --bundle`, computes drift against without the store the run lives in.
 *
 *   drift/columns.f32     a deterministic sample (≤ 20,000) of the run's training rows with a full
 *                         history window: float32 little-endian, one column after another
 *   drift/reference.json  the columns (name, kind, quantile bin edges, mean, std), the PCA basis of
 *                         the selected features, the chunk bands of the default chunking, the counts
 *
 * The two files are listed in SHA256SUMS and in the manifest with their SHA-256, so a signature covers
 * them and a changed byte fails verification. Reading checks every count and name against the manifest.
 */
import { z } from 'zod';
import { badFile, PrognosError } from '../../../shared/errors';
import { chunkingSchema, type ChunkSeries, type Chunking } from '../../../shared/drift';
import type { FleetTable } from '../data/table';
import { unitSpans } from '../data/table';
import { engineerFeatures, type FeatureState } from '../features/engineer';
import { failWithin, rulPerRow } from '../labels';
import type { BundleDriftReference } from '../export/bundle';
import { DRIFT_COLUMNS_FILE, DRIFT_REFERENCE_FILE, DRIFT_REFERENCE_FORMAT, type BundleManifest } from '../export/manifest';
import type { PcaModel } from './pca';
import { referenceQuantileEdges, sortedSample } from './stats';
import type { DriftColumn, DriftData } from './reference';

/** At most this many reference rows travel in a bundle. */
export const DRIFT_REFERENCE_MAX_ROWS = 20_000;
/** Quantile bins per column (PSI, JSD and Hellinger use 10 reference-quantile bins). */
export const DRIFT_QUANTILE_BINS = 10;

const columnKinds = ['unit', 'cycle', 'feature', 'sensor', 'probability', 'rul', 'label', 'life'] as const;
type ColumnKind = (typeof columnKinds)[number];

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

export const driftReferenceJsonSchema = z
  .object({
    format: z.literal(DRIFT_REFERENCE_FORMAT),
    rows: z.number().int().min(1),
    totalRows: z.number().int().min(1),
    sampled: z.boolean(),
    sampling: z.string(),
    seed: z.number().int(),
    layout: z.string(),
    runToFailure: z.boolean(),
    labelWindow: z.number().int().min(1),
    threshold: z.number().min(0).max(1),
    columns: z
      .array(
        z.object({
          name: z.string().min(1),
          kind: z.enum(columnKinds),
          /**
           * the 9 inner edges of the 10 reference-quantile bins PSI, Jensen–Shannon and Hellinger use (the
           * 0.1 … 0.9 quantiles, inverted CDF; bins right-closed), over the whole reference; null for the
           * unit column and a column without a finite value
           */
          binEdges: z.array(finite).length(DRIFT_QUANTILE_BINS - 1).nullable(),
          min: finite.nullable(),
          max: finite.nullable(),
          mean: finite.nullable(),
          std: finite.nullable(),
        }),
      )
      .min(3),
    pca: z
      .object({
        features: z.array(z.string()),
        varianceKept: z.number(),
        mean: z.array(finite),
        scale: z.array(finite),
        components: z.array(z.array(finite)),
        k: z.number().int().min(0),
        explained: finite,
        explainedRatios: z.array(finite),
      })
      .refine((m) => m.mean.length === m.features.length && m.scale.length === m.features.length && m.components.length === m.k && m.components.every((c) => c.length === m.features.length), 'features, mean, scale and the k components must agree in size'),
    chunking: chunkingSchema,
    bands: z.array(z.object({ key: z.string(), label: z.string(), group: z.string(), lower: finite.nullable(), upper: finite.nullable() })),
  })
  .loose();
export type DriftReferenceJson = z.infer<typeof driftReferenceJsonSchema>;

export interface DriftReferenceExtras {
  /** the PCA model of the selected features (pca.ts), fitted on the whole reference */
  readonly pca: PcaModel;
  readonly pcaFeatures: readonly string[];
  /** the default chunking and each monitored statistic's band over the reference chunks */
  readonly chunking: Chunking;
  readonly bands: readonly Pick<ChunkSeries, 'key' | 'label' | 'group' | 'lower' | 'upper'>[];
  readonly labelWindow: number;
  /** the run's alert threshold on the calibrated probability */
  readonly threshold: number;
  readonly seed: number;
  readonly maxRows?: number;
}

/** Deterministic LCG in [0, 1) (Numerical Recipes constants), so a seed gives the same sample everywhere. */
function lcg(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** `k` of the row indices 0..n−1, chosen uniformly with a seed, in ascending order (all rows when k ≥ n). */
export function sampleRows(n: number, k: number, seed: number): Int32Array {
  if (k >= n) return Int32Array.from({ length: n }, (_, i) => i);
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  const rand = lcg(seed);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (n - i));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx.slice(0, k).sort();
}

/** The bin edges and range of a column, as the drift scores bin it (stats.ts: one sort, inverted-CDF quantiles). */
function binsOf(values: ArrayLike<number>): { binEdges: number[] | null; min: number | null; max: number | null } {
  const s = sortedSample(values);
  if (s.count === 0) return { binEdges: null, min: null, max: null };
  return { binEdges: referenceQuantileEdges(s, DRIFT_QUANTILE_BINS), min: s.values[0]!, max: s.values[s.count - 1]! };
}

function meanStd(values: ArrayLike<number>): { mean: number | null; std: number | null } {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (Number.isFinite(x)) {
      n++;
      sum += x;
    }
  }
  if (n === 0) return { mean: null, std: null };
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (Number.isFinite(x)) ss += (x - mean) ** 2;
  }
  return { mean, std: n > 1 ? Math.sqrt(ss / (n - 1)) : 0 };
}

/** The reference's columns in file order: unit, cycle, selected features, raw sensors and settings, probability, RUL, label, the unit's life. */
function referenceColumns(ref: DriftData): { name: string; kind: ColumnKind; values: ArrayLike<number> }[] {
  const cols: { name: string; kind: ColumnKind; values: ArrayLike<number> }[] = [
    { name: 'unit', kind: 'unit', values: ref.unit },
    { name: 'cycle', kind: 'cycle', values: ref.cycle },
  ];
  for (const c of ref.columns) cols.push({ name: c.name, kind: c.kind, values: c.values });
  cols.push({ name: 'probability', kind: 'probability', values: ref.probability });
  if (ref.rul !== undefined) cols.push({ name: 'rul', kind: 'rul', values: ref.rul });
  if (ref.labels !== undefined) cols.push({ name: 'label', kind: 'label', values: ref.labels });
  if (ref.life !== undefined) cols.push({ name: 'life', kind: 'life', values: ref.life });
  return cols;
}

/** The two files of a bundle's drift reference, from a run's whole reference. */
export function buildDriftReference(ref: DriftData, extras: DriftReferenceExtras): BundleDriftReference {
  const total = ref.unit.length;
  const maxRows = extras.maxRows ?? DRIFT_REFERENCE_MAX_ROWS;
  const rows = sampleRows(total, maxRows, extras.seed);
  const n = rows.length;
  const cols = referenceColumns(ref);
  const data = new Uint8Array(n * cols.length * 4);
  const view = new DataView(data.buffer);
  cols.forEach((c, j) => {
    const base = j * n * 4;
    for (let k = 0; k < n; k++) view.setFloat32(base + k * 4, c.values[rows[k]!]!, true);
  });
  const description: DriftReferenceJson = {
    format: DRIFT_REFERENCE_FORMAT,
    rows: n,
    totalRows: total,
    sampled: n < total,
    sampling:
      n < total
        ? `${n} of ${total} rows drawn uniformly without replacement (seed ${extras.seed}; LCG s ← 1664525·s + 1013904223 mod 2^32, partial Fisher–Yates), kept in (unit, cycle) order`
        : 'every row of the reference, in (unit, cycle) order',
    seed: extras.seed,
    layout: `${DRIFT_COLUMNS_FILE}: float32 little-endian; column j (in the order of "columns") holds bytes [j·rows·4, (j + 1)·rows·4)`,
    runToFailure: ref.runToFailure === true,
    labelWindow: extras.labelWindow,
    threshold: extras.threshold,
    // quantiles, mean and std describe the whole reference, not only the sample
    columns: cols.map((c) => ({ name: c.name, kind: c.kind, ...(c.kind === 'unit' ? { binEdges: null, min: null, max: null } : binsOf(c.values)), ...meanStd(c.values) })),
    pca: {
      features: [...extras.pcaFeatures],
      varianceKept: extras.pca.varianceKept,
      mean: [...extras.pca.mean],
      scale: [...extras.pca.scale],
      components: extras.pca.components.map((r) => [...r]),
      k: extras.pca.k,
      explained: extras.pca.explained,
      explainedRatios: [...extras.pca.explainedRatios],
    },
    chunking: extras.chunking,
    bands: extras.bands.map((b) => ({ key: b.key, label: b.label, group: b.group, lower: b.lower, upper: b.upper })),
  };
  const parsed = driftReferenceJsonSchema.safeParse(description);
  if (!parsed.success) throw new Error(`the drift reference is not valid: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  return { json: new TextEncoder().encode(`${JSON.stringify(description, null, 2)}\n`), columns: data, rows: n, totalRows: total, columnCount: cols.length };
}

/** The reason given for a bundle made before bundles carried a drift reference. */
export function noReferenceReason(name: string, runId: string): string {
  return `${name} has no drift reference (it was exported before bundles carried one); export run ${runId} again (\`prognos export --run ${runId} --out DIR\`, or Export in the app) to get a bundle with drift/`;
}

/**
 * The reference a verified bundle carries, as drift data. BAD_FILE naming the bundle's file when it
 * has none (an older bundle) or when the files disagree with each other or with the manifest.
 */
export function readDriftReference(files: ReadonlyMap<string, Uint8Array>, manifest: BundleManifest, name: string): { reference: DriftData; description: DriftReferenceJson } {
  const m = manifest.drift;
  if (m === undefined) throw badFile([{ file: `${name}/${DRIFT_REFERENCE_FILE}`, reason: noReferenceReason(name, manifest.runId) }]);
  const fail = (file: string, reason: string): never => {
    throw badFile([{ file: `${name}/${file}`, reason }]);
  };
  const jsonBytes = files.get(m.file) ?? fail(m.file, 'missing');
  const data = files.get(m.data.file) ?? fail(m.data.file, 'missing');
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(jsonBytes).toString('utf8'));
  } catch (e) {
    fail(m.file, `not valid JSON (${(e as Error).message})`);
  }
  const r = driftReferenceJsonSchema.safeParse(json);
  if (!r.success) {
    return fail(
      m.file,
      r.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; '),
    );
  }
  const d = r.data;
  if (d.rows !== m.rows || d.totalRows !== m.totalRows || d.sampled !== m.sampled || d.columns.length !== m.columns) {
    fail(m.file, `its counts (${d.rows} rows of ${d.totalRows}, ${d.columns.length} columns) differ from manifest.json's (${m.rows} of ${m.totalRows}, ${m.columns})`);
  }
  if (data.byteLength !== d.rows * d.columns.length * 4) fail(m.data.file, `holds ${data.byteLength} bytes, not ${d.rows} rows × ${d.columns.length} float32 columns`);
  const names = new Set<string>();
  for (const c of d.columns) {
    if (names.has(`${c.kind}:${c.name}`)) fail(m.file, `column ${c.name} is listed twice`);
    names.add(`${c.kind}:${c.name}`);
  }
  const features = d.columns.filter((c) => c.kind === 'feature').map((c) => c.name);
  if (features.length !== manifest.selectedFeatures.length || features.some((f, i) => f !== manifest.selectedFeatures[i])) {
    fail(m.file, 'its features are not the selected features of manifest.json, in their order');
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = d.rows;
  const column = (j: number): Float32Array => {
    const out = new Float32Array(n);
    for (let k = 0; k < n; k++) out[k] = view.getFloat32((j * n + k) * 4, true);
    return out;
  };
  const one = (kind: ColumnKind, required: boolean): Float32Array | undefined => {
    const at = d.columns.map((c, j) => (c.kind === kind ? j : -1)).filter((j) => j >= 0);
    if (at.length > 1 || (required && at.length === 0)) fail(m.file, `needs ${required ? 'exactly' : 'at most'} one ${kind} column, has ${at.length}`);
    return at.length === 0 ? undefined : column(at[0]!);
  };
  const whole = (v: Float32Array, what: string): Int32Array => {
    for (let k = 0; k < n; k++) if (!Number.isInteger(v[k])) fail(m.data.file, `${what} at row ${k + 1} is ${v[k]}, not a whole number`);
    return Int32Array.from(v);
  };
  const unit = whole(one('unit', true)!, 'unit');
  const cycle = whole(one('cycle', true)!, 'cycle');
  for (let k = 1; k < n; k++) {
    if (unit[k]! < unit[k - 1]! || (unit[k] === unit[k - 1] && cycle[k]! <= cycle[k - 1]!)) fail(m.data.file, `rows are not in (unit, cycle) order at row ${k + 1}`);
  }
  const probability = one('probability', true)!;
  const rul = one('rul', false);
  const label = one('label', false);
  const lifeColumn = one('life', false);
  const life = lifeColumn === undefined ? undefined : whole(lifeColumn, 'life');
  const columns: DriftColumn[] = [];
  d.columns.forEach((c, j) => {
    if (c.kind === 'feature' || c.kind === 'sensor') columns.push({ name: c.name, kind: c.kind, values: column(j) });
  });
  const reference: DriftData = {
    unit,
    cycle,
    columns,
    probability,
    ...(rul === undefined ? {} : { rul }),
    ...(label === undefined ? {} : { labels: Uint8Array.from(label, (x) => (x >= 0.5 ? 1 : 0)) }),
    ...(life === undefined ? {} : { life }),
    runToFailure: d.runToFailure,
  };
  return { reference, description: d };
}

/** Rows with at least `window` cycles of history, in table order. */
export function fullWindowRows(table: Pick<FleetTable, 'unit' | 'rowCount'>, window: number): Int32Array {
  const spans = unitSpans(table);
  let n = 0;
  for (const s of spans) n += Math.max(0, s.end - s.start - window + 1);
  const out = new Int32Array(n);
  let k = 0;
  for (const s of spans) for (let i = s.start + window - 1; i < s.end; i++) out[k++] = i;
  return out;
}

/**
 * The current side for a bundle: the table's rows with a full window, the bundle's selected features
 * (computed from its recipe), the raw columns the reference has (each required), and the bundle's scores at those rows
 * (`scored`, from its ONNX models); labels when the table came with its RUL file.
 */
export function currentFromBundle(
  manifest: BundleManifest,
  table: FleetTable,
  rows: Int32Array,
  scored: { probability: ArrayLike<number>; rul?: ArrayLike<number> },
  referenceSensors: readonly string[],
): DriftData {
  const f = manifest.features;
  const state: FeatureState = { spec: f.spec, sensors: [...f.sensors], droppedSensors: [...f.droppedSensors], ...(f.regime === undefined ? {} : { regime: f.regime }) };
  const engineered = engineerFeatures(table, state.spec, { state });
  const index = new Map(engineered.names.map((name, i) => [name, i]));
  const gather = (values: ArrayLike<number>): Float32Array => Float32Array.from(rows, (i) => values[i]!);
  const columns: DriftColumn[] = manifest.selectedFeatures.map((name) => {
    const i = index.get(name);
    if (i === undefined) throw badFile([{ file: 'manifest.json', reason: `the feature recipe does not produce ${name}` }]);
    return { name, kind: 'feature', values: gather(engineered.columns[i]!) };
  });
  const tableIndex = new Map(table.columns.map((c, j) => [c.name, j]));
  for (const name of referenceSensors) {
    const j = tableIndex.get(name);
    // both sides must have the same columns, so a raw column the reference has must be in the data too
    if (j === undefined) throw new PrognosError('INVALID_INPUT', `The current data has no column ${name}, which the bundle's drift reference has.`);
    columns.push({ name, kind: 'sensor', values: gather(table.values[j]!) });
  }
  let labels: Uint8Array | undefined;
  let life: Int32Array | undefined;
  const rulAtEnd = table.rulAtEnd;
  if (rulAtEnd !== undefined) {
    const all = failWithin(rulPerRow(table), manifest.label.window);
    labels = Uint8Array.from(rows, (i) => all[i]!);
    // a unit's whole life: its last cycle here plus the cycles the RUL file says it had left
    const lifeOf = new Map(unitSpans(table).map((s) => [s.unit, table.cycle[s.end - 1]! + (rulAtEnd.get(s.unit) ?? 0)]));
    life = Int32Array.from(rows, (i) => lifeOf.get(table.unit[i]!)!);
  }
  return {
    unit: Int32Array.from(rows, (i) => table.unit[i]!),
    cycle: Int32Array.from(rows, (i) => table.cycle[i]!),
    columns,
    probability: Float32Array.from(scored.probability),
    ...(scored.rul === undefined ? {} : { rul: Float32Array.from(scored.rul) }),
    ...(labels === undefined ? {} : { labels }),
    ...(life === undefined ? {} : { life }),
    runToFailure: false,
  };
}
