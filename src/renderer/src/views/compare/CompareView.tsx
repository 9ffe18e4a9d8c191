import { useCallback, useMemo, useState } from 'react';
import { MAX_COMPARE, MIN_COMPARE, type Comparison } from '../../../../shared/experiments';
import type { RunDetail } from '../../../../shared/schemas';
import { useApi } from '../../api/context';
import { EChart } from '../../components/EChart';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formatShortDate } from '../../lib/format';
import { useAsync } from '../../lib/use-async';
import { useRuns } from '../../state/use-runs';
import { buildOverlayCurves, buildOverlayLoss, runColor } from './compare-charts';
import { FleetDifferences } from './FleetDifferences';
import './compare.css';

const ALL = '';

function cell(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(4);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

const METRIC_LABELS: Record<string, string> = {
  f2: 'F2',
  f1: 'F1',
  precision: 'Precision',
  recall: 'Recall',
  rocAuc: 'ROC AUC',
  prAuc: 'PR AUC',
  brier: 'Brier',
  ece: 'ECE',
  threshold: 'Threshold',
  n: 'Rows',
  positives: 'Positives',
  'rul.rmse': 'RUL RMSE',
  'rul.mae': 'RUL MAE',
  'rul.phm08': 'RUL PHM08',
  'rul.coverage': 'RUL coverage',
  'rul.n': 'RUL units',
};

interface Loaded {
  comparison: Comparison;
  details: RunDetail[];
}

export function CompareView() {
  const api = useApi();
  const [runsState] = useRuns();
  const loadExperiments = useCallback(() => api.experimentsList({}), [api]);
  const [experimentsState] = useAsync(loadExperiments);
  const [experiment, setExperiment] = useState(ALL);
  const [chosen, setChosen] = useState<string[]>([]);
  const [compared, setCompared] = useState<string[] | null>(null);

  const loadComparison = useMemo(
    () =>
      compared === null
        ? null
        : async (): Promise<Loaded> => {
            const [comparison, ...details] = await Promise.all([api.runsCompare({ runIds: compared }), ...compared.map((runId) => api.runsGet({ runId }))]);
            return { comparison, details };
          },
    [api, compared],
  );
  const [comparisonState] = useAsync(loadComparison);

  const experiments = experimentsState.status === 'ok' ? experimentsState.value : [];
  const finished = runsState.status === 'ok' ? runsState.value.filter((r) => r.status === 'done') : [];
  const inExperiment = experiment === ALL ? null : new Set(experiments.find((e) => e.experimentId === experiment)?.runIds ?? []);
  const listed = inExperiment === null ? finished : finished.filter((r) => inExperiment.has(r.runId));

  const toggle = (runId: string): void =>
    setChosen((c) => (c.includes(runId) ? c.filter((x) => x !== runId) : c.length >= MAX_COMPARE ? c : [...c, runId]));

  return (
    <div className="compare-view" data-testid="compare-view">
      <section className="panel" aria-labelledby="compare-runs-title">
        <h2 id="compare-runs-title">Runs to compare</h2>
        <p className="muted">
          Pick {MIN_COMPARE} to {MAX_COMPARE} finished runs. {chosen.length} chosen.
        </p>
        <label className="compare-filter">
          Experiment{' '}
          <select value={experiment} onChange={(e) => setExperiment(e.target.value)} data-testid="compare-experiment">
            <option value={ALL}>All runs</option>
            {experiments.map((e) => (
              <option key={e.experimentId} value={e.experimentId}>
                {e.name} ({e.runs})
              </option>
            ))}
          </select>
        </label>
        {runsState.status === 'error' && <ErrorMessage error={runsState.error} />}
        <div className="table-scroll compare-run-list">
          <table className="data-table" data-testid="compare-run-list">
            <thead>
              <tr>
                <th scope="col">Compare</th>
                <th scope="col">Run</th>
                <th scope="col">Dataset</th>
                <th scope="col">Models</th>
                <th scope="col" className="num">
                  Validation F2
                </th>
                <th scope="col">Started</th>
              </tr>
            </thead>
            <tbody>
              {listed.map((r) => (
                <tr key={r.runId}>
                  <td>
                    <input
                      type="checkbox"
                      checked={chosen.includes(r.runId)}
                      disabled={!chosen.includes(r.runId) && chosen.length >= MAX_COMPARE}
                      onChange={() => toggle(r.runId)}
                      aria-label={`Compare ${r.name ?? r.runId}`}
                      data-testid={`compare-pick-${r.runId}`}
                    />
                  </td>
                  <td>{r.name ?? <span className="mono">{r.runId}</span>}</td>
                  <td>{r.datasetName ?? <span className="muted">not in this store</span>}</td>
                  <td>{r.models.join(' + ')}</td>
                  <td className="num">{cell(r.validationF2)}</td>
                  <td>{formatShortDate(r.createdAt)}</td>
                </tr>
              ))}
              {listed.length === 0 && (
                <tr>
                  <td colSpan={6} className="muted">
                    No finished runs{experiment === ALL ? '' : ' in this experiment'}.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
        <div className="button-row">
          <button type="button" className="primary" disabled={chosen.length < MIN_COMPARE} onClick={() => setCompared([...chosen])} data-testid="compare-start">
            Compare {chosen.length} runs
          </button>
        </div>
      </section>
      {compared !== null && comparisonState.status === 'loading' && <p className="muted">Comparing…</p>}
      {comparisonState.status === 'error' && compared !== null && <ErrorMessage error={comparisonState.error} />}
      {compared !== null && comparisonState.status === 'ok' && <ComparisonPanels loaded={comparisonState.value} />}
    </div>
  );
}

function ComparisonPanels({ loaded }: { loaded: Loaded }) {
  const { comparison: c, details } = loaded;
  const labels = c.runs.map((r, i) => `#${i + 1} ${r.name ?? r.runId}`);
  const charted = details.map((detail, i) => ({ label: labels[i]!, detail }));
  const header = (
    <tr>
      <th scope="col">Metric</th>
      {c.runs.map((r, i) => (
        <th key={r.runId} scope="col" className="num" title={r.runId}>
          <span className="compare-swatch" style={{ background: runColor(i) }} aria-hidden="true" />#{i + 1} {r.name ?? r.runId}
        </th>
      ))}
    </tr>
  );
  return (
    <>
      <section className="panel" aria-labelledby="compare-metrics-title">
        <h2 id="compare-metrics-title">Metrics</h2>
        <p className="muted">★ marks the best run per metric: higher is better, except Brier, ECE and the RUL errors (lower is better).</p>
        <div className="table-scroll">
          <table className="data-table compare-table" data-testid="compare-metrics">
            <thead>{header}</thead>
            <tbody>
              {c.metricTable.map((m) => (
                <tr key={m.key} data-testid={`compare-metric-${m.key}`}>
                  <th scope="row">
                    {m.model} · {m.split} · {METRIC_LABELS[m.metric] ?? m.metric}
                  </th>
                  {m.values.map((v, i) => {
                    const best = m.best.includes(i);
                    return (
                      <td key={i} className={best ? 'num compare-best' : 'num'} data-best={best ? 'true' : 'false'}>
                        {cell(v)}
                        {best ? ' ★' : ''}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="panel" aria-labelledby="compare-config-title">
        <h2 id="compare-config-title">Config differences</h2>
        {c.configDiff.length === 0 ? (
          <p className="muted" data-testid="compare-config-same">
            The runs were trained with the same config.
          </p>
        ) : (
          <div className="table-scroll">
            <table className="data-table compare-table" data-testid="compare-config">
              <thead>
                <tr>
                  <th scope="col">Setting</th>
                  {c.runs.map((r, i) => (
                    <th key={r.runId} scope="col">
                      #{i + 1}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {c.configDiff.map((d) => (
                  <tr key={d.path} data-testid={`compare-config-${d.path}`}>
                    <th scope="row" className="mono">
                      {d.path}
                    </th>
                    {d.values.map((v, i) => (
                      <td key={i} className="mono">
                        {d.absent.includes(i) ? <span className="muted">(absent)</span> : cell(v)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="panel" aria-labelledby="compare-curves-title">
        <h2 id="compare-curves-title">Curves (validation, headline model)</h2>
        <div className="compare-charts">
          <EChart option={buildOverlayCurves('roc', charted)} height={260} testId="compare-roc" label="ROC curves of the compared runs" />
          <EChart option={buildOverlayCurves('pr', charted)} height={260} testId="compare-pr" label="Precision–recall curves of the compared runs" />
          <EChart option={buildOverlayLoss(charted)} height={260} testId="compare-loss" label="GBDT validation loss of the compared runs" />
        </div>
      </section>
      <section className="panel" aria-labelledby="compare-features-title">
        <h2 id="compare-features-title">Feature selection</h2>
        <p data-testid="compare-features-common">{c.features.common.length} features selected by every run.</p>
        <ul className="compare-feature-list">
          {c.features.onlyIn.map((f, i) => (
            <li key={c.runs[i]!.runId} data-testid={`compare-features-only-${i}`}>
              #{i + 1} also selects {f.length === 0 ? 'nothing else' : f.join(', ')}
            </li>
          ))}
        </ul>
      </section>
      <FleetDifferences key={c.runs.map((r) => r.runId).join(' ')} runs={c.runs} />
    </>
  );
}
