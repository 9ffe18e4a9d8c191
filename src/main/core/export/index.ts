/** Export of trained runs: ONNX models, the raw-history pipeline, bundles (format v1) and bundle scoring. */
export { gbdtToOnnx, addTreeEnsemble, GBDT_INPUT, GBDT_LABEL, GBDT_PROBABILITIES, type GbdtOnnxOptions } from './gbdt-onnx';
export { addTreeEnsembleRegressor, GBDT_VALUE } from './gbdt-onnx';
export {
  lstmToOnnx,
  addLstmAttention,
  lstmDims,
  onnxLstmTensors,
  kerasGateMatrixToOnnx,
  kerasBiasToOnnx,
  KERAS_GATE_OF,
  LSTM_INPUT,
  LSTM_OUTPUT,
  type KerasLstmLayer,
  type LstmAttentionWeights,
  type LstmMembers,
  membersOf,
  type LstmDims,
  type LstmShape,
  type WeightTensor,
} from './lstm-onnx';
export {
  pipelineToOnnx,
  pipelineContract,
  PIPELINE_INPUTS,
  PIPELINE_OUTPUTS,
  type GbdtInputSpace,
  type PipelineContract,
  type PipelineRul,
  type PipelineSpec,
} from './pipeline-onnx';
export { historyColumns, featureDefsFor } from './feature-graph';
export { gbdtRulToOnnx, rulBounds, rulEnsemble, GBDT_RUL_INPUT, GBDT_RUL_OUTPUT, type RulSpec } from './rul-onnx';
export {
  writeBundle,
  readBundle,
  verifyBundle,
  copyBundle,
  buildBundleFiles,
  checkBundleFiles,
  type BundleInput,
  type BundleDriftReference,
  type BundleProblem,
  type LoadedBundle,
  type VerifyOptions,
  type VerifyResult,
  type WriteBundleOptions,
  type WrittenBundle,
} from './bundle';
export { BundleScorer, type BundleScorerOptions, type ScoringEngine, type UnitScore } from './score';
export { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, checkManifest, type BundleManifest, type RulManifest } from './manifest';
export { DRIFT_COLUMNS_FILE, DRIFT_REFERENCE_FILE, DRIFT_REFERENCE_FORMAT, type DriftManifest } from './manifest';
export { readZip, writeZip, ZipError, ZipFileReader, crc32 } from './zip';
export { SUMS_FILE, sha256Hex, formatSums, parseSums } from './checksums';
export { SIGNATURE_FILE, loadSigningKey, publicKeyPem, keyFingerprint, shortFingerprint, parseEd25519PublicKey, type ParsedPublicKey } from './signing';
export { assessTrust, trustSummary, type BundleTrust, type TrustedKey, type TrustVerdict } from './trust';
export { archiveBundle, type BundleArchive } from './archive';
export { bundleInputFromRun, rulForExport, type ExportContext, type RunForExport } from './from-run';
