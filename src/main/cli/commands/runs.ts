/** `prognos runs` and `prognos run ID`: what the store records about training runs. */
import { PrognosError } from '../../../shared/errors';
import { ExperimentStore, type RunRecord } from '../../core/store/store';
import { resolveStoreDir } from '../../services/store-dir';
import { parseCommandArgs } from '../args';
import { table, type Output } from '../output';
import { runsSubcommand } from './housekeeping';

interface RunResultShape {
  threshold?: number;
  weight?: number;
  metrics?: Record<string, { validation?: { f2?: number | null } | null; test?: { f2?: number | null } | null }>;
  timings?: Record<string, number>;
  calibration?: unknown;
  /** how the feature spec's regime choice was resolved (runs since regime detection) */
  regimes?: { enabled?: boolean; clusters?: number | null } | null;
  /** the RUL stage (runs since remaining useful life) */
  rul?: {
    cap?: number;
    coverage?: number;
    weight?: number;
    metrics?: Record<string, { validation?: RulFigures | null; test?: RulFigures | null } | undefined>;
  } | null;
}

interface RulFigures {
  rmse: number;
  mae: number;
  phm08: number;
  coverage: number | null;
  n: number;
}

function resultOf(r: RunRecord): RunResultShape {
  return typeof r.result === 'object' && r.result !== null ? r.result : {};
}

function modelsOf(r: RunRecord): string[] {
  const models = (r.config as { models?: unknown } | null)?.models;
  return Array.isArray(models) ? models.filter((m): m is string => typeof m === 'string') : [];
}

/** The headline F2 (ensemble, else GBDT) on validation and test; null where not recorded. */
function headline(r: RunRecord): { validationF2: number | null; testF2: number | null } {
  const m = resultOf(r).metrics;
  const h = m?.ensemble ?? m?.gbdt;
  return { validationF2: h?.validation?.f2 ?? null, testF2: h?.test?.f2 ?? null };
}

function runJson(r: RunRecord) {
  return {
    runId: r.runId,
    status: r.status,
    datasetId: r.datasetId,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
    kind: r.kind,
    experimentId: r.experimentId,
    seed: r.seed,
    models: modelsOf(r),
    backend: r.backend,
    threshold: resultOf(r).threshold ?? null,
    ...headline(r),
    error: r.error,
  };
}

const fmt = (x: number | null): string => (x === null ? '—' : x.toFixed(3));

function openStore(storeFlag: string | undefined): ExperimentStore {
  // a short look at the store: the sweep on open and on listing is enough, no background timer
  return ExperimentStore.open(resolveStoreDir(storeFlag), { sweepIntervalMs: 0 });
}

export async function runsCommand(argv: string[], out: Output): Promise<void | number> {
  if (argv[0] === 'compare' || argv[0] === 'export' || argv[0] === 'import') return (await import('./run-transfer')).runsTransferCommand(argv, out);
  const done = await runsSubcommand(argv, out);
  if (done !== undefined) return done;
  const { values, positionals } = parseCommandArgs(argv, { dataset: { type: 'string' } });
  if (positionals.length > 0) {
    throw new PrognosError(
      'INVALID_INPUT',
      `Unexpected argument "${positionals[0]}". Usage: prognos runs [--dataset D] [--json]`,
    );
  }
  if (values.dataset === '') throw new PrognosError('INVALID_INPUT', '--dataset needs a dataset id.');
  const store = openStore(values.store);
  try {
    if (values.dataset !== undefined && store.getDataset(values.dataset) === undefined) {
      throw new PrognosError(
        'NOT_FOUND',
        `--dataset: no dataset ${values.dataset}. List them with \`prognos datasets\`.`,
      );
    }
    const list = store.listRuns(values.dataset === undefined ? undefined : { datasetId: values.dataset });
    const names = store.housekeeping();
    out.result(list.map((r) => ({ name: names.runName(r.runId), ...runJson(r) })), () =>
      list.length === 0
        ? 'No runs yet. Train one with `prognos train --dataset D`.'
        : table(
            list.map((r) => {
              const h = headline(r);
              return [
                r.runId,
                r.status,
                r.datasetId,
                modelsOf(r).join('+') || '—',
                fmt(h.validationF2),
                fmt(h.testF2),
                r.createdAt.slice(0, 19).replace('T', ' '),
                names.runName(r.runId) ?? '—',
              ];
            }),
            ['run', 'status', 'dataset', 'models', 'val F2', 'test F2', 'started', 'name'],
          ),
    );
  } finally {
    store.close();
  }
  return Promise.resolve();
}

export function runCommand(argv: string[], out: Output): Promise<void> {
  const { values, positionals } = parseCommandArgs(argv, {});
  const [id, extra] = positionals;
  if (id === undefined || id === '' || extra !== undefined)
    throw new PrognosError('INVALID_INPUT', 'Usage: prognos run ID [--json]');
  const store = openStore(values.store);
  try {
    const r = store.getRun(id);
    if (r === undefined) throw new PrognosError('NOT_FOUND', `No run ${id}. List them with \`prognos runs\`.`);
    const result = resultOf(r);
    const artifacts = store
      .listArtifacts(id)
      .map((a) => ({ name: a.name, kind: a.kind, size: a.size, sha256: a.sha256, createdAt: a.createdAt }));
    const models = store.modelsOf(id).map((m) => ({ kind: m.kind, artifact: m.artifactName }));
    const dataset = store.getDataset(r.datasetId);
    const imported = store.runTransfer().importOf(id) ?? null;
    const labels = store.experiments().runLabels(id);
    const experiment = r.experimentId === null ? undefined : store.experiments().get(r.experimentId);
    const detail = {
      ...runJson(r),
      datasetPresent: dataset !== undefined && dataset.fingerprint === r.datasetFingerprint,
      datasetName: dataset?.name ?? imported?.datasetName ?? null,
      datasetFingerprint: r.datasetFingerprint,
      experimentName: experiment?.name ?? null,
      notes: labels?.notes ?? '',
      tags: labels?.tags ?? [],
      importedFrom: imported,
      config: r.config,
      params: store.paramsOf(id),
      weight: result.weight ?? null,
      metrics: result.metrics ?? {},
      calibration: result.calibration ?? null,
      timings: result.timings ?? {},
      regimes: result.regimes ?? null,
      rul: result.rul ?? null,
      artifacts,
      models,
    };
    out.result(detail, () => {
      const lines = [
        `${r.runId} (${r.kind}), ${r.status}, dataset ${r.datasetId}, seed ${r.seed}`,
        `started ${r.createdAt}${r.finishedAt === null ? '' : `, finished ${r.finishedAt}`}${r.backend === null ? '' : `, backend ${r.backend}`}`,
      ];
      if (!detail.datasetPresent) lines.push(`its dataset ${detail.datasetName ?? r.datasetId} (fingerprint ${r.datasetFingerprint}) is not present in this store`);
      if (imported !== null) lines.push(`imported from run ${imported.sourceRunId} on ${imported.importedAt} (archive SHA-256 ${imported.archiveSha256})`);
      if (experiment !== undefined) lines.push(`experiment ${experiment.name} (${experiment.experimentId})`);
      if (detail.tags.length > 0) lines.push(`tags: ${detail.tags.join(', ')}`);
      if (detail.notes !== '') lines.push(`notes: ${detail.notes}`);
      if (r.error !== null) lines.push(`error: ${r.error}`);
      if (detail.regimes !== null && detail.regimes !== undefined)
        lines.push(detail.regimes.enabled === true ? `sensors standardised per operating regime (${detail.regimes.clusters} regimes)` : 'no per-regime standardisation');
      if (detail.threshold !== null)
        lines.push(`threshold ${detail.threshold}${detail.weight === null ? '' : `, GBDT weight ${detail.weight}`}`);
      const metricRows = Object.entries(detail.metrics).flatMap(([model, m]) =>
        (['validation', 'test'] as const).flatMap((split) => {
          const f2 = m[split]?.f2;
          return f2 === undefined ? [] : [[model, split, fmt(f2)]];
        }),
      );
      if (metricRows.length > 0) lines.push('', table(metricRows, ['model', 'split', 'F2']));
      const rul = detail.rul;
      if (rul !== null && rul.metrics !== undefined) {
        const rulRows = Object.entries(rul.metrics).flatMap(([model, m]) =>
          (['validation', 'test'] as const).flatMap((split) => {
            const f = m?.[split];
            return f === undefined || f === null
              ? []
              : [[model, split, f.rmse.toFixed(2), f.mae.toFixed(2), f.phm08.toFixed(0), f.coverage === null ? '—' : f.coverage.toFixed(2), String(f.n)]];
          }),
        );
        const about = [
          rul.cap === undefined ? null : `target min(RUL, ${rul.cap})`,
          rul.coverage === undefined ? null : `${Math.round(rul.coverage * 100)} % conformal intervals`,
          rul.weight === undefined || rul.metrics.ensemble === undefined ? null : `GBDT weight ${rul.weight}`,
        ].filter((x) => x !== null);
        if (rulRows.length > 0)
          lines.push('', `remaining useful life at one cut cycle per unit, true RUL uncapped${about.length > 0 ? ` (${about.join(', ')})` : ''}`, table(rulRows, ['model', 'split', 'RMSE', 'MAE', 'PHM08', 'coverage', 'units']));
      }
      const timingRows = Object.entries(detail.timings).map(([stage, s]) => [
        stage,
        typeof s === 'number' ? s.toFixed(2) : String(s),
      ]);
      if (timingRows.length > 0) lines.push('', table(timingRows, ['stage', 'seconds']));
      if (artifacts.length > 0)
        lines.push(
          '',
          table(
            artifacts.map((a) => [a.name, a.kind, a.size, a.sha256]),
            ['artifact', 'kind', 'bytes', 'SHA-256'],
          ),
        );
      lines.push('', `config: ${JSON.stringify(r.config)}`);
      return lines.join('\n');
    });
  } finally {
    store.close();
  }
  return Promise.resolve();
}
