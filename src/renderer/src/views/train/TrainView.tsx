import { useCallback, useEffect, useMemo, useState } from 'react';
import { DatasetPicker } from '../../components/DatasetPicker';
import { EChart } from '../../components/EChart';
import { ErrorMessage } from '../../components/ErrorMessage';
import { IssueList } from '../../components/IssueList';
import { JobControl } from '../../components/JobControl';
import { JsonEditor } from '../../components/JsonEditor';
import { Tabs, type TabItem } from '../../components/Tabs';
import { formatInteger } from '../../lib/format';
import { getAt, type JsonObject } from '../../lib/json-value';
import { TRAIN_CONFIG_SCHEMA_URI, manualFeaturesOf } from '../../lib/train-config';
import { useJsonDraft } from '../../lib/use-json-draft';
import { routeHref } from '../../lib/use-hash-route';
import { useJobLosses, useWorkbench, type ConfigSchemas } from '../../state/workbench';
import { ConfigForm } from './ConfigForm';
import { buildLossOption, type LossRow } from './loss-chart-option';
import { RunList } from './RunList';

type ConfigTab = 'form' | 'json';
const TABS: readonly TabItem<ConfigTab>[] = [
  { key: 'form', label: 'Form' },
  { key: 'json', label: 'JSON' },
];
const MODEL_URI = 'inmemory://prognos/train/train-config.json';

function ConfigJson(props: { schemas: ConfigSchemas; config: JsonObject; onSyntax: (p: string | null) => void }) {
  const { setConfig, issues } = useWorkbench();
  const apply = useCallback((next: JsonObject) => setConfig(() => next), [setConfig]);
  const draft = useJsonDraft(props.config, apply);
  const { onSyntax } = props;
  useEffect(() => onSyntax(draft.problem), [draft.problem, onSyntax]);
  return (
    <div className="stack-s">
      <JsonEditor
        value={draft.text}
        onChange={draft.setText}
        schema={props.schemas.trainConfig}
        schemaUri={TRAIN_CONFIG_SCHEMA_URI}
        modelUri={MODEL_URI}
        height={560}
        label="Training config (JSON)"
        testId="train-config-editor"
      />
      <IssueList issues={issues} syntax={draft.problem} testId="train-config-issues" />
    </div>
  );
}

function LiveTraining(props: { maxTrees: number | undefined }) {
  const { trainJob } = useWorkbench();
  const { phase, outcome } = trainJob;
  const jobId =
    phase.kind === 'running' ? phase.info.jobId : outcome !== null && outcome.info !== null ? outcome.info.jobId : null;
  const losses = useJobLosses(jobId);
  const rows = useMemo<LossRow[]>(
    () =>
      (losses.get('gbdt') ?? [...losses.values()][0] ?? []).map((p) => ({
        iteration: p.iteration,
        train: p.train,
        validation: p.validation,
      })),
    [losses],
  );
  const option = useMemo(() => buildLossOption(rows, props.maxTrees), [rows, props.maxTrees]);
  const running = phase.kind !== 'idle';
  const latest = rows[rows.length - 1];

  if (!running && outcome === null) {
    return (
      <p className="empty" data-testid="train-idle">
        Set the config and press <strong>Start training</strong>. Progress and the training and validation log-loss
        appear here as the trees are built.
      </p>
    );
  }
  return (
    <div className="live-training" data-testid="train-live">
      <div aria-live="polite">
        <JobControl phase={phase} status={trainJob.status} onCancel={trainJob.cancel} testId="train-progress" />
        {!running && outcome?.kind === 'done' && (
          <div className="notice notice--success" data-testid="train-done" data-run-id={outcome.value.runId}>
            <span>
              Run <code>{outcome.value.runId}</code> finished.
            </span>
            <a
              className="button button--primary button--small"
              href={routeHref('results', outcome.value.runId)}
              data-testid="train-open-results"
            >
              Open results →
            </a>
          </div>
        )}
        {!running && outcome?.kind === 'cancelled' && (
          <div className="notice" data-testid="train-cancelled">
            Training cancelled; the run was kept as cancelled with nothing saved.
            <button type="button" className="button button--quiet button--small" onClick={trainJob.dismiss}>
              Dismiss
            </button>
          </div>
        )}
        {!running && outcome?.kind === 'failed' && (
          <ErrorMessage
            error={outcome.error}
            title="Training failed"
            onDismiss={trainJob.dismiss}
            testId="train-error"
          />
        )}
      </div>
      {rows.length > 0 ? (
        <>
          <p className="hint live-training__latest" data-testid="train-iterations">
            {formatInteger(rows.length)} trees · training log-loss {latest?.train?.toFixed(4) ?? '—'} · validation{' '}
            {latest?.validation?.toFixed(4) ?? '—'}
          </p>
          <EChart
            option={option}
            height={260}
            testId="train-loss-chart"
            label="Training and validation log-loss per tree"
          />
        </>
      ) : (
        running && <p className="hint">Preparing features; the loss curve starts with the first tree.</p>
      )}
    </div>
  );
}

function TrainWorkspace({ schemas, config }: { schemas: ConfigSchemas; config: JsonObject }) {
  const { datasetId, issues, setConfig, resetConfig, trainJob, startTrain, rankingFor } = useWorkbench();
  const [tab, setTab] = useState<ConfigTab>('form');
  const [jsonVisited, setJsonVisited] = useState(false);
  const [syntax, setSyntax] = useState<string | null>(null);
  const blocked = issues.length > 0 || syntax !== null;
  const running = trainJob.busy;
  const nEstimators = getAt(config, ['gbdt', 'nEstimators']);
  const manual = manualFeaturesOf(config);
  const ranking = rankingFor(datasetId);
  const unknownManual = useMemo(() => {
    if (manual === undefined || ranking === null) return [];
    const known = new Set(ranking.order);
    return manual.filter((m) => !known.has(m));
  }, [manual, ranking]);
  const highlight =
    trainJob.phase.kind === 'running'
      ? trainJob.phase.info.runId
      : trainJob.outcome?.kind === 'done'
        ? trainJob.outcome.value.runId
        : null;

  const reason =
    datasetId === null
      ? 'Pick a dataset first'
      : syntax !== null
        ? 'The JSON is not valid'
        : issues.length > 0
          ? `Fix ${issues.length === 1 ? 'the problem' : `the ${issues.length} problems`} in the config first`
          : undefined;

  return (
    <div className="train-view" data-testid="train-view">
      <div className="view-toolbar">
        <DatasetPicker disabled={running} />
        <button
          type="button"
          className="button button--primary"
          onClick={startTrain}
          disabled={datasetId === null || blocked || running}
          title={reason}
          data-testid="train-start"
        >
          Start training
        </button>
        <button
          type="button"
          className="button button--quiet"
          onClick={resetConfig}
          disabled={running}
          data-testid="config-reset"
        >
          Reset config
        </button>
        {reason !== undefined && datasetId !== null && (
          <span className="hint toolbar-note" data-testid="train-blocked">
            {reason}
          </span>
        )}
      </div>
      <div className="train-grid">
        <section className="panel train-config" aria-label="Training config">
          <Tabs
            items={TABS}
            active={tab}
            onChange={(t) => {
              setTab(t);
              if (t === 'json') setJsonVisited(true);
            }}
            label="Config editors"
            idPrefix="train-config"
          />
          {unknownManual.length > 0 && (
            <p className="notice notice--warning" data-testid="train-unknown-features">
              {formatInteger(unknownManual.length)} picked feature{unknownManual.length === 1 ? ' is' : 's are'} not
              made by the current spec ({unknownManual.slice(0, 3).join(', ')}
              {unknownManual.length > 3 ? ', …' : ''}); training will refuse them. Rank again in Features.
            </p>
          )}
          <div
            role="tabpanel"
            id="train-config-panel-form"
            aria-labelledby="train-config-tab-form"
            hidden={tab !== 'form'}
          >
            {syntax !== null && (
              <p className="notice notice--warning" data-testid="train-json-invalid">
                The JSON tab holds text that is not valid JSON; the form shows the last valid config.
              </p>
            )}
            <ConfigForm config={config} schema={schemas.trainConfig} issues={issues} onConfig={setConfig} />
          </div>
          {jsonVisited && (
            <div
              role="tabpanel"
              id="train-config-panel-json"
              aria-labelledby="train-config-tab-json"
              hidden={tab !== 'json'}
            >
              <ConfigJson schemas={schemas} config={config} onSyntax={setSyntax} />
            </div>
          )}
        </section>
        <div className="train-side">
          <section className="panel" aria-labelledby="live-title">
            <h2 className="panel__title" id="live-title">
              Training
            </h2>
            <LiveTraining maxTrees={typeof nEstimators === 'number' ? nEstimators : undefined} />
          </section>
          <RunList highlight={highlight} />
        </div>
      </div>
    </div>
  );
}

/** Edit the training config (form or JSON), start a run and follow it, and manage past runs. */
export function TrainView() {
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
  return <TrainWorkspace schemas={schemas.value} config={config} />;
}
