/**
 * What an export writes as the bundle's drift reference: the run's reference (reference.ts) with the
 * probability and RUL the bundle's own ONNX models give, its PCA basis (pca.ts) and the bands of the
 * default chunking (the engine's own), as bundle-reference.ts lays them out.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DATASET_DRIFT_SHARE, DEFAULT_DRIFT_THRESHOLDS } from '../../../shared/drift';
import { PrognosError } from '../../../shared/errors';
import type { FleetTable } from '../data/table';
import { writeBundle, type BundleDriftReference, type BundleInput } from '../export/bundle';
import { BundleScorer } from '../export/score';
import { buildDriftReference } from './bundle-reference';
import { computeDrift, DEFAULT_CHUNKING } from './engine';
import { fitPca } from './pca';
import type { DriftData } from './reference';

/** Variance the PCA basis keeps (as the engine's multivariate drift does, after NannyML). */
export const PCA_VARIANCE_KEPT = 0.65;

/**
 * The drift reference an export writes into the bundle: the run's reference with its PCA basis and
 * the bands of the default chunking. The bands come from the engine itself, run unmatched on the
 * reference against itself (the current side given as one unit, so no domain classifier is trained:
 * a band depends on the reference chunks only).
 */
export async function bundleDriftReference(ref: DriftData, opts: { threshold: number; labelWindow: number; seed: number; maxRows?: number; signal?: AbortSignal }): Promise<BundleDriftReference> {
  const features = ref.columns.filter((c) => c.kind === 'feature');
  const basis = features.length > 0 ? features : ref.columns;
  const pca = fitPca(
    basis.map((c) => c.values),
    undefined,
    { varianceKept: PCA_VARIANCE_KEPT },
  );
  const chunking = { ...DEFAULT_CHUNKING };
  const self: DriftData = { ...ref, unit: new Int32Array(ref.unit.length).fill(ref.unit[0] ?? 0), runToFailure: false };
  const body = await computeDrift(
    ref,
    self,
    { method: 'auto', thresholds: { ...DEFAULT_DRIFT_THRESHOLDS }, datasetDriftShare: DEFAULT_DATASET_DRIFT_SHARE, comparison: 'unmatched', chunking, threshold: opts.threshold, seed: opts.seed },
    opts.signal === undefined ? {} : { signal: opts.signal },
  );
  return buildDriftReference(ref, {
    pca,
    pcaFeatures: basis.map((c) => c.name),
    chunking,
    bands: body.chunks.series,
    labelWindow: opts.labelWindow,
    threshold: opts.threshold,
    seed: opts.seed,
    ...(opts.maxRows === undefined ? {} : { maxRows: opts.maxRows }),
  });
}

/**
 * The reference with its probability (and RUL) as the bundle's ONNX models give them, so a server
 * scoring new data with the same files compares like with like. The in-app engines agree with the
 * ONNX models to float32 rounding, but the probabilities of a tree model repeat a few values many
 * times, and a difference in the last bit of a repeated value moves all its rows across a
 * reference-quantile edge: PSI and KS would then report drift between two engines, not between two
 * fleets. `table` is the table the reference was taken from (every reference row is one of its rows).
 */
export async function withBundleScores(ref: DriftData, table: FleetTable, input: BundleInput): Promise<DriftData> {
  const rowOf = new Map<string, number>();
  for (let i = 0; i < table.rowCount; i++) rowOf.set(`${table.unit[i]}:${table.cycle[i]}`, i);
  const rows = Int32Array.from(ref.unit, (u, k) => {
    const i = rowOf.get(`${u}:${ref.cycle[k]}`);
    if (i === undefined) throw new PrognosError('INTERNAL', `reference row unit ${u}, cycle ${ref.cycle[k]} is not in the run's table`);
    return i;
  });
  const dir = await mkdtemp(join(tmpdir(), 'prognos-drift-reference-'));
  try {
    // the models only: the same files the bundle will hold, written once to be loaded by onnxruntime
    const written = await writeBundle({ ...input, pipeline: false }, join(dir, 'bundle'));
    const scorer = await BundleScorer.open(written.path);
    try {
      const s = await scorer.scoreRows(table, rows);
      return {
        ...ref,
        probability: Float32Array.from(s.probability),
        ...(s.rul === undefined || ref.rul === undefined ? {} : { rul: Float32Array.from(s.rul.value) }),
      };
    } finally {
      await scorer.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
