import { useCallback } from 'react';
import type { ModelCard as ModelCardValue } from '../../../../shared/model-card';
import { useApi } from '../../api/context';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formatInteger, formatScore, formatThreshold, plural } from '../../lib/format';
import { useAsync } from '../../lib/use-async';
import './model-card.css';

const ROLE_LABELS: Record<string, string> = {
  unit: 'unit',
  cycle: 'cycle',
  setting: 'operating setting',
  sensor: 'sensor',
};

function MetricsRows({ card }: { card: ModelCardValue }) {
  if (card.metrics.length === 0) return <p className="muted">No metrics were recorded for this run.</p>;
  return (
    // a scrolling region is reachable from the keyboard, so its hidden columns can be scrolled to
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Metrics of the bundled models">
      <table className="data-table compact-table" data-testid="model-card-metrics">
        <thead>
          <tr>
            <th scope="col">Model · split</th>
            <th scope="col" className="num">
              F2
            </th>
            <th scope="col" className="num">
              Precision
            </th>
            <th scope="col" className="num">
              Recall
            </th>
            <th scope="col" className="num">
              ROC-AUC
            </th>
            <th scope="col" className="num">
              Rows
            </th>
          </tr>
        </thead>
        <tbody>
          {card.metrics.map((m) => (
            <tr
              key={`${m.model}:${m.split}`}
              data-testid="model-card-metric"
              data-model={m.model}
              data-split={m.split}
              data-f2={m.f2 ?? ''}
            >
              <th scope="row">
                {m.model} · {m.split}
              </th>
              <td className="num">{formatScore(m.f2)}</td>
              <td className="num">{formatScore(m.precision)}</td>
              <td className="num">{formatScore(m.recall)}</td>
              <td className="num">{formatScore(m.rocAuc)}</td>
              <td className="num">{m.n === null ? '—' : formatInteger(m.n)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A bundle's model card: purpose, label, inputs with names and units, features, metrics, models. */
export function ModelCard({ bundleId }: { bundleId: string }) {
  const api = useApi();
  const load = useCallback(() => api.bundlesCard({ bundleId }), [api, bundleId]);
  const [state, reload] = useAsync(load);
  return (
    <section className="model-card" aria-labelledby="model-card-title" data-testid="model-card">
      <h3 className="subhead" id="model-card-title">
        Model card
      </h3>
      {state.status === 'loading' && <p className="muted">Reading the manifest…</p>}
      {state.status === 'error' && (
        <div className="stack-s">
          <ErrorMessage error={state.error} title="The model card could not be read" testId="model-card-error" />
          <button type="button" className="button button--small" onClick={reload}>
            Retry
          </button>
        </div>
      )}
      {state.status === 'ok' && <CardBody card={state.value} />}
    </section>
  );
}

function CardBody({ card }: { card: ModelCardValue }) {
  const used = card.inputs.filter((c) => c.role === 'setting' || c.role === 'sensor');
  return (
    <div className="model-card__body" data-run-id={card.runId}>
      <p data-testid="model-card-purpose">
        Flags a unit whose failure is near: <strong>{card.label.definition}</strong>. {card.alert}
      </p>
      <dl className="model-card__facts">
        <div>
          <dt>Trained on</dt>
          <dd>{card.datasetName ?? <span className="muted">not recorded</span>}</dd>
        </div>
        <div>
          <dt>Alert threshold</dt>
          <dd className="num-text">{formatThreshold(card.threshold)}</dd>
        </div>
        <div>
          <dt>Ensemble</dt>
          <dd>
            {card.ensemble.formula}, w = {Number(card.ensemble.weight.toFixed(3))}
          </dd>
        </div>
        <div>
          <dt>Calibration</dt>
          <dd>{card.calibration}</dd>
        </div>
        <div>
          <dt>History</dt>
          <dd>
            the last {plural(card.windowLength, 'cycle')} of each unit
            {card.requiresFullHistory ? '; EWMA features need the whole history' : ''}
          </dd>
        </div>
        {card.rul !== null && (
          <div>
            <dt>Remaining useful life</dt>
            <dd>
              capped at {card.rul.cap} cycles, {Math.round(card.rul.coverage * 100)} % intervals
            </dd>
          </div>
        )}
        <div>
          <dt>Training</dt>
          <dd>
            {card.training.backend}, seed {card.training.seed}; Prognos {card.appVersion}
          </dd>
        </div>
      </dl>
      <h4 className="model-card__head">Metrics</h4>
      <MetricsRows card={card} />
      <h4 className="model-card__head">
        Inputs <span className="panel__count">{formatInteger(used.length)}</span>
      </h4>
      <ul className="model-card__inputs" data-testid="model-card-inputs">
        {used.map((c) => (
          <li
            key={c.column}
            data-column={c.column}
            data-role={c.role}
            title={c.original === c.column ? c.column : `${c.column} (column "${c.original}" of the file)`}
          >
            <strong>{c.description !== '' ? c.description : c.column}</strong>
            {c.unit !== '' && <span className="muted"> ({c.unit})</span>}
            <span className="muted">
              {' '}
              · {ROLE_LABELS[c.role] ?? c.role}
              {c.used ? '' : ', not used by the pipeline'}
            </span>
          </li>
        ))}
      </ul>
      <details className="model-card__features">
        <summary>{plural(card.features.length, 'selected feature')}, in model order</summary>
        <ol data-testid="model-card-features">
          {card.features.map((f) => (
            <li key={f.name}>
              <code>{f.name}</code> <span className="muted">{f.formula}</span>
            </li>
          ))}
        </ol>
      </details>
      <p className="hint">The bundle's model_card.md states the same in full, with the exact input contract.</p>
    </div>
  );
}
