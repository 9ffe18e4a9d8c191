/**
 * GBDT → ONNX: one ai.onnx.ml TreeEnsembleClassifier (binary, one score column, LOGISTIC).
 *
 * XGBoost's layout maps one to one: node i of tree t becomes (treeid t, nodeid i); an internal node
 * is BRANCH_LT with its float32 threshold, the true branch is the left child (`x < threshold`) and
 * NaN follows `default_left` through nodes_missing_value_tracks_true; a leaf carries its value (the
 * learning rate already included) as the weight of class column 0. base_values holds the base
 * margin logit(base_score) as XGBoost computes it in float32, so the score is the same margin the
 * in-app model accumulates, and onnxruntime returns [1 − p, p] with p = sigmoid(margin).
 */
import { PrognosError } from '../../../shared/errors';
import type { GbdtModel } from '../models/gbdt';
import { GraphBuilder, attr, DataType, encodeModel, ONNX_ML_DOMAIN, MAX_ONNX_ML_OPSET, MAX_ONNX_OPSET } from './onnx';

export const GBDT_INPUT = 'features';
export const GBDT_LABEL = 'label';
export const GBDT_PROBABILITIES = 'probabilities';

export interface TreeEnsembleOutputs {
  label: string;
  probabilities: string;
}

/** Adds the TreeEnsembleClassifier of `model` reading float [N, F] from `input`. */
export function addTreeEnsemble(
  b: GraphBuilder,
  input: string,
  model: GbdtModel,
  outputs?: { label: string; probabilities: string },
): TreeEnsembleOutputs {
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
  const outs = b.nodeN(
    'TreeEnsembleClassifier',
    [input],
    [
      attr.floats('base_values', [model.baseMargin]),
      attr.ints('class_ids', new Array<number>(classWeight.length).fill(0)),
      attr.ints('class_nodeids', classNode),
      attr.ints('class_treeids', classTree),
      attr.floats('class_weights', classWeight),
      attr.ints('classlabels_int64s', [0, 1]),
      attr.ints('nodes_falsenodeids', falseIds),
      attr.ints('nodes_featureids', featureIds),
      attr.ints('nodes_missing_value_tracks_true', missingTrue),
      attr.strings('nodes_modes', modes),
      attr.ints('nodes_nodeids', nodeIds),
      attr.ints('nodes_treeids', treeIds),
      attr.ints('nodes_truenodeids', trueIds),
      attr.floats('nodes_values', values),
      attr.string('post_transform', 'LOGISTIC'),
    ],
    { domain: ONNX_ML_DOMAIN, outputs: outputs === undefined ? 2 : [outputs.label, outputs.probabilities], hint: 'gbdt' },
  );
  return { label: outs[0]!, probabilities: outs[1]! };
}

export interface GbdtOnnxOptions {
  /** Written as ModelProto.producer_version. */
  readonly producerVersion?: string;
}

/**
 * The GBDT as a standalone ONNX model: input `features` float [N, F] (model feature order), outputs
 * `label` int64 [N] and `probabilities` float [N, 2] = [1 − p, p].
 */
export function gbdtToOnnx(model: GbdtModel, opts: GbdtOnnxOptions = {}): Uint8Array {
  if (model.trees.length === 0) throw new PrognosError('INVALID_INPUT', 'the GBDT has no trees');
  const b = new GraphBuilder('prognos_gbdt');
  const F = model.nFeatures;
  b.input(GBDT_INPUT, DataType.FLOAT, ['N', F], `engineered features in model order: ${model.featureNames.join(', ')}`);
  addTreeEnsemble(b, GBDT_INPUT, model, { label: GBDT_LABEL, probabilities: GBDT_PROBABILITIES });
  b.output(GBDT_LABEL, DataType.INT64, ['N'], '1 when p > 0.5');
  b.output(GBDT_PROBABILITIES, DataType.FLOAT, ['N', 2], '[1 − p, p], p = probability of failure within the label window');
  return encodeModel({
    graph: b.build(`XGBoost-layout GBDT (binary:logistic), ${model.trees.length} trees, ${F} features`),
    opsets: [
      { domain: '', version: MAX_ONNX_OPSET },
      { domain: ONNX_ML_DOMAIN, version: MAX_ONNX_ML_OPSET },
    ],
    ...(opts.producerVersion === undefined ? {} : { producerVersion: opts.producerVersion }),
    metadata: { feature_names: JSON.stringify(model.featureNames) },
  });
}
