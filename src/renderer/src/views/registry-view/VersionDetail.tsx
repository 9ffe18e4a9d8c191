import { useCallback, useState } from 'react';
import type { PrognosError } from '../../../../shared/errors';
import { STAGES, type ModelVersion, type PromotionCheck, type Stage } from '../../../../shared/registry';
import { useApi } from '../../api/context';
import { ErrorMessage } from '../../components/ErrorMessage';
import { asPrognosError } from '../../lib/errors';
import { formatDate, formatFixed } from '../../lib/format';
import { useAsync } from '../../lib/use-async';
import { LineagePanel } from './LineagePanel';
import { StageBadge } from './StageBadge';

const CHECKED: readonly Stage[] = ['Staging', 'Production'];

function CheckList(props: { checks: readonly PromotionCheck[] }) {
  return (
    <ul className="registry-checks" data-testid="registry-checks">
      {props.checks.map((c) => (
        <li key={c.name} className={`registry-check registry-check--${c.status}`} data-testid={`registry-check-${c.name}`} data-status={c.status}>
          <span className="registry-check__status">{c.status === 'passed' ? 'Passed' : c.status === 'failed' ? 'Failed' : 'Skipped'}</span>
          <span className="registry-check__name">{c.name === 'metrics' ? 'Validation metrics' : c.name === 'drift' ? 'Drift on the latest fleet' : 'Signature'}</span>
          <span className="registry-check__detail">{c.detail}</span>
        </li>
      ))}
    </ul>
  );
}

/** One version: its fingerprints, promotion with the checks shown, the model's history and the lineage. */
export function VersionDetail(props: { version: ModelVersion; onChanged: () => void }) {
  const api = useApi();
  const v = props.version;
  const firstTarget = STAGES.find((s) => s !== v.stage && s !== 'None') ?? 'Staging';
  const [target, setTarget] = useState<Stage>(v.stage === 'None' ? 'Staging' : firstTarget);
  const [reason, setReason] = useState('');
  const [force, setForce] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<PrognosError | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);

  const loadChecks = useCallback(
    () => (CHECKED.includes(target) && target !== v.stage ? api.registryCheck({ model: v.model, version: v.version, stage: target }) : Promise.resolve({ checks: [] })),
    [api, v.model, v.version, v.stage, target],
  );
  const [checksState, recheck, lastChecks] = useAsync(loadChecks);
  const loadHistory = useCallback(() => api.registryHistory({ model: v.model }), [api, v.model]);
  const [historyState, reloadHistory, history] = useAsync(loadHistory);
  const loadLineage = useCallback(() => api.registryLineage({ model: v.model, version: v.version }), [api, v.model, v.version]);
  const [lineageState, , lineage] = useAsync(loadLineage);

  const checks = checksState.status === 'ok' ? checksState.value.checks : (lastChecks?.checks ?? []);
  const failed = checks.filter((c) => c.status === 'failed');
  const needsOverride = failed.length > 0;
  const canPromote = !busy && target !== v.stage && checksState.status === 'ok' && (!needsOverride || (force && reason.trim() !== ''));

  const promote = () => {
    if (!canPromote) return;
    setBusy(true);
    setError(null);
    setOutcome(null);
    api
      .registryPromote({ model: v.model, version: v.version, stage: target, ...(reason.trim() === '' ? {} : { reason: reason.trim() }), ...(needsOverride ? { force: true } : {}) })
      .then(
        (r) => {
          if (!r.promoted) setOutcome(`Refused: ${r.checks.filter((c) => c.status === 'failed').length} check(s) failed.`);
          else setOutcome(`Version ${r.version} is now in ${r.stage}${r.forced ? ' (override recorded)' : ''}${r.archived === null ? '' : `; version ${r.archived} moved to Archived`}.`);
          setReason('');
          setForce(false);
          reloadHistory();
          recheck();
          props.onChanged();
        },
        (e: unknown) => setError(asPrognosError(e)),
      )
      .finally(() => setBusy(false));
  };

  return (
    <section className="panel registry-detail" aria-labelledby="registry-detail-title" data-testid="registry-detail">
      <h2 className="panel__title" id="registry-detail-title">
        {v.model} · version {v.version} <StageBadge stage={v.stage} />
      </h2>
      <dl className="registry-facts">
        <dt>Source</dt>
        <dd>{v.source === 'run' ? `run ${v.runId}` : `bundle ${v.bundleId ?? ''} (run ${v.runId})`}</dd>
        <dt>Validation F2</dt>
        <dd data-testid="registry-version-f2">{formatFixed(v.metrics.f2, 3)}</dd>
        <dt>RUL RMSE</dt>
        <dd>{v.metrics.rulRmse === null ? '—' : formatFixed(v.metrics.rulRmse, 2)}</dd>
        <dt>Registered</dt>
        <dd>
          {formatDate(v.createdAt)} by {v.createdBy}
        </dd>
      </dl>

      <h3 className="registry-subtitle">Promote</h3>
      <div className="registry-promote">
        <label className="field registry-field">
          <span className="field-label">To stage</span>
          <select className="input" value={target} onChange={(e) => setTarget(e.target.value as Stage)} disabled={busy} data-testid="registry-promote-stage">
            {STAGES.filter((s) => s !== v.stage).map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="field registry-field registry-field--reason">
          <span className="field-label">Reason {needsOverride ? '(needed to override)' : '(optional)'}</span>
          <input className="input" value={reason} maxLength={2000} onChange={(e) => setReason(e.target.value)} disabled={busy} data-testid="registry-reason" />
        </label>
      </div>
      {checksState.status === 'loading' && CHECKED.includes(target) && <p className="hint">Checking…</p>}
      {checksState.status === 'error' && <ErrorMessage error={checksState.error} title="The checks could not run" testId="registry-checks-error" />}
      {checks.length > 0 && <CheckList checks={checks} />}
      {checks.length === 0 && checksState.status === 'ok' && <p className="hint">No checks: moving a version to {target} changes its stage only.</p>}
      {needsOverride && (
        <label className="registry-override">
          <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} disabled={busy} data-testid="registry-force" />
          Override the failed check{failed.length === 1 ? '' : 's'}: promote anyway, recorded with the reason above
        </label>
      )}
      <div className="registry-actions">
        <button type="button" className={needsOverride ? 'button button--danger' : 'button button--primary'} onClick={promote} disabled={!canPromote} data-testid="registry-promote-submit">
          {needsOverride ? `Override and move to ${target}` : `Move to ${target}`}
        </button>
        {outcome !== null && (
          <span className="hint" role="status" data-testid="registry-promote-outcome">
            {outcome}
          </span>
        )}
      </div>
      {error !== null && <ErrorMessage error={error} title="Not promoted" testId="registry-promote-error" />}

      <h3 className="registry-subtitle">Lineage</h3>
      {lineageState.status === 'error' && <ErrorMessage error={lineageState.error} title="The lineage could not be read" testId="registry-lineage-error" />}
      {lineage !== undefined && <LineagePanel lineage={lineage} />}

      <h3 className="registry-subtitle">History of {v.model}</h3>
      {historyState.status === 'error' && <ErrorMessage error={historyState.error} title="The history could not be read" testId="registry-history-error" />}
      {history !== undefined && (
        <div className="table-scroll">
          <table className="data-table registry-history" data-testid="registry-history">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Version</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">Who</th>
                <th scope="col">Why</th>
                <th scope="col">Checks</th>
              </tr>
            </thead>
            <tbody>
              {[...history].reverse().map((t) => (
                <tr key={t.transitionId} data-testid="registry-history-row">
                  <td>{formatDate(t.at)}</td>
                  <td className="num">{t.version}</td>
                  <td>{t.from ?? '—'}</td>
                  <td>{t.to}</td>
                  <td>{t.actor}</td>
                  <td>
                    {t.forced && <span className="tag tag--danger">override</span>} {t.reason ?? ''}
                  </td>
                  <td>{t.checks.length === 0 ? '—' : t.checks.map((c) => `${c.name} ${c.status}`).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
