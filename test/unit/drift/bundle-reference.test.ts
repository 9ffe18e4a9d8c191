/** A bundle's drift reference: written and read back exactly, sampled deterministically, and refused when its files disagree. */
import { describe, expect, it } from 'vitest';
import { PrognosError } from '../../../src/shared/errors';
import { buildDriftReference, readDriftReference, sampleRows } from '../../../src/main/core/drift/bundle-reference';
import { fitPca } from '../../../src/main/core/drift/pca';
import type { DriftData } from '../../../src/main/core/drift/reference';
import { referenceQuantileEdges, sortedSample } from '../../../src/main/core/drift/stats';
import { sha256Hex } from '../../../src/main/core/export/checksums';
import type { BundleManifest } from '../../../src/main/core/export/manifest';

function side(units: number, cycles: number, seed = 1): DriftData {
  let s = seed;
  const rand = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
  const n = units * cycles;
  const unit = new Int32Array(n);
  const cycle = new Int32Array(n);
  const f1 = new Float32Array(n);
  const f2 = new Float32Array(n);
  const s1 = new Float32Array(n);
  for (let u = 0, i = 0; u < units; u++) {
    for (let c = 0; c < cycles; c++, i++) {
      unit[i] = u + 1;
      cycle[i] = c + 30;
      f1[i] = c / 10 + rand();
      f2[i] = 2 * f1[i]! + rand();
      s1[i] = 640 + rand() * 3;
    }
  }
  return {
    unit,
    cycle,
    columns: [
      { name: 's1_mean_5', kind: 'feature', values: f1 },
      { name: 's1_slope_10', kind: 'feature', values: f2 },
      { name: 's1', kind: 'sensor', values: s1 },
    ],
    probability: Float32Array.from(f1, (x) => Math.min(1, x / 20)),
    rul: Float32Array.from(cycle, (c) => cycles + 30 - c),
    labels: Uint8Array.from(cycle, (c) => (cycles + 30 - c <= 30 ? 1 : 0)),
    life: Int32Array.from(cycle, () => cycles + 29),
    runToFailure: true,
  };
}

function bundleOf(ref: DriftData, maxRows?: number): { files: Map<string, Uint8Array>; manifest: BundleManifest } {
  const features = ref.columns.filter((c) => c.kind === 'feature');
  const pca = fitPca(features.map((c) => c.values));
  const d = buildDriftReference(ref, {
    pca,
    pcaFeatures: features.map((c) => c.name),
    chunking: { by: 'rows', size: 100 },
    bands: [{ key: 'pca', label: 'PCA reconstruction error', group: 'multivariate', lower: 0.1, upper: 0.9 }],
    labelWindow: 30,
    threshold: 0.4,
    seed: 7,
    ...(maxRows === undefined ? {} : { maxRows }),
  });
  const manifest = {
    runId: 'run_x',
    selectedFeatures: features.map((c) => c.name),
    drift: {
      format: 'prognos-drift-reference/1',
      file: 'drift/reference.json',
      sha256: sha256Hex(d.json),
      data: { file: 'drift/columns.f32', sha256: sha256Hex(d.columns), encoding: 'float32' },
      rows: d.rows,
      totalRows: d.totalRows,
      sampled: d.rows < d.totalRows,
      columns: d.columnCount,
      description: '',
    },
  } as unknown as BundleManifest;
  return { files: new Map([['drift/reference.json', d.json], ['drift/columns.f32', d.columns]]), manifest };
}

function badFileReason(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof PrognosError && e.code === 'BAD_FILE') return e.message;
    throw e;
  }
  return 'no error';
}

describe('bundle drift reference', () => {
  it('reads back every row of a small reference exactly (float32), with its quantile edges over the whole reference', () => {
    const ref = side(6, 50);
    const { files, manifest } = bundleOf(ref);
    const { reference, description } = readDriftReference(files, manifest, 'b');
    expect(description.sampled).toBe(false);
    expect(Array.from(reference.unit)).toEqual(Array.from(ref.unit));
    expect(Array.from(reference.cycle)).toEqual(Array.from(ref.cycle));
    expect(reference.columns.map((c) => [c.name, c.kind])).toEqual(ref.columns.map((c) => [c.name, c.kind]));
    reference.columns.forEach((c, j) => expect(Array.from(c.values)).toEqual(Array.from(ref.columns[j]!.values)));
    expect(Array.from(reference.probability)).toEqual(Array.from(ref.probability));
    expect(Array.from(reference.rul!)).toEqual(Array.from(ref.rul!));
    expect(Array.from(reference.labels!)).toEqual(Array.from(ref.labels!));
    expect(Array.from(reference.life!)).toEqual(Array.from(ref.life!));
    expect(reference.runToFailure).toBe(true);
    const f1 = description.columns.find((c) => c.name === 's1_mean_5')!;
    expect(f1.binEdges).toEqual(referenceQuantileEdges(sortedSample(ref.columns[0]!.values)));
    expect(f1.min).toBe(Math.min(...ref.columns[0]!.values));
    expect(description.columns.find((c) => c.kind === 'unit')!.binEdges).toBeNull();
    expect(description.pca.features).toEqual(['s1_mean_5', 's1_slope_10']);
    expect(description.bands).toEqual([{ key: 'pca', label: 'PCA reconstruction error', group: 'multivariate', lower: 0.1, upper: 0.9 }]);
  });

  it('samples at most maxRows rows, the same ones for the same seed, in (unit, cycle) order', () => {
    const ref = side(20, 100);
    const a = bundleOf(ref, 500);
    const b = bundleOf(ref, 500);
    expect(a.files.get('drift/columns.f32')).toEqual(b.files.get('drift/columns.f32'));
    const { reference, description } = readDriftReference(a.files, a.manifest, 'b');
    expect(description).toMatchObject({ rows: 500, totalRows: 2000, sampled: true });
    expect(reference.unit).toHaveLength(500);
    // every sampled row is a row of the reference
    const key = new Set(Array.from(ref.unit, (u, i) => `${u}:${ref.cycle[i]}`));
    for (let k = 0; k < 500; k++) expect(key.has(`${reference.unit[k]}:${reference.cycle[k]}`)).toBe(true);
    // spread over the units, not the first rows
    expect(new Set(reference.unit).size).toBe(20);
    const rows = sampleRows(2000, 500, 7);
    expect(new Set(rows).size).toBe(500);
    expect(Array.from(rows)).toEqual([...rows].sort((x, y) => x - y));
    expect(Array.from(sampleRows(2000, 500, 8))).not.toEqual(Array.from(rows));
  });

  it('refuses a bundle without a reference, and files that disagree with each other or the manifest, naming the file', () => {
    const ref = side(4, 40);
    const ok = bundleOf(ref);
    const { drift: _gone, ...noDrift } = ok.manifest as unknown as Record<string, unknown>;
    expect(badFileReason(() => readDriftReference(ok.files, noDrift as unknown as BundleManifest, 'old'))).toMatch(
      /^old\/drift\/reference\.json: old has no drift reference \(it was exported before bundles carried one\); export run run_x again/,
    );
    const cols = ok.files.get('drift/columns.f32')!;
    const short = new Map(ok.files).set('drift/columns.f32', cols.subarray(0, cols.length - 4));
    expect(badFileReason(() => readDriftReference(short, ok.manifest, 'b'))).toMatch(/^b\/drift\/columns\.f32: holds \d+ bytes, not 160 rows × 9 float32 columns/);
    const counts = { ...ok.manifest, drift: { ...ok.manifest.drift!, rows: 100 } } as BundleManifest;
    expect(badFileReason(() => readDriftReference(ok.files, counts, 'b'))).toMatch(/^b\/drift\/reference\.json: its counts \(160 rows of 160, 9 columns\) differ from manifest\.json's \(100 of 160, 9\)/);
    const renamed = { ...ok.manifest, selectedFeatures: ['s1_slope_10', 's1_mean_5'] } as BundleManifest;
    expect(badFileReason(() => readDriftReference(ok.files, renamed, 'b'))).toMatch(/its features are not the selected features of manifest\.json/);
    const json = JSON.parse(Buffer.from(ok.files.get('drift/reference.json')!).toString('utf8')) as { columns: { binEdges: number[] | null }[] };
    json.columns[2]!.binEdges = [1, 2];
    const broken = new Map(ok.files).set('drift/reference.json', new TextEncoder().encode(JSON.stringify(json)));
    expect(badFileReason(() => readDriftReference(broken, ok.manifest, 'b'))).toMatch(/^b\/drift\/reference\.json: columns\.2\.binEdges/);
    // a unit number that is not whole, and rows out of order
    const bytes = new Uint8Array(cols);
    new DataView(bytes.buffer).setFloat32(4, 1.5, true);
    expect(badFileReason(() => readDriftReference(new Map(ok.files).set('drift/columns.f32', bytes), ok.manifest, 'b'))).toMatch(/unit at row 2 is 1.5, not a whole number/);
    new DataView(bytes.buffer).setFloat32(4, 0, true);
    expect(badFileReason(() => readDriftReference(new Map(ok.files).set('drift/columns.f32', bytes), ok.manifest, 'b'))).toMatch(/rows are not in \(unit, cycle\) order at row 2/);
  });
});
