import { useCallback, useDeferredValue, useMemo, useState } from 'react';
import type { PrognosError } from '../../../../shared/errors';
import type { RunDetail, RunSummary } from '../../../../shared/schemas';
import { useApi } from '../../api/context';
import { EChart } from '../../components/EChart';
import { ErrorMessage } from '../../components/ErrorMessage';
import {
  RankedScores,
  blend,
  figuresAt,
  optimiseBlend,
  type EnsembleFigures,
  type GridPoint,
} from '../../lib/ensemble-metrics';
import { asPrognosError } from '../../lib/errors';
import { formatFixed, formatInteger, formatScore, formatShortDate, formatThreshold } from '../../lib/format';
import { runWeightChoice } from '../../lib/train-config';
import { useAsync } from '../../lib/use-async';
import { routeHref, useHashRoute } from '../../lib/use-hash-route';
import { useWorkbench } from '../../state/workbench';
import { ConfusionMatrix } from '../results/ConfusionMatrix';
import { MODEL_COLORS, buildModelCurvesOption, type ModelCurve } from '../results/result-charts';
import { buildGridOption, gridHasLogLoss } from './ensemble-charts';
import { useRuns } from '../../state/use-runs';
import { useWorkingContext } from '../../state/working-context';

function newestFirst(a: RunSummary, b: RunSummary): number {
  return b.createdAt.localeCompare(a.createdAt);
}

function hasLstm(r: RunSummary): boolean {
  return r.status === 'done' && r.models.includes('lstm');
}

const same = (a: number, b: number | null) => b !== null && Math.abs(a - b) < 1e-9;

function Figure(props: { label: string; value: number | null; saved: number | null; testId: string }) {
  const delta = props.value !== null && props.saved !== null ? props.value - props.saved : null;
  return (
    <div className="threshold-figure">
      <span className="threshold-figure__label">{props.label}</span>
      <span className="threshold-figure__value" data-testid={props.testId} data-value={props.value ?? ''}>
        {formatScore(props.value)}
      </span>
      <span className="threshold-figure__delta">
        {delta === null || Math.abs(delta) < 5e-4
          ? '\u00a0'
          : `${delta > 0 ? '+' : '−'}${formatScore(Math.abs(delta))} vs saved`}
      </span>
    </div>
  );
}

interface Live {
  readonly ranked: RankedScores;
  readonly figures: EnsembleFigures;
  readonly ms: number;
}

function EnsembleWorkbench({ run, onSaved }: { run: RunDetail; onSaved: () => void }) {
  const api = useApi();
  const { bumpRuns } = useWorkbench();
  const gbdt = run.validationScores.gbdt;
  const lstm = run.validationScores.lstm;
  const labels = run.validationScores.label;
  // the run's threshold is on the calibrated scale: every blend here is calibrated as main scores it
  const calibration = run.calibration?.params;
  // how training chose w: the run's config says (runs from before the criterion existed chose by F2)
  const { criterion } = runWeightChoice(run.config);
  const gridHasLoss = gridHasLogLoss(run.ensembleGrid);
  const savedThreshold = run.threshold ?? run.thresholds.ensemble ?? 0.5;
  const [weight, setWeight] = useState(run.weight);
  const [threshold, setThreshold] = useState(savedThreshold);
  const [fine, setFine] = useState<{ grid: GridPoint[]; best: GridPoint; ms: number } | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<PrognosError | null>(null);
  const [justSaved, setJustSaved] = useState(false);

  const singles = useMemo(() => {
    if (gbdt === undefined || lstm === undefined || labels === undefined) return null;
    return { gbdt: new RankedScores(gbdt, labels), lstm: new RankedScores(lstm, labels) };
  }, [gbdt, lstm, labels]);

  const live = useMemo<Live | null>(() => {
    if (gbdt === undefined || lstm === undefined || labels === undefined) return null;
    const t0 = performance.now();
    const ranked = new RankedScores(blend(gbdt, lstm, weight, calibration), labels);
    const figures = figuresAt(ranked, weight, threshold);
    return { ranked, figures, ms: performance.now() - t0 };
  }, [gbdt, lstm, labels, weight, threshold, calibration]);

  const savedFigures = useMemo(() => {
    if (gbdt === undefined || lstm === undefined || labels === undefined) return null;
    return figuresAt(new RankedScores(blend(gbdt, lstm, run.weight, calibration), labels), run.weight, savedThreshold);
  }, [gbdt, lstm, labels, run.weight, savedThreshold, calibration]);

  // the figures follow the sliders at once; the curves may lag a frame behind while the sliders move
  const chartLive = useDeferredValue(live);
  const chartWeight = useDeferredValue(weight);
  const chartThreshold = useDeferredValue(threshold);
  const blendCurves = useMemo(
    () => (chartLive === null ? null : { roc: chartLive.ranked.roc(), pr: chartLive.ranked.pr() }),
    [chartLive],
  );
  const singleCurves = useMemo(
    () =>
      singles === null
        ? null
        : {
            gbdt: { roc: singles.gbdt.roc(), pr: singles.gbdt.pr() },
            lstm: { roc: singles.lstm.roc(), pr: singles.lstm.pr() },
          },
    [singles],
  );
  const prevalence = live !== null && live.ranked.size > 0 ? live.ranked.positives / live.ranked.size : null;
  const curveOption = useCallback(
    (kind: 'roc' | 'pr') => {
      if (chartLive === null || blendCurves === null || singleCurves === null) return null;
      const curves: ModelCurve[] = [
        { name: 'GBDT', color: MODEL_COLORS.gbdt!, points: singleCurves.gbdt[kind] },
        { name: 'LSTM', color: MODEL_COLORS.lstm!, points: singleCurves.lstm[kind] },
        {
          name: `Blend w = ${formatFixed(chartWeight, 2)}`,
          color: MODEL_COLORS.ensemble!,
          points: blendCurves[kind],
          emphasis: true,
        },
      ];
      const f = chartLive.figures;
      const n = chartLive.ranked;
      const point =
        kind === 'roc'
          ? n.positives > 0 && n.negatives > 0
            ? { x: f.confusion.fp / n.negatives, y: f.confusion.tp / n.positives }
            : null
          : f.recall !== null && f.precision !== null
            ? { x: f.recall, y: f.precision }
            : null;
      return buildModelCurvesOption(kind, curves, { point, threshold: chartThreshold, name: 'Blend' }, prevalence);
    },
    [chartLive, blendCurves, singleCurves, chartWeight, chartThreshold, prevalence],
  );
  const rocOption = useMemo(() => curveOption('roc'), [curveOption]);
  const prOption = useMemo(() => curveOption('pr'), [curveOption]);
  const gridOption = useMemo(
    () =>
      buildGridOption(
        run.ensembleGrid,
        fine?.grid ?? null,
        { weight: chartWeight, f2: chartLive?.figures.f2 ?? null },
        run.weight,
      ),
    [run.ensembleGrid, fine, chartWeight, chartLive, run.weight],
  );

  if (live === null || singles === null || gbdt === undefined || lstm === undefined || labels === undefined) {
    return (
      <p className="empty" data-testid="ensemble-no-scores">
        This run kept no validation scores of both models, so the blend cannot be recomputed here.
      </p>
    );
  }

  const weightSaved = same(weight, run.weight);
  const thresholdSaved = same(threshold, run.threshold ?? savedThreshold);
  const allSaved = weightSaved && thresholdSaved;
  const f = live.figures;
  const gbdtOwn = singles.gbdt.at(run.thresholds.gbdt ?? 0.5);
  const lstmOwn = singles.lstm.at(run.thresholds.lstm ?? 0.5);

  const optimise = () => {
    const t0 = performance.now();
    const r = optimiseBlend(gbdt, lstm, labels, calibration, criterion);
    setFine({ ...r, ms: performance.now() - t0 });
    setWeight(r.best.weight);
    setThreshold(r.best.threshold);
    setJustSaved(false);
  };
  /** one model alone (w = 1: the GBDT, w = 0: the LSTM) at its F2-best threshold on the calibrated scale */
  const only = (w: 0 | 1) => {
    const best = new RankedScores(blend(gbdt, lstm, w, calibration), labels).bestThreshold(2);
    setWeight(w);
    setThreshold(best.threshold);
    setJustSaved(false);
  };
  const save = () => {
    setSaving(true);
    setSaveError(null);
    api.runsSetEnsemble({ runId: run.runId, weight, threshold }).then(
      () => {
        setSaving(false);
        setJustSaved(true);
        bumpRuns();
        onSaved();
      },
      (e: unknown) => {
        setSaving(false);
        setSaveError(asPrognosError(e));
      },
    );
  };
  const revert = () => {
    setWeight(run.weight);
    setThreshold(savedThreshold);
  };

  return (
    <>
      <section className="panel" aria-labelledby="ensemble-blend-title" data-testid="ensemble-panel">
        <div className="panel__head">
          <h2 className="panel__title" id="ensemble-blend-title">
            Blend{' '}
            <span className="hint panel__title-note">
              P = w·GBDT + (1 − w)·LSTM on the {formatInteger(live.ranked.size)} validation rows, recomputed as you move
              the sliders
            </span>
          </h2>
          <span
            className={allSaved ? 'save-state save-state--saved' : 'save-state save-state--unsaved'}
            data-testid="ensemble-save-state"
            data-state={allSaved ? 'saved' : 'unsaved'}
          >
            {allSaved ? (justSaved ? 'Saved to the run' : 'Matches the run') : 'Unsaved changes'}
          </span>
        </div>
        <div className="ensemble-controls">
          <div className="ensemble-slider">
            <label className="field-label" htmlFor="ensemble-weight">
              GBDT weight w{' '}
              <span className="ensemble-slider__value mono" data-testid="ensemble-weight-value">
                {formatFixed(weight, 2)}
              </span>
              {!weightSaved && (
                <span className="ensemble-slider__saved" data-testid="ensemble-saved-weight">
                  saved {formatFixed(run.weight, 2)}
                </span>
              )}
            </label>
            <input
              id="ensemble-weight"
              type="range"
              min={0}
              max={1}
              step={0.01}
              value={weight}
              onChange={(e) => {
                setWeight(Number(e.target.value));
                setJustSaved(false);
              }}
              aria-valuetext={`GBDT weight ${formatFixed(weight, 2)}`}
              data-testid="ensemble-weight-slider"
            />
            <div className="threshold-slider__scale ensemble-slider__scale" aria-hidden="true">
              <span>0 · LSTM only</span>
              <span>0.5</span>
              <span>1 · GBDT only</span>
            </div>
          </div>
          <div className="ensemble-slider">
            <label className="field-label" htmlFor="ensemble-threshold">
              Alert threshold{' '}
              <span className="ensemble-slider__value mono" data-testid="ensemble-threshold-value">
                {formatThreshold(threshold)}
              </span>
              {!thresholdSaved && (
                <span className="ensemble-slider__saved" data-testid="ensemble-saved-threshold">
                  saved {formatThreshold(savedThreshold)}
                </span>
              )}
            </label>
            <input
              id="ensemble-threshold"
              type="range"
              min={0}
              max={1}
              step={0.001}
              value={threshold}
              onChange={(e) => {
                setThreshold(Number(e.target.value));
                setJustSaved(false);
              }}
              aria-valuetext={`threshold ${formatThreshold(threshold)}`}
              data-testid="ensemble-threshold-slider"
            />
            <div className="threshold-slider__scale ensemble-slider__scale" aria-hidden="true">
              <span>0</span>
              <span>0.5</span>
              <span>1</span>
            </div>
          </div>
          <div className="ensemble-actions">
            <button
              type="button"
              className="button button--small"
              onClick={optimise}
              title={
                criterion === 'log-loss'
                  ? 'Search w from 0 to 1 in steps of 0.05 and take the blend with the lowest validation log-loss, at its F2-best threshold (the search this run’s training made)'
                  : 'Search w from 0 to 1 in steps of 0.05, each with its F2-best threshold, and take the best (the search this run’s training made)'
              }
              data-testid="ensemble-optimise"
            >
              {criterion === 'log-loss' ? 'Choose w as training does' : 'Optimise for F2'}
            </button>
            <button
              type="button"
              className="button button--quiet button--small"
              onClick={() => only(1)}
              title="w = 1: the GBDT alone, at its F2-best threshold"
              data-testid="ensemble-gbdt-only"
            >
              GBDT only
            </button>
            <button
              type="button"
              className="button button--quiet button--small"
              onClick={() => only(0)}
              title="w = 0: the LSTM alone, at its F2-best threshold"
              data-testid="ensemble-lstm-only"
            >
              LSTM only
            </button>
            <button
              type="button"
              className="button button--quiet button--small"
              onClick={revert}
              disabled={allSaved}
              data-testid="ensemble-revert"
            >
              Back to saved
            </button>
            <button
              type="button"
              className="button button--primary button--small"
              onClick={save}
              disabled={allSaved || saving}
              title="Store this weight and threshold with the run; export and fleet scoring use them"
              data-testid="ensemble-save"
            >
              {saving ? 'Saving…' : 'Save to run'}
            </button>
          </div>
        </div>
        {run.calibration !== null && run.calibration.method !== 'none' && (
          <p className="hint" data-testid="ensemble-calibration">
            Blends are shown with the run’s {run.calibration.method === 'platt' ? 'Platt' : 'isotonic'} calibration, fitted on the
            validation units at w ={' '}
            {formatFixed(run.calibration.weight, 2)}; the threshold is a calibrated probability.
          </p>
        )}
        {fine !== null && (
          <p className="hint" data-testid="ensemble-optimised">
            {criterion === 'log-loss'
              ? `Lowest validation log-loss${fine.best.logLoss === undefined ? '' : ` (${formatFixed(fine.best.logLoss, 4)})`} at w = ${formatFixed(fine.best.weight, 2)}; F2 ${formatScore(fine.best.fBeta)} at its best threshold `
              : `Best F2 ${formatScore(fine.best.fBeta)} at w = ${formatFixed(fine.best.weight, 2)}, threshold `}
            {formatThreshold(fine.best.threshold)} ({formatInteger(fine.grid.length)} weights searched by {criterion === 'log-loss' ? 'log-loss' : 'F2'}, as training does, in {formatFixed(fine.ms, 0)} ms).
          </p>
        )}
        {saveError !== null && (
          <ErrorMessage
            error={saveError}
            title="The blend could not be saved"
            onDismiss={() => setSaveError(null)}
            testId="ensemble-save-error"
          />
        )}
        <div
          className="threshold-figures"
          data-testid="ensemble-figures"
          data-weight={weight}
          data-threshold={threshold}
        >
          <Figure label="F2" value={f.f2} saved={savedFigures?.f2 ?? null} testId="ensemble-f2" />
          <Figure
            label="Precision"
            value={f.precision}
            saved={savedFigures?.precision ?? null}
            testId="ensemble-precision"
          />
          <Figure label="Recall" value={f.recall} saved={savedFigures?.recall ?? null} testId="ensemble-recall" />
          <Figure label="F1" value={f.f1} saved={savedFigures?.f1 ?? null} testId="ensemble-f1" />
          <Figure label="ROC-AUC" value={f.rocAuc} saved={savedFigures?.rocAuc ?? null} testId="ensemble-rocauc" />
        </div>
        <div className="threshold-body">
          <ConfusionMatrix
            confusion={f.confusion}
            title="Validation"
            note={`blend at w = ${formatFixed(weight, 2)}, threshold ${formatThreshold(threshold)}`}
            testId="ensemble-confusion"
          />
          <table className="data-table compact-table" data-testid="ensemble-models">
            <thead>
              <tr>
                <th scope="col">Validation</th>
                <th scope="col" className="num">
                  Threshold
                </th>
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
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">GBDT alone</th>
                <td className="num">{formatThreshold(run.thresholds.gbdt)}</td>
                <td className="num">{formatScore(gbdtOwn.f2)}</td>
                <td className="num">{formatScore(gbdtOwn.precision)}</td>
                <td className="num">{formatScore(gbdtOwn.recall)}</td>
                <td className="num">{formatScore(singles.gbdt.rocAuc())}</td>
              </tr>
              <tr>
                <th scope="row">LSTM alone</th>
                <td className="num">{formatThreshold(run.thresholds.lstm)}</td>
                <td className="num">{formatScore(lstmOwn.f2)}</td>
                <td className="num">{formatScore(lstmOwn.precision)}</td>
                <td className="num">{formatScore(lstmOwn.recall)}</td>
                <td className="num">{formatScore(singles.lstm.rocAuc())}</td>
              </tr>
              <tr className="compact-table__total">
                <th scope="row">Blend (now)</th>
                <td className="num">{formatThreshold(threshold)}</td>
                <td className="num">{formatScore(f.f2)}</td>
                <td className="num">{formatScore(f.precision)}</td>
                <td className="num">{formatScore(f.recall)}</td>
                <td className="num">{formatScore(f.rocAuc)}</td>
              </tr>
            </tbody>
          </table>
        </div>
        <p className="hint" data-testid="ensemble-compute-ms" data-ms={live.ms.toFixed(2)}>
          Recomputed in {formatFixed(live.ms, 1)} ms.
        </p>
      </section>
      <section className="panel" aria-labelledby="ensemble-grid-title">
        <h2 className="panel__title" id="ensemble-grid-title">
          {gridHasLoss ? 'F2 and log-loss by weight' : 'F2 by weight'}{' '}
          <span className="hint panel__title-note">
            each weight at its own F2-best threshold (validation units)
            {gridHasLoss ? `; training chose w by ${criterion === 'log-loss' ? 'the lowest log-loss' : 'the best F2'}` : ''}
          </span>
        </h2>
        <EChart
          option={gridOption}
          height={260}
          testId="ensemble-grid-chart"
          label="Validation F2 of the blend at each GBDT weight, the current weight marked"
        />
      </section>
      <div className="results-pair">
        <section className="panel" aria-labelledby="ensemble-roc-title">
          <h2 className="panel__title" id="ensemble-roc-title">
            ROC curve <span className="hint panel__title-note">validation units</span>
          </h2>
          {rocOption !== null && (
            <EChart
              option={rocOption}
              height={320}
              testId="ensemble-roc-chart"
              label="ROC curves of the GBDT, the LSTM and the current blend on the validation units"
            />
          )}
        </section>
        <section className="panel" aria-labelledby="ensemble-pr-title">
          <h2 className="panel__title" id="ensemble-pr-title">
            Precision–recall curve <span className="hint panel__title-note">validation units</span>
          </h2>
          {prOption !== null && (
            <EChart
              option={prOption}
              height={320}
              testId="ensemble-pr-chart"
              label="Precision–recall curves of the GBDT, the LSTM and the current blend on the validation units"
            />
          )}
        </section>
      </div>
    </>
  );
}

function EnsembleRun({ runId }: { runId: string }) {
  const api = useApi();
  const load = useCallback(() => api.runsGet({ runId }), [api, runId]);
  const [state, reload, last] = useAsync(load);
  const run = state.status === 'ok' ? state.value : last;
  if (run === undefined) {
    if (state.status === 'error') {
      return <ErrorMessage error={state.error} title="The run could not be loaded" testId="ensemble-error" />;
    }
    return <p className="muted">Loading the run…</p>;
  }
  if (run.status !== 'done' || !run.models.includes('lstm')) {
    return (
      <p className="empty" data-testid="ensemble-not-blendable">
        This run has no LSTM{run.status !== 'done' ? ' or has not finished' : ''}; there is nothing to blend. Train with
        GBDT + LSTM in <a href={routeHref('train')}>Train</a>.
      </p>
    );
  }
  return (
    <div
      className="results-body"
      data-testid="ensemble-run"
      data-run-id={run.runId}
      data-saved-weight={run.weight}
      data-saved-threshold={run.threshold ?? ''}
    >
      <p className="detail__meta">
        <span className="mono">{run.runId}</span>
        <span>{run.datasetName ?? 'deleted dataset'}</span>
        <span>
          saved: w = {formatFixed(run.weight, 2)}, threshold {formatThreshold(run.threshold)}
        </span>
        {run.backend !== null && <span>{run.backend}</span>}
      </p>
      <EnsembleWorkbench key={run.runId} run={run} onSaved={reload} />
    </div>
  );
}

/** Blend a run's GBDT and LSTM: weight and threshold sliders, live figures and curves, and saving to the run. */
export function EnsembleView() {
  const [, go, param] = useHashRoute();
  const [runsState, reloadRuns, lastRuns] = useRuns();
  const runs = useMemo(() => (lastRuns === undefined ? null : lastRuns.filter(hasLstm).sort(newestFirst)), [lastRuns]);
  // the address's run, else the working context's run when it has an LSTM, else the newest such run
  const ctx = useWorkingContext();
  const contextRun = runs?.some((r) => r.runId === ctx.current.run) === true ? ctx.current.run : null;
  const runId = param ?? contextRun ?? runs?.[0]?.runId ?? null;

  return (
    <div className="results-view" data-testid="ensemble-view">
      <div className="view-toolbar">
        <label className="field results-picker">
          <span className="field-label">Run with an LSTM</span>
          <select
            className="input"
            value={runId ?? ''}
            onChange={(e) => {
              ctx.choose('run', e.target.value);
              go('ensemble', e.target.value);
            }}
            disabled={runs === null || runs.length === 0}
            data-testid="ensemble-run-picker"
          >
            {runId !== null && runs !== null && !runs.some((r) => r.runId === runId) && (
              <option value={runId}>{runId}</option>
            )}
            {runs?.map((r) => (
              <option key={r.runId} value={r.runId}>
                {formatShortDate(r.createdAt)} · {r.datasetName ?? 'deleted dataset'}
                {r.validationF2 !== null ? ` · val F2 ${r.validationF2.toFixed(3)}` : ''}
                {r.threshold !== null ? ` · threshold ${formatThreshold(r.threshold)}` : ''}
              </option>
            ))}
          </select>
        </label>
        {runId !== null && (
          <a className="button button--quiet" href={routeHref('results', runId)} data-testid="ensemble-open-results">
            Results of this run
          </a>
        )}
      </div>
      {runsState.status === 'error' && (
        <div className="stack-s">
          <ErrorMessage error={runsState.error} title="The runs could not be loaded" testId="ensemble-runs-error" />
          <button type="button" className="button button--small" onClick={reloadRuns}>
            Retry
          </button>
        </div>
      )}
      {runId === null && runs !== null && (
        <div className="empty-state" data-testid="ensemble-empty">
          <h2>No run with an LSTM yet</h2>
          <p>
            Train with <strong>GBDT + LSTM</strong> in <a href={routeHref('train')}>Train</a>; the blend of the two can
            then be tuned here.
          </p>
        </div>
      )}
      {runId !== null && <EnsembleRun key={runId} runId={runId} />}
    </div>
  );
}
