export { DEFAULT_GBDT_PARAMS, resolveGbdtParams, type GbdtParams } from './params';
export {
  trainGbdt,
  PARALLEL_MIN_CELLS,
  type GbdtDataset,
  type GbdtIterationEvent,
  type TrainGbdtOptions,
} from './train';
export { GbdtModel, type GbdtTree, type GbdtModelInit } from './model';
export { XGBOOST_FORMAT_VERSION, stringifyXGBoostJson } from './xgboost-json';
