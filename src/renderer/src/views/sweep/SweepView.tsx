import { useCallback, useEffect, useMemo, useState } from 'react';
import type { PrognosError } from '../../../../shared/errors';
import type { SweepDetail, SweepSummary } from '../../../../shared/sweep';
import { useApi } from '../../api/context';
import { EChart } from '../../components/EChart';
import { ErrorMessage } from '../../components/ErrorMessage';
import { JsonEditor } from '../../components/JsonEditor';
import { ProgressBar } from '../../components/ProgressBar';
import { asPrognosError } from '../../lib/errors';
import { toJsonObject } from '../../lib/json-value';
import { navigate } from '../../lib/use-hash-route';
import { useFollowJob } from '../../state/use-follow-job';
import { useWorkbench } from '../../state/workbench';
import { parallelOption } from './parallel-option';
import { DEFAULT_SPACE, searchSpaceSchema } from './space-schema';
import './sweep.css';

const SPACE_SCHEMA_URI = 'inmemory://prognos/schemas/search-space.json';
const SPACE_MODEL_URI = 'inmemory://prognos/sweep/space.json';
const SPACE_KEY = 'prognos.sweep.space';
const POLL_MS = 1000;

function formatValue(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function storedSpace(): string {
  try {
    return window.localStorage.getItem(SPACE_KEY) ?? DEFAULT_SPACE;
  } catch {
    return DEFAULT_SPACE;
  }
}

function TrialsTable({ d }: { d: SweepDetail }) {
  return (
    <div className="table-scroll">
      <table className="data-table compact-table" data-testid="sweep-trials">
        <thead>
          <tr>
            <th scope="col" className="num">
              Trial
            </th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              {d.objective === 'f2' ? 'Validation F2' : 'Validation RUL RMSE'}
            </th>
            {d.params.map((p) => (
              <th scope="col" key={p.name}>
                {p.name}
              </th>
            ))}
            <th scope="col">Run</th>
          </tr>
        </thead>
        <tbody>
          {d.trialList.map((t) => (
            <tr key={t.trial} data-testid="sweep-trial" data-status={t.status} className={d.bestRun?.trial === t.trial ? 'is-best' : undefined}>
              <td className="num">{t.trial === 0 ? '0 (defaults)' : t.trial}</td>
              <td title={t.note ?? undefined}>{t.status}</td>
              <td className="num">{t.objective === null ? '—' : t.objective.toFixed(4)}</td>
              {d.params.map((p) => (
                <td key={p.name}>{formatValue(t.params[p.name])}</td>
              ))}
              <td className="mono">{t.runId ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Define a search space, run a sweep as a job, watch its trials, and promote the best config. */
export function SweepView() {
  const api = useApi();
  const { datasetId, schemas, setConfig } = useWorkbench();
  const [space, setSpace] = useState(storedSpace);
  const [trials, setTrials] = useState(20);
  const [objective, setObjective] = useState<'f2' | 'rmse'>('f2');
  const [sampler, setSampler] = useState<'tpe' | 'random' | 'grid'>('tpe');
  const [error, setError] = useState<PrognosError | null>(null);
  const [sweeps, setSweeps] = useState<SweepSummary[] | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [detail, setDetail] = useState<SweepDetail | null>(null);
  const [starting, setStarting] = useState(false);

  const schema = useMemo(() => (schemas.status === 'ok' ? searchSpaceSchema(schemas.value.trainConfig) : null), [schemas]);

  const refresh = useCallback(() => {
    api.sweepsList({}).then(
      (list) => {
        setSweeps(list);
        setOpenId((id) => id ?? list[0]?.sweepId ?? null);
      },
      (e: unknown) => setError(asPrognosError(e)),
    );
  }, [api]);
  useEffect(refresh, [refresh]);

  const loadDetail = useCallback(() => {
    if (openId === null) return;
    api.sweepsGet({ sweepId: openId }).then(setDetail, (e: unknown) => setError(asPrognosError(e)));
  }, [api, openId]);
  useEffect(loadDetail, [loadDetail]);

  const jobId = detail?.jobId ?? null;
  const status = useFollowJob(jobId, () => {
    loadDetail();
    refresh();
  });
  // trials start and finish while the job runs: read them again every second
  useEffect(() => {
    if (jobId === null) return;
    const timer = window.setInterval(loadDetail, POLL_MS);
    return () => window.clearInterval(timer);
  }, [jobId, loadDetail]);

  const onSpace = useCallback((text: string) => {
    setSpace(text);
    try {
      window.localStorage.setItem(SPACE_KEY, text);
    } catch {
      // a full or blocked storage only loses the draft
    }
  }, []);

  const start = () => {
    if (datasetId === null) return;
    setStarting(true);
    setError(null);
    api.sweepsStart({ datasetId, space, trials, objective, sampler }).then(
      ({ sweepId }) => {
        setStarting(false);
        setOpenId(sweepId);
        refresh();
        api.sweepsGet({ sweepId }).then(setDetail, (e: unknown) => setError(asPrognosError(e)));
      },
      (e: unknown) => {
        setStarting(false);
        setError(asPrognosError(e));
      },
    );
  };
  const cancel = () => {
    if (jobId !== null) void api.jobsCancel({ jobId });
  };
  const promote = () => {
    const config = toJsonObject(detail?.bestConfig ?? null);
    if (config === null) return;
    setConfig(() => config);
    navigate('train');
  };

  const chart = useMemo(() => (detail === null ? null : parallelOption(detail)), [detail]);
  const running = jobId !== null;
  const finishedCount = detail?.trialList.filter((t) => t.status === 'done' || t.status === 'pruned' || t.status === 'failed').length ?? 0;

  return (
    <div className="sweep-view" data-testid="sweep-view">
      <section className="panel stack-s" aria-labelledby="sweep-space-title">
        <h2 className="panel__title" id="sweep-space-title">
          Search space
        </h2>
        <p className="muted">
          A training config in which any value may be a range: {'{ "int": [lo, hi] }'}, {'{ "float": [lo, hi] }'}, {'{ "logFloat": [lo, hi] }'} or{' '}
          {'{ "choice": [a, b] }'}. Trial 0 takes the defaults; every trial is a run in the sweep’s experiment.
        </p>
        {schema === null ? (
          <p className="muted">Loading…</p>
        ) : (
          <JsonEditor value={space} onChange={onSpace} schema={schema} schemaUri={SPACE_SCHEMA_URI} modelUri={SPACE_MODEL_URI} height={220} label="Search space (JSON)" testId="sweep-space-editor" />
        )}
        <div className="view-toolbar sweep-toolbar">
          <label className="field">
            <span className="field-label">Trials</span>
            <input className="input sweep-number" type="number" min={1} max={1000} value={trials} onChange={(e) => setTrials(Math.max(1, Math.min(1000, Math.round(Number(e.target.value) || 1))))} data-testid="sweep-trials-count" />
          </label>
          <label className="field">
            <span className="field-label">Objective (validation)</span>
            <select className="input" value={objective} onChange={(e) => setObjective(e.target.value === 'rmse' ? 'rmse' : 'f2')} data-testid="sweep-objective">
              <option value="f2">F2 (higher is better)</option>
              <option value="rmse">RUL RMSE (lower is better)</option>
            </select>
          </label>
          <label className="field">
            <span className="field-label">Sampler</span>
            <select className="input" value={sampler} onChange={(e) => setSampler(e.target.value === 'grid' ? 'grid' : e.target.value === 'random' ? 'random' : 'tpe')} data-testid="sweep-sampler">
              <option value="tpe">TPE</option>
              <option value="random">Random</option>
              <option value="grid">Grid</option>
            </select>
          </label>
          <button type="button" className="button button--primary" onClick={start} disabled={datasetId === null || starting || running} data-testid="sweep-start">
            Start sweep
          </button>
          {datasetId === null && <span className="muted">Choose a training fleet in the bar above.</span>}
        </div>
        {error !== null && <ErrorMessage error={error} onDismiss={() => setError(null)} testId="sweep-error" />}
      </section>

      <section className="panel stack-s" aria-labelledby="sweep-results-title">
        <h2 className="panel__title" id="sweep-results-title">
          Sweeps
        </h2>
        {sweeps !== null && sweeps.length === 0 && <p className="muted">No sweep yet.</p>}
        {sweeps !== null && sweeps.length > 0 && (
          <label className="field sweep-pick">
            <span className="field-label">Sweep</span>
            <select className="input" value={openId ?? ''} onChange={(e) => setOpenId(e.target.value)} data-testid="sweep-pick">
              {sweeps.map((s) => (
                <option key={s.sweepId} value={s.sweepId}>
                  {s.sweepId} · {s.status} · {s.finished}/{s.trials} trials{s.best === null ? '' : ` · best ${s.objective} ${s.best.toFixed(4)}`}
                </option>
              ))}
            </select>
          </label>
        )}
        {detail !== null && (
          <div className="stack-s" data-testid="sweep-detail" data-status={detail.status} data-finished={finishedCount}>
            {running && (
              <div className="job-progress" data-testid="sweep-job">
                <ProgressBar fraction={status?.fraction} label="Sweep" message={status?.message ?? `${finishedCount} of ${detail.trials} trials finished`} />
                <button type="button" className="button button--small" onClick={cancel} data-testid="sweep-cancel">
                  Cancel
                </button>
              </div>
            )}
            {!running && detail.status !== 'done' && (
              <p className="muted" data-testid="sweep-unfinished">
                This sweep is {detail.status}: start the same space on the same fleet again (or run <code>prognos sweep --resume {detail.sweepId}</code>) to finish it.
              </p>
            )}
            <p data-testid="sweep-best">
              {detail.bestRun === null
                ? 'No finished trial yet.'
                : `Best: trial ${detail.bestRun.trial}, run ${detail.bestRun.runId}, validation ${detail.objective === 'f2' ? 'F2' : 'RUL RMSE'} ${detail.bestRun.objective.toFixed(4)}`}{' '}
              {detail.bestConfig !== null && (
                <button type="button" className="button button--small" onClick={promote} data-testid="sweep-promote">
                  Use the best config in Train
                </button>
              )}
            </p>
            {chart !== null && finishedCount > 0 && <EChart option={chart} height={260} testId="sweep-parallel-chart" label="Parallel coordinates of the trials: parameters and objective" />}
            <TrialsTable d={detail} />
          </div>
        )}
      </section>
    </div>
  );
}
