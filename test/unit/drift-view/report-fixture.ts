/**
 * A drift report built by hand in the shared shape (checked against driftReportSchema), for the
 * Drift view's unit tests: four features whose scores sit at known places around the default
 * thresholds, two sensors, chunk series of every group.
 */
import { DEFAULT_DRIFT_THRESHOLDS, driftReportSchema, type ColumnDrift, type DriftReport, type DriftScores } from '../../../src/shared/drift';

function column(name: string, kind: ColumnDrift['kind'], scores: DriftScores, n = 5000): ColumnDrift {
  // stored under 'auto' with n > 1,000: Wasserstein decides
  const drifted = scores.wasserstein >= DEFAULT_DRIFT_THRESHOLDS.wasserstein;
  return {
    name,
    kind,
    method: 'wasserstein',
    score: scores.wasserstein,
    threshold: DEFAULT_DRIFT_THRESHOLDS.wasserstein,
    drifted,
    scores,
    referenceN: n,
    currentN: n,
    reference: { mean: 0, std: 1 },
    current: { mean: scores.wasserstein, std: 1 },
    histogram: { edges: [-2, -1, 0, 1, 2], reference: [0.1, 0.4, 0.4, 0.1], current: [0.05, 0.3, 0.45, 0.2] },
  };
}

export function fixtureReport(): DriftReport {
  const features = [
    // psi, ks D, ks p, wasserstein, jsd, hellinger
    column('s11_mean_10', 'feature', { psi: 0.42, ks: 0.31, ksPValue: 1e-40, wasserstein: 0.55, jsd: 0.22, hellinger: 0.24 }),
    column('s4_slope_20', 'feature', { psi: 0.15, ks: 0.08, ksPValue: 0.002, wasserstein: 0.12, jsd: 0.07, hellinger: 0.08 }),
    column('s9_std_5', 'feature', { psi: 0.06, ks: 0.03, ksPValue: 0.2, wasserstein: 0.04, jsd: 0.03, hellinger: 0.03 }),
    column('s2_ewma', 'feature', { psi: 0.02, ks: 0.01, ksPValue: 0.9, wasserstein: 0.01, jsd: 0.01, hellinger: 0.01 }),
  ];
  const sensors = [
    column('sensor_11', 'sensor', { psi: 0.5, ks: 0.4, ksPValue: 1e-60, wasserstein: 0.7, jsd: 0.3, hellinger: 0.3 }),
    column('setting_1', 'sensor', { psi: 0.01, ks: 0.01, ksPValue: 0.95, wasserstein: 0.01, jsd: 0.01, hellinger: 0.01 }),
  ];
  const chunkLabels = ['1–50', '51–100', '101–150', '151–200'];
  const predictionScores: DriftScores = { psi: 0.08, ks: 0.05, ksPValue: 0.01, wasserstein: 0.09, jsd: 0.05, hellinger: 0.05 };
  const report: DriftReport = {
    reportId: 'drift_fixture_1',
    createdAt: '2026-12-05T08:00:00.000Z',
    source: { kind: 'run', id: 'run_fixture', label: 'Run fixture' },
    reference: { rows: 5000, units: 70, label: 'training units of run_fixture' },
    current: { kind: 'dataset', id: 'ds_current', label: 'fleet B', rows: 5000, units: 40, labelled: true },
    comparison: 'matched',
    method: 'auto',
    thresholds: { ...DEFAULT_DRIFT_THRESHOLDS },
    datasetDriftShare: 0.5,
    datasetDrift: true,
    driftedShare: 0.5,
    features,
    sensors,
    multivariate: { pca: 1.8, pcaReference: 1.2, pcaUpper: 1.5, pcaDrifted: true, components: 3, domainAuc: 0.71, domainThreshold: 0.6, domainDrifted: true },
    prediction: {
      method: 'wasserstein',
      score: predictionScores.wasserstein,
      threshold: 0.1,
      drifted: false,
      scores: predictionScores,
      histogram: { edges: [0, 0.5, 1], reference: [0.8, 0.2], current: [0.75, 0.25] },
    },
    estimated: {
      f2: 0.81,
      precision: 0.7,
      recall: 0.85,
      rocAuc: 0.95,
      low: { f2: 0.76, precision: 0.64, recall: 0.8, rocAuc: 0.93 },
      high: { f2: 0.86, precision: 0.76, recall: 0.9, rocAuc: 0.97 },
      level: 0.95,
      rows: 5000,
      threshold: 0.32,
    },
    realised: { f2: 0.79, precision: 0.68, recall: 0.83, rocAuc: 0.94 },
    chunking: { by: 'cycles', size: 50 },
    chunks: {
      labels: chunkLabels,
      rows: [1250, 1250, 1250, 1250],
      series: [
        { key: 'pca', label: 'PCA reconstruction error', group: 'multivariate', values: [1.1, 1.2, 1.6, 1.9], lower: 0.9, upper: 1.5, alerts: [false, false, true, true] },
        { key: 'prediction', label: 'Mean failure probability', group: 'prediction', values: [0.05, 0.06, null, 0.3], lower: 0.01, upper: 0.2, alerts: [false, false, false, true] },
        { key: 'feature:s11_mean_10', label: 's11_mean_10', group: 'feature', values: [0.1, 0.2, 0.5, 0.6], lower: null, upper: 0.3, alerts: [false, false, true, true] },
        {
          key: 'estimated:f2',
          label: 'Estimated F2',
          group: 'performance',
          values: [0.85, 0.82, 0.8, 0.7],
          lower: 0.72,
          upper: null,
          alerts: [false, false, false, true],
          bandLow: [0.8, 0.77, null, 0.62],
          bandHigh: [0.9, 0.87, 0.85, 0.78],
          realised: [0.86, 0.8, 0.78, 0.69],
        },
      ],
    },
    notes: ['Life-stage matching weighted the reference rows to the current rows’ cycles.'],
  };
  return driftReportSchema.parse(report);
}
