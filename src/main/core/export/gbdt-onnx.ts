/**
 * GBDT → ONNX: one ai.onnx.ml TreeEnsembleClassifier (binary:logistic: one score column, LOGISTIC)
 * or TreeEnsembleRegressor (reg:squarederror: one target, SUM, no transform).
 *
 * XGBoost's layout maps one to one: node i of tree t becomes (treeid t, nodeid i); an internal node
 * is BRANCH_LT with its float32 threshold, the true branch is the left child (`x < threshold`) and
 * NaN follows `default_left` through nodes_missing_value_tracks_true; a leaf carries its value (the
 * learning rate already included) as the weight of class column 0. base_values holds the base
 * margin logit(base_score) as XGBoost computes it in float32, so the score is the same margin the
 * in-app model accumulates, and onnxruntime returns [1 − p, p] with p = sigmoid(margin). A regression
 * model's leaves become target weights and base_values holds its base_score (the mean target), so
 * the output is the value GbdtModel.predictValue returns (float32; the sum may round differently).
 */
import { PrognosError } from '../../../shared/errors';
import type { GbdtModel } from '../models/gbdt';
import { GraphBuilder, attr, DataType, encodeModel, ONNX_ML_DOMAIN, MAX_ONNX_ML_OPSET, MAX_ONNX_OPSET, type AttributeDef } from './onnx';

export const GBDT_INPUT = 'features';
export const GBDT_LABEL = 'label';
export const GBDT_PROBABILITIES = 'probabilities';
/** Output of a regression GBDT: float [N, 1]. */
export const GBDT_VALUE = 'value';

export interface TreeEnsembleOutputs {
  label: string;
  probabilities: string;
}

/** The nodes_* attributes of every tree and the (tree, node, weight) of every leaf. */
interface EnsembleNodes {
  treeIds: number[];
  nodeIds: number[];
  featureIds: number[];
  modes: string[];
  values: number[];
  trueIds: number[];
  falseIds: number[];
  missingTrue: number[];
  leafTree: number[];
  leafNode: number[];
  leafWeight: number[];
}

function ensembleNodes(model: GbdtModel): EnsembleNodes {
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const modes: string[] = [];
  const values: number[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const missingTrue: number[] = [];
  const classTree: number[] = [];
  const classNode: number[] = [];
  const classWeight: number[] = [];
  model.trees.forEach((t, ti) => {
    const n = t.left.length;
    for (let i = 0; i < n; i++) {
      treeIds.push(ti);
      nodeIds.push(i);
      const l = t.left[i]!;
      if (l === -1) {
        featureIds.push(0);
        modes.push('LEAF');
        values.push(0);
        trueIds.push(0);
        falseIds.push(0);
        missingTrue.push(0);
        const w = t.threshold[i]!;
        if (!Number.isFinite(w)) throw new PrognosError('INTERNAL', `tree ${ti} leaf ${i} has the non-finite value ${w}`);
        classTree.push(ti);
        classNode.push(i);
        classWeight.push(w);
      } else {
        const f = t.feature[i]!;
        if (f < 0 || f >= model.nFeatures) throw new PrognosError('INTERNAL', `tree ${ti} node ${i} splits on unknown feature ${f}`);
        featureIds.push(f);
        modes.push('BRANCH_LT');
        values.push(t.threshold[i]!);
        trueIds.push(l);
        falseIds.push(t.right[i]!);
        missingTrue.push(t.defaultLeft[i] === 1 ? 1 : 0);
      }
    }
  });
  return {
    treeIds,
    nodeIds,
    featureIds,
    modes,
    values,
    trueIds,
    falseIds,
    missingTrue,
    leafTree: classTree,
    leafNode: classNode,
    leafWeight: classWeight,
  };
}

function nodeAttributes(e: EnsembleNodes): AttributeDef[] {
  return [
    attr.ints('nodes_falsenodeids', e.falseIds),
    attr.ints('nodes_featureids', e.featureIds),
    attr.ints('nodes_missing_value_tracks_true', e.missingTrue),
    attr.strings('nodes_modes', e.modes),
    attr.ints('nodes_nodeids', e.nodeIds),
    attr.ints('nodes_treeids', e.treeIds),
    attr.ints('nodes_truenodeids', e.trueIds),
    attr.floats('nodes_values', e.values),
  ];
}

/** Adds the TreeEnsembleClassifier of a binary:logistic `model` reading float [N, F] from `input`. */
export function addTreeEnsemble(
  b: GraphBuilder,
  input: string,
  model: GbdtModel,
  outputs?: { label: string; probabilities: string },
): TreeEnsembleOutputs {
  if (model.isRegression) {
    throw new PrognosError('INTERNAL', 'a reg:squarederror GBDT is exported with addTreeEnsembleRegressor');
  }
  const e = ensembleNodes(model);
  const outs = b.nodeN(
    'TreeEnsembleClassifier',
    [input],
    [
      attr.floats('base_values', [model.baseMargin]),
      attr.ints('class_ids', new Array<number>(e.leafWeight.length).fill(0)),
      attr.ints('class_nodeids', e.leafNode),
      attr.ints('class_treeids', e.leafTree),
      attr.floats('class_weights', e.leafWeight),
      attr.ints('classlabels_int64s', [0, 1]),
      ...nodeAttributes(e),
      attr.string('post_transform', 'LOGISTIC'),
    ],
    { domain: ONNX_ML_DOMAIN, outputs: outputs === undefined ? 2 : [outputs.label, outputs.probabilities], hint: 'gbdt' },
  );
  return { label: outs[0]!, probabilities: outs[1]! };
}

/**
 * Adds the TreeEnsembleRegressor of a reg:squarederror `model` reading float [N, F] from `input`;
 * returns its output, float [N, 1] (base_score + the sum of the leaves reached).
 */
export function addTreeEnsembleRegressor(b: GraphBuilder, input: string, model: GbdtModel, output?: string): string {
  if (!model.isRegression) {
    throw new PrognosError('INTERNAL', 'a binary:logistic GBDT is exported with addTreeEnsemble');
  }
  const e = ensembleNodes(model);
  const outs = b.nodeN(
    'TreeEnsembleRegressor',
    [input],
    [
      attr.string('aggregate_function', 'SUM'),
      attr.floats('base_values', [model.baseMargin]),
      attr.int('n_targets', 1),
      ...nodeAttributes(e),
      attr.string('post_transform', 'NONE'),
      attr.ints('target_ids', new Array<number>(e.leafWeight.length).fill(0)),
      attr.ints('target_nodeids', e.leafNode),
      attr.ints('target_treeids', e.leafTree),
      attr.floats('target_weights', e.leafWeight),
    ],
    { domain: ONNX_ML_DOMAIN, outputs: output === undefined ? 1 : [output], hint: 'gbdt_reg' },
  );
  return outs[0]!;
}

export interface GbdtOnnxOptions {
  /** Written as ModelProto.producer_version. */
  readonly producerVersion?: string;
}

/**
 * The GBDT as a standalone ONNX model: input `features` float [N, F] (model feature order); outputs
 * `label` int64 [N] and `probabilities` float [N, 2] = [1 − p, p] for binary:logistic, or `value`
 * float [N, 1] for reg:squarederror.
 */
export function gbdtToOnnx(model: GbdtModel, opts: GbdtOnnxOptions = {}): Uint8Array {
  if (model.trees.length === 0) throw new PrognosError('INVALID_INPUT', 'the GBDT has no trees');
  const b = new GraphBuilder('prognos_gbdt');
  const F = model.nFeatures;
  b.input(GBDT_INPUT, DataType.FLOAT, ['N', F], `engineered features in model order: ${model.featureNames.join(', ')}`);
  if (model.isRegression) {
    addTreeEnsembleRegressor(b, GBDT_INPUT, model, GBDT_VALUE);
    b.output(GBDT_VALUE, DataType.FLOAT, ['N', 1], 'the predicted value in the target\'s units');
  } else {
    addTreeEnsemble(b, GBDT_INPUT, model, { label: GBDT_LABEL, probabilities: GBDT_PROBABILITIES });
    b.output(GBDT_LABEL, DataType.INT64, ['N'], '1 when p > 0.5');
    b.output(GBDT_PROBABILITIES, DataType.FLOAT, ['N', 2], '[1 − p, p], p = probability of failure within the label window');
  }
  return encodeModel({
    graph: b.build(`XGBoost-layout GBDT (${model.objective}), ${model.trees.length} trees, ${F} features`),
    opsets: [
      { domain: '', version: MAX_ONNX_OPSET },
      { domain: ONNX_ML_DOMAIN, version: MAX_ONNX_ML_OPSET },
    ],
    ...(opts.producerVersion === undefined ? {} : { producerVersion: opts.producerVersion }),
    metadata: { feature_names: JSON.stringify(model.featureNames) },
  });
}
