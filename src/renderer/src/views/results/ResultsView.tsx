import { useCallback, useEffect, useMemo, useState } from 'react';
import type { PrognosError } from '../../../../shared/errors';
import type { RunDetail, RunSummary } from '../../../../shared/schemas';
import { useApi } from '../../api/context';
import { EChart } from '../../components/EChart';
import { ErrorMessage } from '../../components/ErrorMessage';
import { JobControl } from '../../components/JobControl';
import { asPrognosError } from '../../lib/errors';
import { formatDate, formatInteger, formatSeconds, formatShortDate, formatThreshold } from '../../lib/format';
import { formatJson, toJsonObject } from '../../lib/json-value';
import { ScoredRows } from '../../lib/threshold-metrics';
import { runLstmMembers, runWeightChoice } from '../../lib/train-config';
import { useAsync } from '../../lib/use-async';
import { navigate, routeHref, useHashRoute } from '../../lib/use-hash-route';
import { useFollowJob } from '../../state/use-follow-job';
import { useWorkbench } from '../../state/workbench';
import { EPOCHS, bestIteration, buildLossOption } from '../train/loss-chart-option';
import { Segmented, type SegmentedOption } from '../../components/Segmented';
import { CalibrationPanel } from './CalibrationPanel';
import { MetricsTable } from './MetricsTable';
import {
  MODEL_COLORS,
  MODEL_LABELS,
  buildCurveOption,
  buildImportanceOption,
  buildModelCurvesOption,
  type ModelCurve,
} from './result-charts';
import { RulPanel } from './RulPanel';
import { ThresholdPanel } from './ThresholdPanel';
import { useRuns } from '../../state/use-runs';
import { useSensorLabels } from '../../lib/use-sensor-labels';
import { useWorkingContext } from '../../state/working-context';

const IMPORTANCE_TOP = 20;
const SPLITS: readonly SegmentedOption<'validation' | 'test'>[] = [
  { value: 'validation', label: 'Validation' },
  { value: 'test', label: 'Test' },
];

/** The model whose scores carry the alert: the ensemble when the run has one. */
function primaryModel(run: RunDetail): string {
  return run.metrics.ensemble !== undefined && run.validationScores.ensemble !== undefined ? 'ensemble' : 'gbdt';
}

function modelOrder(run: RunDetail): string[] {
  const order = ['gbdt', 'lstm', 'ensemble'];
  const rank = (m: string) => (order.includes(m) ? order.indexOf(m) : order.length);
  return Object.keys(run.curves).sort((a, b) => rank(a) - rank(b));
}

const STAGE_NAMES: Record<string, string> = {
  featuresSeconds: 'Features',
  rankingSeconds: 'Ranking',
  gbdtSeconds: 'GBDT training',
  lstmSeconds: 'LSTM training',
  rulSeconds: 'RUL models',
  rulGbdtSeconds: 'RUL trees',
  rulLstmSeconds: 'RUL LSTM head',
  evaluateSeconds: 'Evaluation',
  calibrationSeconds: 'Calibration',
};

function stageName(key: string): string {
  return STAGE_NAMES[key] ?? key.replace(/Seconds$/, '').replace(/^./, (c) => c.toUpperCase());
}

function newestFirst(a: RunSummary, b: RunSummary): number {
  return b.createdAt.localeCompare(a.createdAt);
}

function RunHeader({ run }: { run: RunDetail }) {
  // a run that has not finished has no final numbers to show: no best epoch, weight or threshold
  const finished = run.status === 'done';
  const lstmLoss = finished ? (run.lossCurves.lstm ?? []) : [];
  const lstmBest = lstmLoss.length === 0 ? null : bestIteration(lstmLoss);
  const lstmEpochs = lstmLoss.length;
  // from the run's stored config: networks the LSTM averages, and how the ensemble weight was chosen
  const members = runLstmMembers(run.config);
  const choice = runWeightChoice(run.config);
  const byLoss = choice.chosen && choice.criterion === 'log-loss';
  return (
    <header className="results-header">
      <div className="results-header__title">
        <h2 className="mono" data-testid="results-run-id" title={run.runId}>
          {run.runId}
        </h2>
        <span className={`status status--${run.status}`} data-testid="results-status">
          {run.status}
        </span>
      </div>
      <p className="detail__meta">
        <span title={run.datasetId}>{run.datasetName ?? 'deleted dataset'}</span>
        <span title={formatDate(run.createdAt)}>started {formatShortDate(run.createdAt)}</span>
        {run.finishedAt !== null && (
          <span title={formatDate(run.finishedAt)}>finished {formatShortDate(run.finishedAt)}</span>
        )}
        <span>seed {run.seed}</span>
        {run.backend !== null && <span data-testid="results-backend">backend: {run.backend}</span>}
        {run.selected.length > 0 && <span>{formatInteger(run.selected.length)} features</span>}
        {run.models.length > 0 && (
          <span data-testid="results-models">{run.models.map((m) => MODEL_LABELS[m] ?? m).join(' + ')}</span>
        )}
        {lstmBest !== null && (
          <span data-testid="results-lstm-best-epoch" data-epoch={lstmBest + 1}>
            LSTM best epoch {formatInteger(lstmBest + 1)} of {formatInteger(lstmEpochs)}
            {members > 1 ? ` (the first of ${formatInteger(members)} networks averaged)` : ''}
          </span>
        )}
        {finished && run.models.includes('lstm') && (
          <span data-testid="results-weight">
            ensemble weight w = {run.weight.toFixed(2)}
            {byLoss ? ' (lowest validation log-loss)' : ''}
          </span>
        )}
        {finished && run.threshold !== null && <span>threshold {formatThreshold(run.threshold)} (tuned for F2)</span>}
      </p>
    </header>
  );
}

function SplitTable({ run }: { run: RunDetail }) {
  const parts = ['train', 'validation', 'test'] as const;
  const totalUnits = parts.reduce((s, p) => s + run.units[p], 0);
  return (
    <table className="data-table compact-table" data-testid="results-units">
      <thead>
        <tr>
          <th scope="col">Split</th>
          <th scope="col" className="num">
            Units
          </th>
          <th
            scope="col"
            className="num"
            title="Rows used to fit (train) or to evaluate (rows with a full history window)"
          >
            Rows
          </th>
        </tr>
      </thead>
      <tbody>
        {parts.map((p) => (
          <tr key={p}>
            <th scope="row">{p[0]!.toUpperCase() + p.slice(1)}</th>
            <td className="num" data-testid={`results-units-${p}`}>
              {formatInteger(run.units[p])}
              <span className="muted">
                {' '}
                {totalUnits > 0 ? `(${Math.round((100 * run.units[p]) / totalUnits)} %)` : ''}
              </span>
            </td>
            <td className="num">{formatInteger(run.rows[p])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function TimingsTable({ timings }: { timings: Record<string, number> }) {
  const entries = Object.entries(timings);
  const total = entries.reduce((s, [, v]) => s + v, 0);
  return (
    <table className="data-table compact-table" data-testid="results-timings">
      <thead>
        <tr>
          <th scope="col">Stage</th>
          <th scope="col" className="num">
            Time
          </th>
        </tr>
      </thead>
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{stageName(k)}</th>
            <td className="num">{formatSeconds(v)}</td>
          </tr>
        ))}
        <tr className="compact-table__total">
          <th scope="row">Total</th>
          <td className="num">{formatSeconds(total)}</td>
        </tr>
      </tbody>
    </table>
  );
}

function ConfigSection({ run }: { run: RunDetail }) {
  const { setConfig, setDatasetId, setPicks } = useWorkbench();
  const config = toJsonObject(run.config);
  const reuse = () => {
    if (config === null) return;
    setConfig(() => config);
    setPicks(null);
    setDatasetId(run.datasetId);
    navigate('train');
  };
  return (
    <section className="panel" aria-labelledby="results-config-title">
      <div className="panel__head">
        <h2 className="panel__title" id="results-config-title">
          Config
        </h2>
        <button
          type="button"
          className="button button--small"
          onClick={reuse}
          disabled={config === null}
          data-testid="results-reuse-config"
        >
          Train again with this config
        </button>
      </div>
      <details className="config-details">
        <summary>Show the config this run was trained with</summary>
        <pre className="config-json" data-testid="results-config">
          {formatJson(run.config)}
        </pre>
      </details>
    </section>
  );
}

function FinishedRun({ run }: { run: RunDetail }) {
  const model = primaryModel(run);
  const models = useMemo(() => modelOrder(run), [run]);
  const several = models.length > 1;
  const metrics = run.metrics[model];
  const curves = run.curves[model];
  const scores = run.validationScores[model];
  const labels = run.validationScores.label;
  const tuned = run.threshold ?? metrics?.validation.threshold ?? 0.5;
  const [split, setSplit] = useState<'validation' | 'test'>('validation');
  const rows = useMemo(
    () => (scores === undefined || labels === undefined ? null : new ScoredRows(scores, labels)),
    [scores, labels],
  );
  const [threshold, setThreshold] = useState(tuned);
  const operating = useMemo(() => ({ point: rows?.rocPoint(threshold) ?? null, threshold }), [rows, threshold]);
  const prPoint = useMemo(() => {
    if (rows === null) return null;
    const f = rows.at(threshold);
    return f.recall === null || f.precision === null ? null : { x: f.recall, y: f.precision };
  }, [rows, threshold]);
  const prevalence = useMemo(
    () => ({
      validation:
        metrics !== undefined && metrics.validation.n > 0 ? metrics.validation.positives / metrics.validation.n : null,
      test:
        metrics?.test !== null && metrics?.test !== undefined && metrics.test.n > 0
          ? metrics.test.positives / metrics.test.n
          : null,
    }),
    [metrics],
  );
  const modelCurves = useCallback(
    (kind: 'roc' | 'pr'): ModelCurve[] =>
      models.flatMap((m) => {
        const c = run.curves[m]?.[split];
        return c === undefined || c === null
          ? []
          : [
              {
                name: MODEL_LABELS[m] ?? m,
                color: MODEL_COLORS[m] ?? '#5b6470',
                points: c[kind],
                emphasis: m === model,
              },
            ];
      }),
    [models, run.curves, split, model],
  );
  const label = MODEL_LABELS[model] ?? model;
  const rocOption = useMemo(() => {
    if (several) {
      const point = split === 'validation' ? operating.point : null;
      return buildModelCurvesOption('roc', modelCurves('roc'), { point, threshold, name: label }, null);
    }
    return curves === undefined ? null : buildCurveOption('roc', curves, operating, prevalence);
  }, [several, split, operating, modelCurves, threshold, label, curves, prevalence]);
  const prOption = useMemo(() => {
    if (several) {
      const point = split === 'validation' ? prPoint : null;
      return buildModelCurvesOption('pr', modelCurves('pr'), { point, threshold, name: label }, prevalence[split]);
    }
    return curves === undefined ? null : buildCurveOption('pr', curves, { point: prPoint, threshold }, prevalence);
  }, [several, split, prPoint, modelCurves, threshold, label, curves, prevalence]);
  const testCurvesMissing = several && models.every((m) => run.curves[m]?.test == null);
  const totalGain = useMemo(() => run.importance.reduce((s, r) => s + r.gain, 0), [run.importance]);
  const [allImportance, setAllImportance] = useState(false);
  const importance = allImportance ? run.importance : run.importance.slice(0, IMPORTANCE_TOP);
  const sensorLabels = useSensorLabels(run.datasetId);
  const importanceOption = useMemo(
    () => buildImportanceOption(importance, totalGain, (id) => sensorLabels.feature(id)),
    [importance, totalGain, sensorLabels],
  );
  const loss = useMemo(() => run.lossCurves.gbdt ?? [], [run.lossCurves]);
  const lossOption = useMemo(() => buildLossOption(loss), [loss]);
  const lstmLoss = useMemo(() => run.lossCurves.lstm ?? [], [run.lossCurves]);
  const lstmLossOption = useMemo(() => buildLossOption(lstmLoss, undefined, EPOCHS), [lstmLoss]);

  return (
    <>
      <section className="panel" aria-labelledby="results-metrics-title">
        <h2 className="panel__title" id="results-metrics-title">
          Metrics{' '}
          <span className="hint panel__title-note">
            at the tuned threshold {formatThreshold(tuned)}; hover “—” for why a figure is missing
          </span>
        </h2>
        <MetricsTable run={run} />
      </section>
      {rows !== null && (
        <ThresholdPanel
          rows={rows}
          threshold={threshold}
          tuned={tuned}
          onThreshold={setThreshold}
          test={metrics?.test ?? null}
          {...(several ? { model: label } : {})}
        />
      )}
      {several && (
        <div className="curve-split" data-testid="results-curve-split">
          <Segmented
            legend="Curves of the three models on"
            options={testCurvesMissing ? SPLITS.map((o) => ({ ...o, disabled: o.value === 'test' })) : SPLITS}
            value={split}
            onChange={setSplit}
            testId="results-split"
          />
        </div>
      )}
      <div className="results-pair">
        <section className="panel" aria-labelledby="roc-title">
          <h2 className="panel__title" id="roc-title">
            ROC curve{several ? <span className="hint panel__title-note"> {split} units</span> : null}
          </h2>
          {rocOption === null ? (
            <p className="empty">No curves were recorded.</p>
          ) : (
            <EChart
              option={rocOption}
              height={320}
              testId="roc-chart"
              label="ROC curves of the validation and test units"
            />
          )}
        </section>
        <section className="panel" aria-labelledby="pr-title">
          <h2 className="panel__title" id="pr-title">
            Precision–recall curve{several ? <span className="hint panel__title-note"> {split} units</span> : null}
          </h2>
          {prOption === null ? (
            <p className="empty">No curves were recorded.</p>
          ) : (
            <EChart
              option={prOption}
              height={320}
              testId="pr-chart"
              label="Precision–recall curves of the validation and test units"
            />
          )}
        </section>
      </div>
      {run.calibration !== null && <CalibrationPanel calibration={run.calibration} />}
      {run.rul !== undefined && <RulPanel rul={run.rul} />}
      <div className="results-pair">
        <section className="panel" aria-labelledby="importance-title">
          <div className="panel__head">
            <h2 className="panel__title" id="importance-title">
              Feature importance <span className="panel__count">{formatInteger(run.importance.length)}</span>
            </h2>
            {run.importance.length > IMPORTANCE_TOP && (
              <button
                type="button"
                className="button button--quiet button--small"
                onClick={() => setAllImportance((a) => !a)}
                data-testid="importance-toggle"
              >
                {allImportance ? `Top ${IMPORTANCE_TOP}` : `All ${formatInteger(run.importance.length)}`}
              </button>
            )}
          </div>
          {importance.length === 0 ? (
            <p className="empty">The model has no splits, so no feature has gain.</p>
          ) : (
            <EChart
              option={importanceOption}
              height={Math.max(200, importance.length * 18 + 48)}
              testId="importance-chart"
              label="Gain importance of the model's features"
            />
          )}
        </section>
        <section className="panel" aria-labelledby="loss-title">
          <h2 className="panel__title" id="loss-title">
            Loss curves
          </h2>
          {lstmLoss.length > 0 && <h3 className="subhead">GBDT log-loss per tree</h3>}
          {loss.length === 0 ? (
            <p className="empty">No losses were recorded.</p>
          ) : (
            <EChart
              option={lossOption}
              height={280}
              testId="results-loss-chart"
              label="GBDT training and validation log-loss per tree"
            />
          )}
          {lstmLoss.length > 0 && <h3 className="subhead">LSTM loss per epoch</h3>}
          {lstmLoss.length > 0 && (
            <EChart
              option={lstmLossOption}
              height={240}
              testId="results-lstm-loss-chart"
              label="LSTM training and validation loss per epoch"
            />
          )}
          <div className="results-facts">
            <div>
              <h3 className="subhead">Units per split</h3>
              <SplitTable run={run} />
            </div>
            <div>
              <h3 className="subhead">Timings</h3>
              <TimingsTable timings={run.timings} />
            </div>
          </div>
        </section>
      </div>
      <ConfigSection run={run} />
    </>
  );
}

/** Progress of a run this page did not start; the run is loaded again when its job ends. */
function FollowTraining({ jobId, onEnd }: { jobId: string; onEnd: () => void }) {
  const api = useApi();
  const status = useFollowJob(jobId, onEnd);
  const phase = useMemo(() => ({ kind: 'running', label: 'Training', jobId, info: null }) as const, [jobId]);
  const [cancelError, setCancelError] = useState<PrognosError | null>(null);
  const cancel = () => {
    api.jobsCancel({ jobId }).catch((e: unknown) => setCancelError(asPrognosError(e)));
  };
  return (
    <>
      <JobControl phase={phase} status={status} onCancel={cancel} testId="results-progress" />
      {cancelError !== null && (
        <ErrorMessage
          error={cancelError}
          title="The run could not be cancelled"
          onDismiss={() => setCancelError(null)}
        />
      )}
    </>
  );
}

function RunBody({ runId }: { runId: string }) {
  const api = useApi();
  const { trainJob, bumpRuns } = useWorkbench();
  const load = useCallback(() => api.runsGet({ runId }), [api, runId]);
  const [state, reload] = useAsync(load);
  const tracked = trainJob.phase.kind === 'running' && trainJob.phase.info.runId === runId;
  const finishedHere = trainJob.outcome?.info?.runId === runId ? trainJob.outcome : null;

  useEffect(() => {
    if (finishedHere !== null) reload();
  }, [finishedHere, reload]);

  if (state.status === 'loading') return <p className="muted">Loading the run…</p>;
  if (state.status === 'error') {
    return (
      <div className="stack-s">
        <ErrorMessage error={state.error} title="The run could not be loaded" testId="results-error" />
        <button type="button" className="button button--small" onClick={reload}>
          Retry
        </button>
      </div>
    );
  }
  const run = state.value;
  return (
    <div className="results-body" data-testid="results-run" data-run-id={run.runId} data-status={run.status}>
      <RunHeader run={run} />
      {run.status === 'running' && (
        <div className="panel" data-testid="results-running">
          <p>
            This run is still training: its metrics, curves and threshold appear here when it finishes.{' '}
            <a href={routeHref('train')} data-testid="results-live-link">
              Follow its progress and loss curves in Train →
            </a>
          </p>
          {tracked ? (
            <JobControl
              phase={trainJob.phase}
              status={trainJob.status}
              onCancel={trainJob.cancel}
              testId="results-progress"
            />
          ) : run.jobId !== null ? (
            <FollowTraining
              jobId={run.jobId}
              onEnd={() => {
                reload();
                bumpRuns();
              }}
            />
          ) : (
            <button type="button" className="button button--small" onClick={reload}>
              Refresh
            </button>
          )}
        </div>
      )}
      {run.status === 'failed' && (
        <div className="error-message" role="alert" data-testid="results-failed">
          <strong>Training failed.</strong>
          <p className="error-message__text">{run.error ?? 'No reason was recorded.'}</p>
        </div>
      )}
      {run.status === 'cancelled' && (
        <p className="notice" data-testid="results-cancelled">
          This run was cancelled; nothing was saved.
        </p>
      )}
      {run.status === 'done' && <FinishedRun key={run.runId} run={run} />}
    </div>
  );
}

/** One run's results: metrics, threshold, curves, importance, losses, timings and config. */
export function ResultsView() {
  const [, go, param] = useHashRoute();
  const [runsState, reloadRuns, lastRuns] = useRuns();
  const runs = useMemo(() => (lastRuns === undefined ? null : [...lastRuns].sort(newestFirst)), [lastRuns]);
  const fallback = runs?.find((r) => r.status === 'done') ?? runs?.[0] ?? null;
  // the address's run (a link from Train), else the working context's run, else the newest
  const ctx = useWorkingContext();
  const contextRun = runs?.some((r) => r.runId === ctx.current.run) === true ? ctx.current.run : null;
  const runId = param ?? contextRun ?? fallback?.runId ?? null;
  const chooseRun = (id: string) => {
    // a finished run becomes the context's run; a running or failed one is shown without that
    if (runs?.find((r) => r.runId === id)?.status === 'done') ctx.choose('run', id);
    go('results', id);
  };

  return (
    <div className="results-view" data-testid="results-view">
      <div className="view-toolbar">
        <label className="field results-picker">
          <span className="field-label">Run</span>
          <select
            className="input"
            value={runId ?? ''}
            onChange={(e) => chooseRun(e.target.value)}
            disabled={runs === null || runs.length === 0}
            data-testid="results-run-picker"
          >
            {runId !== null && runs !== null && !runs.some((r) => r.runId === runId) && (
              <option value={runId}>{runId}</option>
            )}
            {runs?.map((r) => (
              <option key={r.runId} value={r.runId}>
                {formatShortDate(r.createdAt)} · {r.datasetName ?? 'deleted dataset'} · {r.status}
                {r.validationF2 !== null ? ` · val F2 ${r.validationF2.toFixed(3)}` : ''}
              </option>
            ))}
          </select>
        </label>
        <a className="button button--quiet" href={routeHref('train')}>
          Back to Train
        </a>
        {runId !== null && runs?.find((r) => r.runId === runId)?.status === 'done' && (
          <a className="button button--quiet" href={routeHref('export', runId)} data-testid="results-export">
            Export as a bundle →
          </a>
        )}
      </div>
      {runsState.status === 'error' && (
        <div className="stack-s">
          <ErrorMessage error={runsState.error} title="The runs could not be loaded" testId="results-runs-error" />
          <button type="button" className="button button--small" onClick={reloadRuns}>
            Retry
          </button>
        </div>
      )}
      {runId === null && runs !== null && (
        <div className="empty-state" data-testid="results-empty">
          <h2>No runs yet</h2>
          <p>
            Train a model in <a href={routeHref('train')}>Train</a>; its metrics, curves and threshold appear here.
          </p>
        </div>
      )}
      {runId !== null && <RunBody key={runId} runId={runId} />}
    </div>
  );
}
