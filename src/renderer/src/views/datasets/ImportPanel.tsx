import { useId, useState, type ChangeEvent } from 'react';
import type { DatasetRecord } from '../../../../shared/schemas';
import { ErrorMessage } from '../../components/ErrorMessage';
import { ProgressBar } from '../../components/ProgressBar';
import { formatBytes, formatDate, formatInteger, plural } from '../../lib/format';
import { DuplicateImportDialog } from '../../components/DuplicateImportDialog';
import { copyName } from '../../lib/copy-name';
import type { FormatChoice, ImportRequestForm, JobOutcome, JobPhase } from './use-dataset-job';
import type { JobStatus } from '../../api/job-tracker';

export interface ImportFormState {
  file: File | null;
  rulFile: File | null;
  format: FormatChoice;
  name: string;
}

export const EMPTY_IMPORT_FORM: ImportFormState = { file: null, rulFile: null, format: 'auto', name: '' };

const FORMAT_LABELS: Record<FormatChoice, string> = {
  auto: 'Auto-detect',
  cmapss: 'C-MAPSS text',
  csv: 'CSV with header',
};

function FilePicker(props: {
  label: string;
  file: File | null;
  onChange: (file: File | null) => void;
  disabled: boolean;
  testId: string;
  accept?: string;
}) {
  const id = useId();
  const onChange = (e: ChangeEvent<HTMLInputElement>) => {
    props.onChange(e.target.files?.[0] ?? null);
    e.target.value = '';
  };
  return (
    <div className="file-picker">
      <span className="field-label" id={`${id}-label`}>
        {props.label}
      </span>
      <div className="file-picker__row">
        <label className={props.disabled ? 'button button--small is-disabled' : 'button button--small'} htmlFor={id}>
          Choose…
        </label>
        <input
          id={id}
          className="visually-hidden"
          type="file"
          accept={props.accept}
          disabled={props.disabled}
          onChange={onChange}
          aria-labelledby={`${id}-label`}
          data-testid={props.testId}
        />
        <span
          className={props.file === null ? 'file-picker__name file-picker__name--empty' : 'file-picker__name'}
          title={props.file?.name}
        >
          {props.file === null ? 'No file chosen' : props.file.name}
        </span>
        {props.file !== null && (
          <>
            <span className="file-picker__size">{formatBytes(props.file.size)}</span>
            <button
              type="button"
              className="button button--quiet button--small"
              onClick={() => props.onChange(null)}
              disabled={props.disabled}
              aria-label={`Remove ${props.file.name}`}
            >
              Remove
            </button>
          </>
        )}
      </div>
    </div>
  );
}

function JobProgress(props: { phase: JobPhase; status: JobStatus | undefined; onCancel: () => void }) {
  const { phase, status } = props;
  if (phase.kind === 'idle') return null;
  let fraction: number | undefined;
  let message: string;
  switch (phase.kind) {
    case 'uploading':
      fraction = phase.total > 0 ? phase.loaded / phase.total : undefined;
      message = `Uploading ${phase.fileName} — ${formatBytes(phase.loaded)} of ${formatBytes(phase.total)}`;
      break;
    case 'starting':
      fraction = undefined;
      message = `${phase.label}…`;
      break;
    case 'running':
      fraction = status?.fraction;
      message = status === undefined || status.message === '' ? `${phase.label}…` : status.message;
      break;
  }
  return (
    <div className="job-progress">
      <ProgressBar
        fraction={fraction}
        label={phase.kind === 'uploading' ? 'Upload' : 'Import'}
        message={message}
        testId="import-progress"
      />
      <button type="button" className="button button--small" onClick={props.onCancel} data-testid="import-cancel">
        Cancel
      </button>
    </div>
  );
}

function Outcome(props: {
  outcome: JobOutcome;
  datasets: readonly DatasetRecord[];
  onDismiss: () => void;
  onOpenExisting: (dataset: DatasetRecord) => void;
  onImportAgain: (request: ImportRequestForm) => void;
}) {
  const { outcome } = props;
  switch (outcome.kind) {
    case 'duplicate': {
      const first = outcome.existing[0]!;
      const record = props.datasets.find((d) => d.datasetId === first.datasetId);
      return (
        <DuplicateImportDialog
          testId="reimport"
          title="Already imported"
          fileName={outcome.request.file.name}
          existing={{ kind: 'dataset', id: first.datasetId, name: first.name, count: outcome.existing.length, createdAt: first.createdAt }}
          proposedName={copyName(first.name, new Set(props.datasets.map((d) => d.name)))}
          canOpen={record !== undefined}
          onOpenExisting={() => record !== undefined && props.onOpenExisting(record)}
          onImportAgain={(name) => props.onImportAgain({ ...outcome.request, name, duplicates: 'new' })}
          onCancel={props.onDismiss}
        />
      );
    }
    case 'failed':
      return (
        <ErrorMessage error={outcome.error} title="Import failed" onDismiss={props.onDismiss} testId="import-error" />
      );
    case 'cancelled':
      return (
        <div className="notice" role="status" data-testid="import-cancelled">
          <span>Import cancelled. Nothing was added.</span>
          <button type="button" className="button button--quiet button--small" onClick={props.onDismiss}>
            Dismiss
          </button>
        </div>
      );
    case 'imported': {
      const { dataset, duplicateOf } = outcome.result;
      if (outcome.result.reused === true) {
        return (
          <div className="notice notice--success" role="status" data-testid="import-done" data-dataset-id={dataset.datasetId} data-reused="true">
            <span>
              Opened <strong>{dataset.name}</strong>, already in the store: nothing was imported.
            </span>
            <button type="button" className="button button--quiet button--small" onClick={props.onDismiss}>
              Dismiss
            </button>
          </div>
        );
      }
      const earlier = duplicateOf
        .filter((id) => id !== dataset.datasetId)
        .map((id) => props.datasets.find((d) => d.datasetId === id))
        .filter((d): d is DatasetRecord => d !== undefined);
      return (
        <div className="stack-s">
          <div
            className="notice notice--success"
            role="status"
            data-testid="import-done"
            data-dataset-id={dataset.datasetId}
          >
            <span>
              {outcome.synthetic ? 'Generated' : 'Imported'} <strong>{dataset.name}</strong>:{' '}
              {plural(dataset.rows, 'row')}, {plural(dataset.units, 'unit')}.
            </span>
            <button type="button" className="button button--quiet button--small" onClick={props.onDismiss}>
              Dismiss
            </button>
          </div>
          {duplicateOf.length > 0 && (
            <div className="notice notice--warning" role="status" data-testid="import-duplicate-notice">
              <span>
                The same data is already in the store as{' '}
                {earlier.length === 0
                  ? `${duplicateOf.length === 1 ? 'another dataset' : `${formatInteger(duplicateOf.length)} other datasets`}`
                  : earlier.map((d, i) => (
                      <span key={d.datasetId}>
                        {i > 0 && ', '}
                        <strong>{d.name}</strong> (imported {formatDate(d.createdAt)})
                      </span>
                    ))}
                .
              </span>
            </div>
          )}
        </div>
      );
    }
  }
}

/** Adding data: a file with its optional RUL file, or a generated sample fleet. */
export function ImportPanel(props: {
  form: ImportFormState;
  onFormChange: (form: ImportFormState) => void;
  phase: JobPhase;
  status: JobStatus | undefined;
  outcome: JobOutcome | null;
  datasets: readonly DatasetRecord[];
  onImport: (request: ImportRequestForm) => void;
  onSynth: (units: number, seed: number) => void;
  onCancel: () => void;
  onDismiss: () => void;
  /** the file is already in the store and the user opens that dataset */
  onOpenExisting: (dataset: DatasetRecord) => void;
  /** why the file cannot be imported as its columns are mapped now, or null */
  importBlocked?: string | null;
}) {
  const { form, onFormChange, phase } = props;
  const busy = phase.kind !== 'idle';
  const [units, setUnits] = useState('100');
  const [seed, setSeed] = useState('1');
  const id = useId();
  const unitsNumber = Number(units);
  const seedNumber = Number(seed);
  const synthValid =
    Number.isInteger(unitsNumber) &&
    unitsNumber >= 1 &&
    unitsNumber <= 10000 &&
    Number.isInteger(seedNumber) &&
    seed.trim() !== '';

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 className="panel__title" id={`${id}-title`}>
        Add data
      </h2>
      <form
        className="import-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (form.file !== null)
            props.onImport({ file: form.file, rulFile: form.rulFile, format: form.format, name: form.name });
        }}
      >
        <FilePicker
          label="Data file"
          file={form.file}
          onChange={(file) => onFormChange({ ...form, file })}
          disabled={busy}
          testId="import-file-input"
          accept=".txt,.csv,.tsv,.dat,text/plain,text/csv"
        />
        <FilePicker
          label="RUL file (optional, for a test set)"
          file={form.rulFile}
          onChange={(rulFile) => onFormChange({ ...form, rulFile })}
          disabled={busy}
          testId="import-rul-input"
          accept=".txt,.csv,text/plain"
        />
        <div className="form-row">
          <label className="field">
            <span className="field-label">Format</span>
            <select
              className="input"
              value={form.format}
              disabled={busy}
              onChange={(e) => onFormChange({ ...form, format: e.target.value as FormatChoice })}
              data-testid="import-format"
            >
              {(Object.keys(FORMAT_LABELS) as FormatChoice[]).map((f) => (
                <option key={f} value={f}>
                  {FORMAT_LABELS[f]}
                </option>
              ))}
            </select>
          </label>
          <label className="field field--grow">
            <span className="field-label">Name (optional)</span>
            <input
              className="input"
              type="text"
              maxLength={200}
              placeholder={form.file?.name ?? 'From the file name'}
              value={form.name}
              disabled={busy}
              onChange={(e) => onFormChange({ ...form, name: e.target.value })}
              data-testid="import-name"
            />
          </label>
        </div>
        <div className="form-actions">
          <button
            type="submit"
            className="button button--primary"
            disabled={busy || form.file === null || (props.importBlocked ?? null) !== null}
            data-testid="import-submit"
          >
            Import
          </button>
          <span className="hint">{props.importBlocked ?? 'or drop files anywhere on this view'}</span>
        </div>
      </form>

      <form
        className="synth-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (synthValid) props.onSynth(unitsNumber, seedNumber);
        }}
      >
        <div className="synth-form__head">
          <span className="field-label">Sample data</span>
          <span className="hint">a synthetic run-to-failure fleet in C-MAPSS layout</span>
        </div>
        <div className="form-row form-row--end">
          <label className="field field--narrow">
            <span className="field-label">Units</span>
            <input
              className="input input--number"
              type="number"
              min={1}
              max={10000}
              step={1}
              value={units}
              disabled={busy}
              onChange={(e) => setUnits(e.target.value)}
              data-testid="synth-units"
            />
          </label>
          <label className="field field--narrow">
            <span className="field-label">Seed</span>
            <input
              className="input input--number"
              type="number"
              step={1}
              value={seed}
              disabled={busy}
              onChange={(e) => setSeed(e.target.value)}
              data-testid="synth-seed"
            />
          </label>
          <button type="submit" className="button" disabled={busy || !synthValid} data-testid="sample-data-button">
            Generate fleet
          </button>
        </div>
      </form>

      <div aria-live="polite" className="stack-s">
        <JobProgress phase={phase} status={props.status} onCancel={props.onCancel} />
        {props.outcome !== null && phase.kind === 'idle' && (
          <Outcome
            outcome={props.outcome}
            datasets={props.datasets}
            onDismiss={props.onDismiss}
            onOpenExisting={props.onOpenExisting}
            onImportAgain={props.onImport}
          />
        )}
      </div>
    </section>
  );
}
