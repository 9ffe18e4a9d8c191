import { useEffect, useState } from 'react';
import { DRIFT_METHODS, driftMethodChoiceSchema, type DriftMethod, type DriftMethodChoice } from '../../../../shared/drift';
import { formatPercent } from '../../lib/format';
import { METHOD_LABELS, METHOD_SHORT, THRESHOLD_NOTES, methodsInUse, validThreshold, type DriftRule } from './drift-model';

function toText(n: number): string {
  return String(Number(n.toPrecision(6)));
}

function ThresholdInput(props: { method: DriftMethod; value: number; onValid: (v: number) => void; disabled: boolean }) {
  const { method, value, onValid } = props;
  const [draft, setDraft] = useState(() => toText(value));
  // a new rule from outside (another report, "back to stored") replaces the draft
  useEffect(() => {
    setDraft((d) => (Number(d) === value ? d : toText(value)));
  }, [value]);
  const parsed = Number(draft);
  const valid = draft.trim() !== '' && validThreshold(method, parsed);
  return (
    <label className={valid ? 'field drift-rule__threshold' : 'field drift-rule__threshold has-error'}>
      <span className="field-label">{METHOD_SHORT[method]} threshold</span>
      <input
        className="input input--number"
        type="number"
        inputMode="decimal"
        step="any"
        min={0}
        max={method === 'ks' || method === 'jsd' || method === 'hellinger' ? 1 : undefined}
        value={draft}
        disabled={props.disabled}
        aria-invalid={!valid}
        title={THRESHOLD_NOTES[method]}
        onChange={(e) => {
          setDraft(e.target.value);
          const v = Number(e.target.value);
          if (e.target.value.trim() !== '' && validThreshold(method, v)) onValid(v);
        }}
        data-testid={`drift-threshold-${method}`}
      />
      <span className="hint drift-rule__note">
        {valid ? THRESHOLD_NOTES[method] : method === 'ks' ? 'a p-value between 0 and 1' : method === 'psi' || method === 'wasserstein' ? 'a number above 0' : 'a number above 0, at most 1'}
      </span>
    </label>
  );
}

/**
 * Method, thresholds and the dataset-drift share. Changing them re-reads the stored scores at once;
 * "Compute again" stores a new report with these settings.
 */
export function RuleControls(props: {
  rule: DriftRule;
  stored: boolean;
  onChange: (rule: DriftRule) => void;
  onReset: () => void;
  onRecompute: (() => void) | null;
  recomputeNote: string | null;
  busy: boolean;
}) {
  const { rule, onChange } = props;
  const sharePercent = Math.round(rule.datasetDriftShare * 100);
  const [shareDraft, setShareDraft] = useState(String(sharePercent));
  useEffect(() => {
    setShareDraft((d) => (Number(d) === sharePercent ? d : String(sharePercent)));
  }, [sharePercent]);
  const shareValid = /^\d+(\.\d+)?$/.test(shareDraft.trim()) && Number(shareDraft) > 0 && Number(shareDraft) <= 100;

  return (
    <section className="panel drift-rule" aria-labelledby="drift-rule-title" data-testid="drift-rule" data-stored={props.stored}>
      <div className="panel__head">
        <h2 className="panel__title" id="drift-rule-title">
          Drift rule
          <span className="hint panel__title-note">
            changing these re-reads the stored scores at once; nothing is recomputed
          </span>
        </h2>
        <span className={props.stored ? 'tag tag--muted' : 'tag tag--warning'} data-testid="drift-rule-state">
          {props.stored ? 'as stored' : 're-read, not stored'}
        </span>
      </div>
      <div className="drift-rule__row">
        <label className="field drift-rule__method">
          <span className="field-label">Method</span>
          <select
            className="input"
            value={rule.method}
            onChange={(e) => {
              const m = driftMethodChoiceSchema.safeParse(e.target.value);
              if (m.success) onChange({ ...rule, method: m.data });
            }}
            data-testid="drift-method"
          >
            {(['auto', ...DRIFT_METHODS] as DriftMethodChoice[]).map((m) => (
              <option key={m} value={m}>
                {METHOD_LABELS[m]}
              </option>
            ))}
          </select>
          <span className="hint drift-rule__note">
            {rule.method === 'auto' ? 'KS when a sample has ≤ 1,000 rows, else Wasserstein' : ' '}
          </span>
        </label>
        {methodsInUse(rule.method).map((m) => (
          <ThresholdInput
            key={m}
            method={m}
            value={rule.thresholds[m]}
            disabled={false}
            onValid={(v) => onChange({ ...rule, thresholds: { ...rule.thresholds, [m]: v } })}
          />
        ))}
        <label className={shareValid ? 'field drift-rule__share' : 'field drift-rule__share has-error'}>
          <span className="field-label">Dataset drift at</span>
          <span className="drift-rule__share-input">
            <input
              className="input input--number"
              type="number"
              min={1}
              max={100}
              step={1}
              value={shareDraft}
              aria-invalid={!shareValid}
              onChange={(e) => {
                setShareDraft(e.target.value);
                const v = Number(e.target.value);
                if (Number.isFinite(v) && v > 0 && v <= 100) onChange({ ...rule, datasetDriftShare: v / 100 });
              }}
              data-testid="drift-share"
            />
            <span>%</span>
          </span>
          <span className="hint drift-rule__note">
            {shareValid ? `of the features drifting (${formatPercent(rule.datasetDriftShare)})` : 'a share from 1 to 100 %'}
          </span>
        </label>
        <div className="drift-rule__actions">
          <button type="button" className="button button--small" onClick={props.onReset} disabled={props.stored} data-testid="drift-rule-reset">
            Back to the stored settings
          </button>
          <button
            type="button"
            className="button button--small button--primary"
            onClick={props.onRecompute ?? undefined}
            disabled={props.stored || props.onRecompute === null || props.busy}
            title={props.recomputeNote ?? 'Computes drift again with this method and these thresholds and stores a new report'}
            data-testid="drift-recompute"
          >
            Compute again with these settings
          </button>
        </div>
      </div>
    </section>
  );
}
