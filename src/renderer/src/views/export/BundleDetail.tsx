import { useState } from 'react';
import type { PrognosError } from '../../../../shared/errors';
import type { BundleEntry } from '../../../../shared/schemas';
import { useApi, useTransport } from '../../api/context';
import { CopyPath } from '../../components/CopyPath';
import { DeleteConfirm } from '../../components/DeleteConfirm';
import { RenameField } from '../../components/RenameField';
import { ErrorMessage } from '../../components/ErrorMessage';
import { asPrognosError } from '../../lib/errors';
import { formatDate, formatInteger, formatThreshold } from '../../lib/format';
import { routeHref } from '../../lib/use-hash-route';
import {
  bundleName,
  ensembleText,
  fileNote,
  isZip,
  MODEL_LABELS,
  orderedFiles,
  ORIGIN_LABELS,
  originNote,
  predictiveModels,
} from './bundle-info';
import { DownloadBundle } from './DownloadBundle';
import { ModelCard } from './ModelCard';
import { TrustTag } from './TrustTag';
import type { VerdictState } from './use-bundle-verdicts';

/** The verification result: OK, or each problem as `file: reason`. */
export function VerdictView({ verdict, testId }: { verdict: VerdictState | undefined; testId: string }) {
  if (verdict === undefined) return null;
  if (verdict.status === 'checking') {
    return (
      <p className="hint" data-testid={testId} data-state="checking">
        Checking every file against its checksum…
      </p>
    );
  }
  if (verdict.status === 'error') {
    return <ErrorMessage error={verdict.error} title="The bundle could not be verified" testId={testId} />;
  }
  if (verdict.ok) {
    return (
      <p className="notice notice--success verdict" role="status" data-testid={testId} data-state="ok">
        <span>
          <strong>OK</strong> — every file matches SHA256SUMS and the manifest; the models load.
        </span>
      </p>
    );
  }
  return (
    <div className="error-message verdict" role="alert" data-testid={testId} data-state="problems">
      <div className="error-message__head">
        <strong>
          {verdict.problems.length === 1 ? '1 problem' : `${formatInteger(verdict.problems.length)} problems`}: do not
          use this bundle
        </strong>
      </div>
      <ul className="error-message__issues">
        {verdict.problems.map((p, i) => (
          <li key={i} data-testid="bundle-problem" data-file={p.file}>
            <span className="verdict__file">{p.file}</span>: {p.reason}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** One bundle: what it holds, where it is, and whether its files are intact. */
export function BundleDetail(props: {
  entry: BundleEntry;
  verdict: VerdictState | undefined;
  onVerify: () => void;
  added: 'exported' | 'imported' | null;
  /** after a rename (the library and the context list the new name) */
  onRenamed: () => void;
  /** after a delete: the bundle is gone from the library */
  onDeleted: () => void;
}) {
  const { entry, verdict } = props;
  const api = useApi();
  const transport = useTransport();
  const [deleting, setDeleting] = useState(false);
  const [revealError, setRevealError] = useState<PrognosError | null>(null);
  const [notShown, setNotShown] = useState(false);
  const models = predictiveModels(entry);
  const files = orderedFiles(entry.files);

  const reveal = () => {
    setRevealError(null);
    api.bundlesReveal({ bundleId: entry.bundleId }).then(
      (r) => setNotShown(!r.shown),
      (e: unknown) => setRevealError(asPrognosError(e)),
    );
  };

  return (
    <section
      className="panel bundle-detail"
      aria-labelledby="bundle-detail-title"
      data-testid="bundle-detail"
      data-bundle-id={entry.bundleId}
    >
      <div className="panel__head">
        <h2 className="panel__title bundle-detail__title" id="bundle-detail-title">
          <span
            className={entry.name === null ? 'mono bundle-detail__name' : 'bundle-detail__name'}
            title={bundleName(entry)}
            data-testid="bundle-detail-name"
          >
            {entry.name ?? bundleName(entry)}
          </span>
          <span className={`tag origin origin--${entry.origin}`} title={originNote(entry.origin)}>
            {ORIGIN_LABELS[entry.origin]}
          </span>
          <TrustTag entry={entry} testId="bundle-signed" />
        </h2>
        <div className="bundle-detail__actions">
          <button
            type="button"
            className="button button--small button--primary"
            onClick={props.onVerify}
            disabled={verdict?.status === 'checking'}
            data-testid="bundle-verify"
          >
            {verdict?.status === 'checking' ? 'Verifying…' : 'Verify'}
          </button>
          {entry.origin !== 'shipped' && (
            <>
              <RenameField
                name={entry.name ?? ''}
                what="bundle"
                testId="bundle"
                showName={false}
                onRename={(name) =>
                  api
                    .bundlesRename({ bundleId: entry.bundleId, name: name.trim() === '' ? null : name })
                    .then(props.onRenamed)
                }
              />
              <button
                type="button"
                className="button button--quiet button--small"
                onClick={() => setDeleting(true)}
                data-testid="bundle-delete"
              >
                Delete
              </button>
            </>
          )}
          {(verdict?.status === 'done' && !verdict.ok) || entry.refused !== null ? (
            <span
              className="button button--small is-disabled"
              title={entry.refused ?? 'A bundle with problems is not used for scoring'}
            >
              Score a fleet →
            </span>
          ) : (
            <a
              className="button button--small"
              href={routeHref('fleet', `bundle:${entry.bundleId}`)}
              data-testid="bundle-score-fleet"
            >
              Score a fleet →
            </a>
          )}
        </div>
      </div>
      {props.added !== null && (
        <p className="notice notice--success" role="status" data-testid="bundle-added" data-how={props.added}>
          {props.added === 'exported'
            ? `Exported as ${isZip(entry) ? 'one .zip file' : 'a folder'}.`
            : 'Imported: every checksum matched.'}
        </p>
      )}
      <p
        className={entry.refused === null ? 'hint' : 'notice notice--warning'}
        data-testid="bundle-trust-summary"
        data-verdict={entry.trust.verdict}
      >
        {entry.trust.summary.charAt(0).toUpperCase() + entry.trust.summary.slice(1)}.
        {entry.refused !== null &&
          ' The trust policy refuses this bundle: it is not imported or used for scoring until its signer is in the keyring (Keys, below the library) or the policy allows it.'}
      </p>
      <VerdictView verdict={verdict} testId="bundle-verdict" />
      <dl className="bundle-facts">
        <div>
          <dt>Run</dt>
          <dd className="mono" title={entry.runId}>
            {entry.origin === 'exported' ? (
              <a href={routeHref('results', entry.runId)} title="Open the run's results">
                {entry.runId}
              </a>
            ) : (
              entry.runId
            )}
          </dd>
        </div>
        <div>
          <dt>Trained on</dt>
          <dd>{entry.datasetName ?? <span className="muted">not recorded</span>}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatDate(entry.created)}</dd>
        </div>
        <div>
          <dt>Models</dt>
          <dd data-testid="bundle-models">{models.map((m) => MODEL_LABELS[m] ?? m).join(' + ')}</dd>
        </div>
        <div>
          <dt title="An alert is raised when the probability is at or above this value">Alert threshold</dt>
          <dd className="num-text" data-testid="bundle-threshold" data-value={entry.threshold}>
            {formatThreshold(entry.threshold)}
          </dd>
        </div>
        <div>
          <dt title="Weight w of the GBDT in the ensemble; the LSTM gets 1 − w">Ensemble weight</dt>
          <dd data-testid="bundle-weight" data-value={entry.weight}>
            <span className="num-text">w = {Number(entry.weight.toFixed(3))}</span>{' '}
            <span className="muted">{ensembleText(entry)}</span>
          </dd>
        </div>
      </dl>
      <div className="bundle-location">
        <h3 className="subhead">Location {isZip(entry) ? '(.zip file)' : '(folder)'}</h3>
        <CopyPath path={entry.path} testId="bundle-path" label="the bundle's path" />
        <DownloadBundle key={entry.bundleId} entry={entry} />
        {transport.mode === 'electron' && (
          <button type="button" className="button button--small" onClick={reveal} data-testid="bundle-reveal">
            Show in folder
          </button>
        )}
        {notShown && (
          <p className="hint" data-testid="bundle-reveal-unavailable">
            No file manager can be opened from here; copy the path instead.
          </p>
        )}
        {revealError !== null && (
          <ErrorMessage
            error={revealError}
            title="The folder could not be shown"
            onDismiss={() => setRevealError(null)}
          />
        )}
      </div>
      <ModelCard bundleId={entry.bundleId} />
      <div className="bundle-files">
        <h3 className="subhead">
          Files <span className="panel__count">{formatInteger(files.length)}</span>
        </h3>
        <table className="data-table bundle-files__table" data-testid="bundle-files">
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">What it is</th>
            </tr>
          </thead>
          <tbody>
            {files.map((f) => {
              const problems = verdict?.status === 'done' ? verdict.problems.filter((p) => p.file === f).length : 0;
              return (
                <tr
                  key={f}
                  className={problems > 0 ? 'has-problem' : undefined}
                  data-testid="bundle-file"
                  data-file={f}
                >
                  <th scope="row" className="mono">
                    {f}
                    {problems > 0 && (
                      <span className="tag tag--danger bundle-files__flag" title="See the problems above">
                        {problems === 1 ? 'problem' : `${problems} problems`}
                      </span>
                    )}
                  </th>
                  <td className="bundle-files__note">{fileNote(f)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <DeleteConfirm
        target={deleting ? { kind: 'bundle', bundleId: entry.bundleId } : null}
        onCancel={() => setDeleting(false)}
        onDeleted={() => {
          setDeleting(false);
          props.onDeleted();
        }}
      />
    </section>
  );
}
