import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { PrognosError } from '../../../../shared/errors';
import type { DatasetRecord, FleetScoresValue } from '../../../../shared/schemas';
import { useApi, useJobStatus, useJobTracker } from '../../api/context';
import { ErrorMessage } from '../../components/ErrorMessage';
import { ScorerPicker, useScorerList } from '../../components/ScorerPicker';
import { useWorkingContext } from '../../state/working-context';
import { ProgressBar } from '../../components/ProgressBar';
import { asPrognosError } from '../../lib/errors';
import { formatDate, formatInteger, formatShortDate, formatThreshold, plural } from '../../lib/format';
import { resolveScorerKey, type ScorerChoiceOptions } from '../../lib/scorer-choices';
import { useAsync } from '../../lib/use-async';
import { routeHref, useHashRoute } from '../../lib/use-hash-route';
import { FleetTable, MAX_PLOTTED } from './FleetTable';
import { parseScorerKey, rankUnits, scorerKey, rulText, summarise, type FleetSummary, type RankedUnit } from './fleet-summary';
import { RiskChart } from './RiskChart';
import { unitColor } from './risk-chart-option';
import { jobResult } from '../../state/job-result';

const DEFAULT_PLOTTED = 5;

interface ScoredFor {
  /** counts the scorings, so each new one starts with its own top units plotted */
  readonly seq: number;
  readonly datasetId: string;
  readonly datasetName: string;
  readonly scorerKey: string;
  readonly scorerLabel: string;
  /** when the scores were computed (ISO): stored scores are shown again after a reload */
  readonly computedAt?: string;
}

type Scoring =
  | { readonly status: 'idle' }
  | { readonly status: 'scoring'; readonly for: ScoredFor; readonly jobId: string | null }
  | { readonly status: 'error'; readonly for: ScoredFor; readonly error: PrognosError }
  | { readonly status: 'done'; readonly for: ScoredFor; readonly value: FleetScoresValue };

function isFleetScores(r: unknown): r is FleetScoresValue {
  return typeof r === 'object' && r !== null && 'units' in r && 'engine' in r;
}

function newestFirst<T extends { createdAt: string }>(a: T, b: T): number {
  return b.createdAt.localeCompare(a.createdAt);
}

/** Bundles in the library (newest first), those shipped with the app, then finished runs; a bundle by default. */
const SCORER_CHOICES: ScorerChoiceOptions = {
  shipped: true,
  first: 'bundles',
  groupLabels: {
    library: 'Bundles in the library (ONNX models, onnxruntime)',
    shipped: 'Shipped with the app',
    runs: 'Finished runs (in-app engines)',
  },
};

function Figure(props: { label: string; value: string; testId: string; note?: string; title?: string; tone?: string }) {
  return (
    <div className={props.tone === undefined ? 'figure' : `figure figure--${props.tone}`} title={props.title}>
      <dt className="figure__label">{props.label}</dt>
      <dd className="figure__value" data-testid={props.testId}>
        {props.value}
      </dd>
      {props.note !== undefined && <dd className="figure__note">{props.note}</dd>}
    </div>
  );
}

function FleetFigures({ s, scores }: { s: FleetSummary; scores: FleetScoresValue }) {
  const w = scores.labelWindow;
  return (
    <dl className="figures figures--inline fleet-figures" data-testid="fleet-summary">
      <Figure label="Units scored" value={formatInteger(s.units)} testId="fleet-units" note="at their last cycle" />
      <Figure
        label="Alerts"
        value={formatInteger(s.alerts)}
        testId="fleet-alerts"
        note={`probability ≥ ${formatThreshold(scores.threshold)}`}
        tone={s.alerts > 0 ? 'alert' : undefined}
      />
      <Figure
        label="Threshold"
        value={formatThreshold(scores.threshold)}
        testId="fleet-threshold"
        note="tuned for F2"
      />
      <Figure label="Label window" value={`${w} cycles`} testId="fleet-window" note="fails within W" />
      {s.withRul > 0 && (
        <>
          <Figure
            label="True alerts"
            value={formatInteger(s.trueAlerts)}
            testId="fleet-true-alerts"
            note={`of ${plural(s.alerts, 'alert')}, RUL ≤ ${w}`}
            title={`Alerts on units whose true RUL is ≤ ${w} cycles`}
          />
          <Figure
            label="False alarms"
            value={formatInteger(s.falseAlarms)}
            testId="fleet-false-alarms"
            note={`alerts, RUL > ${w}`}
            title={`Alerts on units that run more than ${w} more cycles`}
          />
          <Figure
            label="Missed"
            value={formatInteger(s.missed)}
            testId="fleet-missed"
            note={`of ${formatInteger(s.failing)} with RUL ≤ ${w}`}
            title={`Units whose true RUL is ≤ ${w} cycles without an alert`}
            tone={s.missed > 0 ? 'alert' : undefined}
          />
        </>
      )}
    </dl>
  );
}

/** The plotted units' predicted remaining useful life with its interval (models with RUL only). */
function RulDetail(props: { ranked: readonly RankedUnit[]; plotted: readonly number[]; coverage: number | undefined }) {
  const byUnit = useMemo(() => new Map(props.ranked.map((u) => [u.unit, u])), [props.ranked]);
  const shown = props.plotted.map((u) => byUnit.get(u)).filter((u): u is RankedUnit => u?.rul !== undefined);
  if (shown.length === 0) return null;
  const cov = props.coverage === undefined ? '' : `${Math.round(props.coverage * 100)} % `;
  return (
    <div className="fleet-rul-detail" data-testid="fleet-rul-detail">
      <h3 className="fleet-rul-detail__title">
        Remaining useful life <span className="hint">predicted at the last cycle, with its {cov}interval</span>
      </h3>
      <ul className="fleet-rul-detail__list">
        {shown.map((u, i) => (
          <li key={u.unit} data-testid="fleet-rul-detail-unit" data-unit={u.unit}>
            <span className="swatch" style={{ background: unitColor(i) }} aria-hidden="true" />
            Unit {u.unit}: <strong>{rulText(u)}</strong> cycles
            {u.trueRul === undefined ? null : <span className="muted"> · true {formatInteger(u.trueRul)}</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}

function FleetResults({ scoring }: { scoring: Extract<Scoring, { status: 'done' }> }) {
  const scores = scoring.value;
  const ranked = useMemo<RankedUnit[]>(() => rankUnits(scores), [scores]);
  const summary = useMemo(() => summarise(ranked, scores.labelWindow), [ranked, scores.labelWindow]);
  const [plotted, setPlotted] = useState<readonly number[]>(() => ranked.slice(0, DEFAULT_PLOTTED).map((u) => u.unit));
  const rulAtEnd = useMemo(
    () => new Map(ranked.filter((u) => u.trueRul !== undefined).map((u) => [u.unit, u.trueRul!])),
    [ranked],
  );
  const toggle = useCallback((unit: number) => {
    setPlotted((prev) =>
      prev.includes(unit) ? prev.filter((u) => u !== unit) : prev.length >= MAX_PLOTTED ? prev : [...prev, unit],
    );
  }, []);
  const alertsTop = ranked.filter((u) => u.alert).slice(0, MAX_PLOTTED);

  return (
    <div
      className="fleet-results"
      data-testid="fleet-results"
      data-dataset-id={scoring.for.datasetId}
      data-scorer={scoring.for.scorerKey}
      data-engine={scores.engine}
    >
      <p className="fleet-results__what" data-testid="fleet-scored-with">
        <strong>{scoring.for.datasetName}</strong> scored with <strong>{scoring.for.scorerLabel}</strong>{' '}
        <span className="muted">· {scores.engine}</span>
        {scoring.for.computedAt !== undefined && (
          <span
            className="muted"
            title={formatDate(scoring.for.computedAt)}
            data-testid="fleet-computed-at"
            data-computed-at={scoring.for.computedAt}
          >
            {' '}
            · scored {formatShortDate(scoring.for.computedAt)}
          </span>
        )}
      </p>
      <FleetFigures s={summary} scores={scores} />
      <div className="fleet-grid">
        <section className="panel" aria-labelledby="fleet-ranked-title">
          <h2 className="panel__title" id="fleet-ranked-title">
            Units by failure risk
            <span className="hint panel__title-note">
              probability of failing within {scores.labelWindow} cycles, at each unit&rsquo;s last cycle
            </span>
          </h2>
          <FleetTable
            ranked={ranked}
            labelWindow={scores.labelWindow}
            {...(scores.rulCoverage === undefined ? {} : { rulCoverage: scores.rulCoverage })}
            plotted={plotted}
            onTogglePlot={toggle}
          />
        </section>
        <section className="panel" aria-labelledby="fleet-chart-title">
          <div className="panel__head">
            <h2 className="panel__title" id="fleet-chart-title">
              Risk over the cycles
              <span className="panel__count" data-testid="fleet-plotted-count">
                {formatInteger(plotted.length)} of {MAX_PLOTTED}
              </span>
            </h2>
            <div className="fleet-chart-tools">
              <button
                type="button"
                className="button button--quiet button--small"
                onClick={() => setPlotted(ranked.slice(0, DEFAULT_PLOTTED).map((u) => u.unit))}
                data-testid="fleet-plot-top"
              >
                Top {DEFAULT_PLOTTED}
              </button>
              <button
                type="button"
                className="button button--quiet button--small"
                onClick={() => setPlotted(alertsTop.map((u) => u.unit))}
                disabled={alertsTop.length === 0}
                title={`The ${MAX_PLOTTED} highest-risk units on alert at most`}
                data-testid="fleet-plot-alerts"
              >
                Alerts
              </button>
              <button
                type="button"
                className="button button--quiet button--small"
                onClick={() => setPlotted([])}
                disabled={plotted.length === 0}
                data-testid="fleet-plot-clear"
              >
                Clear
              </button>
            </div>
          </div>
          <RiskChart
            datasetId={scoring.for.datasetId}
            scorerKey={scoring.for.scorerKey}
            units={plotted}
            threshold={scores.threshold}
            labelWindow={scores.labelWindow}
            rulAtEnd={rulAtEnd}
          />
          <RulDetail ranked={ranked} plotted={plotted} coverage={scores.rulCoverage} />
        </section>
      </div>
    </div>
  );
}

/** Score every unit of a fleet with a bundle or a run, rank them by risk, and follow chosen units over time. */
export function FleetView() {
  const api = useApi();
  const [, , param] = useHashRoute();

  const loadDatasets = useCallback(() => api.datasetsList({}), [api]);
  const [datasetsState, reloadDatasets] = useAsync(loadDatasets);
  const scorers = useScorerList(SCORER_CHOICES);

  const datasets = useMemo<DatasetRecord[] | null>(
    () => (datasetsState.status === 'ok' ? [...datasetsState.value].sort(newestFirst) : null),
    [datasetsState],
  );

  // the fleet and the scorer are the working context's: the latest unlabeled or test fleet, and the
  // run with the best validation F2 (else the context's bundle), until the analyst picks
  const ctx = useWorkingContext();
  const chosenDataset = ctx.current.fleet;
  const setChosenDataset = (id: string) => ctx.choose('fleet', id);
  const datasetId =
    datasets?.find((d) => d.datasetId === chosenDataset)?.datasetId ??
    datasets?.find((d) => d.role !== 'training')?.datasetId ??
    datasets?.[0]?.datasetId ??
    null;
  const dataset = datasets?.find((d) => d.datasetId === datasetId) ?? null;

  const [chosenScorer, setChosenScorer] = useState<string | null>(() =>
    parseScorerKey(param) === null ? null : param,
  );
  const contextKey =
    ctx.current.run !== null
      ? scorerKey({ kind: 'run', runId: ctx.current.run })
      : ctx.current.bundle !== null
        ? scorerKey({ kind: 'bundle', bundleId: ctx.current.bundle })
        : null;
  const key = scorers.choices === null ? null : resolveScorerKey(chosenScorer ?? contextKey, scorers.choices);
  const chooseScorer = (k: string) => {
    setChosenScorer(k);
    const s = parseScorerKey(k);
    if (s?.kind === 'run') ctx.choose('run', s.runId);
    if (s?.kind === 'bundle') ctx.choose('bundle', s.bundleId);
  };

  const [scoring, setScoring] = useState<Scoring>({ status: 'idle' });
  const seq = useRef(0);
  const busy = scoring.status === 'scoring';
  const jobs = useJobTracker();
  const live = useJobStatus(scoring.status === 'scoring' ? scoring.jobId : null);

  /** the fleet and scorer pairs whose stored scores were asked for (asked again once a scoring ends) */
  const lookedUp = useRef(new Set<string>());
  const follow = useCallback(
    (target: ScoredFor, jobId: string) => {
      setScoring({ status: 'scoring', for: target, jobId });
      jobResult(api, jobs, jobId, isFleetScores).then(
        (value) => {
          lookedUp.current.clear();
          setScoring({ status: 'done', for: { ...target, computedAt: new Date().toISOString() }, value });
        },
        (e: unknown) => {
          const error = asPrognosError(e);
          setScoring(error.code === 'CANCELLED' ? { status: 'idle' } : { status: 'error', for: target, error });
        },
      );
    },
    [api, jobs],
  );

  const score = () => {
    const scorer = parseScorerKey(key);
    if (scorer === null || key === null || dataset === null || busy) return;
    seq.current += 1;
    const target: ScoredFor = {
      seq: seq.current,
      datasetId: dataset.datasetId,
      datasetName: dataset.name,
      scorerKey: key,
      scorerLabel: scorers.choices?.labels.get(key) ?? key,
    };
    setScoring({ status: 'scoring', for: target, jobId: null });
    api.fleetScore({ datasetId: dataset.datasetId, scorer }).then(
      ({ jobId }) => follow(target, jobId),
      (e: unknown) => setScoring({ status: 'error', for: target, error: asPrognosError(e) }),
    );
  };

  // a scoring still running (started before a reload, or in another window) is followed again
  const scorerLabels = scorers.choices?.labels;
  const rejoined = useRef(false);
  useEffect(() => {
    if (rejoined.current || datasets === null || scorerLabels === undefined) return;
    rejoined.current = true;
    api.jobsList({ kind: 'score' }).then(
      (active) => {
        const job = active.find((j) => j.subject.datasetId !== undefined && j.subject.scorer !== undefined);
        if (job?.subject.datasetId === undefined || job.subject.scorer === undefined) return;
        const k = scorerKey(job.subject.scorer);
        jobs.seed(job);
        seq.current += 1;
        const target: ScoredFor = {
          seq: seq.current,
          datasetId: job.subject.datasetId,
          datasetName: datasets.find((d) => d.datasetId === job.subject.datasetId)?.name ?? job.subject.datasetId,
          scorerKey: k,
          scorerLabel: scorerLabels.get(k) ?? k,
        };
        setScoring((prev) => (prev.status === 'scoring' ? prev : { status: 'scoring', for: target, jobId: job.jobId }));
        follow(target, job.jobId);
      },
      () => undefined,
    );
  }, [api, datasets, follow, jobs, scorerLabels]);

  // the stored scores of the chosen fleet and scorer, shown again (after a reload, or on a new choice)
  const pair = dataset === null || key === null ? null : `${dataset.datasetId}|${key}`;
  const shownPair = scoring.status === 'done' ? `${scoring.for.datasetId}|${scoring.for.scorerKey}` : null;
  useEffect(() => {
    if (pair === null || dataset === null || key === null || busy || pair === shownPair || lookedUp.current.has(pair)) return;
    const scorer = parseScorerKey(key);
    if (scorer === null) return;
    lookedUp.current.add(pair);
    api.fleetStored({ datasetId: dataset.datasetId, scorer }).then(
      (stored) => {
        if (stored === null) return;
        setScoring((prev) => {
          if (prev.status === 'scoring') return prev;
          seq.current += 1;
          return {
            status: 'done',
            for: {
              seq: seq.current,
              datasetId: dataset.datasetId,
              datasetName: dataset.name,
              scorerKey: key,
              scorerLabel: scorerLabels?.get(key) ?? key,
              computedAt: stored.computedAt,
            },
            value: stored.scores,
          };
        });
      },
      () => lookedUp.current.delete(pair),
    );
  }, [api, busy, dataset, key, pair, scorerLabels, shownPair]);

  const cancelScoring = () => {
    if (scoring.status !== 'scoring' || scoring.jobId === null) return;
    api.jobsCancel({ jobId: scoring.jobId }).catch(() => undefined);
  };

  const listError =
    datasetsState.status === 'error'
      ? { error: datasetsState.error, what: 'datasets', retry: reloadDatasets }
      : scorers.error;
  const noScorer = scorers.none;
  const changed = scoring.status === 'done' && (scoring.for.datasetId !== datasetId || scoring.for.scorerKey !== key);

  return (
    <div className="fleet-view" data-testid="fleet-view">
      <div className="view-toolbar">
        <label className="field fleet-field">
          <span className="field-label">Fleet (dataset)</span>
          <select
            className="input"
            value={datasetId ?? ''}
            onChange={(e) => setChosenDataset(e.target.value)}
            disabled={datasets === null || datasets.length === 0 || busy}
            data-testid="fleet-dataset"
          >
            {datasets === null && <option value="">Loading…</option>}
            {datasets !== null && datasets.length === 0 && <option value="">No datasets</option>}
            {datasets?.map((d) => (
              <option key={d.datasetId} value={d.datasetId}>
                {d.name} · {formatInteger(d.units)} units{d.summary.hasRul ? ' · with RUL' : ''}
              </option>
            ))}
          </select>
        </label>
        <ScorerPicker
          list={scorers}
          value={key}
          onChange={chooseScorer}
          label="Scored by"
          emptyLabel="No bundle or finished run"
          disabled={busy}
          className="field fleet-field fleet-field--scorer"
          testId="fleet-scorer"
        />
        <button
          type="button"
          className="button button--primary"
          onClick={score}
          disabled={dataset === null || key === null || busy}
          data-testid="fleet-score"
        >
          {busy ? 'Scoring…' : 'Score fleet'}
        </button>
        {changed && (
          <span className="hint toolbar-note" data-testid="fleet-choice-changed">
            The choice changed since this scoring; score again to update.
          </span>
        )}
      </div>
      {listError !== null && (
        <div className="stack-s">
          <ErrorMessage error={listError.error} title={`The ${listError.what} could not be loaded`} />
          <button type="button" className="button button--small" onClick={listError.retry}>
            Retry
          </button>
        </div>
      )}
      {scoring.status === 'scoring' && (
        <div className="panel">
          <ProgressBar
            fraction={live?.state === 'running' ? live.fraction : undefined}
            label="Scoring"
            message={`Scoring ${scoring.for.datasetName} with ${scoring.for.scorerLabel}…${live?.state === 'running' ? ` ${live.message}` : ''}`}
            testId="fleet-scoring"
          />
          <button type="button" className="button button--small" onClick={cancelScoring} disabled={scoring.jobId === null} data-testid="fleet-cancel">
            Cancel
          </button>
        </div>
      )}
      {scoring.status === 'error' && (
        <ErrorMessage
          error={scoring.error}
          title={`${scoring.for.datasetName} could not be scored with ${scoring.for.scorerLabel}`}
          onDismiss={() => setScoring({ status: 'idle' })}
          testId="fleet-error"
        />
      )}
      {scoring.status === 'done' && <FleetResults key={scoring.for.seq} scoring={scoring} />}
      {scoring.status === 'idle' && (
        <div className="empty-state" data-testid="fleet-empty">
          <h2>Rank a fleet by failure risk</h2>
          {datasets !== null && datasets.length === 0 ? (
            <p>
              Import the fleet to score in <a href={routeHref('datasets')}>Datasets</a> (a test set with its RUL file
              shows how the alerts compare with the true failures).
            </p>
          ) : noScorer ? (
            <p>
              Score with a bundle from the library (<a href={routeHref('export')}>Export</a>) or a finished run (
              <a href={routeHref('train')}>Train</a>).
            </p>
          ) : (
            <p>
              Pick a fleet and a bundle or a finished run, then <strong>Score fleet</strong>: every unit is scored at
              its last cycle and ranked by the probability that it fails within the label window.
            </p>
          )}
        </div>
      )}
    </div>
  );
}
