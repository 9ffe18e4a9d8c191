import { useCallback, useMemo, useState } from 'react';
import type { PrognosError } from '../../../../shared/errors';
import type { ReportRecord } from '../../../../shared/report';
import { useApi, useTransport } from '../../api/context';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorMessage } from '../../components/ErrorMessage';
import { asPrognosError } from '../../lib/errors';
import { formatBytes, formatDate, formatInteger } from '../../lib/format';
import { useAsync } from '../../lib/use-async';
import { base64ToBytes, downloadName, looksLikePdf, modelText, shortSha } from './reports-model';
import { PdfPreview } from './PdfPreview';

interface LoadedFile {
  readonly fileName: string;
  readonly bytes: Uint8Array;
}

/** Offers the bytes as a download (browser mode): a Blob behind an `<a download>`. */
function download(file: LoadedFile): void {
  const url = URL.createObjectURL(new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: 'application/pdf' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // the download has taken its copy once the click is handled
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

type SaveState =
  | { readonly status: 'idle' }
  | { readonly status: 'busy' }
  | { readonly status: 'saved'; readonly path: string }
  | { readonly status: 'error'; readonly error: PrognosError };

/**
 * One stored report: its inputs, save (desktop app: into the reports folder, then "Open folder";
 * browser mode: a download of the same bytes), delete, and the preview of its pages.
 */
export function ReportDetail(props: { record: ReportRecord; onDeleted: (reportId: string) => void }) {
  const { record } = props;
  const api = useApi();
  const transport = useTransport();
  const { reportId, fleet, createdAt } = record;
  // keyed by the report alone: a history reload hands a new record object for the same report
  const load = useCallback(
    () =>
      api.reportsFile({ reportId }).then(
        (f): LoadedFile => ({ fileName: downloadName(f.fileName, { fleet, createdAt }), bytes: base64ToBytes(f.base64) }),
      ),
    [api, reportId, fleet, createdAt],
  );
  const [fileState, reloadFile] = useAsync(load);
  const file = fileState.status === 'ok' ? fileState.value : null;
  const valid = useMemo(() => (file === null ? null : looksLikePdf(file.bytes)), [file]);
  const [save, setSave] = useState<SaveState>(record.savedPath === null ? { status: 'idle' } : { status: 'saved', path: record.savedPath });
  const [revealError, setRevealError] = useState<PrognosError | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deleteError, setDeleteError] = useState<PrognosError | null>(null);
  const desktop = transport.mode === 'electron';

  const saveToFolder = () => {
    setSave({ status: 'busy' });
    api.reportsSave({ reportId: record.reportId }).then(
      (r) => setSave({ status: 'saved', path: r.path }),
      (e: unknown) => setSave({ status: 'error', error: asPrognosError(e) }),
    );
  };
  const reveal = () => {
    setRevealError(null);
    api.reportsReveal({ reportId: record.reportId }).then(
      (r) => setSave({ status: 'saved', path: r.path }),
      (e: unknown) => setRevealError(asPrognosError(e)),
    );
  };
  const remove = () => {
    setConfirmDelete(false);
    api.reportsDelete({ reportId: record.reportId }).then(
      () => props.onDeleted(record.reportId),
      (e: unknown) => setDeleteError(asPrognosError(e)),
    );
  };

  const source = record.source;
  return (
    <section className="panel reports-detail" aria-labelledby="reports-detail-title" data-testid="report-detail" data-report-id={record.reportId}>
      <div className="panel__head">
        <h2 className="panel__title" id="reports-detail-title">
          {record.title}
        </h2>
        <div className="reports-detail__actions">
          {desktop ? (
            <>
              <button type="button" className="button button--primary" onClick={saveToFolder} disabled={save.status === 'busy'} data-testid="report-save">
                {save.status === 'busy' ? 'Saving…' : 'Save PDF'}
              </button>
              <button type="button" className="button" onClick={reveal} data-testid="report-reveal" title="Show the saved PDF in the file manager (saving it first if needed)">
                Open folder
              </button>
            </>
          ) : (
            <button
              type="button"
              className="button button--primary"
              onClick={() => file !== null && download(file)}
              disabled={file === null || valid !== true}
              data-testid="report-download"
            >
              Download PDF
            </button>
          )}
          <button type="button" className="button button--danger" onClick={() => setConfirmDelete(true)} data-testid="report-delete">
            Delete
          </button>
        </div>
      </div>
      <dl className="reports-detail__inputs">
        <div>
          <dt>Fleet</dt>
          <dd>{record.fleet}</dd>
        </div>
        <div>
          <dt>Model</dt>
          <dd title={source.kind === 'bundle' ? `bundle manifest SHA-256 ${source.bundleSha256}` : source.runId}>{modelText(source)}</dd>
        </div>
        <div>
          <dt>Template</dt>
          <dd title={`template SHA-256 ${record.templateSha256}`}>{record.templateName}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatDate(record.createdAt)}</dd>
        </div>
        <div>
          <dt>Units</dt>
          <dd>
            {formatInteger(record.units)} · {formatInteger(record.atRisk)} at risk now · {formatInteger(record.soon)} soon
          </dd>
        </div>
        <div>
          <dt>PDF</dt>
          <dd>
            {formatInteger(record.pages)} pages · {formatBytes(record.bytes)} ·{' '}
            <span className="mono" title={record.sha256} data-testid="report-sha256">
              sha256 {shortSha(record.sha256)}
            </span>
          </dd>
        </div>
      </dl>
      {save.status === 'saved' && (
        <p className="notice notice--success" data-testid="report-saved">
          Saved to <span className="mono">{save.path}</span>
        </p>
      )}
      {save.status === 'error' && <ErrorMessage error={save.error} title="The PDF could not be saved" onDismiss={() => setSave({ status: 'idle' })} />}
      {revealError !== null && <ErrorMessage error={revealError} title="The folder could not be shown" onDismiss={() => setRevealError(null)} />}
      {deleteError !== null && <ErrorMessage error={deleteError} title="The report could not be deleted" onDismiss={() => setDeleteError(null)} />}
      {fileState.status === 'loading' && <p className="muted">Loading the PDF…</p>}
      {fileState.status === 'error' && (
        <div className="stack-s">
          <ErrorMessage error={fileState.error} title="The PDF could not be read from the store" testId="report-file-error" />
          <button type="button" className="button button--small" onClick={reloadFile}>
            Retry
          </button>
        </div>
      )}
      {file !== null && valid === false && (
        <p className="error-message" role="alert">
          The stored file is not a PDF.
        </p>
      )}
      {file !== null && valid === true && <PdfPreview bytes={file.bytes} label={`Preview of ${record.title}`} />}
      <ConfirmDialog
        open={confirmDelete}
        title="Delete this report?"
        confirmLabel="Delete report"
        danger
        onConfirm={remove}
        onCancel={() => setConfirmDelete(false)}
      >
        <p>
          The report “{record.title}” of {record.fleet} ({formatDate(record.createdAt)}) and its PDF are removed from the store.
          Copies saved elsewhere stay.
        </p>
      </ConfirmDialog>
    </section>
  );
}
