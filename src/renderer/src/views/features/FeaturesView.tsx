import { useCallback, useMemo, useState } from 'react';
import { DatasetPicker } from '../../components/DatasetPicker';
import { ErrorMessage } from '../../components/ErrorMessage';
import { JobControl } from '../../components/JobControl';
import { formatDate, formatInteger, formatSeconds, formatShortDate } from '../../lib/format';
import { jsonEqual, type JsonObject } from '../../lib/json-value';
import { applySelection, currentSelection, rankingBasis, toggleFeature } from '../../lib/train-config';
import { routeHref } from '../../lib/use-hash-route';
import { useSensorLabels } from '../../lib/use-sensor-labels';
import { useWorkbench, type ConfigSchemas, type RankingRecord } from '../../state/workbench';
import { FeatureSpecEditor } from './FeatureSpecEditor';
import { FeatureTrend } from './FeatureTrend';
import { RankingTable } from './RankingTable';
import { SelectionPanel } from './SelectionPanel';

function DroppedSensors({ record }: { record: RankingRecord }) {
  const dropped = record.ranking.droppedSensors;
  const labels = useSensorLabels(record.datasetId);
  return (
    <section className="panel" aria-labelledby="dropped-title">
      <h2 className="panel__title" id="dropped-title">
        Dropped sensors <span className="panel__count">{formatInteger(dropped.length)}</span>
      </h2>
      {dropped.length === 0 ? (
        <p className="empty" data-testid="dropped-none">
          Every sensor carries information; none was dropped.
        </p>
      ) : (
        <ul className="dropped-list" data-testid="dropped-sensors">
          {dropped.map((d) => (
            <li key={d.name} data-testid="dropped-sensor" data-sensor={d.name}>
              <span className="dropped-list__name" title={labels.describe(d.name)}>
                {labels.name(d.name)}
                {labels.name(d.name) !== d.name && <span className="mono muted"> {d.name}</span>}
              </span>
              <span className="dropped-list__reason">{d.reason}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function RankingFigures({ record }: { record: RankingRecord }) {
  const r = record.ranking;
  return (
    <dl className="figures figures--inline" data-testid="ranking-summary">
      <div className="figure">
        <dt className="figure__label">Engineered</dt>
        <dd className="figure__value" data-testid="ranking-engineered">
          {formatInteger(r.engineeredCount)}
        </dd>
        <dd className="figure__note">features</dd>
      </div>
      <div className="figure">
        <dt className="figure__label">Ranked on</dt>
        <dd className="figure__value">{formatInteger(r.trainUnits)}</dd>
        <dd className="figure__note">training units</dd>
      </div>
      <div className="figure">
        <dt className="figure__label">Dropped</dt>
        <dd className="figure__value">{formatInteger(r.droppedSensors.length)}</dd>
        <dd className="figure__note">sensors</dd>
      </div>
      <div className="figure">
        <dt className="figure__label">Took</dt>
        <dd className="figure__value">{formatSeconds(r.seconds)}</dd>
        <dd className="figure__note">to rank</dd>
      </div>
    </dl>
  );
}

function RankedContent(props: { record: RankingRecord; config: JsonObject; stale: boolean }) {
  const { record, config, stale } = props;
  const { picks, setPicks, setConfig } = useWorkbench();
  const selection = useMemo(
    () => currentSelection(config, record.order, record.ranked, picks),
    [config, record, picks],
  );
  const [focusedState, setFocused] = useState<string | null>(null);
  const labels = useSensorLabels(record.datasetId);
  const focused =
    focusedState !== null && record.order.includes(focusedState) ? focusedState : (record.order[0] ?? null);
  const formula = useMemo(() => record.ranking.defs.find((d) => d.name === focused)?.formula ?? '', [record, focused]);

  const write = useCallback(
    (next: { config: JsonObject; picks: NonNullable<typeof picks> } | null) => {
      if (next === null) return;
      setConfig(() => next.config);
      setPicks(next.picks);
    },
    [setConfig, setPicks],
  );
  const onToggle = useCallback(
    (name: string) => write(toggleFeature(config, record.order, selection, name)),
    [write, config, record, selection],
  );
  const onTopK = useCallback(
    (k: number) => write(applySelection(config, record.order, k, selection.added, selection.removed)),
    [write, config, record, selection],
  );
  const onResetPicks = useCallback(
    () => write(applySelection(config, record.order, selection.baseK, new Set(), new Set())),
    [write, config, record, selection],
  );

  return (
    <>
      <div className="features-grid__right">
        {stale && (
          <p className="notice notice--warning" data-testid="ranking-stale">
            The spec, split or seed changed since this ranking. Rank again to see the features they give.
          </p>
        )}
        <RankingFigures record={record} />
        <SelectionPanel record={record} selection={selection} onTopK={onTopK} onResetPicks={onResetPicks} />
      </div>
      <section className="panel features-grid__wide" aria-labelledby="ranking-title">
        <h2 className="panel__title" id="ranking-title">
          Ranking <span className="panel__count">{formatInteger(record.ranking.features.length)}</span>
          <span className="hint panel__title-note" data-testid="ranking-direction-note">
            ranked on the training units only; ↑ higher is better, ↓ lower is better; click a column to sort
          </span>
        </h2>
        <RankingTable
          ranking={record.ranking}
          selected={selection.selectedSet}
          focused={focused}
          onToggle={onToggle}
          onFocus={setFocused}
          labels={labels}
        />
      </section>
      <section className="panel features-grid__wide" aria-labelledby="trend-title">
        <h2 className="panel__title" id="trend-title">
          Trend across units
        </h2>
        {focused === null ? (
          <p className="empty">No feature to plot.</p>
        ) : (
          <FeatureTrend datasetId={record.datasetId} feature={focused} formula={formula} basis={record.basis} />
        )}
      </section>
    </>
  );
}

function FeaturesWorkspace({ schemas, config }: { schemas: ConfigSchemas; config: JsonObject }) {
  const { datasetId, rankingFor, rankJob, startRank, issues } = useWorkbench();
  const [syntax, setSyntax] = useState<string | null>(null);
  const record = rankingFor(datasetId);
  const stale = record !== null && !jsonEqual(record.basis, rankingBasis(config));
  const blocked = issues.length > 0 || syntax !== null;
  const running = rankJob.busy;

  return (
    <div className="features-view" data-testid="features-view">
      <div className="view-toolbar">
        <DatasetPicker disabled={running} />
        <button
          type="button"
          className="button button--primary"
          onClick={startRank}
          disabled={datasetId === null || blocked || running}
          title={blocked ? 'Fix the problems in the feature spec first' : undefined}
          data-testid="rank-button"
        >
          {running ? 'Ranking…' : record === null ? 'Rank features' : 'Rank again'}
        </button>
        <div className="view-toolbar__job" aria-live="polite">
          <JobControl phase={rankJob.phase} status={rankJob.status} onCancel={rankJob.cancel} testId="rank-progress" />
          {!running && rankJob.outcome?.kind === 'cancelled' && (
            <p className="notice" data-testid="rank-cancelled">
              Ranking cancelled.
              <button type="button" className="button button--quiet button--small" onClick={rankJob.dismiss}>
                Dismiss
              </button>
            </p>
          )}
          {!running && rankJob.outcome?.kind === 'done' && rankJob.outcome.info.datasetId === datasetId && (
            <span className="hint" data-testid="rank-done">
              Ranked {formatInteger(rankJob.outcome.value.features.length)} features in{' '}
              {formatSeconds(rankJob.outcome.value.seconds)}.
            </span>
          )}
          {!running && record !== null && (
            <span className="hint" title={formatDate(record.computedAt)} data-testid="ranking-computed-at" data-computed-at={record.computedAt}>
              This ranking was computed {formatShortDate(record.computedAt)}.
            </span>
          )}
        </div>
      </div>
      {!running && rankJob.outcome?.kind === 'failed' && (
        <ErrorMessage
          error={rankJob.outcome.error}
          title="Ranking failed"
          onDismiss={rankJob.dismiss}
          testId="rank-error"
        />
      )}
      <div className="features-grid">
        <div className="features-grid__left">
          <FeatureSpecEditor schemas={schemas} config={config} onSyntax={setSyntax} />
          {record !== null && <DroppedSensors record={record} />}
        </div>
        {record === null ? (
          <div className="features-grid__right">
            <div className="panel empty-panel" data-testid="ranking-empty">
              <h2>No ranking yet</h2>
              <p>
                {datasetId === null ? (
                  <>
                    Import a dataset in <a href={routeHref('datasets')}>Datasets</a>, then rank its features here.
                  </>
                ) : (
                  <>
                    <strong>Rank features</strong> engineers every feature of the spec on the training units and scores
                    each one by mutual information, |Spearman|, monotonicity, trendability, prognosability and gain.
                  </>
                )}
              </p>
            </div>
          </div>
        ) : (
          <RankedContent key={record.datasetId} record={record} config={config} stale={stale} />
        )}
      </div>
    </div>
  );
}

/** Engineer and rank features, pick the ones training uses, and look at their trends. */
export function FeaturesView() {
  const { schemas, reloadSchemas, config } = useWorkbench();
  if (schemas.status === 'error') {
    return (
      <div className="view-pad stack-s">
        <ErrorMessage error={schemas.error} title="The config schema could not be loaded" testId="schemas-error" />
        <button type="button" className="button button--small" onClick={reloadSchemas}>
          Retry
        </button>
      </div>
    );
  }
  if (schemas.status === 'loading' || config === null) return <p className="view-pad muted">Loading…</p>;
  return <FeaturesWorkspace schemas={schemas.value} config={config} />;
}
