import { useCallback, useEffect, useMemo, useState } from 'react';
import type { JobStatus } from '../../api/job-tracker';
import { useRoleConfirm } from './use-role-confirm';
import { DatasetPicker } from '../../components/DatasetPicker';
import { EChart } from '../../components/EChart';
import { ErrorMessage } from '../../components/ErrorMessage';
import { IssueList } from '../../components/IssueList';
import { JobControl } from '../../components/JobControl';
import { JsonEditor } from '../../components/JsonEditor';
import { Tabs, type TabItem } from '../../components/Tabs';
import { formatInteger } from '../../lib/format';
import { schemaAt } from '../../lib/json-schema';
import { getAt, type JsonObject } from '../../lib/json-value';
import { TRAIN_CONFIG_SCHEMA_URI, manualFeaturesOf } from '../../lib/train-config';
import { useJsonDraft } from '../../lib/use-json-draft';
import { routeHref } from '../../lib/use-hash-route';
import { useJobLosses, useWorkbench, type ConfigSchemas } from '../../state/workbench';
import { EPOCHS, buildLossOption, type LossRow } from './loss-chart-option';
import { ConfigForm, modelsOf } from './ConfigForm';
import { RunList } from './RunList';
import { useExperimentChoice } from './ExperimentPicker';

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

function lossRows(
  points: readonly { iteration: number; train: number; validation: number | null }[] | undefined,
): LossRow[] {
  return (points ?? []).map((p) => ({ iteration: p.iteration, train: p.train, validation: p.validation }));
}

const LSTM_ETA = / · about (\d+) s left at most$/;

/** "about 42 s left at most" in the job's LSTM progress message, as shown text (the one ETA shown). */
function lstmEta(message: string | undefined): string | null {
  if (message === undefined || !message.startsWith('LSTM epoch ')) return null;
  const m = LSTM_ETA.exec(message);
  if (m === null) return null;
  const seconds = Number(m[1]);
  const left = seconds >= 90 ? `${Math.round(seconds / 60)} min` : `${seconds} s`;
  return `LSTM: about ${left} left at most (early stopping may end sooner)`;
}

/** The progress bar's status without the ETA, which is shown once, under the LSTM's losses. */
function withoutEta(status: JobStatus | undefined): JobStatus | undefined {
  if (status === undefined || !LSTM_ETA.test(status.message)) return status;
  return { ...status, message: status.message.replace(LSTM_ETA, '') };
}

function LiveTraining(props: { maxTrees: number | undefined; maxEpochs: number | undefined; members: number; withLstm: boolean }) {
  const { trainJob } = useWorkbench();
  const { phase, outcome } = trainJob;
  const jobId =
    phase.kind === 'running' ? phase.info.jobId : outcome !== null && outcome.info !== null ? outcome.info.jobId : null;
  const losses = useJobLosses(jobId);
  const rows = useMemo<LossRow[]>(() => lossRows(losses.get('gbdt')), [losses]);
  const lstmRows = useMemo<LossRow[]>(() => lossRows(losses.get('lstm')), [losses]);
  const option = useMemo(() => buildLossOption(rows, props.maxTrees), [rows, props.maxTrees]);
  const lstmOption = useMemo(() => buildLossOption(lstmRows, props.maxEpochs, EPOCHS), [lstmRows, props.maxEpochs]);
  const running = phase.kind !== 'idle';
  const latest = rows[rows.length - 1];
  const latestEpoch = lstmRows[lstmRows.length - 1];
  const eta = running ? lstmEta(trainJob.status?.message) : null;
  const barStatus = useMemo(() => withoutEta(trainJob.status), [trainJob.status]);
  const showLstm = lstmRows.length > 0 || (running && props.withLstm);

  if (!running && outcome === null) {
    return (
      <p className="empty" data-testid="train-idle">
        Set the config and press <strong>Start training</strong>. Progress and the training and validation log-loss
        appear here as the trees are built{props.withLstm ? ' and the LSTM’s epochs pass' : ''}.
      </p>
    );
  }
  return (
    <div className="live-training" data-testid="train-live">
      <div aria-live="polite">
        <JobControl phase={phase} status={barStatus} onCancel={trainJob.cancel} testId="train-progress" />
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
          <h3 className="subhead">Gradient-boosted trees</h3>
          <p
            className="hint live-training__latest"
            data-testid="train-iterations"
            data-trees={rows.length}
            data-first-iteration={rows[0]?.iteration}
          >
            {formatInteger(rows.length)} trees · training log-loss {latest?.train?.toFixed(4) ?? '—'} · validation{' '}
            {latest?.validation?.toFixed(4) ?? '—'}
          </p>
          <EChart
            option={option}
            height={showLstm ? 220 : 260}
            testId="train-loss-chart"
            label="GBDT training and validation log-loss per tree"
          />
        </>
      ) : (
        running && <p className="hint">Preparing features; the loss curve starts with the first tree.</p>
      )}
      {showLstm && (
        <>
          <h3 className="subhead">LSTM with attention</h3>
          <p className="hint live-training__latest" data-testid="train-lstm-epochs">
            {lstmRows.length === 0
              ? 'Waiting for the first epoch (the LSTM trains after the trees).'
              : `${formatInteger(lstmRows.length)} ${lstmRows.length === 1 ? 'epoch' : 'epochs'}${
                  props.maxEpochs !== undefined ? ` of at most ${formatInteger(props.maxEpochs)}` : ''
                } · training loss ${latestEpoch?.train?.toFixed(4) ?? '—'} · validation ${
                  latestEpoch?.validation?.toFixed(4) ?? '—'
                }${props.members > 1 ? ` · the first of ${formatInteger(props.members)} networks averaged` : ''}`}
          </p>
          {eta !== null && (
            <p className="hint live-training__eta" data-testid="train-eta">
              {eta}
            </p>
          )}
          {lstmRows.length > 0 && (
            <EChart
              option={lstmOption}
              height={220}
              testId="train-lstm-loss-chart"
              label="LSTM training and validation loss per epoch"
            />
          )}
        </>
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
  const epochs = getAt(config, ['lstm', 'epochs']) ?? schemaAt(schemas.trainConfig, ['lstm', 'epochs'])?.default;
  const members = getAt(config, ['lstm', 'members']) ?? schemaAt(schemas.trainConfig, ['lstm', 'members'])?.default;
  const withLstm = modelsOf(config, schemas.trainConfig).includes('lstm');
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

  const experiment = useExperimentChoice(running);
  const { resolve: resolveExperiment } = experiment;
  // a new experiment is created first; when that fails its error is shown and nothing starts
  const begin = useCallback(() => {
    resolveExperiment().then(startTrain, () => undefined);
  }, [resolveExperiment, startTrain]);
  const roleGuard = useRoleConfirm(datasetId, begin);
  const reason =
    datasetId === null
      ? 'Pick a dataset first'
      : syntax !== null
        ? 'The JSON is not valid'
        : issues.length > 0
          ? `Fix ${issues.length === 1 ? 'the problem' : `the ${issues.length} problems`} in the config first`
          : (experiment.problem ?? undefined);

  return (
    <div className="train-view" data-testid="train-view">
      {roleGuard.dialog}
      <div className="view-toolbar">
        <DatasetPicker disabled={running} />
        {experiment.element}
        <button
          type="button"
          className="button button--primary"
          onClick={roleGuard.request}
          disabled={datasetId === null || blocked || running || experiment.problem !== null}
          title={reason}
          data-testid="train-start"
          data-running={running ? 'true' : undefined}
        >
          {running ? 'Training…' : 'Start training'}
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
            <LiveTraining
              maxTrees={typeof nEstimators === 'number' ? nEstimators : undefined}
              maxEpochs={typeof epochs === 'number' ? epochs : undefined}
              members={typeof members === 'number' ? members : 1}
              withLstm={withLstm}
            />
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
