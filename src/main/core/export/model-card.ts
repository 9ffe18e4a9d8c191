/** model_card.md: what the bundled model is for, its data, metrics, limits and exact input contract. */
import { networksNote } from './lstm-onnx';
import type { BundleManifest } from './manifest';

const METRIC_KEYS = ['f2', 'f1', 'precision', 'recall', 'rocAuc', 'prAuc', 'brier', 'n', 'positives'] as const;

function fmt(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(4);
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  return v === null || v === undefined ? '–' : JSON.stringify(v);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function metricsTable(metrics: Record<string, unknown>): string[] {
  const rows: string[] = [];
  for (const [model, perSplit] of Object.entries(metrics)) {
    if (!isRecord(perSplit)) continue;
    for (const [split, m] of Object.entries(perSplit)) {
      if (!isRecord(m)) continue;
      rows.push(`| ${model} | ${split} | ${METRIC_KEYS.map((k) => fmt(m[k])).join(' | ')} |`);
    }
  }
  if (rows.length === 0) return ['No metrics were recorded for this run.'];
  return [`| model | split | ${METRIC_KEYS.join(' | ')} |`, `|${' --- |'.repeat(METRIC_KEYS.length + 2)}`, ...rows];
}

function calibrationLine(m: BundleManifest): string {
  const c = m.calibration ?? { method: 'none' };
  switch (c.method) {
    case 'none':
      return 'none (the probability is the ensemble score as it is).';
    case 'platt':
      return `Platt scaling fitted on the validation units, P' = σ(${c.a.toPrecision(6)}·logit(P) + ${c.b.toPrecision(6)}); the threshold is on P'.`;
    case 'isotonic':
      return `isotonic regression fitted on the validation units (${c.x.length} knots, linear between them, constant beyond); the threshold is on the calibrated probability.`;
  }
}

/** The RUL models in the Model section (nothing for a bundle without RUL). */
function rulModelLines(m: BundleManifest): string[] {
  const r = m.rul;
  if (r === undefined) return [];
  const short = (x: number): string => String(Number(x.toPrecision(6)));
  const bins = r.interval.bins.map((b) => `${b.upTo === null ? 'above' : `below ${short(b.upTo)}`}: ${short(b.low)} / +${short(b.high)}`).join('; ');
  return [
    `- Remaining useful life (cycles, target capped at ${r.cap}): gradient-boosted regression trees on ${r.features.length} features, \`models/gbdt-rul.onnx\`, \`models/gbdt-rul.xgboost.json\`` +
      (r.files.lstm === undefined ? '.' : `; the LSTM's RUL head (output × ${r.cap}), \`models/lstm-rul.onnx\`; ensemble ${r.formula}, w = ${r.weight}.`),
    `- RUL interval: split-conformal, nominal coverage ${r.interval.coverage}, offsets by predicted RUL (${bins}); the lower end is at least 0.` +
      (m.pipeline === null ? '' : ' `models/pipeline.onnx` outputs `rul`, `rul_low` and `rul_high`.'),
  ];
}

function rulContractLines(m: BundleManifest): string[] {
  const r = m.rul;
  if (r === undefined) return [];
  return [
    '### models/gbdt-rul.onnx and models/gbdt-rul.xgboost.json',
    '',
    `- Input \`features\` float32 [N, ${r.features.length}] in manifest.rul.features order${m.gbdtInput === 'scaled' ? ', standardised with the scaler' : ''}; output \`value\` float32 [N, 1]: the RUL in cycles.`,
    '',
    ...(r.files.lstm === undefined
      ? []
      : ['### models/lstm-rul.onnx', '', `- Input \`windows\` as models/lstm.onnx; output \`probability\` float32 [N, 1] = RUL / ${r.cap}.`, '']),
    `- Interval: ${r.intervalRule}.`,
    '',
  ];
}

export function buildModelCard(m: BundleManifest, opts: { lstmNetworks?: number } = {}): string {
  const hasLstm = m.models.lstm !== undefined;
  const p = m.pipeline;
  const lines: string[] = [
    `# Model card — Prognos run ${m.runId}`,
    '',
    `Created ${m.created} by Prognos ${m.appVersion} (bundle format ${m.formatVersion}).`,
    '',
    '## Purpose',
    '',
    `Estimates, for each monitored unit (engine) at its latest cycle, the probability that it fails within the next ${m.label.window} cycles ` +
      `(${m.label.definition}). An alert is raised when ${m.alert}. It supports maintenance planning by reliability analysts; ` +
      'it is not a certified airworthiness or safety decision on its own.',
    '',
    '## Model',
    '',
    `- Gradient-boosted trees (XGBoost layout, binary:logistic) on ${m.selectedFeatures.length} engineered features ` +
      `(${m.gbdtInput === 'scaled' ? 'standardised' : 'as engineered, not standardised'}): \`models/gbdt.onnx\`, \`models/gbdt.xgboost.json\`.`,
    ...(hasLstm
      ? [
          `- ${networksNote(opts.lstmNetworks ?? 1)}LSTM → LSTM → attention → dense sigmoid on windows of ${m.windowLength} cycles of ${m.lstmFeatures?.length ?? 0} standardised features: \`models/lstm.onnx\`.`,
          `- Ensemble: ${m.ensemble.formula}, w = ${m.ensemble.weight}.`,
        ]
      : ['- No sequence model in this run: the probability is the GBDT probability.']),
    `- Calibration: ${calibrationLine(m)}`,
    ...(p === null ? [] : [`- \`models/pipeline.onnx\`: raw sensor history in, features, scaling, models, ensemble and calibration in one graph.`]),
    ...rulModelLines(m),
    `- Training backend: ${m.training.backend}; seed ${m.training.seed}.`,
    '',
    '## Data',
    '',
    `- Dataset fingerprint (SHA-256 of the imported file${m.dataset.name === undefined ? '' : `, ${m.dataset.name}`}): \`${m.dataset.fingerprint}\`.`,
    `- Label: failure within ${m.label.window} cycles; training RUL = last cycle of the unit − cycle.`,
    ...(m.training.units === undefined
      ? []
      : [`- Units split by unit (never one unit in two parts): ${m.training.units.train} train, ${m.training.units.validation} validation, ${m.training.units.test} test.`]),
    `- Sensors used: ${m.features.sensors.join(', ')}.` +
      (m.features.droppedSensors.length === 0 ? '' : ` Dropped: ${m.features.droppedSensors.map((d) => `${d.name} (${d.reason})`).join('; ')}.`),
    ...(m.features.regime === undefined
      ? []
      : [`- Sensors are standardised per operating regime (${m.features.regime.centroids.length} regimes, k-means on ${m.features.regime.settings.join(', ')}).`]),
    '',
    '## Metrics',
    '',
    `Threshold ${m.threshold} (tuned for F2 on the validation units, never on test). Validation and test rows are those with a full ${m.windowLength}-cycle history.`,
    '',
    ...metricsTable(m.metrics),
    '',
    '## Limits',
    '',
    '- Valid for units of the same type, fault modes and operating conditions as the training fleet; new regimes, sensor recalibration or a changed sampling rate need a new model (watch the drift report).',
    '- The label is a fixed horizon: the probability does not say when within the horizon a failure happens.',
    `- Units with fewer than ${m.windowLength} cycles of history get features from fewer rows and a left-padded sequence window; their scores are less reliable and such rows were not part of validation or test.`,
    m.calibration === undefined || m.calibration.method === 'none'
      ? '- Probabilities are model scores; they are calibrated only as far as the Brier scores above show.'
      : '- Probabilities are calibrated on the validation units (a handful of units); check the reliability on new fleets before reading them as frequencies.',
    '',
    '## Input contract',
    '',
    `Raw columns (\`${m.rawInput.unitColumn}\`, \`${m.rawInput.cycleColumn}\` and): ` +
      m.rawInput.columns
        .filter((c) => c.role === 'setting' || c.role === 'sensor')
        .map((c) => `\`${c.name}\`${c.unit === undefined ? '' : ` [${c.unit}]`}${c.usedByPipeline ? '' : ' (unused)'}`)
        .join(', ') +
      '.',
    '',
    ...(p === null
      ? []
      : ['### models/pipeline.onnx', '', ...p.contract.map((l) => `- ${l}`), '']),
    '### models/gbdt.onnx and models/gbdt.xgboost.json',
    '',
    `- Input \`features\` float32 [N, ${m.selectedFeatures.length}] in this order${m.gbdtInput === 'scaled' ? ', each standardised as (x − mean) / std with the scaler in manifest.json' : ''}; outputs \`label\` int64 [N] and \`probabilities\` float32 [N, 2] = [1 − p, p].`,
    '',
    '| # | feature | formula |',
    '| --- | --- | --- |',
    ...m.selectedFeatureDefs.map((d, i) => `| ${i} | ${d.name} | ${d.formula} |`),
    '',
    ...(hasLstm
      ? [
          '### models/lstm.onnx',
          '',
          `- Input \`windows\` float32 [N, ${m.windowLength}, ${m.lstmFeatures?.length ?? 0}]: for each scored row, the ${m.windowLength} rows of the unit up to and including it, oldest first, left-padded with the unit's first row; features in manifest.lstmFeatures order, standardised with the scaler. Output \`probability\` float32 [N, 1].`,
          '',
        ]
      : []),
    ...rulContractLines(m),
    '## Verification',
    '',
    '- `sha256sum -c SHA256SUMS` in the bundle folder checks every file.',
    ...(m.signature === undefined
      ? ['- The bundle is not signed.']
      : [
          `- SHA256SUMS is signed (${m.signature.algorithm}); manifest.json names the signer's public key (signature.publicKey), which is a claim, not proof. ` +
            'Verify with a copy of the key obtained from the signer, not with the one in the bundle (`prognos keys add` puts it in the keyring). With OpenSSL: ' +
            '`base64 -d SIGNATURE > sig.bin && openssl pkeyutl -verify -pubin -inkey public.pem -rawin -in SHA256SUMS -sigfile sig.bin`.',
        ]),
    '',
  ];
  return lines.join('\n');
}
