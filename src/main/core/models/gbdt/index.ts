export {
  DEFAULT_GBDT_PARAMS,
  GBDT_OBJECTIVES,
  resolveGbdtParams,
  type GbdtObjective,
  type GbdtParams,
} from './params';
export {
  trainGbdt,
  PARALLEL_MIN_CELLS,
  type GbdtDataset,
  type GbdtIterationEvent,
  type TrainGbdtOptions,
} from './train';
export { GbdtModel, type GbdtTree, type GbdtModelInit } from './model';
export { XGBOOST_FORMAT_VERSION, stringifyXGBoostJson } from './xgboost-json';
export { treeShap, treeShapRows, type TreeShapResult, type TreeShapRowsResult } from './shap';
