import { useId, useState, type FormEvent } from 'react';
import { PrognosError } from '../../../../shared/errors';
import type { ModelServerMetrics, ModelServerStatus, ServedPrediction } from '../../../../shared/model-server';
import type { BundleEntry } from '../../../../shared/schemas';
import { CopyPath } from '../../components/CopyPath';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formatFixed, formatInteger, formatPercent, formatScore, plural } from '../../lib/format';
import { ModelServerTry } from './ModelServerTry';
import { useModelServer } from './use-model-server';
import './model-server.css';

const STATE_LABELS: Record<ModelServerStatus['state'], string> = {
  starting: 'Starting',
  ready: 'Ready',
  stopping: 'Stopping',
  stopped: 'Stopped',
  failed: 'Failed',
};

const DEFAULT_TTL = 300;

/** A whole number in [min, max] from a text field, or an error naming the field. */
function wholeNumber(text: string, name: string, min: number, max: number): number | PrognosError {
  const t = text.trim();
  if (!/^\d+$/.test(t) || Number(t) < min || Number(t) > max) {
    return new PrognosError(
      'INVALID_INPUT',
      `${name}: a whole number from ${formatInteger(min)} to ${formatInteger(max)}, not “${text}”.`,
    );
  }
  return Number(t);
}

function ms(v: number | null): string {
  return v === null ? '—' : `${formatFixed(v, v < 10 ? 2 : 1)} ms`;
}

function MetricsSummary({ metrics }: { metrics: ModelServerMetrics | null }) {
  if (metrics === null) {
    return (
      <p className="hint" data-testid="model-server-metrics-none">
        The metrics could not be read from the server just now.
      </p>
    );
  }
  const errors = metrics.requests - (metrics.byStatus['2xx'] ?? 0);
  const facts: [string, string, string, string][] = [
    [
      'requests',
      'Requests',
      formatInteger(metrics.requests),
      errors > 0 ? `${formatInteger(errors)} not 2xx` : 'POST /predict, risk and KServe routes',
    ],
    ['p50', 'Latency p50', ms(metrics.p50Ms), 'from the server’s histogram'],
    ['p99', 'Latency p99', ms(metrics.p99Ms), 'from the server’s histogram'],
    [
      'cache',
      'Cache hit ratio',
      metrics.cacheHitRatio === null ? '—' : formatPercent(metrics.cacheHitRatio),
      `${plural(metrics.cacheHits, 'hit')}, ${plural(metrics.cacheMisses, 'miss', 'misses')}`,
    ],
    ['predictions', 'Predictions', formatInteger(metrics.predictions), 'one per unit scored'],
    ['alerts', 'Alerts', formatInteger(metrics.alerts), 'at or above the threshold'],
  ];
  return (
    <dl className="bundle-facts model-server__metrics" data-testid="model-server-metrics">
      {facts.map(([key, label, value, note]) => (
        <div key={key} data-testid={`model-server-metric-${key}`} data-value={value}>
          <dt>{label}</dt>
          <dd>
            <span className="num-text">{value}</span>
            <span className="model-server__note">{note}</span>
          </dd>
        </div>
      ))}
    </dl>
  );
}

function RecentTable({ recent }: { recent: readonly ServedPrediction[] }) {
  if (recent.length === 0) {
    return (
      <p className="empty" data-testid="model-server-recent-empty">
        No predictions yet. Try it above, or send requests to the URL.
      </p>
    );
  }
  return (
    <div className="model-server__recent">
      <table className="data-table" data-testid="model-server-recent">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col" className="num">
              Unit
            </th>
            <th scope="col" className="num">
              Cycle
            </th>
            <th scope="col" className="num">
              Probability
            </th>
            <th scope="col" className="num">
              RUL
            </th>
            <th scope="col">Alert</th>
            <th scope="col" className="num">
              Latency
            </th>
            <th scope="col">Cache</th>
          </tr>
        </thead>
        <tbody>
          {recent.map((p, i) => (
            <tr
              key={`${p.time}-${p.unit}-${i}`}
              data-testid="model-server-recent-row"
              data-unit={p.unit}
              data-cycle={p.cycle}
              data-cache-hit={p.cacheHit}
            >
              <td className="mono" title={p.time}>
                {p.time.slice(11, 19)}
              </td>
              <td className="num">{p.unit}</td>
              <td className="num">{p.cycle}</td>
              <td className="num">{formatScore(p.probability)}</td>
              <td
                className="num"
                title={p.rul === null ? undefined : `interval ${formatFixed(p.rulLow, 0)}–${formatFixed(p.rulHigh, 0)}`}
              >
                {formatFixed(p.rul, 0)}
              </td>
              <td>{p.alert ? <span className="tag tag--danger">alert</span> : <span className="muted">no</span>}</td>
              <td className="num">{ms(p.latencyMs)}</td>
              <td>{p.cacheHit ? 'hit' : 'miss'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Start and stop a local model server (`prognos serve-model`) for the bundle, and watch it work. */
export function ModelServerPanel({ entry }: { entry: BundleEntry }) {
  const id = useId();
  const { status, error, busy, start, stop, dismissError } = useModelServer(entry.bundleId);
  const [port, setPort] = useState('');
  const [ttl, setTtl] = useState(String(DEFAULT_TTL));
  const [requireSigned, setRequireSigned] = useState(false);
  const [formError, setFormError] = useState<PrognosError | null>(null);
  const state = status?.state ?? 'stopped';
  const running = state === 'starting' || state === 'ready' || state === 'stopping';

  const onStart = (e: FormEvent) => {
    e.preventDefault();
    const p = port.trim() === '' ? 0 : wholeNumber(port, 'Port', 1, 65535);
    const t = wholeNumber(ttl, 'Cache TTL', 0, 86_400);
    const bad = [p, t].find((v): v is PrognosError => v instanceof PrognosError);
    setFormError(bad ?? null);
    if (bad !== undefined) return;
    void start({ port: p as number, cacheTtlSeconds: t as number, requireSigned });
  };

  return (
    <section
      className="panel model-server"
      aria-labelledby={`${id}-title`}
      data-testid="model-server"
      data-state={state}
    >
      <div className="panel__head">
        <h2 className="panel__title" id={`${id}-title`}>
          Model server
          <span
            className={`tag model-server__state model-server__state--${state}`}
            data-testid="model-server-state"
            data-state={state}
            role="status"
          >
            {STATE_LABELS[state]}
          </span>
        </h2>
        {running && (
          <button
            type="button"
            className="button button--small"
            onClick={() => void stop()}
            disabled={busy === 'stop' || state === 'stopping'}
            data-testid="model-server-stop"
          >
            {state === 'stopping' || busy === 'stop' ? 'Stopping…' : 'Stop'}
          </button>
        )}
      </div>
      <p className="hint">
        Runs this bundle behind <span className="mono">prognos serve-model</span>, the production server, in a process
        of its own on this machine only (127.0.0.1, no API key): the production path, to try before handing the bundle
        over. It stops when you stop it or quit the workbench.
      </p>

      {!running && (
        <form className="model-server__form" onSubmit={onStart} data-testid="model-server-form">
          <div className="form-row form-row--end">
            <label className="field model-server__field">
              <span className="field-label">Port</span>
              <input
                className="input"
                inputMode="numeric"
                placeholder="free port"
                value={port}
                onChange={(e) => setPort(e.target.value)}
                data-testid="model-server-port"
              />
            </label>
            <label className="field model-server__field">
              <span className="field-label">Cache TTL (s)</span>
              <input
                className="input"
                inputMode="numeric"
                value={ttl}
                onChange={(e) => setTtl(e.target.value)}
                data-testid="model-server-ttl"
              />
            </label>
            <label className="check model-server__check">
              <input
                type="checkbox"
                checked={requireSigned}
                onChange={(e) => setRequireSigned(e.target.checked)}
                data-testid="model-server-require-signed"
              />
              Require a trusted signature
            </label>
            <button
              type="submit"
              className="button button--small button--primary"
              disabled={busy !== null || entry.refused !== null}
              title={entry.refused ?? undefined}
              data-testid="model-server-start"
            >
              Start
            </button>
          </div>
          {entry.refused !== null && (
            <p className="hint" data-testid="model-server-refused">
              Not started: the trust policy refuses this bundle ({entry.refused}).
            </p>
          )}
          <p className="hint">Host 127.0.0.1. Cache TTL 0 turns the cache off.</p>
        </form>
      )}
      {formError !== null && (
        <ErrorMessage
          error={formError}
          title="Not started"
          onDismiss={() => setFormError(null)}
          testId="model-server-form-error"
        />
      )}
      {error !== null && <ErrorMessage error={error} onDismiss={dismissError} testId="model-server-action-error" />}

      {state === 'failed' && status?.error !== null && status?.error !== undefined && (
        <div className="error-message" role="alert" data-testid="model-server-error">
          <div className="error-message__head">
            <strong>The server failed</strong>
          </div>
          <pre className="model-server__message">{status.error}</pre>
        </div>
      )}
      {state === 'starting' && (
        <p className="hint" data-testid="model-server-starting">
          Verifying the bundle and loading its models…
        </p>
      )}

      {state === 'ready' && status !== null && status.url !== null && (
        <>
          <div className="model-server__url">
            <h3 className="subhead">URL</h3>
            <CopyPath path={status.url} testId="model-server-url" label="the server's URL" />
            <p className="hint">
              POST {status.url}/predict as the bundle&apos;s openapi.json says; GET /metrics, /readyz, /model,
              /predictions/recent. Cache TTL{' '}
              {status.options?.cacheTtlSeconds === 0 ? 'off' : `${status.options?.cacheTtlSeconds ?? DEFAULT_TTL} s`}
              {status.options?.requireSigned === true ? ', trusted signature required' : ''}; process {status.pid}.
            </p>
          </div>
          <div>
            <h3 className="subhead">Metrics</h3>
            <MetricsSummary metrics={status.metrics} />
          </div>
          <div>
            <h3 className="subhead">Try it</h3>
            <ModelServerTry bundleId={entry.bundleId} />
          </div>
          <div>
            <h3 className="subhead">
              Recent predictions <span className="panel__count">{formatInteger(status.recent.length)}</span>
            </h3>
            <RecentTable recent={status.recent} />
          </div>
        </>
      )}

      {status !== null && status.log.length > 0 && (
        <details
          className="model-server__log"
          data-testid="model-server-log"
          open={state === 'failed' ? true : undefined}
        >
          <summary>Server log ({plural(status.log.length, 'line')}, newest last)</summary>
          <pre>{status.log.join('\n')}</pre>
        </details>
      )}
    </section>
  );
}
