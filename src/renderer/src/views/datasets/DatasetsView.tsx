import { useCallback, useMemo, useState } from 'react';
import type { DatasetRecord, ImportResult } from '../../../../shared/schemas';
import { useApi } from '../../api/context';
import { DeleteConfirm } from '../../components/DeleteConfirm';
import { useWorkingContext } from '../../state/working-context';
import { DatasetHousekeeping } from './DatasetHousekeeping';
import { useAsync } from '../../lib/use-async';
import { useFileDrop } from '../../lib/use-file-drop';
import { DatasetDetail } from './DatasetDetail';
import { DatasetList } from './DatasetList';
import { EMPTY_IMPORT_FORM, ImportPanel, type ImportFormState } from './ImportPanel';
import { useDatasetJob, type ImportRequestForm } from './use-dataset-job';
import { ColumnMappingStep } from './ColumnMappingStep';
import { draftProblems, draftRequest, useColumnMapping } from './use-column-mapping';
import { readFileHead } from '../../../../shared/column-roles';

const RUL_FILE_NAME = /^rul[_\-.\s]|[_\-.\s]rul[_\-.\s]|^rul\b/i;

function newestFirst(a: DatasetRecord, b: DatasetRecord): number {
  return b.createdAt.localeCompare(a.createdAt);
}

/** Splits dropped files into the data file and its RUL file (by name, e.g. RUL_FD001.txt). */
function pairDroppedFiles(files: readonly File[]): { file: File | null; rulFile: File | null } {
  const rul = files.find((f) => RUL_FILE_NAME.test(f.name)) ?? null;
  const data = files.find((f) => f !== rul) ?? null;
  return data === null ? { file: rul, rulFile: null } : { file: data, rulFile: rul };
}

export function DatasetsView() {
  const api = useApi();
  const loadList = useCallback(() => api.datasetsList({}), [api]);
  const [listState, reloadList, lastList] = useAsync(loadList);
  const datasets = useMemo(() => (lastList === undefined ? null : [...lastList].sort(newestFirst)), [lastList]);

  // the selected dataset is the working context's
  const ctx = useWorkingContext();
  const chosenId = ctx.current.dataset;
  const { choose, refresh } = ctx;
  const setChosenId = useCallback((id: string | null) => choose('dataset', id), [choose]);
  // the mapping step holds the main area for the chosen file until a dataset is picked or generated
  const [mappingFor, setMappingFor] = useState<File | null>(null);
  const selected = datasets?.find((d) => d.datasetId === chosenId) ?? datasets?.[0] ?? null;
  const changed = useCallback(() => {
    reloadList();
    refresh();
  }, [reloadList, refresh]);

  const [form, setForm] = useState<ImportFormState>(EMPTY_IMPORT_FORM);
  const onImported = useCallback(
    (result: ImportResult, synthetic: boolean) => {
      setChosenId(result.dataset.datasetId);
      setMappingFor(null);
      // the files are in the store now; a later import must not pick up this RUL file by accident
      if (!synthetic) setForm((f) => ({ ...EMPTY_IMPORT_FORM, format: f.format }));
      reloadList();
    },
    [reloadList, setChosenId],
  );
  const job = useDatasetJob(onImported);
  const mapping = useColumnMapping(form.file, form.format);
  const draft = mapping.draft !== null && mapping.draft.file === form.file ? mapping.draft : null;
  const showMapping = draft !== null && mappingFor === draft.file;
  const mappingBlocked = draft !== null && draft.editing && draftProblems(draft).length > 0;
  const startImport = (request: ImportRequestForm) => {
    if (mappingBlocked) return;
    void job.startImport({ ...request, ...(draft !== null && draft.file === request.file ? draftRequest(draft) : {}) });
  };

  const [pendingDelete, setPendingDelete] = useState<DatasetRecord | null>(null);
  const deleteTarget = useMemo(() => (pendingDelete === null ? null : { kind: 'dataset' as const, datasetId: pendingDelete.datasetId }), [pendingDelete]);

  const busy = job.phase.kind !== 'idle';
  const { dragging, handlers: dropHandlers } = useFileDrop(busy, (e) => {
    const { file, rulFile } = pairDroppedFiles([...e.dataTransfer.files]);
    if (file === null) return;
    const next = { ...form, file, rulFile };
    setForm(next);
    setMappingFor(file);
    // a CSV whose header has no remembered roles stops at the mapping step; anything else imports at once
    void (async () => {
      let stop = false;
      try {
        const head = readFileHead(await file.slice(0, 64 * 1024).text(), 1, next.format === 'auto' ? undefined : next.format);
        stop = head.format === 'csv' && head.headers.length > 0 && (await api.datasetsMapping({ headers: head.headers })).remembered === null;
      } catch {
        stop = false; // the import itself reports what is wrong with the file
      }
      if (!stop) await job.startImport({ file, rulFile, format: next.format, name: next.name });
    })();
  });

  return (
    <div className="datasets" data-testid="datasets-view" {...dropHandlers}>
      <div className="datasets__side">
        <ImportPanel
          form={form}
          onFormChange={(next) => {
            if (next.file !== form.file) setMappingFor(next.file);
            setForm(next);
          }}
          phase={job.phase}
          status={job.status}
          outcome={job.outcome}
          datasets={datasets ?? []}
          onImport={startImport}
          importBlocked={mappingBlocked ? (showMapping ? 'Fix the column roles first (see the list beside).' : 'Fix the column roles first: choose the file again to see them.') : null}
          onSynth={(units, seed) => void job.startSynth(units, seed)}
          onCancel={job.cancel}
          onDismiss={job.dismiss}
          onOpenExisting={job.openExisting}
        />
        <DatasetList
          datasets={datasets}
          error={listState.status === 'error' ? listState.error : null}
          selectedId={selected?.datasetId ?? null}
          onSelect={(id) => {
            setChosenId(id);
            setMappingFor(null);
          }}
          onDelete={setPendingDelete}
          onRetry={reloadList}
        />
      </div>
      <div className="datasets__main">
        {draft !== null && showMapping && !busy ? (
          <ColumnMappingStep
            draft={draft}
            busy={busy}
            onRole={mapping.setRole}
            onSensor={mapping.setSensor}
            onEditing={mapping.setEditing}
            onImport={() => form.file !== null && startImport({ file: form.file, rulFile: form.rulFile, format: form.format, name: form.name })}
          />
        ) : selected !== null ? (
          <>
            <DatasetHousekeeping dataset={selected} onChanged={changed} />
            <DatasetDetail key={selected.datasetId} dataset={selected} />
          </>
        ) : (
          <div className="empty-state" data-testid="datasets-empty">
            <h2>No dataset selected</h2>
            <p>
              Import a run-to-failure history (C-MAPSS text or CSV, with its RUL file for a test set), drop files onto
              this view, or generate the sample fleet to explore the workbench.
            </p>
          </div>
        )}
      </div>
      {dragging && (
        <div className="drop-overlay" aria-hidden="true" data-testid="drop-overlay">
          <div className="drop-overlay__box">
            {busy ? 'An import is running; wait for it to finish.' : 'Drop a data file (and its RUL file) to import'}
          </div>
        </div>
      )}
      <DeleteConfirm
        target={deleteTarget}
        onCancel={() => setPendingDelete(null)}
        onDeleted={(t) => {
          setPendingDelete(null);
          if (t.kind === 'dataset' && ctx.chosen.dataset === t.datasetId) setChosenId(null);
          changed();
        }}
      />
    </div>
  );
}
