import { useId, useState } from 'react';
import type { JsonSchema, SchemaIssue } from '../../lib/json-schema';
import { schemaAt } from '../../lib/json-schema';
import { getAt, setAt, type JsonObject, type JsonPath, type JsonValue } from '../../lib/json-value';
import { formatInteger } from '../../lib/format';
import { describeIssue, issuesUnder, manualFeaturesOf } from '../../lib/train-config';
import { routeHref } from '../../lib/use-hash-route';
import { Segmented, type SegmentedOption } from '../../components/Segmented';

interface FieldSpec {
  path: JsonPath;
  label: string;
  integer?: boolean;
  /** words accepted besides numbers (e.g. "balanced") */
  words?: readonly string[];
}

const GENERAL: readonly FieldSpec[] = [
  { path: ['seed'], label: 'Seed', integer: true },
  { path: ['labelWindow'], label: 'Label window W (cycles)', integer: true },
  { path: ['historyWindow'], label: 'History window (cycles)', integer: true },
  { path: ['topK'], label: 'Top-K features', integer: true },
];

const SPLIT: readonly FieldSpec[] = [
  { path: ['split', 'train'], label: 'Train' },
  { path: ['split', 'validation'], label: 'Validation' },
  { path: ['split', 'test'], label: 'Test' },
];

const GBDT: readonly FieldSpec[] = [
  { path: ['gbdt', 'nEstimators'], label: 'Trees (nEstimators)', integer: true },
  { path: ['gbdt', 'maxDepth'], label: 'Max depth', integer: true },
  { path: ['gbdt', 'eta'], label: 'Learning rate (eta)' },
  { path: ['gbdt', 'earlyStoppingRounds'], label: 'Early stopping rounds', integer: true },
  { path: ['gbdt', 'subsample'], label: 'Row subsample' },
  { path: ['gbdt', 'colsampleBytree'], label: 'Feature subsample' },
  { path: ['gbdt', 'minChildWeight'], label: 'Min child weight' },
  { path: ['gbdt', 'maxBin'], label: 'Histogram bins (maxBin)', integer: true },
  { path: ['gbdt', 'lambda'], label: 'L2 (lambda)' },
  { path: ['gbdt', 'alpha'], label: 'L1 (alpha)' },
  { path: ['gbdt', 'gamma'], label: 'Min split gain (gamma)' },
  { path: ['gbdt', 'scalePosWeight'], label: 'Positive weight', words: ['balanced'] },
];

const LSTM: readonly FieldSpec[] = [
  { path: ['lstm', 'members'], label: 'Networks averaged (seeds)', integer: true },
  { path: ['lstm', 'epochs'], label: 'Epochs (maximum)', integer: true },
  { path: ['lstm', 'patience'], label: 'Early stopping patience', integer: true },
  { path: ['lstm', 'batchSize'], label: 'Batch size', integer: true },
  { path: ['lstm', 'learningRate'], label: 'Learning rate' },
  { path: ['lstm', 'units1'], label: 'LSTM 1 units', integer: true },
  { path: ['lstm', 'units2'], label: 'LSTM 2 units', integer: true },
  { path: ['lstm', 'attentionUnits'], label: 'Attention units', integer: true },
  { path: ['lstm', 'dropout'], label: 'Dropout' },
  { path: ['lstm', 'classWeight'], label: 'Positive weight', words: ['balanced'] },
  { path: ['sequenceStride'], label: 'Sequence stride', integer: true },
];

const ENSEMBLE: readonly FieldSpec[] = [{ path: ['ensemble', 'weight'], label: 'GBDT weight w' }];

const RUL: readonly FieldSpec[] = [
  { path: ['rul', 'cap'], label: 'RUL cap (knee, cycles)' },
  { path: ['rul', 'coverage'], label: 'RUL interval coverage' },
];

const FORM_PATHS: readonly JsonPath[] = [...GENERAL, ...SPLIT, ...GBDT, ...LSTM, ...ENSEMBLE, ...RUL]
  .map((f) => f.path)
  .concat([['split', 'mode'], ['split'], ['models'], ['ensemble', 'optimise']]);

type ModelChoice = 'both' | 'gbdt';
const MODEL_CHOICES: readonly SegmentedOption<ModelChoice>[] = [
  { value: 'both', label: 'GBDT + LSTM', title: 'Trees and an LSTM with attention, blended for F2' },
  { value: 'gbdt', label: 'GBDT only', title: 'Gradient-boosted trees alone (fast)' },
];

/** Which models the config trains (the schema's default when it does not say). */
export function modelsOf(config: JsonObject, schema: JsonSchema): string[] {
  const v = config.models ?? schemaAt(schema, ['models'])?.default;
  return Array.isArray(v) ? v.filter((m): m is string => typeof m === 'string') : ['gbdt', 'lstm'];
}

/** Problems the form has no field for (e.g. in the feature spec or an unknown setting). */
function otherIssues(issues: readonly SchemaIssue[]): SchemaIssue[] {
  return issues.filter(
    (i) =>
      !FORM_PATHS.some((p) =>
        p.length === i.path.length
          ? p.every((k, n) => i.path[n] === k)
          : p.length > 1 && p.every((k, n) => i.path[n] === k),
      ),
  );
}

function testIdOf(path: JsonPath): string {
  return `field-${path.join('-')}`;
}

function display(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v);
}

/** Text typed into a numeric field, as the config value it stands for (unparseable text is kept as text). */
function parseFieldText(text: string, words: readonly string[] = []): JsonValue | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  if (words.includes(t)) return t;
  const n = Number(t);
  return Number.isFinite(n) ? n : text;
}

function NumberField(props: {
  spec: FieldSpec;
  config: JsonObject;
  schema: JsonSchema;
  issues: readonly SchemaIssue[];
  onChange: (path: JsonPath, value: JsonValue | undefined) => void;
}) {
  const { spec, config, schema } = props;
  const id = useId();
  const [draft, setDraft] = useState<string | null>(null);
  const fieldSchema = schemaAt(schema, spec.path);
  const description = typeof fieldSchema?.description === 'string' ? fieldSchema.description : undefined;
  const fallback = fieldSchema?.default;
  const value = getAt(config, spec.path);
  const errors = issuesUnder(props.issues, spec.path);
  const error = errors[0]?.message;
  const testId = testIdOf(spec.path);
  return (
    <div className={error === undefined ? 'form-field' : 'form-field has-error'}>
      <label className="field-label" htmlFor={id} title={description}>
        {spec.label}
      </label>
      <input
        id={id}
        className="input input--number"
        type="text"
        inputMode={spec.integer === true ? 'numeric' : 'decimal'}
        autoComplete="off"
        spellCheck={false}
        value={draft ?? display(value)}
        placeholder={fallback === undefined ? '' : `${display(fallback)} (default)`}
        title={description}
        aria-invalid={error !== undefined}
        aria-describedby={error === undefined ? undefined : `${id}-error`}
        onChange={(e) => {
          setDraft(e.target.value);
          props.onChange(spec.path, parseFieldText(e.target.value, spec.words));
        }}
        onBlur={() => setDraft(null)}
        data-testid={testId}
      />
      {error !== undefined && (
        <span className="form-field__error" id={`${id}-error`} role="alert" data-testid={`${testId}-error`}>
          {error}
        </span>
      )}
    </div>
  );
}

function FeatureSummary({ config }: { config: JsonObject }) {
  const manual = manualFeaturesOf(config);
  const topK = getAt(config, ['topK']);
  return (
    <div className="feature-summary" data-testid="train-feature-summary">
      {manual === undefined ? (
        <span>
          Features: the top <strong>{typeof topK === 'number' ? formatInteger(topK) : '—'}</strong> of the ranking made
          during training.
        </span>
      ) : (
        <span title={manual.join(', ')}>
          Features: <strong>{formatInteger(manual.length)}</strong> picked in the Features view (
          {manual.slice(0, 4).join(', ')}
          {manual.length > 4 ? ', …' : ''}).
        </span>
      )}{' '}
      <a href={routeHref('features')} data-testid="train-edit-features">
        Change in Features
      </a>
    </div>
  );
}

/** The training config as a form; every field edits the same object the JSON tab shows. */
export function ConfigForm(props: {
  config: JsonObject;
  schema: JsonSchema;
  issues: readonly SchemaIssue[];
  onConfig: (update: (config: JsonObject) => JsonObject) => void;
}) {
  const { config, schema, issues, onConfig } = props;
  const onChange = (path: JsonPath, value: JsonValue | undefined) => onConfig((c) => setAt(c, path, value));
  const others = otherIssues(issues);
  const splitRule = issues.filter((i) => i.path.length === 1 && i.path[0] === 'split');
  const mode = getAt(config, ['split', 'mode']);
  const modeSchema = schemaAt(schema, ['split', 'mode']);
  const modes = Array.isArray(modeSchema?.enum)
    ? modeSchema.enum.filter((m): m is string => typeof m === 'string')
    : ['random', 'chronological'];
  const modeError = issuesUnder(issues, ['split', 'mode'])[0]?.message;
  const withLstm = modelsOf(config, schema).includes('lstm');
  const modelsError = issuesUnder(issues, ['models'])[0]?.message;
  const optimiseSchema = schemaAt(schema, ['ensemble', 'optimise']);
  const optimiseValue = getAt(config, ['ensemble', 'optimise']) ?? optimiseSchema?.default;
  const optimise = optimiseValue !== false;
  const field = (spec: FieldSpec) => (
    <NumberField
      key={spec.path.join('.')}
      spec={spec}
      config={config}
      schema={schema}
      issues={issues}
      onChange={onChange}
    />
  );

  return (
    <form className="config-form" onSubmit={(e) => e.preventDefault()} data-testid="config-form" noValidate>
      <FeatureSummary config={config} />
      <fieldset className="config-form__group">
        <legend>Labels and selection</legend>
        <div className="config-form__grid">{GENERAL.map(field)}</div>
      </fieldset>
      <fieldset className="config-form__group">
        <legend>Split by unit</legend>
        <div className="config-form__grid">
          {SPLIT.map(field)}
          <div className={modeError === undefined ? 'form-field' : 'form-field has-error'}>
            <label
              className="field-label"
              htmlFor="split-mode"
              title={typeof modeSchema?.description === 'string' ? modeSchema.description : undefined}
            >
              Mode
            </label>
            <select
              id="split-mode"
              className="input"
              value={typeof mode === 'string' ? mode : ''}
              onChange={(e) => onChange(['split', 'mode'], e.target.value)}
              data-testid="field-split-mode"
            >
              {typeof mode !== 'string' && <option value="">Default</option>}
              {typeof mode === 'string' && !modes.includes(mode) && <option value={mode}>{mode}</option>}
              {modes.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
            {modeError !== undefined && <span className="form-field__error">{modeError}</span>}
          </div>
        </div>
        {splitRule.length > 0 && (
          <p className="form-field__error" role="alert" data-testid="field-split-error">
            {splitRule[0]?.message}
          </p>
        )}
      </fieldset>
      <fieldset className="config-form__group">
        <legend>Models</legend>
        <Segmented
          legend="Train"
          options={MODEL_CHOICES}
          value={withLstm ? 'both' : 'gbdt'}
          onChange={(v) => onChange(['models'], v === 'both' ? ['gbdt', 'lstm'] : ['gbdt'])}
          testId="field-models"
        />
        {modelsError !== undefined && <p className="form-field__error">{modelsError}</p>}
      </fieldset>
      <fieldset className="config-form__group">
        <legend>Gradient-boosted trees</legend>
        <div className="config-form__grid">{GBDT.map(field)}</div>
      </fieldset>
      {withLstm && (
        <>
          <fieldset className="config-form__group" data-testid="config-lstm">
            <legend>LSTM with attention</legend>
            <div className="config-form__grid">{LSTM.map(field)}</div>
          </fieldset>
          <fieldset className="config-form__group" data-testid="config-ensemble">
            <legend>Ensemble P = w·GBDT + (1 − w)·LSTM</legend>
            <div className="config-form__grid">
              {ENSEMBLE.map(field)}
              <div className="form-field">
                <label
                  className="field-label checkbox-label"
                  title={typeof optimiseSchema?.description === 'string' ? optimiseSchema.description : undefined}
                >
                  <input
                    type="checkbox"
                    checked={optimise}
                    onChange={(e) => onChange(['ensemble', 'optimise'], e.target.checked)}
                    data-testid="field-ensemble-optimise"
                  />{' '}
                  Choose w on validation
                </label>
              </div>
            </div>
          </fieldset>
        </>
      )}
      <fieldset className="config-form__group" data-testid="config-rul">
        <legend>Remaining useful life (target min(RUL, cap))</legend>
        <div className="config-form__grid">{RUL.map(field)}</div>
      </fieldset>
      {others.length > 0 && (
        <div className="config-status config-status--error" role="alert" data-testid="config-other-issues">
          <p>Other problems (edit them in the JSON tab or the Features view):</p>
          <ul className="config-status__list">
            {others.slice(0, 8).map((i, n) => (
              <li key={n}>{describeIssue(i)}</li>
            ))}
          </ul>
        </div>
      )}
    </form>
  );
}
