import type { Lineage } from '../../../../shared/registry';
import { formatDate } from '../../lib/format';

const short = (h: string | null): string => (h === null ? '—' : h.length > 20 ? `${h.slice(0, 16)}…` : h);

/** dataset file fingerprint → run → bundle → registry version → reports made with its run or bundle */
export function LineagePanel(props: { lineage: Lineage }) {
  const l = props.lineage;
  return (
    <ol className="lineage" data-testid="registry-lineage">
      <li className="lineage__step" data-testid="lineage-dataset">
        <span className="lineage__kind">Dataset</span>
        <span className="lineage__main">{l.dataset.name ?? 'not in this store'}</span>
        {l.dataset.file !== null && <span className="lineage__meta">file {l.dataset.file}</span>}
        <span className="lineage__meta" title={l.dataset.fingerprint}>
          fingerprint <code>{short(l.dataset.fingerprint)}</code>
        </span>
      </li>
      <li className="lineage__step" data-testid="lineage-run">
        <span className="lineage__kind">Run</span>
        <span className="lineage__main">{l.run.name ?? l.run.runId}</span>
        <span className="lineage__meta">{l.run.inStore ? `${l.run.status ?? ''}${l.run.createdAt === null ? '' : `, ${formatDate(l.run.createdAt)}`}` : 'not in this store'}</span>
        <span className="lineage__meta" title={l.run.configSha256 ?? ''}>
          config <code>{short(l.run.configSha256)}</code>
        </span>
      </li>
      <li className="lineage__step" data-testid="lineage-bundle">
        <span className="lineage__kind">Bundle</span>
        {l.bundle === null ? (
          <span className="lineage__main lineage__main--none">none (a run version)</span>
        ) : (
          <>
            <span className="lineage__main">{l.bundle.name ?? l.bundle.bundleId}</span>
            <span className="lineage__meta">{l.bundle.inLibrary ? 'in the library' : 'no longer in the library'}</span>
            <span className="lineage__meta" title={l.bundle.manifestSha256}>
              manifest <code>{short(l.bundle.manifestSha256)}</code>, key <code>{short(l.bundle.signingKeyId)}</code>
            </span>
          </>
        )}
      </li>
      <li className="lineage__step lineage__step--version" data-testid="lineage-version">
        <span className="lineage__kind">Registry</span>
        <span className="lineage__main">
          {l.version.model} v{l.version.version}
        </span>
        <span className="lineage__meta">{l.version.stage}</span>
      </li>
      <li className="lineage__step" data-testid="lineage-reports">
        <span className="lineage__kind">Reports</span>
        {l.reports.length === 0 && l.driftReports.length === 0 ? (
          <span className="lineage__main lineage__main--none">none yet</span>
        ) : (
          <ul className="lineage__reports">
            {l.reports.map((r) => (
              <li key={r.reportId} data-testid="lineage-report">
                PDF “{r.title}” · {r.fleet} · {formatDate(r.createdAt)}
              </li>
            ))}
            {l.driftReports.map((r) => (
              <li key={r.reportId} data-testid="lineage-drift-report">
                Drift on {r.fleet} · {formatDate(r.createdAt)}
                {r.datasetDrift ? ' · drift' : ''}
              </li>
            ))}
          </ul>
        )}
      </li>
    </ol>
  );
}
