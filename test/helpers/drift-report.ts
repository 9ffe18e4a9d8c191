/** A small, valid drift report body for store, service and CLI tests (figures chosen per test). */
import { DEFAULT_DRIFT_THRESHOLDS, type ColumnDrift, type DriftScores } from '../../src/shared/drift';
import type { DriftReportBody } from '../../src/main/core/store/store';

const perf = (v: number | null) => ({ f2: v, precision: v, recall: v, rocAuc: v });

export function columnDrift(name: string, scores: Partial<DriftScores> = {}, kind: 'feature' | 'sensor' = 'feature'): ColumnDrift {
  const s: DriftScores = { psi: 0.01, ks: 0.02, ksPValue: 0.6, wasserstein: 0.03, jsd: 0.02, hellinger: 0.02, ...scores };
  return {
    name,
    kind,
    method: 'psi',
    score: s.psi,
    threshold: DEFAULT_DRIFT_THRESHOLDS.psi,
    drifted: s.psi >= DEFAULT_DRIFT_THRESHOLDS.psi,
    scores: s,
    referenceN: 5000,
    currentN: 2000,
    reference: { mean: 0, std: 1 },
    current: { mean: 0.1, std: 1 },
    histogram: { edges: [0, 1, 2], reference: [0.5, 0.5], current: [0.4, 0.6] },
  };
}

export interface ReportFixture {
  source?: { kind: 'run' | 'bundle'; id: string; label?: string };
  current?: { kind: 'dataset' | 'file'; id: string; label?: string };
  features?: ColumnDrift[];
  estimatedF2?: number | null;
  domainAuc?: number;
}

export function driftReportBody(f: ReportFixture = {}): DriftReportBody {
  const features = f.features ?? [columnDrift('s11_mean_10', { psi: 0.4 }), columnDrift('s4_raw')];
  const drifted = features.filter((c) => c.drifted).length;
  const share = features.length === 0 ? 0 : drifted / features.length;
  const source = f.source ?? { kind: 'run', id: 'run_x' };
  const current = f.current ?? { kind: 'file', id: 'test_FD001.txt' };
  const scores: DriftScores = { psi: 0.05, ks: 0.04, ksPValue: 0.2, wasserstein: 0.06, jsd: 0.03, hellinger: 0.03 };
  return {
    source: { kind: source.kind, id: source.id, label: source.label ?? source.id },
    reference: { rows: 5000, units: 70, label: 'training units' },
    current: { kind: current.kind, id: current.id, label: current.label ?? current.id, rows: 2000, units: 30, labelled: false },
    comparison: 'matched',
    method: 'psi',
    thresholds: { ...DEFAULT_DRIFT_THRESHOLDS },
    datasetDriftShare: 0.5,
    datasetDrift: share >= 0.5,
    driftedShare: share,
    features,
    sensors: [columnDrift('s2', {}, 'sensor')],
    multivariate: { pca: 1.2, pcaReference: 1.1, pcaUpper: 1.4, pcaDrifted: false, components: 3, domainAuc: f.domainAuc ?? 0.55, domainThreshold: 0.6, domainDrifted: (f.domainAuc ?? 0.55) >= 0.6 },
    prediction: { method: 'psi', score: 0.05, threshold: 0.1, drifted: false, scores, histogram: { edges: [0, 0.5, 1], reference: [0.9, 0.1], current: [0.85, 0.15] } },
    estimated: { ...perf(f.estimatedF2 === undefined ? 0.8 : f.estimatedF2), low: perf(0.7), high: perf(0.9), level: 0.95, rows: 2000, threshold: 0.3 },
    chunking: { by: 'rows', size: 500 },
    chunks: { labels: ['1', '2'], rows: [500, 500], series: [{ key: 'pca', label: 'PCA reconstruction error', group: 'multivariate', values: [1.1, 1.3], lower: 0.9, upper: 1.4, alerts: [false, false] }] },
    notes: ['fixture'],
  };
}
