import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { DriftReport, DriftReportSummary, DriftRequest } from '../../../../shared/drift';
import type { PrognosError } from '../../../../shared/errors';
import type { DatasetRecord } from '../../../../shared/schemas';
import { useApi } from '../../api/context';
import { ErrorMessage } from '../../components/ErrorMessage';
import { JobControl } from '../../components/JobControl';
import { ScorerPicker, useScorerList } from '../../components/ScorerPicker';
import { Segmented } from '../../components/Segmented';
import { asPrognosError } from '../../lib/errors';
import { formatFixed, formatInteger, formatPercent, formatShortDate } from '../../lib/format';
import { resolveScorerKey, type ScorerChoiceOptions } from '../../lib/scorer-choices';
import { useAsync } from '../../lib/use-async';
import { routeHref, useHashRoute } from '../../lib/use-hash-route';
import { useTrackedJob } from '../../state/use-tracked-job';
import { useWorkingContext } from '../../state/working-context';
import { parseScorerKey, scorerKey } from '../fleet/fleet-summary';
import { reportIdFromRoute, reportIdOf, type DriftClient } from './drift-client';
import { useDriftClient } from './use-drift-client';
import { DriftReportView } from './DriftReportView';
import type { DriftRule } from './drift-model';
import './drift.css';

type Comparison = 'auto' | 'matched' | 'unmatched';
type ChunkBy = 'default' | 'rows' | 'cycles' | 'batches';
type Lives = NonNullable<DriftRequest['lives']>;

const COMPARISON_OPTIONS = [
  { value: 'auto' as const, label: 'Auto', title: 'Life-stage matched for run-to-failure data, else unmatched' },
  { value: 'matched' as const, label: 'Matched', title: 'Reference rows weighted to the current rows’ life stage (share of life used, or cycle for engines in service), so wear is not read as drift' },
  { value: 'unmatched' as const, label: 'Unmatched', title: 'All reference rows against all current rows' },
];

const CHUNK_SIZES: Record<Exclude<ChunkBy, 'default' | 'batches'>, number> = { rows: 2000, cycles: 50 };

type Opened =
  | { readonly status: 'none' }
  | { readonly status: 'loading'; readonly reportId: string }
  | { readonly status: 'error'; readonly reportId: string; readonly error: PrognosError }
  | { readonly status: 'ok'; readonly report: DriftReport };

function newestFirst<T extends { createdAt: string }>(a: T, b: T): number {
  return b.createdAt.localeCompare(a.createdAt);
}

/** Finished runs (newest first, a run by default), then the library's bundles; shipped bundles are not offered. */
const SOURCE_CHOICES: ScorerChoiceOptions = {
  shipped: false,
  first: 'runs',
  groupLabels: {
    library: 'Bundles in the library (reference carried in the bundle)',
    runs: 'Finished runs (reference: their training units)',
  },
};

function sourceOfKey(key: string | null): DriftRequest['source'] | null {
  const s = parseScorerKey(key);
  if (s === null) return null;
  return s.kind === 'run' ? { runId: s.runId } : { bundleId: s.bundleId };
}

function History(props: {
  summaries: readonly DriftReportSummary[] | null;
  error: PrognosError | null;
  openId: string | null;
  onOpen: (reportId: string) => void;
  onRetry: () => void;
  noSource: boolean;
}) {
  return (
    <section className="panel drift-history" aria-labelledby="drift-history-title" data-testid="drift-history">
      <h2 className="panel__title" id="drift-history-title">
        Reports
        {props.summaries !== null && (
          <span className="panel__count" data-testid="drift-history-count">
            {formatInteger(props.summaries.length)}
          </span>
        )}
      </h2>
      {props.error !== null && (
        <div className="stack-s">
          <ErrorMessage error={props.error} title="The reports could not be listed" />
          <button type="button" className="button button--small" onClick={props.onRetry}>
            Retry
          </button>
        </div>
      )}
      {props.summaries === null && props.error === null && <p className="muted">{props.noSource ? 'Pick a run or a bundle.' : 'Loading…'}</p>}
      {props.summaries !== null && props.summaries.length === 0 && <p className="muted">No report for this run or bundle yet.</p>}
      {props.summaries !== null && props.summaries.length > 0 && (
        <ul className="drift-history__list">
          {props.summaries.map((s) => (
            <li key={s.reportId}>
              <button
                type="button"
                className={s.reportId === props.openId ? 'drift-history__item is-open' : 'drift-history__item'}
                onClick={() => props.onOpen(s.reportId)}
                aria-current={s.reportId === props.openId ? 'true' : undefined}
                data-testid="drift-history-item"
                data-report-id={s.reportId}
              >
                <span className="drift-history__line">
                  <strong className="drift-history__name">{s.current.label}</strong>
                  <span className={s.datasetDrift ? 'alert-badge' : 'tag tag--muted'}>{s.datasetDrift ? 'drift' : 'no drift'}</span>
                </span>
                <span className="drift-history__meta">
                  {formatShortDate(s.createdAt)} · {s.comparison} · {formatPercent(s.driftedShare)} drifted
                </span>
                <span className="drift-history__meta">
                  est. F2 {formatFixed(s.estimatedF2, 3)} · domain AUC {formatFixed(s.domainAuc, 2)}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * The Drift view's workings against the drift channels: pick a run or a bundle and a fleet, compute
 * drift as a job, browse the stored reports and read one under other methods and thresholds.
 */
export function DriftWorkbench({ client }: { client: DriftClient }) {
  const api = useApi();
  const [, navigate, param] = useHashRoute();
  const routeReport = reportIdFromRoute(param, typeof window === 'undefined' ? '' : window.location.hash);

  const loadDatasets = useCallback(() => api.datasetsList({}), [api]);
  const [datasetsState, reloadDatasets] = useAsync(loadDatasets);
  const sources = useScorerList(SOURCE_CHOICES);

  const datasets = useMemo<DatasetRecord[] | null>(
    () => (datasetsState.status === 'ok' ? [...datasetsState.value].sort(newestFirst) : null),
    [datasetsState],
  );
  // until picked here (or by an opened report), the working context's run (else bundle) and fleet
  const ctx = useWorkingContext();
  const contextSource =
    ctx.current.run !== null
      ? scorerKey({ kind: 'run', runId: ctx.current.run })
      : ctx.current.bundle !== null
        ? scorerKey({ kind: 'bundle', bundleId: ctx.current.bundle })
        : null;
  const [chosenSource, setChosenSource] = useState<string | null>(null);
  const sourceKey = sources.choices === null ? null : resolveScorerKey(chosenSource ?? contextSource, sources.choices);
  const source = sourceOfKey(sourceKey);
  const chooseSource = (key: string) => {
    setChosenSource(key);
    const s = parseScorerKey(key);
    if (s?.kind === 'run') ctx.choose('run', s.runId);
    if (s?.kind === 'bundle') ctx.choose('bundle', s.bundleId);
  };

  const [chosenDataset, setChosenDataset] = useState<string | null>(null);
  const wanted = chosenDataset ?? ctx.current.fleet;
  const datasetId = datasets?.find((d) => d.datasetId === wanted)?.datasetId ?? datasets?.[0]?.datasetId ?? null;
  const dataset = datasets?.find((d) => d.datasetId === datasetId) ?? null;

  const [comparison, setComparison] = useState<Comparison>('auto');
  const [lives, setLives] = useState<Lives>('auto');
  const [chunkBy, setChunkBy] = useState<ChunkBy>('default');
  const [chunkSize, setChunkSize] = useState<string>('');
  const sizeNeeded = chunkBy === 'rows' || chunkBy === 'cycles';
  const sizeValue = sizeNeeded ? Number(chunkSize === '' ? CHUNK_SIZES[chunkBy] : chunkSize) : 1;
  const sizeValid = !sizeNeeded || (Number.isInteger(sizeValue) && sizeValue >= 1);

  // the history of the chosen run or bundle
  const [historyVersion, setHistoryVersion] = useState(0);
  const loadHistory = useMemo(() => {
    if (source === null) return null;
    return () => {
      void historyVersion;
      return client.list(source).then((l) => [...l].sort(newestFirst));
    };
    // the source object is rebuilt each render; its key says what it is
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, sourceKey, historyVersion]);
  const [historyState, reloadHistory] = useAsync(loadHistory);

  // the report on screen
  const [opened, setOpened] = useState<Opened>({ status: 'none' });
  const openSeq = useRef(0);
  const open = useCallback(
    (reportId: string) => {
      openSeq.current += 1;
      const seq = openSeq.current;
      setOpened({ status: 'loading', reportId });
      client.get(reportId).then(
        (report) => {
          if (seq !== openSeq.current) return;
          setOpened({ status: 'ok', report });
          setChosenSource(scorerKey(report.source.kind === 'run' ? { kind: 'run', runId: report.source.id } : { kind: 'bundle', bundleId: report.source.id }));
        },
        (e: unknown) => {
          if (seq === openSeq.current) setOpened({ status: 'error', reportId, error: asPrognosError(e) });
        },
      );
    },
    [client],
  );
  const openedId = opened.status === 'ok' ? opened.report.reportId : opened.status === 'none' ? null : opened.reportId;
  useEffect(() => {
    if (routeReport !== null && routeReport !== openedId) open(routeReport);
    // only when the address names another report
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [routeReport]);
  const openAndRoute = useCallback(
    (reportId: string) => {
      if (routeReport === reportId) open(reportId);
      else navigate('drift', reportId);
    },
    [navigate, open, routeReport],
  );

  const job = useTrackedJob<string, { label: string }>((result) => reportIdOf(result));
  const compute = (request: DriftRequest, label: string) => {
    void job.start(
      'Computing drift',
      () => client.start(request).then((s) => ({ jobId: s.jobId, label })),
      (reportId) => {
        setHistoryVersion((v) => v + 1);
        openAndRoute(reportId);
      },
    );
  };

  const computeNew = () => {
    if (source === null || dataset === null || !sizeValid || job.busy) return;
    const request: DriftRequest = {
      source,
      datasetId: dataset.datasetId,
      comparison,
      ...(dataset.summary.hasRul ? {} : { lives }),
      ...(chunkBy === 'default' ? {} : { chunking: { by: chunkBy, size: chunkBy === 'batches' ? 1 : sizeValue } }),
    };
    compute(request, `${dataset.name} against ${sources.choices?.labels.get(sourceKey ?? '') ?? ''}`);
  };

  const report = opened.status === 'ok' ? opened.report : null;
  const recomputeFor = (r: DriftReport) =>
    r.current.kind !== 'dataset'
      ? null
      : (rule: DriftRule) =>
          compute(
            {
              source: r.source.kind === 'run' ? { runId: r.source.id } : { bundleId: r.source.id },
              datasetId: r.current.id,
              comparison: r.comparison,
              chunking: r.chunking,
              method: rule.method,
              thresholds: rule.thresholds,
              datasetDriftShare: rule.datasetDriftShare,
            },
            `${r.current.label} again`,
          );

  const listError =
    datasetsState.status === 'error'
      ? { error: datasetsState.error, what: 'datasets', retry: reloadDatasets }
      : sources.error;
  const noSource = sources.none;
  const busy = job.busy;
  const failed = job.outcome?.kind === 'failed' ? job.outcome : null;

  return (
    <div className="drift-view" data-testid="drift-view">
      <div className="view-toolbar drift-toolbar">
        <ScorerPicker
          list={sources}
          value={sourceKey}
          onChange={chooseSource}
          label="Model (reference)"
          emptyLabel="No finished run or bundle"
          disabled={busy}
          className="field drift-field drift-field--source"
          testId="drift-source"
        />
        <label className="field drift-field">
          <span className="field-label">Fleet (current data)</span>
          <select
            className="input"
            value={datasetId ?? ''}
            onChange={(e) => {
              setChosenDataset(e.target.value);
              ctx.choose('fleet', e.target.value);
            }}
            disabled={datasets === null || datasets.length === 0 || busy}
            data-testid="drift-dataset"
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
        <Segmented legend="Comparison" options={COMPARISON_OPTIONS} value={comparison} onChange={setComparison} testId="drift-comparison" />
        {dataset !== null && !dataset.summary.hasRul && (
          <label className="field" title="Without a RUL file the fleet does not say how long its units lived. Auto: run to failure when the model alerts at the last row of nearly every unit (training-format data), else in service.">
            <span className="field-label">Units</span>
            <select className="input" value={lives} onChange={(e) => setLives(e.target.value as Lives)} disabled={busy} data-testid="drift-lives">
              <option value="auto">Auto</option>
              <option value="run-to-failure">Run to failure</option>
              <option value="in-service">In service</option>
            </select>
          </label>
        )}
        <label className="field drift-field--chunk">
          <span className="field-label">Chunks</span>
          <span className="drift-chunking">
            <select className="input" value={chunkBy} onChange={(e) => setChunkBy(e.target.value as ChunkBy)} disabled={busy} data-testid="drift-chunk-by">
              <option value="default">Default</option>
              <option value="rows">By rows</option>
              <option value="cycles">By cycles</option>
              <option value="batches">By import batch</option>
            </select>
            {sizeNeeded && (
              <input
                className="input input--number drift-chunk-size"
                type="number"
                min={1}
                step={1}
                value={chunkSize === '' ? String(CHUNK_SIZES[chunkBy]) : chunkSize}
                onChange={(e) => setChunkSize(e.target.value)}
                aria-label={chunkBy === 'rows' ? 'Rows per chunk' : 'Cycles per chunk'}
                aria-invalid={!sizeValid}
                disabled={busy}
                data-testid="drift-chunk-size"
              />
            )}
          </span>
        </label>
        <button
          type="button"
          className="button button--primary"
          onClick={computeNew}
          disabled={source === null || dataset === null || !sizeValid || busy}
          data-testid="drift-compute"
        >
          {busy ? 'Computing…' : 'Compute drift'}
        </button>
      </div>
      <JobControl phase={job.phase} status={job.status} onCancel={job.cancel} testId="drift-job" />
      {listError !== null && (
        <div className="stack-s">
          <ErrorMessage error={listError.error} title={`The ${listError.what} could not be loaded`} />
          <button type="button" className="button button--small" onClick={listError.retry}>
            Retry
          </button>
        </div>
      )}
      {failed !== null && (
        <ErrorMessage
          error={failed.error}
          title={`Drift could not be computed${failed.info === null ? '' : ` for ${failed.info.label}`}`}
          onDismiss={job.dismiss}
          testId="drift-error"
        />
      )}
      {job.outcome?.kind === 'cancelled' && (
        <p className="notice" data-testid="drift-cancelled">
          Cancelled: no report was stored.{' '}
          <button type="button" className="button button--quiet button--small" onClick={job.dismiss}>
            Dismiss
          </button>
        </p>
      )}
      <div className="drift-layout">
        <History
          summaries={source !== null && historyState.status === 'ok' ? historyState.value : null}
          error={historyState.status === 'error' ? historyState.error : null}
          openId={openedId}
          onOpen={openAndRoute}
          onRetry={reloadHistory}
          noSource={source === null}
        />
        <div className="drift-main">
          {opened.status === 'loading' && <p className="muted" data-testid="drift-report-loading">Opening the report…</p>}
          {opened.status === 'error' && (
            <ErrorMessage error={opened.error} title={`Report ${opened.reportId} could not be opened`} onDismiss={() => setOpened({ status: 'none' })} testId="drift-open-error" />
          )}
          {report !== null && (
            <DriftReportView
              key={report.reportId}
              report={report}
              onRecompute={recomputeFor(report)}
              recomputeNote={report.current.kind === 'dataset' ? null : 'This report’s current data came from a file given to the CLI; compute it again there.'}
              busy={busy}
            />
          )}
          {opened.status === 'none' && (
            <div className="empty-state" data-testid="drift-empty">
              <h2>Does new fleet data still look like the training data?</h2>
              {datasets !== null && datasets.length === 0 ? (
                <p>
                  Import the fleet to check in <a href={routeHref('datasets')}>Datasets</a>.
                </p>
              ) : noSource ? (
                <p>
                  Drift is measured against a finished run’s training units (<a href={routeHref('train')}>Train</a>) or a
                  bundle’s reference (<a href={routeHref('export')}>Export</a>).
                </p>
              ) : (
                <p>
                  Pick a model and a fleet, then <strong>Compute drift</strong>: every selected feature, the raw sensors, the
                  model’s predictions and its estimated performance are compared with the reference, chunk by chunk. Or open a
                  stored report on the left.
                </p>
              )}
            </div>
          )}
        </div>
      </div>
    </div>
  );
}

/** Drift of a fleet against a run's or a bundle's reference: compute, browse and re-read stored reports. */
export function DriftView() {
  const client = useDriftClient();
  return <DriftWorkbench client={client} />;
}
