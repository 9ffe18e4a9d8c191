/**
 * A finished training outcome as the store keeps it: artifacts already encoded as bytes, model
 * registrations and the run's result record. Built in the training worker, so the thread that serves
 * the UI only writes bytes to SQLite (no JSON encoding of models, no deep structured clone).
 */
import type { NewArtifact } from '../store/runs';
import type { RulInterval } from '../rul/types';
import type { RulModelName, RulOutcomeInfo } from '../rul/train-rul';
import type { RulArtifacts, TrainOutcome } from './outcome';

export const GBDT_ARTIFACT = 'gbdt.xgboost.json';
export const FEATURES_ARTIFACT = 'features.json';
export const OUTCOME_ARTIFACT = 'outcome.json';
export const LSTM_ARTIFACT = 'lstm.json';
export const LSTM_WEIGHTS_ARTIFACT = 'lstm.weights.bin';
export const RUL_GBDT_ARTIFACT = 'rul.gbdt.xgboost.json';
export const RUL_LSTM_ARTIFACT = 'rul.lstm.json';
export const RUL_LSTM_WEIGHTS_ARTIFACT = 'rul.lstm.weights.bin';

export const GBDT_BACKEND = 'prognos-gbdt (JavaScript, worker threads)';

export interface SavedRun {
  readonly artifacts: readonly (NewArtifact & { readonly data: Uint8Array })[];
  readonly models: readonly { kind: string; artifactName: string; meta: unknown }[];
  /** the backend line when the LSTM trained (the GBDT-only line is set at creation) */
  readonly backend?: string;
  readonly result: Record<string, unknown>;
}

const enc = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

export function encodeOutcome(o: TrainOutcome): SavedRun {
  const artifacts: (NewArtifact & { data: Uint8Array })[] = [
    { name: GBDT_ARTIFACT, kind: 'model', data: enc(o.gbdtJson), mediaType: 'application/json' },
    {
      name: FEATURES_ARTIFACT,
      kind: 'features',
      data: enc({ featureState: o.featureState, selected: o.selected, selectedDefs: o.selectedDefs, ranking: o.ranking, scaler: o.lstm?.scaler ?? null }),
      mediaType: 'application/json',
    },
  ];
  const models: { kind: string; artifactName: string; meta: unknown }[] = [
    { kind: 'gbdt', artifactName: GBDT_ARTIFACT, meta: { bestIteration: o.bestIteration, features: o.selected.length } },
  ];
  let backend: string | undefined;
  if (o.lstm !== undefined) {
    artifacts.push({ name: LSTM_ARTIFACT, kind: 'model', data: enc(o.lstm.json), mediaType: 'application/json' });
    artifacts.push({ name: LSTM_WEIGHTS_ARTIFACT, kind: 'model', data: o.lstm.weights, mediaType: 'application/octet-stream' });
    models.push({ kind: 'lstm', artifactName: LSTM_ARTIFACT, meta: { bestEpoch: o.lstm.bestEpoch, backend: o.lstm.backend, threads: o.lstm.threads, members: o.lstm.members.length } });
    backend = `${GBDT_BACKEND}; LSTM on tfjs ${o.lstm.backend} (${o.lstm.threads} thread${o.lstm.threads === 1 ? '' : 's'})`;
  }
  const rul = o.rul === undefined ? undefined : encodeRul(o.rul, artifacts, models);
  const { gbdtJson: _model, featureState: _state, ranking: _ranking, lstm, rul: _rul, ...rest } = o;
  const lstmInfo = lstm === undefined ? undefined : { bestEpoch: lstm.bestEpoch, members: lstm.members, backend: lstm.backend, threads: lstm.threads, windows: lstm.windows, history: lstm.history };
  artifacts.push({ name: OUTCOME_ARTIFACT, kind: 'outcome', data: enc({ ...rest, ...(lstmInfo === undefined ? {} : { lstm: lstmInfo }), ...(rul === undefined ? {} : { rul: rul.outcome }) }), mediaType: 'application/json' });
  const result = {
    threshold: o.threshold,
    weight: o.weight,
    thresholds: o.thresholds,
    calibration: o.calibration,
    metrics: o.metrics,
    timings: o.timings,
    selected: o.selected,
    rows: o.rows,
    units: { train: o.split.train.length, validation: o.split.validation.length, test: o.split.test.length },
    regimes: o.featureState.regimeChoice ?? null,
    ...(lstmInfo === undefined ? {} : { lstm: { bestEpoch: lstmInfo.bestEpoch, members: lstmInfo.members, backend: lstmInfo.backend, threads: lstmInfo.threads, windows: lstmInfo.windows } }),
    ...(rul === undefined ? {} : { rul: rul.result }),
  };
  return { artifacts, models, ...(backend === undefined ? {} : { backend }), result };
}

/** What a run keeps of its RUL stage in its result record (the scoring needs cap, weight and intervals). */
export interface RulRunResult {
  cap: number;
  coverage: number;
  weight: number;
  interval: RulInterval;
  intervals: Partial<Record<RulModelName, RulInterval>>;
  metrics: RulOutcomeInfo['metrics'];
}

/** Adds the RUL models as artifacts; returns the run-result record and the outcome's RUL part (no models). */
function encodeRul(r: RulArtifacts, artifacts: (NewArtifact & { data: Uint8Array })[], models: { kind: string; artifactName: string; meta: unknown }[]): { result: RulRunResult; outcome: RulOutcomeInfo } {
  artifacts.push({ name: RUL_GBDT_ARTIFACT, kind: 'model', data: enc(r.gbdtJson), mediaType: 'application/json' });
  models.push({ kind: 'rul-gbdt', artifactName: RUL_GBDT_ARTIFACT, meta: { objective: 'reg:squarederror', cap: r.cap, bestIteration: r.gbdtBestIteration } });
  if (r.lstmModel !== undefined) {
    artifacts.push({ name: RUL_LSTM_ARTIFACT, kind: 'model', data: enc(r.lstmModel.json), mediaType: 'application/json' });
    artifacts.push({ name: RUL_LSTM_WEIGHTS_ARTIFACT, kind: 'model', data: r.lstmModel.weights, mediaType: 'application/octet-stream' });
    models.push({ kind: 'rul-lstm', artifactName: RUL_LSTM_ARTIFACT, meta: { target: 'fraction', cap: r.cap, bestEpoch: r.lstm?.bestEpoch ?? null, members: r.lstm?.members?.length ?? 1 } });
  }
  const { gbdtJson: _g, lstmModel: _l, ...outcome } = r;
  return { result: { cap: r.cap, coverage: r.coverage, weight: r.weight, interval: r.interval, intervals: r.intervals, metrics: r.metrics }, outcome };
}

/** The buffers of a saved run's artifacts, to transfer rather than copy between threads. */
export function savedRunTransfer(s: SavedRun): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  for (const a of s.artifacts) if (a.data.buffer instanceof ArrayBuffer) seen.add(a.data.buffer);
  return [...seen];
}
