export {
  activeBackend,
  selectBackend,
  selectBackendDetailed,
  type BackendChoice,
  type LstmBackend,
  type SelectBackendOptions,
} from './backend';
export { AdditiveAttention, buildLayersModel, toLayersModel } from './layers';
export {
  LstmModel,
  lstmRuntime,
  type LstmArchitecture,
  type LstmLayerWeights,
  type LstmModelJson,
  type LstmWeights,
  type PredictOptions,
  type WeightArray,
} from './model';
export {
  DEFAULT_LSTM_PARAMS,
  MAX_MEMBERS,
  lstmParamsSchema,
  resolveLstmParams,
  type LstmParams,
  type LstmParamsInput,
} from './params';
export { predictParallel, predictRows, type ParallelPredictOptions, type RowScores } from './score';
export { createLstmRuntime, WEIGHT_ORDER, type LstmRuntime, type NetDims, type WeightName } from './runtime';
export {
  meanBce,
  trainLstm,
  type BatchProgress,
  type EpochProgress,
  type EpochRecord,
  type LabelledWindows,
  type LstmTrainResult,
  type TrainLstmHooks,
} from './train';
export { meanSoftBce, type LstmTarget } from './train';
export { trainLstmMembers, type LstmMembersResult, type MemberProgress, type MemberSummary, type TrainMembersHooks } from './members';
