import { useId, type ChangeEvent } from 'react';
import type { PrognosError } from '../../../../shared/errors';
import type { BundleEntry } from '../../../../shared/schemas';
import { ErrorMessage } from '../../components/ErrorMessage';
import { MiddleTruncate } from '../../components/MiddleTruncate';
import { ProgressBar } from '../../components/ProgressBar';
import { formatBytes, formatDate, formatInteger, formatShortDate, formatThreshold } from '../../lib/format';
import { bundleName, isZip, ORIGIN_LABELS, originNote, shortRunId } from './bundle-info';
import { TrustTag } from './TrustTag';
import type { VerdictState } from './use-bundle-verdicts';

export type ImportPhase =
  | { readonly kind: 'idle' }
  | { readonly kind: 'uploading'; readonly fileName: string; readonly loaded: number; readonly total: number }
  | { readonly kind: 'checking'; readonly fileName: string };

function VerdictChip({ verdict }: { verdict: VerdictState | undefined }) {
  if (verdict === undefined) return null;
  switch (verdict.status) {
    case 'checking':
      return (
        <span className="verdict-chip" data-testid="bundle-row-verdict" data-state="checking">
          Checking…
        </span>
      );
    case 'error':
      return (
        <span
          className="verdict-chip verdict-chip--bad"
          title={verdict.error.message}
          data-testid="bundle-row-verdict"
          data-state="error"
        >
          Not checked
        </span>
      );
    case 'done':
      return verdict.ok ? (
        <span className="verdict-chip verdict-chip--ok" data-testid="bundle-row-verdict" data-state="ok">
          OK
        </span>
      ) : (
        <span
          className="verdict-chip verdict-chip--bad"
          title={verdict.problems.map((p) => `${p.file}: ${p.reason}`).join('\n')}
          data-testid="bundle-row-verdict"
          data-state="problems"
        >
          {verdict.problems.length === 1 ? '1 problem' : `${formatInteger(verdict.problems.length)} problems`}
        </span>
      );
  }
}

function ImportControl(props: {
  phase: ImportPhase;
  mode: 'electron' | 'browser';
  onFile: (file: File) => void;
  onChooseFolder: () => void;
  onCancel: () => void;
}) {
  const id = useId();
  const busy = props.phase.kind !== 'idle';
  const onChange = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (file !== undefined) props.onFile(file);
  };
  return (
    <div className="bundle-import">
      <div className="bundle-import__row">
        <label className={busy ? 'button button--small is-disabled' : 'button button--small'} htmlFor={id}>
          Import bundle…
        </label>
        <input
          id={id}
          className="visually-hidden"
          type="file"
          accept=".zip,application/zip"
          disabled={busy}
          onChange={onChange}
          data-testid="bundle-import-input"
        />
        {props.mode === 'electron' && (
          <button
            type="button"
            className="button button--small"
            disabled={busy}
            onClick={props.onChooseFolder}
            data-testid="bundle-import-folder"
          >
            Import bundle folder…
          </button>
        )}
        <span className="hint">
          {props.mode === 'electron'
            ? 'a .zip (or drop one onto this view), or a bundle folder'
            : 'a .zip file, or drop one onto this view'}
        </span>
      </div>
      {props.phase.kind === 'uploading' && (
        <div className="job-progress">
          <ProgressBar
            fraction={props.phase.total > 0 ? props.phase.loaded / props.phase.total : undefined}
            label="Upload"
            message={`Uploading ${props.phase.fileName} — ${formatBytes(props.phase.loaded)} of ${formatBytes(props.phase.total)}`}
            testId="bundle-import-progress"
          />
          <button type="button" className="button button--small" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
      )}
      {props.phase.kind === 'checking' && (
        <ProgressBar
          fraction={undefined}
          label="Import"
          message={`Checking ${props.phase.fileName}: checksums, manifest and models…`}
          testId="bundle-import-progress"
        />
      )}
    </div>
  );
}

/** Every bundle the app knows: shipped with it, exported from a run, or imported; each can be verified. */
export function BundleLibrary(props: {
  bundles: readonly BundleEntry[] | null;
  error: PrognosError | null;
  onRetry: () => void;
  selectedId: string | null;
  onSelect: (bundleId: string) => void;
  verdicts: ReadonlyMap<string, VerdictState>;
  onVerify: (bundleId: string) => void;
  importPhase: ImportPhase;
  importError: PrognosError | null;
  onImportFile: (file: File) => void;
  onChooseFolder: () => void;
  onCancelImport: () => void;
  onDismissImportError: () => void;
  mode: 'electron' | 'browser';
}) {
  const id = useId();
  const { bundles } = props;
  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="bundle-library">
      <h2 className="panel__title" id={`${id}-title`}>
        Bundle library
        {bundles !== null && (
          <span className="panel__count" data-testid="bundle-count">
            {formatInteger(bundles.length)}
          </span>
        )}
      </h2>
      <ImportControl
        phase={props.importPhase}
        mode={props.mode}
        onFile={props.onImportFile}
        onChooseFolder={props.onChooseFolder}
        onCancel={props.onCancelImport}
      />
      {props.importError !== null && (
        <ErrorMessage
          error={props.importError}
          title={
            props.importError.code === 'BAD_FILE'
              ? 'Bundle refused: nothing was added to the library'
              : 'The bundle could not be imported'
          }
          onDismiss={props.onDismissImportError}
          testId="bundle-import-error"
        />
      )}
      {props.error !== null && (
        <div className="stack-s">
          <ErrorMessage error={props.error} title="The bundles could not be listed" testId="bundle-list-error" />
          <button type="button" className="button button--small" onClick={props.onRetry}>
            Retry
          </button>
        </div>
      )}
      {bundles === null && props.error === null && <p className="muted">Loading…</p>}
      {bundles !== null && bundles.length === 0 && (
        <p className="empty" data-testid="bundle-list-empty">
          No bundles yet. Export a finished run above, or import a bundle someone sent you.
        </p>
      )}
      {bundles !== null && bundles.length > 0 && (
        <ul className="bundle-list" data-testid="bundle-list">
          {bundles.map((b) => {
            const selected = b.bundleId === props.selectedId;
            const verdict = props.verdicts.get(b.bundleId);
            return (
              <li
                key={b.bundleId}
                className={selected ? 'bundle-item bundle-item--selected' : 'bundle-item'}
                data-testid="bundle-row"
                data-bundle-id={b.bundleId}
                data-origin={b.origin}
                data-selected={selected}
              >
                <button
                  type="button"
                  className="bundle-item__select"
                  aria-pressed={selected}
                  onClick={() => props.onSelect(b.bundleId)}
                  data-testid="bundle-select"
                >
                  <span className="bundle-item__line">
                    <MiddleTruncate text={b.name ?? bundleName(b)} title={b.path} className="bundle-item__name" />
                    <span className={`tag origin origin--${b.origin}`} title={originNote(b.origin)}>
                      {ORIGIN_LABELS[b.origin]}
                    </span>
                    <TrustTag entry={b} />
                  </span>
                  <span className="bundle-item__meta">
                    <span>{b.datasetName ?? 'unknown data'}</span>
                    <span className="mono" title={b.runId}>
                      run {shortRunId(b.runId)}
                    </span>
                    <span title={formatDate(b.created)}>{formatShortDate(b.created)}</span>
                    <span>threshold {formatThreshold(b.threshold)}</span>
                    <span>{isZip(b) ? '.zip' : 'folder'}</span>
                  </span>
                </button>
                <div className="bundle-item__side">
                  <VerdictChip verdict={verdict} />
                  <button
                    type="button"
                    className="button button--quiet button--small"
                    onClick={() => props.onVerify(b.bundleId)}
                    disabled={verdict?.status === 'checking'}
                    aria-label={`Verify ${bundleName(b)}`}
                    data-testid="bundle-row-verify"
                  >
                    Verify
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
