import { useCallback, useState } from 'react';
import {
  ALERT_METRICS,
  ALERT_METRIC_LABELS,
  RELATIVE_METRICS,
  type AlertMetric,
  type AlertRuleDraft,
} from '../../../../shared/alerts';
import type { AlertRule } from '../../../../shared/drift';
import type { PrognosError } from '../../../../shared/errors';
import { useApi } from '../../api/context';
import { asPrognosError } from '../../lib/errors';
import { useAsync } from '../../lib/use-async';
import { ErrorMessage } from '../ErrorMessage';

const NEW_RULE = ' new';
const SEVERITIES: readonly AlertRule['severity'][] = ['info', 'warning', 'critical'];

/** "Dataset drift (yes = 1) ≥ 1", "Estimated F2 ≤ validation − 0.1" */
export function ruleSentence(r: Pick<AlertRule, 'metric' | 'when' | 'value' | 'relativeTo' | 'scope'>): string {
  const scope = r.scope === undefined ? '' : ` (only ${r.scope.kind} ${r.scope.id})`;
  if (
    (r.metric === 'datasetDrift' || r.metric === 'predictionDrift') &&
    r.when === 'above' &&
    r.value > 0 &&
    r.value <= 1
  ) {
    return `when a report finds ${r.metric === 'datasetDrift' ? 'dataset' : 'prediction'} drift${scope}`;
  }
  const op = r.when === 'above' ? '≥' : '≤';
  const value =
    r.relativeTo === 'validation' ? `validation ${r.value < 0 ? '−' : '+'} ${Math.abs(r.value)}` : String(r.value);
  return `${ALERT_METRIC_LABELS[r.metric]} ${op} ${value}${scope}`;
}

const blank: AlertRuleDraft = {
  name: '',
  enabled: true,
  metric: 'driftedShare',
  when: 'above',
  value: 0.3,
  severity: 'warning',
};

function RuleForm(props: {
  initial: AlertRuleDraft;
  onSave: (d: AlertRuleDraft) => Promise<void>;
  onCancel: () => void;
}) {
  const [d, setD] = useState<AlertRuleDraft>(props.initial);
  const [valueText, setValueText] = useState(String(props.initial.value));
  const [scopeText, setScopeText] = useState(props.initial.scope?.id ?? '');
  const [scopeKind, setScopeKind] = useState<'all' | 'run' | 'bundle'>(props.initial.scope?.kind ?? 'all');
  const [error, setError] = useState<PrognosError | null>(null);
  const [saving, setSaving] = useState(false);
  const relativeAllowed = RELATIVE_METRICS.includes(d.metric);
  const value = Number(valueText);
  const valueOk = valueText.trim() !== '' && Number.isFinite(value);
  const scopeOk = scopeKind === 'all' || scopeText.trim() !== '';

  const submit = async () => {
    setSaving(true);
    setError(null);
    const { relativeTo: _r, scope: _s, ...rest } = d;
    const draft: AlertRuleDraft = {
      ...rest,
      value,
      ...(relativeAllowed && d.relativeTo === 'validation' ? { relativeTo: 'validation' as const } : {}),
      ...(scopeKind === 'all' ? {} : { scope: { kind: scopeKind, id: scopeText.trim() } }),
    };
    try {
      await props.onSave(draft);
    } catch (e) {
      setError(asPrognosError(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form
      className="rule-form"
      data-testid="rule-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <label className="field">
        <span className="field-label">Name</span>
        <input
          className="input"
          value={d.name}
          maxLength={200}
          onChange={(e) => setD({ ...d, name: e.target.value })}
          data-testid="rule-name"
          required
        />
      </label>
      <div className="form-row">
        <label className="field field--grow">
          <span className="field-label">Watch</span>
          <select
            className="input"
            value={d.metric}
            onChange={(e) => setD({ ...d, metric: e.target.value as AlertMetric })}
            data-testid="rule-metric"
          >
            {ALERT_METRICS.map((m) => (
              <option key={m} value={m}>
                {ALERT_METRIC_LABELS[m]}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">When</span>
          <select
            className="input"
            value={d.when}
            onChange={(e) => setD({ ...d, when: e.target.value as AlertRule['when'] })}
            data-testid="rule-when"
          >
            <option value="above">at or above</option>
            <option value="below">at or below</option>
          </select>
        </label>
        <label className="field field--narrow">
          <span className="field-label">{d.relativeTo === 'validation' && relativeAllowed ? 'Offset' : 'Value'}</span>
          <input
            className="input input--number"
            inputMode="decimal"
            value={valueText}
            onChange={(e) => setValueText(e.target.value)}
            data-testid="rule-value"
            aria-invalid={!valueOk}
          />
        </label>
      </div>
      {relativeAllowed && (
        <label className="rule-form__check">
          <input
            type="checkbox"
            checked={d.relativeTo === 'validation'}
            onChange={(e) => {
              const { relativeTo: _r, ...rest } = d;
              setD(e.target.checked ? { ...rest, relativeTo: 'validation' } : rest);
            }}
          />
          Relative to the run's own validation figure (the value is added to it, e.g. −0.1)
        </label>
      )}
      <div className="form-row">
        <label className="field">
          <span className="field-label">Severity</span>
          <select
            className="input"
            value={d.severity}
            onChange={(e) => setD({ ...d, severity: e.target.value as AlertRule['severity'] })}
            data-testid="rule-severity"
          >
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">Reports of</span>
          <select
            className="input"
            value={scopeKind}
            onChange={(e) => setScopeKind(e.target.value as 'all' | 'run' | 'bundle')}
          >
            <option value="all">every run and bundle</option>
            <option value="run">one run</option>
            <option value="bundle">one bundle</option>
          </select>
        </label>
        {scopeKind !== 'all' && (
          <label className="field field--grow">
            <span className="field-label">{scopeKind === 'run' ? 'Run id' : 'Bundle id'}</span>
            <input className="input" value={scopeText} onChange={(e) => setScopeText(e.target.value)} />
          </label>
        )}
      </div>
      {error !== null && <ErrorMessage error={error} title="The rule was not saved" />}
      <div className="form-actions">
        <button
          type="submit"
          className="button button--primary button--small"
          disabled={saving || !valueOk || !scopeOk || d.name.trim() === ''}
          data-testid="rule-save"
        >
          Save rule
        </button>
        <button type="button" className="button button--quiet button--small" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The alert rules: enable or disable, edit, add, delete. */
export function RuleEditor() {
  const api = useApi();
  const load = useCallback(() => api.alertsList({}), [api]);
  const [rules, reload] = useAsync(load);
  /** the rule being edited, NEW_RULE for a new one */
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<PrognosError | null>(null);

  const save = async (draft: AlertRuleDraft) => {
    await api.alertsSave({ rule: draft });
    setEditing(null);
    reload();
  };
  const act = (work: () => Promise<unknown>) => {
    setError(null);
    work().then(reload, (e: unknown) => setError(asPrognosError(e)));
  };

  if (rules.status === 'loading') return <p className="muted">Loading rules…</p>;
  if (rules.status === 'error') return <ErrorMessage error={rules.error} title="The rules could not be read" />;
  return (
    <section className="rule-editor" aria-label="Alert rules" data-testid="rule-editor">
      <p className="hint">
        Rules are checked on every drift report when it is stored; each rule that holds raises a notification.
      </p>
      <ul className="rule-list">
        {rules.value.map((r) =>
          editing === r.ruleId ? (
            <li key={r.ruleId} className="rule-list__item">
              <RuleForm initial={r} onSave={save} onCancel={() => setEditing(null)} />
            </li>
          ) : (
            <li
              key={r.ruleId}
              className={`rule-list__item${r.enabled ? '' : ' rule-list__item--off'}`}
              data-testid="rule"
              data-rule-id={r.ruleId}
            >
              <label
                className="rule-list__toggle"
                title={r.enabled ? 'On: click to turn off' : 'Off: click to turn on'}
              >
                <input
                  type="checkbox"
                  checked={r.enabled}
                  onChange={() => act(() => api.alertsSave({ rule: { ...r, enabled: !r.enabled } }))}
                  data-testid="rule-enabled"
                />
                <span className="visually-hidden">Rule on</span>
              </label>
              <div className="rule-list__text">
                <strong>{r.name}</strong>
                <span className="muted">
                  {ruleSentence(r)} →{' '}
                  <span className={`notification__severity notification__severity--${r.severity}`}>{r.severity}</span>
                </span>
              </div>
              <button
                type="button"
                className="button button--quiet button--small"
                onClick={() => setEditing(r.ruleId)}
                data-testid="rule-edit"
              >
                Edit
              </button>
              <button
                type="button"
                className="button button--quiet button--small"
                onClick={() => act(() => api.alertsDelete({ ruleId: r.ruleId }))}
                data-testid="rule-delete"
              >
                Delete
              </button>
            </li>
          ),
        )}
      </ul>
      {error !== null && <ErrorMessage error={error} onDismiss={() => setError(null)} />}
      {editing === NEW_RULE ? (
        <RuleForm initial={blank} onSave={save} onCancel={() => setEditing(null)} />
      ) : (
        <button
          type="button"
          className="button button--small"
          onClick={() => setEditing(NEW_RULE)}
          data-testid="rule-add"
        >
          Add a rule
        </button>
      )}
    </section>
  );
}
