import { useId, useMemo, useState } from 'react';
import type { PrognosError } from '../../../../shared/errors';
import type { BundleEntry, RunSummary } from '../../../../shared/schemas';
import { useApi, useJobTracker } from '../../api/context';
import { jobResult } from '../../state/job-result';
import { ErrorMessage } from '../../components/ErrorMessage';
import { Segmented } from '../../components/Segmented';
import { asPrognosError } from '../../lib/errors';
import { formatDate, formatInteger, formatScore, formatShortDate } from '../../lib/format';
import { routeHref } from '../../lib/use-hash-route';
import { shortRunId } from './bundle-info';
import { useRuns } from '../../state/use-runs';
import { useWorkingContext } from '../../state/working-context';
import { bestRun } from '../../lib/context-choices';

type BundleFormat = 'folder' | 'zip';

function isBundleEntry(r: unknown): r is BundleEntry {
  return typeof r === 'object' && r !== null && 'bundleId' in r && 'files' in r;
}

function newestFirst(a: RunSummary, b: RunSummary): number {
  return b.createdAt.localeCompare(a.createdAt);
}

/** Pick a finished run and write it as a bundle (a folder or one .zip file) into the store's library. */
export function ExportPanel(props: { preferredRunId: string | null; onExported: (entry: BundleEntry) => void }) {
  const api = useApi();
  const jobs = useJobTracker();
  const id = useId();
  const [state, reload, last] = useRuns();
  const runs = useMemo(
    () => (last === undefined ? null : last.filter((r) => r.status === 'done').sort(newestFirst)),
    [last],
  );
  const running = last?.filter((r) => r.status === 'running').length ?? 0;
  // the address's run, else the working context's run (preselected: the best validation F2)
  const ctx = useWorkingContext();
  const [chosen, setChosenHere] = useState<string | null>(props.preferredRunId);
  const setChosen = (id: string) => {
    setChosenHere(id);
    ctx.choose('run', id);
  };
  const contextRun = ctx.current.run;
  const runId =
    runs?.some((r) => r.runId === chosen) === true
      ? chosen
      : runs?.some((r) => r.runId === contextRun) === true
        ? contextRun
        : (bestRun(runs ?? [])?.runId ?? null);
  const [format, setFormat] = useState<BundleFormat>('zip');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<PrognosError | null>(null);
  const { onExported } = props;

  const exportRun = () => {
    if (runId === null || busy) return;
    setBusy(true);
    setError(null);
    api
      .bundlesExport({ runId, zip: format === 'zip' })
      .then(({ jobId }) => jobResult(api, jobs, jobId, isBundleEntry))
      .then(
      (entry) => {
        setBusy(false);
        onExported(entry);
      },
      (e: unknown) => {
        setBusy(false);
        setError(asPrognosError(e));
      },
    );
  };

  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="export-panel">
      <h2 className="panel__title" id={`${id}-title`}>
        Export a run
        {runs !== null && <span className="panel__count">{formatInteger(runs.length)}</span>}
        <span className="hint panel__title-note">finished runs, newest first</span>
      </h2>
      {state.status === 'error' && (
        <div className="stack-s">
          <ErrorMessage error={state.error} title="The runs could not be loaded" testId="export-runs-error" />
          <button type="button" className="button button--small" onClick={reload}>
            Retry
          </button>
        </div>
      )}
      {runs === null && state.status === 'loading' && <p className="muted">Loading…</p>}
      {runs !== null && runs.length === 0 && (
        <p className="empty" data-testid="export-runs-empty">
          No finished run yet. Train one in <a href={routeHref('train')}>Train</a>; it can be exported here once it is
          done.
        </p>
      )}
      {runs !== null && runs.length > 0 && (
        <div className="table-scroll export-runs">
          <table className="data-table" data-testid="export-runs">
            <thead>
              <tr>
                <th scope="col">
                  <span className="visually-hidden">Export</span>
                </th>
                <th scope="col">Run</th>
                <th scope="col">Dataset</th>
                <th scope="col">Created</th>
                <th scope="col" className="num" title="F2 on the validation units at the tuned threshold">
                  Val F2
                </th>
                <th scope="col" className="num" title="F2 on the held-out test units at the tuned threshold">
                  Test F2
                </th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => {
                const checked = r.runId === runId;
                return (
                  <tr
                    key={r.runId}
                    className={checked ? 'is-chosen' : undefined}
                    onClick={() => setChosen(r.runId)}
                    data-testid="export-run-row"
                    data-run-id={r.runId}
                    data-chosen={checked}
                  >
                    <td className="export-runs__radio">
                      <input
                        type="radio"
                        name={`${id}-run`}
                        checked={checked}
                        onChange={() => setChosen(r.runId)}
                        aria-label={`Export run ${r.runId}`}
                        data-testid="export-run-radio"
                      />
                    </td>
                    <th scope="row" className={r.name === null ? 'mono' : undefined} title={r.runId}>
                      {r.name ?? shortRunId(r.runId)}
                    </th>
                    <td className="export-runs__dataset" title={r.datasetName ?? r.datasetId}>
                      {r.datasetName ?? <span className="muted">deleted dataset</span>}
                    </td>
                    <td title={formatDate(r.createdAt)}>{formatShortDate(r.createdAt)}</td>
                    <td className="num" data-testid="export-run-val-f2">
                      {formatScore(r.validationF2)}
                    </td>
                    <td className="num" data-testid="export-run-test-f2">
                      {formatScore(r.testF2)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {running > 0 && (
        <p className="hint" data-testid="export-runs-running">
          {running === 1 ? '1 run is' : `${formatInteger(running)} runs are`} still training; a run can be exported once
          it is done.
        </p>
      )}
      <div className="export-actions">
        <Segmented
          legend="Write as"
          value={format}
          onChange={setFormat}
          options={[
            { value: 'zip', label: 'One .zip file', title: 'One file to copy or send; import it elsewhere as it is' },
            { value: 'folder', label: 'Folder', title: 'The files as they are, ready for a server to load' },
          ]}
          testId="export-format"
        />
        <button
          type="button"
          className="button button--primary"
          onClick={exportRun}
          disabled={runId === null || busy}
          title={runId === null ? 'No finished run to export' : undefined}
          data-testid="export-submit"
        >
          {busy ? 'Exporting…' : 'Export bundle'}
        </button>
      </div>
      <p className="hint">
        The bundle goes into this store&rsquo;s bundle library: manifest, ONNX and XGBoost models, model card, OpenAPI
        description and checksums.
      </p>
      {error !== null && (
        <ErrorMessage
          error={error}
          title="The run could not be exported"
          onDismiss={() => setError(null)}
          testId="export-error"
        />
      )}
    </section>
  );
}
