/**
 * Reference runs of python3-xgboost (`tree_method='hist'`) on a matrix written by writeMatrix,
 * through Debian's /usr/bin/python3.
 */
import { runPythonJson } from '../../test/helpers/python';
import type { GbdtParams } from '../../src/main/core/models/gbdt';

export interface XgbReferenceRequest {
  /** Base path given to writeMatrix for the training matrix. */
  train: string;
  rows: number;
  features: number;
  /** Optional validation matrix whose probabilities are written to `validOut` (float64). */
  valid?: { base: string; rows: number };
  validOut?: string;
  params: Pick<
    GbdtParams,
    | 'nEstimators'
    | 'maxDepth'
    | 'eta'
    | 'minChildWeight'
    | 'lambda'
    | 'alpha'
    | 'gamma'
    | 'subsample'
    | 'colsampleBytree'
    | 'maxBin'
    | 'scalePosWeight'
    | 'seed'
    | 'nThreads'
  >;
  /** Timed repetitions (default 1). */
  repeats?: number;
}

export interface XgbReferenceResult {
  version: string;
  /** Wall seconds of DMatrix construction + xgb.train, one per repetition. */
  seconds: number[];
}

const SCRIPT = String.raw`
import json, sys, time
import numpy as np
import xgboost as xgb
req = json.loads(sys.argv[1])
n, F = req['rows'], req['features']
X = np.fromfile(req['train'] + '.x.f32', dtype=np.float32).reshape(n, F)
y = np.fromfile(req['train'] + '.y.u8', dtype=np.uint8).astype(np.float32)
p = req['params']
params = {
    'objective': 'binary:logistic', 'tree_method': 'hist', 'eval_metric': 'logloss',
    'max_depth': p['maxDepth'], 'eta': p['eta'], 'min_child_weight': p['minChildWeight'],
    'lambda': p['lambda'], 'alpha': p['alpha'], 'gamma': p['gamma'], 'subsample': p['subsample'],
    'colsample_bytree': p['colsampleBytree'], 'max_bin': p['maxBin'],
    'scale_pos_weight': p['scalePosWeight'], 'seed': p['seed'], 'nthread': p['nThreads'],
    'base_score': float(min(max(y.mean(), 1e-6), 1 - 1e-6)), 'verbosity': 0,
}
seconds = []
booster = None
for _ in range(req.get('repeats', 1)):
    t0 = time.perf_counter()
    d = xgb.DMatrix(X, label=y, nthread=p['nThreads'])
    booster = xgb.train(params, d, num_boost_round=p['nEstimators'])
    seconds.append(time.perf_counter() - t0)
if req.get('valid'):
    v = req['valid']
    Xv = np.fromfile(v['base'] + '.x.f32', dtype=np.float32).reshape(v['rows'], F)
    booster.predict(xgb.DMatrix(Xv)).astype(np.float64).tofile(req['validOut'])
print(json.dumps({'version': xgb.__version__, 'seconds': seconds}))
`;

/**
 * OpenMP threads spin while they wait by default; on a busy machine (other processes, or our own
 * trainer's threads) that spinning can make XGBoost many times slower (measured here under load:
 * ≈ 4 s with passive waiting vs 23–37 s spinning), while on an idle machine spinning is slightly
 * faster. Benchmarks run both and keep the faster.
 */
export const OMP_POLICIES = ['PASSIVE', 'ACTIVE'] as const;
export type OmpPolicy = (typeof OMP_POLICIES)[number];

export function runXgbReference(req: XgbReferenceRequest, ompWaitPolicy: OmpPolicy = 'PASSIVE'): XgbReferenceResult {
  return runPythonJson<XgbReferenceResult>(SCRIPT, {
    args: [JSON.stringify(req)],
    env: { OMP_WAIT_POLICY: ompWaitPolicy },
  });
}
