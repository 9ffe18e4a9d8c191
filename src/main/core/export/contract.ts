/** The input contract of pipeline.onnx and of the model files, in words (manifest, model card, OpenAPI). */
import type { PipelineContract } from './pipeline-onnx';

export function pipelineContractLines(c: PipelineContract, window: number): string[] {
  const cols = c.historyColumns.join(', ');
  const lines = [
    `history (float64 [N, T, ${c.historyColumns.length}]): per unit n, the raw values of ${cols} for its rows in cycle order, right-aligned so that the unit's latest row is at index T − 1. Values are the raw readings as imported (no scaling).`,
    'cycles (float64 [N, T]): the cycle number of each history row, with the same alignment; cycles increase strictly within a unit.',
    'valid (int64 [N]): how many of the T rows of unit n are real (1 ≤ valid ≤ T; values outside are clamped). Rows 0 … T − valid − 1 are padding: any finite or non-finite values, ignored (0 recommended).',
    `When valid < T the first real row is the unit's first cycle: rolling statistics then use the rows available so far (fewer rows at a unit's start, exactly as in training), and ${c.targetRows > 1 ? `the ${window}-row sequence window is left-padded with the features of that first row` : 'the features are evaluated at the last row'}.`,
    c.requiresFullHistory
      ? "An EWMA feature is used, so every unit's complete history from its first cycle must be sent (T ≥ the longest history in the batch; valid = the unit's row count). A truncated history changes the EWMA and the prediction."
      : `A unit with more than T rows is sent as its last T rows with valid = T; T must then be at least ${c.minHistoryRows} rows (the window of ${c.targetRows} row${c.targetRows === 1 ? '' : 's'} plus the longest feature window − 1), and more rows change nothing.`,
    `Outputs: probability (float32 [N]) for each unit's latest row, parts (float32 [N, ${c.parts.length}]: ${c.parts.join(', ')}), features (float32 [N, ${c.features.length}]: the engineered features at the latest row in GBDT input order, for monitoring).`,
    ...(c.rul
      ? ['Remaining useful life at the latest row: rul, rul_low and rul_high (float32 [N], cycles): the RUL ensemble and its conformal interval (manifest.rul).']
      : []),
  ];
  return lines;
}
