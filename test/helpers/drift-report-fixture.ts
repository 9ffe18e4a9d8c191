/**
 * DriftReport objects built from the shapes of src/shared/drift.ts (and checked against its schema),
 * for tests of what reads stored reports (alerts, the panel). Scores are chosen by the test.
 */
import {
  DEFAULT_DATASET_DRIFT_SHARE,
  DEFAULT_DRIFT_THRESHOLDS,
  driftReportSchema,
  type ColumnDrift,
  type DriftReport,
  type DriftScores,
} from '../../src/shared/drift';

export interface ReportFixtureOptions {
  reportId?: string;
  source?: DriftReport['source'];
  /** per feature: its normalised Wasserstein score (drifts at ≥ 0.1) */
  wasserstein?: readonly number[];
  predictionDrifted?: boolean;
  estimatedF2?: number | null;
  domainAuc?: number;
  currentLabel?: string;
}

function scores(w: number): DriftScores {
  return {
    psi: w * 1.5,
    ks: Math.min(1, w / 2),
    ksPValue: w >= 0.1 ? 1e-6 : 0.4,
    wasserstein: w,
    jsd: w / 2,
    hellinger: w / 2,
  };
}

function column(name: string, w: number): ColumnDrift {
  return {
    name,
    kind: 'feature',
    method: 'wasserstein',
    score: w,
    threshold: DEFAULT_DRIFT_THRESHOLDS.wasserstein,
    drifted: w >= DEFAULT_DRIFT_THRESHOLDS.wasserstein,
    scores: scores(w),
    referenceN: 5000,
    currentN: 4000,
    reference: { mean: 0, std: 1 },
    current: { mean: w, std: 1 },
    histogram: { edges: [0, 1, 2], reference: [0.5, 0.5], current: [0.5, 0.5] },
  };
}

export function driftReportFixture(o: ReportFixtureOptions = {}): DriftReport {
  const ws = o.wasserstein ?? [0.01, 0.02, 0.03, 0.04];
  const features = ws.map((w, i) => column(`s${i + 2}_mean_10`, w));
  const driftedShare = features.filter((f) => f.drifted).length / features.length;
  const f2 = o.estimatedF2 === undefined ? 0.8 : o.estimatedF2;
  const perf = { f2, precision: f2 === null ? null : 0.6, recall: f2 === null ? null : 0.9, rocAuc: 0.95 };
  const predictionDrifted = o.predictionDrifted ?? false;
  const report: DriftReport = {
    reportId: o.reportId ?? 'rep_fixture0000000001',
    createdAt: '2026-01-01T00:00:00.000Z',
    source: o.source ?? { kind: 'run', id: 'run_fixture', label: 'run_fixture (seed 1)' },
    reference: { rows: 5000, units: 80, label: 'training units of run_fixture' },
    current: {
      kind: 'dataset',
      id: 'ds_fixture',
      label: o.currentLabel ?? 'test fleet',
      rows: 4000,
      units: 100,
      labelled: false,
    },
    comparison: 'matched',
    method: 'auto',
    thresholds: { ...DEFAULT_DRIFT_THRESHOLDS },
    datasetDriftShare: DEFAULT_DATASET_DRIFT_SHARE,
    datasetDrift: driftedShare >= DEFAULT_DATASET_DRIFT_SHARE,
    driftedShare,
    features,
    sensors: [],
    multivariate: {
      pca: 1.2,
      pcaReference: 1.0,
      pcaUpper: 1.3,
      pcaDrifted: false,
      components: 3,
      domainAuc: o.domainAuc ?? 0.55,
      domainThreshold: 0.75,
      domainDrifted: (o.domainAuc ?? 0.55) >= 0.75,
    },
    prediction: {
      method: 'wasserstein',
      score: predictionDrifted ? 0.3 : 0.02,
      threshold: 0.1,
      drifted: predictionDrifted,
      scores: scores(predictionDrifted ? 0.3 : 0.02),
      histogram: { edges: [0, 0.5, 1], reference: [0.9, 0.1], current: [0.9, 0.1] },
    },
    estimated: { ...perf, low: { ...perf }, high: { ...perf }, level: 0.95, rows: 4000, threshold: 0.4 },
    chunking: { by: 'rows', size: 1000 },
    chunks: { labels: ['1', '2', '3', '4'], rows: [1000, 1000, 1000, 1000], series: [] },
    notes: [],
  };
  return driftReportSchema.parse(report);
}
