import { useCallback, useEffect, useMemo, useState } from 'react';
import type { JobResult } from '../../../../shared/contract';
import type { PrognosError } from '../../../../shared/errors';
import { formatShortDate } from '../../../../shared/format';
import { EXAMPLE_RECIPE, type PipelineRunRecord, type SavedPipeline } from '../../../../shared/pipelines';
import { useApi } from '../../api/context';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorMessage } from '../../components/ErrorMessage';
import { JobControl } from '../../components/JobControl';
import { JsonEditor } from '../../components/JsonEditor';
import { asPrognosError } from '../../lib/errors';
import { useAsync } from '../../lib/use-async';
import { useTrackedJob } from '../../state/use-tracked-job';
import { PipelineRunDetail } from './PipelineRunDetail';
import { PipelineHistory } from './PipelineHistory';
import './pipelines.css';

const MODEL_URI = 'inmemory://prognos/pipelines/recipe.json';
const SCHEMA_URI = 'inmemory://prognos/schemas/pipeline-recipe.json';
const NEW = '';

function pickResult(result: JobResult | undefined): { pipelineRunId: string } | null {
  return result !== undefined && 'pipelineRunId' in result ? { pipelineRunId: result.pipelineRunId } : null;
}

/**
 * Saved pipelines: a recipe (import → train → evaluate → export → drift → report → register) edited in Monaco
 * under its JSON Schema, saved by name, run as a job (each step in the services' worker threads)
 * with every step's status, attempts and log shown live, and the history of pipeline runs.
 */
export function PipelinesView() {
  const api = useApi();
  const loadSchema = useCallback(() => api.pipelinesSchema({}), [api]);
  const [schemaState] = useAsync(loadSchema);
  const loadSaved = useCallback(() => api.pipelinesList({}), [api]);
  const [savedState, reloadSaved] = useAsync(loadSaved);
  const saved: readonly SavedPipeline[] = useMemo(() => (savedState.status === 'ok' ? savedState.value : []), [savedState]);
  const loadHistory = useCallback(() => api.pipelinesHistory({ limit: 50 }), [api]);
  const [historyState, reloadHistory, lastHistory] = useAsync(loadHistory);

  const [openId, setOpenId] = useState<string>(NEW);
  const [text, setText] = useState<string>(EXAMPLE_RECIPE);
  const [error, setError] = useState<{ title: string; error: PrognosError } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);

  const [openRunId, setOpenRunId] = useState<string | null>(null);
  const [run, setRun] = useState<PipelineRunRecord | null>(null);
  const [tick, setTick] = useState(0);

  const job = useTrackedJob<{ pipelineRunId: string }, { pipelineRunId: string }>(pickResult);
  // every progress event of the running pipeline reads its steps again
  const progressKey = `${job.status?.state ?? ''}:${job.status?.message ?? ''}`;
  useEffect(() => setTick((t) => t + 1), [progressKey]);

  useEffect(() => {
    if (openRunId === null) return;
    let current = true;
    api.pipelinesGetRun({ pipelineRunId: openRunId }).then(
      (r) => {
        if (current) setRun(r);
      },
      (e: unknown) => {
        if (current) setError({ title: 'The pipeline run could not be read', error: asPrognosError(e) });
      },
    );
    return () => {
      current = false;
    };
  }, [api, openRunId, tick]);

  const choose = (id: string) => {
    setOpenId(id);
    setText(id === NEW ? EXAMPLE_RECIPE : (saved.find((p) => p.pipelineId === id)?.text ?? ''));
    setError(null);
    setNotice(null);
  };

  const save = () => {
    setError(null);
    setNotice(null);
    api.pipelinesSave({ ...(openId === NEW ? {} : { pipelineId: openId }), text }).then(
      (p) => {
        setOpenId(p.pipelineId);
        setNotice(`Saved “${p.name}”.`);
        reloadSaved();
      },
      (e: unknown) => setError({ title: 'The recipe was not saved', error: asPrognosError(e) }),
    );
  };

  const remove = () => {
    setConfirmDelete(false);
    const id = openId;
    api.pipelinesDelete({ pipelineId: id }).then(
      () => {
        choose(NEW);
        setNotice('Deleted the saved pipeline.');
        reloadSaved();
      },
      (e: unknown) => setError({ title: 'The pipeline was not deleted', error: asPrognosError(e) }),
    );
  };

  const start = () => {
    setError(null);
    setNotice(null);
    void job.start(
      'Pipeline',
      async () => {
        try {
          const started = await api.pipelinesRun({ text, ...(openId === NEW ? {} : { pipelineId: openId }) });
          setOpenRunId(started.pipelineRunId);
          setRun(null);
          reloadHistory();
          return started;
        } catch (e) {
          setError({ title: 'The pipeline did not start', error: asPrognosError(e) });
          throw e;
        }
      },
    );
  };

  // a finished run: read it and the history once more
  const outcomeKind = job.outcome?.kind ?? null;
  useEffect(() => {
    if (outcomeKind === null) return;
    setTick((t) => t + 1);
    reloadHistory();
  }, [outcomeKind, reloadHistory]);

  const schema = schemaState.status === 'ok' ? schemaState.value.schema : null;
  const filesDir = schemaState.status === 'ok' ? schemaState.value.filesDir : null;
  const history = historyState.status === 'ok' ? historyState.value : (lastHistory ?? null);
  const openSaved = useMemo(() => saved.find((p) => p.pipelineId === openId) ?? null, [saved, openId]);

  return (
    <div className="pipelines-view" data-testid="pipelines-view">
      <section className="panel pipelines-editor" aria-labelledby="pipelines-editor-title">
        <h2 className="panel__title" id="pipelines-editor-title">
          Recipe
        </h2>
        <div className="view-toolbar pipelines-toolbar">
          <label className="field pipelines-field">
            <span className="field-label">Saved pipeline</span>
            <select className="input" value={openId} onChange={(e) => choose(e.target.value)} disabled={job.busy} data-testid="pipeline-saved">
              <option value={NEW}>New recipe (not saved)</option>
              {saved.map((p) => (
                <option key={p.pipelineId} value={p.pipelineId}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="button" onClick={save} disabled={job.busy || text.trim() === ''} data-testid="pipeline-save">
            Save
          </button>
          <button type="button" className="button button--danger" onClick={() => setConfirmDelete(true)} disabled={job.busy || openSaved === null} data-testid="pipeline-delete">
            Delete
          </button>
          <button type="button" className="button button--primary" onClick={start} disabled={job.busy || text.trim() === ''} data-testid="pipeline-run">
            {job.busy ? 'Running…' : 'Run'}
          </button>
        </div>
        <p className="hint" data-testid="pipeline-files-dir">
          Paths in the recipe are relative to the pipeline files folder{filesDir === null ? '' : <> <code>{filesDir}</code></>}; the app reads no file
          outside it. Steps whose inputs did not change are reused from earlier runs.
        </p>
        {schema !== null && (
          <JsonEditor value={text} onChange={setText} schema={schema} schemaUri={SCHEMA_URI} modelUri={MODEL_URI} height={300} label="Pipeline recipe (JSON)" testId="pipeline-editor" />
        )}
        {schemaState.status === 'error' && <ErrorMessage error={schemaState.error} title="The recipe schema could not be loaded" />}
        {error !== null && <ErrorMessage error={error.error} title={error.title} onDismiss={() => setError(null)} testId="pipeline-error" />}
        {notice !== null && (
          <p className="notice notice--success" data-testid="pipeline-notice">
            {notice}
          </p>
        )}
      </section>
      <JobControl phase={job.phase} status={job.status} onCancel={job.cancel} testId="pipeline-job" />
      {run !== null && <PipelineRunDetail run={run} />}
      <PipelineHistory
        runs={history}
        error={historyState.status === 'error' ? historyState.error : null}
        openId={openRunId}
        onOpen={(id) => {
          setOpenRunId(id);
          setTick((t) => t + 1);
        }}
        onRetry={reloadHistory}
        describeDate={formatShortDate}
      />
      <ConfirmDialog open={confirmDelete} title="Delete this saved pipeline?" confirmLabel="Delete pipeline" danger onConfirm={remove} onCancel={() => setConfirmDelete(false)}>
        <p>“{openSaved?.name}” is removed from the store. Its past runs stay in the history.</p>
      </ConfirmDialog>
    </div>
  );
}
