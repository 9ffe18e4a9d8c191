import { useCallback, useState } from 'react';
import type { PrognosError } from '../../../../shared/errors';
import type { ModelServerTryResult } from '../../../../shared/model-server';
import { useApi } from '../../api/context';
import { ErrorMessage } from '../../components/ErrorMessage';
import { asPrognosError } from '../../lib/errors';
import { formatFixed, formatInteger, formatScore } from '../../lib/format';
import { useAsync } from '../../lib/use-async';
import { routeHref } from '../../lib/use-hash-route';

interface Prediction {
  unit: number;
  cycle: number;
  probability: number;
  alert: boolean;
  rul?: number;
  rulLow?: number;
  rulHigh?: number;
}

/** The prediction in a 200 answer, or the error message of any other. */
function readAnswer(r: ModelServerTryResult): { prediction: Prediction } | { message: string } {
  const body = r.body as { units?: Prediction[]; error?: { message?: string } } | null;
  const p = r.status === 200 ? body?.units?.[0] : undefined;
  if (p !== undefined) return { prediction: p };
  return { message: body?.error?.message ?? (typeof r.body === 'string' ? r.body : `HTTP ${r.status}`) };
}

/** "Try it": one unit's whole history from a dataset, sent to the running server's POST /predict. */
export function ModelServerTry(props: { bundleId: string }) {
  const api = useApi();
  const loadDatasets = useCallback(() => api.datasetsList({}), [api]);
  const [datasetsState] = useAsync(loadDatasets);
  const datasets = datasetsState.status === 'ok' ? datasetsState.value : null;
  const [datasetId, setDatasetId] = useState<string | null>(null);
  const chosenDataset = datasetId ?? datasets?.[0]?.datasetId ?? null;
  const loadUnits = useCallback(
    () => (chosenDataset === null ? Promise.resolve([]) : api.datasetsUnits({ datasetId: chosenDataset })),
    [api, chosenDataset],
  );
  const [unitsState] = useAsync(loadUnits);
  const units = unitsState.status === 'ok' ? unitsState.value : null;
  const [unit, setUnit] = useState<number | null>(null);
  const chosenUnit = unit !== null && units?.some((u) => u.unit === unit) === true ? unit : (units?.[0]?.unit ?? null);
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState<ModelServerTryResult | null>(null);
  const [error, setError] = useState<PrognosError | null>(null);

  const send = () => {
    if (chosenDataset === null || chosenUnit === null) return;
    setSending(true);
    setError(null);
    api.modelServerTry({ bundleId: props.bundleId, datasetId: chosenDataset, unit: chosenUnit }).then(
      (r) => {
        setResult(r);
        setSending(false);
      },
      (e: unknown) => {
        setError(asPrognosError(e));
        setSending(false);
      },
    );
  };

  if (datasets !== null && datasets.length === 0) {
    return (
      <p className="hint" data-testid="model-server-try-empty">
        To try the server, <a href={routeHref('datasets')}>import a dataset</a>: a unit&apos;s history from it is sent
        to POST /predict.
      </p>
    );
  }
  const answer = result === null ? null : readAnswer(result);
  return (
    <div className="model-server__try" data-testid="model-server-try">
      <div className="form-row form-row--end model-server__try-form">
        <label className="field field--grow">
          <span className="field-label">Dataset</span>
          <select
            className="input"
            value={chosenDataset ?? ''}
            disabled={datasets === null}
            onChange={(e) => setDatasetId(e.target.value)}
            data-testid="model-server-try-dataset"
          >
            {datasets === null && <option value="">Loading…</option>}
            {datasets?.map((d) => (
              <option key={d.datasetId} value={d.datasetId}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field model-server__unit">
          <span className="field-label">Unit</span>
          <select
            className="input"
            value={chosenUnit ?? ''}
            disabled={units === null}
            onChange={(e) => setUnit(Number(e.target.value))}
            data-testid="model-server-try-unit"
          >
            {units?.map((u) => (
              <option key={u.unit} value={u.unit}>
                {u.unit} ({formatInteger(u.cycles)} cycles)
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="button button--small button--primary"
          disabled={sending || chosenUnit === null}
          onClick={send}
          data-testid="model-server-try-send"
        >
          {sending ? 'Sending…' : 'Send to POST /predict'}
        </button>
      </div>
      {error !== null && (
        <ErrorMessage
          error={error}
          title="Nothing was sent"
          onDismiss={() => setError(null)}
          testId="model-server-try-error"
        />
      )}
      {result !== null && answer !== null && (
        <div
          className={`model-server__answer ${'prediction' in answer ? '' : 'model-server__answer--error'}`}
          role="status"
          data-testid="model-server-try-result"
          data-status={result.status}
          data-cache={result.cache ?? ''}
        >
          <p className="model-server__answer-head">
            <strong>HTTP {result.status}</strong>
            <span className="muted">
              unit {result.unit}, {formatInteger(result.rows)} rows sent · {formatFixed(result.elapsedMs, 1)} ms
              {result.cache !== null && ` · cache ${result.cache}`}
            </span>
          </p>
          {'prediction' in answer ? (
            <p
              data-testid="model-server-try-prediction"
              data-unit={answer.prediction.unit}
              data-probability={answer.prediction.probability}
            >
              At cycle {answer.prediction.cycle}: failure probability{' '}
              <span className="num-text">{formatScore(answer.prediction.probability)}</span>
              {answer.prediction.rul !== undefined && (
                <>
                  , RUL <span className="num-text">{formatFixed(answer.prediction.rul, 0)}</span> cycles (
                  {formatFixed(answer.prediction.rulLow, 0)}–{formatFixed(answer.prediction.rulHigh, 0)})
                </>
              )}
              {' — '}
              {answer.prediction.alert ? (
                <span className="tag tag--danger">alert</span>
              ) : (
                <span className="tag tag--muted">no alert</span>
              )}
            </p>
          ) : (
            <p data-testid="model-server-try-message">{answer.message}</p>
          )}
        </div>
      )}
    </div>
  );
}
