import { useCallback, useEffect, useRef, useState } from 'react';
import type { JobFinished, JobResult } from '../../../../shared/contract';
import { PrognosError } from '../../../../shared/errors';
import type { ColumnMap, DatasetFormat, DatasetRecord, ImportResult, ImportSource } from '../../../../shared/schemas';
import type { SensorCatalogue } from '../../../../shared/sensor-catalogue';
import { useJobStatus, useJobTracker, useTransport } from '../../api/context';
import { asPrognosError } from '../../lib/errors';
import { formatInteger } from '../../lib/format';

export type FormatChoice = 'auto' | DatasetFormat;

export interface ImportRequestForm {
  file: File;
  rulFile: File | null;
  format: FormatChoice;
  name: string;
  /** the mapping step's roles (every column) and sensor names by header; absent: remembered, else guessed */
  map?: ColumnMap;
  catalogue?: SensorCatalogue;
  /** a file already in the store: ask (the default), or import another copy */
  duplicates?: 'ask' | 'new';
}

/** a dataset with the same content as the file being imported */
export interface ExistingDataset {
  readonly datasetId: string;
  readonly name: string;
  readonly createdAt: string;
}

export type JobPhase =
  | { readonly kind: 'idle' }
  | { readonly kind: 'uploading'; readonly fileName: string; readonly loaded: number; readonly total: number }
  | { readonly kind: 'starting'; readonly label: string }
  | { readonly kind: 'running'; readonly jobId: string; readonly label: string };

export type JobOutcome =
  | { readonly kind: 'imported'; readonly result: ImportResult; readonly synthetic: boolean }
  | { readonly kind: 'failed'; readonly error: PrognosError }
  /** the file is already in the store: nothing was written; the user opens that one or imports again */
  | { readonly kind: 'duplicate'; readonly existing: readonly ExistingDataset[]; readonly request: ImportRequestForm; readonly message: string }
  | { readonly kind: 'cancelled' };

/** The datasets a CONFLICT names as having the same content (`details.existing`), or null for another conflict. */
function existingOf(error: PrognosError): ExistingDataset[] | null {
  const raw = error.code === 'CONFLICT' ? error.details?.existing : undefined;
  if (!Array.isArray(raw)) return null;
  const out: ExistingDataset[] = [];
  for (const e of raw as unknown[]) {
    if (typeof e !== 'object' || e === null) continue;
    const r = e as Record<string, unknown>;
    if (typeof r.datasetId === 'string' && typeof r.name === 'string' && typeof r.createdAt === 'string') {
      out.push({ datasetId: r.datasetId, name: r.name, createdAt: r.createdAt });
    }
  }
  return out.length > 0 ? out : null;
}

function isImportResult(result: JobResult | undefined): result is ImportResult {
  return result !== undefined && 'dataset' in result && 'duplicateOf' in result;
}

/**
 * Runs one import or sample-data job at a time: upload (browser mode), start, follow progress,
 * cancel, and report how it ended.
 */
export function useDatasetJob(onImported: (result: ImportResult, synthetic: boolean) => void) {
  const transport = useTransport();
  const jobs = useJobTracker();
  const [phase, setPhase] = useState<JobPhase>({ kind: 'idle' });
  const [outcome, setOutcome] = useState<JobOutcome | null>(null);
  const busy = useRef(false);
  const abort = useRef<AbortController | null>(null);
  const cancelRequested = useRef(false);
  const runningJobId = useRef<string | null>(null);
  const onImportedRef = useRef(onImported);
  useEffect(() => {
    onImportedRef.current = onImported;
  }, [onImported]);

  const status = useJobStatus(phase.kind === 'running' ? phase.jobId : null);

  const follow = useCallback(
    async (label: string, start: () => Promise<{ jobId: string }>): Promise<JobFinished> => {
      setPhase({ kind: 'starting', label });
      const { jobId } = await start();
      runningJobId.current = jobId;
      setPhase({ kind: 'running', jobId, label });
      if (cancelRequested.current) void transport.api.jobsCancel({ jobId }).catch(() => undefined);
      return jobs.waitFor(jobId);
    },
    [jobs, transport],
  );

  const settle = useCallback((finished: JobFinished, synthetic: boolean) => {
    switch (finished.state) {
      case 'done':
        if (!isImportResult(finished.result)) {
          setOutcome({ kind: 'failed', error: new PrognosError('INTERNAL', 'The job ended without a dataset.') });
        } else {
          setOutcome({ kind: 'imported', result: finished.result, synthetic });
          onImportedRef.current(finished.result, synthetic);
        }
        return;
      case 'failed':
        setOutcome({
          kind: 'failed',
          error:
            finished.error === undefined
              ? new PrognosError('INTERNAL', 'The job failed without saying why.')
              : PrognosError.fromValue(finished.error),
        });
        return;
      case 'cancelled':
        setOutcome({ kind: 'cancelled' });
        return;
    }
  }, []);

  const run = useCallback(async (body: (signal: AbortSignal) => Promise<void>) => {
    if (busy.current) return;
    busy.current = true;
    cancelRequested.current = false;
    runningJobId.current = null;
    const controller = new AbortController();
    abort.current = controller;
    setOutcome(null);
    try {
      await body(controller.signal);
    } catch (e) {
      const error = asPrognosError(e);
      setOutcome(error.code === 'CANCELLED' ? { kind: 'cancelled' } : { kind: 'failed', error });
    } finally {
      busy.current = false;
      abort.current = null;
      runningJobId.current = null;
      setPhase({ kind: 'idle' });
    }
  }, []);

  const startImport = useCallback(
    (form: ImportRequestForm) =>
      run(async (signal) => {
        const send = (file: File): Promise<ImportSource> => {
          setPhase({ kind: 'uploading', fileName: file.name, loaded: 0, total: file.size });
          return transport.sourceForFile(file, {
            signal,
            onProgress: (p) => setPhase({ kind: 'uploading', fileName: file.name, loaded: p.loaded, total: p.total }),
          });
        };
        const source = await send(form.file);
        const rul = form.rulFile === null ? undefined : await send(form.rulFile);
        if (cancelRequested.current) throw new PrognosError('CANCELLED', 'Import cancelled.');
        const name = form.name.trim();
        const finished = await follow(`Importing ${form.file.name}`, () =>
          transport.api.datasetsImport({
            source,
            ...(rul === undefined ? {} : { rul }),
            ...(form.format === 'auto' ? {} : { format: form.format }),
            ...(form.map === undefined ? {} : { map: form.map }),
            ...(form.catalogue === undefined ? {} : { catalogue: form.catalogue }),
            ...(name === '' ? {} : { name }),
            duplicates: form.duplicates ?? 'ask',
          }),
        );
        const error = finished.state === 'failed' && finished.error !== undefined ? PrognosError.fromValue(finished.error) : null;
        const existing = error === null ? null : existingOf(error);
        if (error !== null && existing !== null) {
          setOutcome({ kind: 'duplicate', existing, request: form, message: error.message });
          return;
        }
        settle(finished, false);
      }),
    [follow, run, settle, transport],
  );

  const startSynth = useCallback(
    (units: number, seed: number) =>
      run(async () => {
        const finished = await follow(`Generating a fleet of ${formatInteger(units)} units`, () =>
          transport.api.datasetsSynth({ units, seed }),
        );
        settle(finished, true);
      }),
    [follow, run, settle, transport],
  );

  const cancel = useCallback(() => {
    cancelRequested.current = true;
    abort.current?.abort();
    const jobId = runningJobId.current;
    if (jobId !== null) {
      void transport.api.jobsCancel({ jobId }).catch((e: unknown) => {
        setOutcome({ kind: 'failed', error: asPrognosError(e) });
      });
    }
  }, [transport]);

  const dismiss = useCallback(() => setOutcome(null), []);

  /** "Open the existing one": nothing is imported; the existing dataset is chosen as if just imported */
  const openExisting = useCallback((dataset: DatasetRecord) => {
    const result: ImportResult = { dataset, duplicateOf: [dataset.datasetId], reused: true };
    setOutcome({ kind: 'imported', result, synthetic: false });
    onImportedRef.current(result, false);
  }, []);

  return { phase, status, outcome, startImport, startSynth, cancel, dismiss, openExisting };
}
