import { useMemo, useState } from 'react';
import type { MetricsValue } from '../../../../shared/schemas';
import { EChart } from '../../components/EChart';
import { formatInteger, formatScore, formatThreshold } from '../../lib/format';
import type { ScoredRows } from '../../lib/threshold-metrics';
import { ConfusionMatrix } from './ConfusionMatrix';
import { buildThresholdOption } from './result-charts';

const SWEEP_STEPS = 200;

function Figure(props: { label: string; value: number | null; tuned: number | null; testId: string; why: string }) {
  const delta = props.value !== null && props.tuned !== null ? props.value - props.tuned : null;
  return (
    <div className="threshold-figure">
      <span className="threshold-figure__label">{props.label}</span>
      <span
        className="threshold-figure__value"
        data-testid={props.testId}
        data-value={props.value ?? ''}
        title={props.value === null ? props.why : undefined}
      >
        {formatScore(props.value)}
      </span>
      <span className="threshold-figure__delta">
        {delta === null || Math.abs(delta) < 5e-4
          ? '\u00a0'
          : `${delta > 0 ? '+' : '−'}${formatScore(Math.abs(delta))} vs tuned`}
      </span>
    </div>
  );
}

/**
 * The decision threshold: a slider that recomputes precision, recall, F1, F2 and the confusion
 * matrix of the validation units in place (p ≥ t is flagged), the tuned threshold marked, and a
 * way back to it.
 */
export function ThresholdPanel(props: {
  rows: ScoredRows;
  threshold: number;
  tuned: number;
  onThreshold: (t: number) => void;
  test: MetricsValue | null;
  /** whose scores the slider works on, when the run has more than one model */
  model?: string;
}) {
  const { rows, threshold, tuned, onThreshold, test } = props;
  const [draft, setDraft] = useState<string | null>(null);
  const now = useMemo(() => rows.at(threshold), [rows, threshold]);
  const atTuned = useMemo(() => rows.at(tuned), [rows, tuned]);
  const sweep = useMemo(() => rows.sweep(SWEEP_STEPS), [rows]);
  const option = useMemo(() => buildThresholdOption(sweep, threshold, tuned), [sweep, threshold, tuned]);
  const flagged = now.confusion.tp + now.confusion.fp;
  const isTuned = Math.abs(threshold - tuned) < 1e-12;

  const commit = (text: string) => {
    const t = Number(text);
    if (text.trim() !== '' && Number.isFinite(t) && t >= 0 && t <= 1) onThreshold(t);
    setDraft(null);
  };

  return (
    <section className="panel threshold-panel" aria-labelledby="threshold-title" data-testid="threshold-panel">
      <h2 className="panel__title" id="threshold-title">
        Decision threshold{' '}
        <span className="hint panel__title-note" data-testid="threshold-model">
          {props.model === undefined ? '' : `${props.model} scores, `}validation units, recomputed as you move it
        </span>
      </h2>
      <div className="threshold-controls">
        <div className="threshold-slider">
          <input
            type="range"
            min={0}
            max={1}
            step={0.001}
            value={threshold}
            onChange={(e) => onThreshold(Number(e.target.value))}
            aria-label="Decision threshold"
            aria-valuetext={formatThreshold(threshold)}
            data-testid="threshold-slider"
          />
          <span
            className="threshold-slider__tuned"
            style={{ left: `calc(${(tuned * 100).toFixed(3)}% + ${(8 - 16 * tuned).toFixed(2)}px)` }}
            title={`Tuned for F2 on the validation units: ${formatThreshold(tuned)}`}
            aria-hidden="true"
            data-testid="threshold-tuned-marker"
          />
          <div className="threshold-slider__scale" aria-hidden="true">
            <span>0</span>
            <span>0.5</span>
            <span>1</span>
          </div>
        </div>
        <label className="field threshold-number">
          <span className="field-label">Threshold</span>
          <input
            className="input input--number"
            type="text"
            inputMode="decimal"
            value={draft ?? formatThreshold(threshold)}
            onChange={(e) => setDraft(e.target.value)}
            onBlur={(e) => commit(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') commit(e.currentTarget.value);
            }}
            data-testid="threshold-input"
          />
        </label>
        <div className="threshold-tuned">
          <span className="field-label">Tuned (F2)</span>
          <span className="mono" data-testid="threshold-tuned">
            {formatThreshold(tuned)}
          </span>
        </div>
        <button
          type="button"
          className="button button--small"
          onClick={() => onThreshold(tuned)}
          disabled={isTuned}
          data-testid="threshold-reset"
        >
          Reset to tuned
        </button>
      </div>
      <div className="threshold-figures">
        <Figure
          label="F2"
          value={now.f2}
          tuned={atTuned.f2}
          testId="threshold-f2"
          why="Undefined: no failure rows and nothing flagged."
        />
        <Figure
          label="F1"
          value={now.f1}
          tuned={atTuned.f1}
          testId="threshold-f1"
          why="Undefined: no failure rows and nothing flagged."
        />
        <Figure
          label="Precision"
          value={now.precision}
          tuned={atTuned.precision}
          testId="threshold-precision"
          why={`Undefined: no row is flagged at threshold ${formatThreshold(threshold)}.`}
        />
        <Figure
          label="Recall"
          value={now.recall}
          tuned={atTuned.recall}
          testId="threshold-recall"
          why="Undefined: the validation units have no failure rows."
        />
        <div className="threshold-figure">
          <span className="threshold-figure__label">Flagged</span>
          <span className="threshold-figure__value" data-testid="threshold-flagged">
            {formatInteger(flagged)}
          </span>
          <span className="threshold-figure__delta">of {formatInteger(rows.size)} rows</span>
        </div>
      </div>
      <div className="threshold-body">
        <div className="threshold-matrices">
          <ConfusionMatrix
            confusion={now.confusion}
            title="Validation"
            note={`at ${formatThreshold(threshold)}`}
            testId="confusion-validation"
          />
          {test !== null && (
            <ConfusionMatrix
              confusion={test.confusion}
              title="Test"
              note={`at the tuned ${formatThreshold(test.threshold)} (test scores are not kept)`}
              testId="confusion-test"
            />
          )}
        </div>
        <EChart
          option={option}
          height={250}
          testId="threshold-chart"
          label="Precision, recall, F1 and F2 of the validation units by threshold"
        />
      </div>
    </section>
  );
}
