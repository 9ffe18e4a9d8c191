import { useCallback, useRef, useState, type DragEvent } from 'react';
import { PrognosError } from '../../../../shared/errors';
import type { BundleEntry } from '../../../../shared/schemas';
import { useApi, useTransport } from '../../api/context';
import { asPrognosError } from '../../lib/errors';
import { useFileDrop } from '../../lib/use-file-drop';
import { useAsync } from '../../lib/use-async';
import { useHashRoute } from '../../lib/use-hash-route';
import { useWorkingContext } from '../../state/working-context';
import { BundleDetail } from './BundleDetail';
import { BundleLibrary, type ImportPhase } from './BundleLibrary';
import { ExportPanel } from './ExportPanel';
import { KeysPanel } from './KeysPanel';
import { ModelServerPanel } from './ModelServerPanel';
import { DuplicateImportDialog } from '../../components/DuplicateImportDialog';
import { copyName } from '../../lib/copy-name';
import { existingBundlesOf, type PendingDuplicate } from './bundle-duplicates';
import { useBundleVerdicts } from './use-bundle-verdicts';

/** Whether the first dropped item is a folder (browsers expose this only through the entry API). */
function droppedFolder(e: DragEvent): boolean {
  const item = e.dataTransfer.items[0];
  if (item === undefined || typeof item.webkitGetAsEntry !== 'function') return false;
  return item.webkitGetAsEntry()?.isDirectory === true;
}

/** Export finished runs as bundles, keep the bundle library, verify bundles and import them. */
export function ExportView() {
  const api = useApi();
  const transport = useTransport();
  const [, , param] = useHashRoute();
  const loadBundles = useCallback(() => api.bundlesList({}), [api]);
  const [listState, reloadList, lastList] = useAsync(loadBundles);
  const bundles = lastList ?? null;
  const { verdicts, verify } = useBundleVerdicts();
  const ctx = useWorkingContext();

  const [chosenId, setChosenId] = useState<string | null>(null);
  const [added, setAdded] = useState<{ entry: BundleEntry; how: 'exported' | 'imported' } | null>(null);
  const selected =
    bundles?.find((b) => b.bundleId === chosenId) ??
    (added !== null && added.entry.bundleId === chosenId ? added.entry : null) ??
    bundles?.[0] ??
    null;

  const select = useCallback((bundleId: string) => {
    setChosenId(bundleId);
    setAdded((a) => (a !== null && a.entry.bundleId === bundleId ? a : null));
  }, []);

  const onAdded = useCallback(
    (entry: BundleEntry, how: 'exported' | 'imported') => {
      setAdded({ entry, how });
      setChosenId(entry.bundleId);
      reloadList();
    },
    [reloadList],
  );

  const [importPhase, setImportPhase] = useState<ImportPhase>({ kind: 'idle' });
  const [importError, setImportError] = useState<PrognosError | null>(null);
  const uploadAbort = useRef<AbortController | null>(null);

  const [duplicate, setDuplicate] = useState<PendingDuplicate | null>(null);

  /**
   * One import at a time: `work` gets the abort signal and returns the imported entry, or null when
   * the user backed out. A bundle already in the library opens the re-import dialog; `again` imports
   * it once more under the name the user gives.
   */
  const runImport = useCallback(
    async (work: (signal: AbortSignal) => Promise<BundleEntry | null>, again?: { fileName: string; run: (name: string) => void }) => {
      if (uploadAbort.current !== null) return;
      const controller = new AbortController();
      uploadAbort.current = controller;
      setImportError(null);
      try {
        const entry = await work(controller.signal);
        if (entry !== null) onAdded(entry, 'imported');
      } catch (e) {
        const error = asPrognosError(e);
        const existing = existingBundlesOf(error);
        if (existing !== null && again !== undefined) setDuplicate({ existing, fileName: again.fileName, importAgain: again.run });
        else if (error.code !== 'CANCELLED') setImportError(error);
      } finally {
        uploadAbort.current = null;
        setImportPhase({ kind: 'idle' });
      }
    },
    [onAdded],
  );

  const importFile = useCallback(
    function importOne(file: File, asNew?: string): Promise<void> {
      return runImport(
        async (signal) => {
          setImportPhase({ kind: 'uploading', fileName: file.name, loaded: 0, total: file.size });
          const source = await transport.sourceForFile(file, {
            signal,
            onProgress: (p) => setImportPhase({ kind: 'uploading', fileName: file.name, loaded: p.loaded, total: p.total }),
          });
          setImportPhase({ kind: 'checking', fileName: file.name });
          return api.bundlesImport(asNew === undefined ? { source, duplicates: 'ask' } : { source, duplicates: 'new', name: asNew });
        },
        { fileName: file.name, run: (name) => void importOne(file, name) },
      );
    },
    [api, transport, runImport],
  );

  /** Desktop app: a bundle folder chosen in main's own dialog, passed back as a one-time handle (chosen again to import a copy). */
  const importChosenFolder = useCallback(
    function importFolder(asNew?: string): Promise<void> {
      let fileName = 'the bundle folder';
      return runImport(
        async () => {
          const chosen = await api.filesChoose({ purpose: 'bundle-folder' });
          if (chosen === null) return null;
          fileName = chosen.fileName;
          setImportPhase({ kind: 'checking', fileName: chosen.fileName });
          const source = { kind: 'grant' as const, grant: chosen.grant };
          return api.bundlesImport(asNew === undefined ? { source, duplicates: 'ask' } : { source, duplicates: 'new', name: asNew });
        },
        { get fileName() { return fileName; }, run: (name) => void importFolder(name) },
      );
    },
    [api, runImport],
  );

  const busy = importPhase.kind !== 'idle';
  const { dragging, handlers: dropHandlers } = useFileDrop(busy, (e) => {
    if (droppedFolder(e)) {
      setImportError(
        new PrognosError(
          'INVALID_INPUT',
          transport.mode === 'browser'
            ? 'A bundle folder can be imported only in the desktop app. Here, drop the bundle as one .zip file.'
            : 'To import a bundle folder, choose it with “Import bundle folder…” (a dropped folder is not read: the app reads only what you choose in its own dialog).',
        ),
      );
      return;
    }
    const file = e.dataTransfer.files[0];
    if (file !== undefined) void importFile(file);
  });

  return (
    <div className="export-view" data-testid="export-view" {...dropHandlers}>
      <div className="export-view__side">
        <ExportPanel preferredRunId={param} onExported={(entry) => onAdded(entry, 'exported')} />
        <BundleLibrary
          bundles={bundles}
          error={listState.status === 'error' ? listState.error : null}
          onRetry={reloadList}
          selectedId={selected?.bundleId ?? null}
          onSelect={select}
          verdicts={verdicts}
          onVerify={verify}
          importPhase={importPhase}
          importError={importError}
          onImportFile={(file) => void importFile(file)}
          onChooseFolder={() => void importChosenFolder()}
          onCancelImport={() => uploadAbort.current?.abort()}
          onDismissImportError={() => setImportError(null)}
          mode={transport.mode}
        />
        <KeysPanel onChanged={reloadList} />
      </div>
      <div className="export-view__main">
        {selected !== null ? (
          <BundleDetail
            key={selected.bundleId}
            entry={selected}
            verdict={verdicts.get(selected.bundleId)}
            onVerify={() => verify(selected.bundleId)}
            added={added !== null && added.entry.bundleId === selected.bundleId ? added.how : null}
            onRenamed={() => {
              reloadList();
              ctx.refresh();
            }}
            onDeleted={() => {
              setChosenId(null);
              setAdded(null);
              reloadList();
              ctx.refresh();
            }}
          />
        ) : (
          <div className="panel empty-panel" data-testid="bundle-detail-empty">
            <h2>No bundle yet</h2>
            <p>
              Export a finished run as a bundle: the models (ONNX and XGBoost JSON), the manifest with every feature
              formula, the model card, the OpenAPI description and the checksums, ready for the server stack. Or import
              a bundle as a .zip file.
            </p>
          </div>
        )}
        {selected !== null && <ModelServerPanel key={`server:${selected.bundleId}`} entry={selected} />}
      </div>
      {duplicate !== null && <BundleDuplicateDialog pending={duplicate} bundles={bundles ?? []} onOpenExisting={select} onClose={() => setDuplicate(null)} />}
      {dragging && (
        <div className="drop-overlay" aria-hidden="true" data-testid="bundle-drop-overlay">
          <div className="drop-overlay__box">
            {busy ? 'An import is running; wait for it to finish.' : 'Drop a bundle (.zip) to import it'}
          </div>
        </div>
      )}
    </div>
  );
}

/** A bundle already in the library: open it, or import it again as a copy named `NAME (2)` (or as the user names it). */
function BundleDuplicateDialog(props: { pending: PendingDuplicate; bundles: readonly BundleEntry[]; onOpenExisting: (bundleId: string) => void; onClose: () => void }) {
  const { pending } = props;
  const first = pending.existing[0]!;
  const base = first.name ?? pending.fileName.replace(/\.zip$/i, '');
  return (
    <DuplicateImportDialog
      testId="bundle-reimport"
      title="Already in the library"
      fileName={pending.fileName}
      existing={{ kind: 'bundle', id: first.bundleId, name: first.name ?? first.bundleId, count: pending.existing.length }}
      proposedName={copyName(base, new Set(props.bundles.flatMap((b) => (b.name === null ? [] : [b.name]))))}
      canOpen
      onOpenExisting={() => {
        props.onClose();
        props.onOpenExisting(first.bundleId);
      }}
      onImportAgain={(name) => {
        props.onClose();
        pending.importAgain(name);
      }}
      onCancel={props.onClose}
    />
  );
}
