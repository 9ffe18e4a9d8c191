import type { MetricsValue } from '../../../../shared/schemas';
import { formatThreshold } from '../../lib/format';

export type MetricKey = 'f2' | 'f1' | 'precision' | 'recall' | 'rocAuc' | 'prAuc' | 'brier';

export const METRIC_COLUMNS: readonly { key: MetricKey; label: string; title: string }[] = [
  { key: 'f2', label: 'F2', title: 'F-beta with beta = 2: recall weighs four times precision (the headline score)' },
  { key: 'f1', label: 'F1', title: 'Harmonic mean of precision and recall' },
  { key: 'precision', label: 'Precision', title: 'Share of flagged rows that are failure rows' },
  { key: 'recall', label: 'Recall', title: 'Share of failure rows that are flagged' },
  { key: 'rocAuc', label: 'ROC-AUC', title: 'Area under the ROC curve (threshold-free)' },
  { key: 'prAuc', label: 'PR-AUC', title: 'Average precision (threshold-free)' },
  { key: 'brier', label: 'Brier', title: 'Mean squared error of the probabilities (lower is better)' },
];

/** Why a metric is missing ("—"), in the analyst's words. */
export function whyMissing(
  key: MetricKey,
  m: Pick<MetricsValue, 'n' | 'positives' | 'threshold' | 'confusion'>,
): string {
  if (m.n === 0) return 'Undefined: the split has no evaluation rows (no units, or none with a full history window).';
  const negatives = m.n - m.positives;
  const flagged = m.confusion.tp + m.confusion.fp;
  switch (key) {
    case 'precision':
      return `Undefined: no row is flagged at threshold ${formatThreshold(m.threshold)}.`;
    case 'recall':
    case 'prAuc':
      return 'Undefined: the split has no failure rows (no positives).';
    case 'rocAuc':
      return m.positives === 0
        ? 'Undefined: the split has no failure rows (no positives).'
        : negatives === 0
          ? 'Undefined: every row is a failure row (no negatives).'
          : 'Undefined for this split.';
    case 'f1':
    case 'f2':
      return flagged === 0 && m.positives === 0
        ? 'Undefined: no failure rows and nothing flagged.'
        : 'Undefined for this split.';
    case 'brier':
      return 'Undefined: the split has no evaluation rows.';
  }
}
