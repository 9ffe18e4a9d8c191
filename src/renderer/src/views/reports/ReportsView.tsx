import { useCallback, useMemo, useState } from 'react';
import type { ReportRequest, StoredTemplate } from '../../../../shared/report';
import type { DatasetRecord } from '../../../../shared/schemas';
import { useApi } from '../../api/context';
import { ErrorMessage } from '../../components/ErrorMessage';
import { JobControl } from '../../components/JobControl';
import { ScorerPicker, useScorerList } from '../../components/ScorerPicker';
import { formatInteger } from '../../lib/format';
import { resolveScorerKey, type ScorerChoiceOptions } from '../../lib/scorer-choices';
import { useAsync } from '../../lib/use-async';
import { routeHref } from '../../lib/use-hash-route';
import { useTrackedJob } from '../../state/use-tracked-job';
import { useWorkingContext } from '../../state/working-context';
import { reportIdOf } from '../drift/drift-client';
import { parseScorerKey, scorerKey } from '../fleet/fleet-summary';
import { ReportDetail } from './ReportDetail';
import { ReportHistory } from './ReportHistory';
import { newestFirst, orderTemplates, templateLabel } from './reports-model';
import { TemplateEditor } from './TemplateEditor';
import './reports.css';

/** Bundles in the library, the shipped demo bundle, then finished runs; a bundle by default (as in Fleet). */
const MODEL_CHOICES: ScorerChoiceOptions = {
  shipped: true,
  first: 'bundles',
  groupLabels: {
    library: 'Bundles in the library (verified before use)',
    shipped: 'Shipped with the app',
    runs: 'Finished runs',
  },
};

function datasetsNewestFirst(a: DatasetRecord, b: DatasetRecord): number {
  return b.createdAt.localeCompare(a.createdAt);
}

/**
 * PDF maintenance reports: pick a fleet, a model and a template, generate the report as a job, preview
 * its pages from the stored PDF, save or download it, and browse the reports generated before.
 */
export function ReportsView() {
  const api = useApi();

  const loadDatasets = useCallback(() => api.datasetsList({}), [api]);
  const [datasetsState, reloadDatasets] = useAsync(loadDatasets);
  const datasets = useMemo(
    () => (datasetsState.status === 'ok' ? [...datasetsState.value].sort(datasetsNewestFirst) : null),
    [datasetsState],
  );
  // until picked here, the working context's fleet and its run (else bundle)
  const ctx = useWorkingContext();
  const [chosenDataset, setChosenDataset] = useState<string | null>(null);
  const wantedDataset = chosenDataset ?? ctx.current.fleet;
  const dataset = datasets?.find((d) => d.datasetId === wantedDataset) ?? datasets?.[0] ?? null;

  const models = useScorerList(MODEL_CHOICES);
  const [chosenModel, setChosenModel] = useState<string | null>(null);
  const contextModel =
    ctx.current.run !== null
      ? scorerKey({ kind: 'run', runId: ctx.current.run })
      : ctx.current.bundle !== null
        ? scorerKey({ kind: 'bundle', bundleId: ctx.current.bundle })
        : null;
  const modelKey = models.choices === null ? null : resolveScorerKey(chosenModel ?? contextModel, models.choices);
  const chooseModel = (key: string) => {
    setChosenModel(key);
    const s = parseScorerKey(key);
    if (s?.kind === 'run') ctx.choose('run', s.runId);
    if (s?.kind === 'bundle') ctx.choose('bundle', s.bundleId);
  };

  const loadTemplates = useCallback(() => api.templatesList({}).then(orderTemplates), [api]);
  const [templatesState, reloadTemplates] = useAsync(loadTemplates);
  const templates = templatesState.status === 'ok' ? templatesState.value : null;
  const [chosenTemplate, setChosenTemplate] = useState<string | null>(null);
  const template =
    templates?.find((t) => t.templateId === chosenTemplate) ?? templates?.find((t) => t.builtIn) ?? templates?.[0] ?? null;
  const [editing, setEditing] = useState(false);

  const [title, setTitle] = useState('');
  const [fleetName, setFleetName] = useState('');
  const [notes, setNotes] = useState('');

  const loadHistory = useCallback(() => api.reportsList({}).then(newestFirst), [api]);
  const [historyState, reloadHistory] = useAsync(loadHistory);
  const history = historyState.status === 'ok' ? historyState.value : null;
  const [openId, setOpenId] = useState<string | null>(null);
  const opened = history?.find((r) => r.reportId === openId) ?? null;

  const job = useTrackedJob<string, { label: string }>((result) => reportIdOf(result));
  const busy = job.busy;
  const scorer = parseScorerKey(modelKey);

  const generate = () => {
    if (dataset === null || scorer === null || busy) return;
    const request: ReportRequest = {
      datasetId: dataset.datasetId,
      scorer,
      ...(template === null || template.builtIn ? {} : { templateId: template.templateId }),
      ...(title.trim() === '' ? {} : { title: title.trim() }),
      ...(notes.trim() === '' ? {} : { notes }),
      ...(fleetName.trim() === '' ? {} : { fleet: fleetName.trim() }),
    };
    const label = `${fleetName.trim() || dataset.name} with ${models.choices?.labels.get(modelKey ?? '') ?? ''}`;
    void job.start(
      'Generating the report',
      () => api.reportsStart(request).then((s) => ({ jobId: s.jobId, label })),
      (reportId) => {
        setOpenId(reportId);
        reloadHistory();
      },
    );
  };

  const onTemplateSaved = (t: StoredTemplate) => {
    setChosenTemplate(t.templateId);
    reloadTemplates();
  };
  const onTemplateDeleted = (templateId: string) => {
    if (chosenTemplate === templateId) setChosenTemplate(null);
    reloadTemplates();
  };
  const onReportDeleted = (reportId: string) => {
    if (openId === reportId) setOpenId(null);
    reloadHistory();
  };

  const listError =
    datasetsState.status === 'error'
      ? { error: datasetsState.error, what: 'datasets', retry: reloadDatasets }
      : templatesState.status === 'error'
        ? { error: templatesState.error, what: 'templates', retry: reloadTemplates }
        : models.error;
  const noDatasets = datasets !== null && datasets.length === 0;
  const failed = job.outcome?.kind === 'failed' ? job.outcome : null;
  const canGenerate = dataset !== null && scorer !== null && templates !== null && !busy;

  return (
    <div className="reports-view" data-testid="reports-view">
      <div className="view-toolbar reports-toolbar">
        <label className="field reports-field">
          <span className="field-label">Fleet (dataset)</span>
          <select
            className="input"
            value={dataset?.datasetId ?? ''}
            onChange={(e) => {
              setChosenDataset(e.target.value);
              ctx.choose('fleet', e.target.value);
            }}
            disabled={datasets === null || noDatasets || busy}
            data-testid="report-dataset"
          >
            {datasets === null && <option value="">Loading…</option>}
            {noDatasets && <option value="">No datasets</option>}
            {datasets?.map((d) => (
              <option key={d.datasetId} value={d.datasetId}>
                {d.name} · {formatInteger(d.units)} units{d.summary.hasRul ? ' · with RUL' : ''}
              </option>
            ))}
          </select>
        </label>
        <ScorerPicker
          list={models}
          value={modelKey}
          onChange={chooseModel}
          label="Model"
          emptyLabel="No bundle or finished run"
          disabled={busy}
          className="field reports-field reports-field--model"
          testId="report-scorer"
        />
        <label className="field reports-field reports-field--template">
          <span className="field-label">Template</span>
          <span className="reports-template-pick">
            <select
              className="input"
              value={template?.templateId ?? ''}
              onChange={(e) => setChosenTemplate(e.target.value)}
              disabled={templates === null || busy}
              data-testid="report-template"
            >
              {templates === null && <option value="">Loading…</option>}
              {templates?.map((t) => (
                <option key={t.templateId} value={t.templateId}>
                  {templateLabel(t)}
                </option>
              ))}
            </select>
            <button
              type="button"
              className="button"
              onClick={() => setEditing((e) => !e)}
              disabled={templates === null}
              aria-expanded={editing}
              data-testid="report-templates-edit"
            >
              Edit templates
            </button>
          </span>
        </label>
        <span className="reports-toolbar__break" aria-hidden="true" />
        <label className="field reports-field reports-field--wide">
          <span className="field-label">Title</span>
          <input
            className="input"
            value={title}
            maxLength={200}
            placeholder={template?.template.title ?? ''}
            onChange={(e) => setTitle(e.target.value)}
            disabled={busy}
            data-testid="report-title"
          />
        </label>
        <label className="field reports-field">
          <span className="field-label">Fleet name (optional)</span>
          <input
            className="input"
            value={fleetName}
            maxLength={200}
            placeholder={dataset?.name ?? ''}
            onChange={(e) => setFleetName(e.target.value)}
            disabled={busy}
            title="The fleet's name on the cover; reports of the same fleet name are compared with the previous one"
            data-testid="report-fleet-name"
          />
        </label>
        <label className="field reports-field reports-field--notes">
          <span className="field-label">Notes for the cover</span>
          <textarea
            className="input reports-notes"
            value={notes}
            maxLength={10_000}
            rows={2}
            onChange={(e) => setNotes(e.target.value)}
            disabled={busy}
            data-testid="report-notes"
          />
        </label>
        <button type="button" className="button button--primary" onClick={generate} disabled={!canGenerate} data-testid="report-generate">
          {busy ? 'Generating…' : 'Generate'}
        </button>
      </div>
      <JobControl phase={job.phase} status={job.status} onCancel={job.cancel} testId="report-job" />
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
          title={`The report could not be generated${failed.info === null ? '' : ` for ${failed.info.label}`}`}
          onDismiss={job.dismiss}
          testId="report-error"
        />
      )}
      {job.outcome?.kind === 'cancelled' && (
        <p className="notice" data-testid="report-cancelled">
          Cancelled: no report was stored.{' '}
          <button type="button" className="button button--quiet button--small" onClick={job.dismiss}>
            Dismiss
          </button>
        </p>
      )}
      {editing && templates !== null && (
        <TemplateEditor
          templates={templates}
          initialId={template?.templateId ?? null}
          onSaved={onTemplateSaved}
          onDeleted={onTemplateDeleted}
          onClose={() => setEditing(false)}
        />
      )}
      <div className="reports-layout">
        <ReportHistory
          records={history}
          error={historyState.status === 'error' ? historyState.error : null}
          openId={openId}
          onOpen={setOpenId}
          onRetry={reloadHistory}
        />
        <div className="reports-main">
          {opened !== null && <ReportDetail key={opened.reportId} record={opened} onDeleted={onReportDeleted} />}
          {opened === null && (
            <div className="empty-state" data-testid="report-empty">
              <h2>A maintenance report for a fleet, as a PDF</h2>
              {noDatasets ? (
                <p>
                  Import the fleet to report on in <a href={routeHref('datasets')}>Datasets</a>.
                </p>
              ) : models.none ? (
                <p>
                  A report scores the fleet with a model: train a run in <a href={routeHref('train')}>Train</a> or import a
                  bundle in <a href={routeHref('export')}>Export</a>.
                </p>
              ) : (
                <p>
                  Pick a fleet, a model and a template, then <strong>Generate</strong>: every unit is scored and ranked, the
                  units at risk get a page each, and the PDF is stored here. Or open a report generated before.
                </p>
              )}
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
