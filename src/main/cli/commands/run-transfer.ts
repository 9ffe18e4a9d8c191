/**
 * `prognos runs compare R1 R2 …`, `runs export R --out FILE`, `runs import FILE`: runs side by side,
 * and a run moved to another store in one checked archive (src/main/core/experiments/run-archive.ts).
 */
import { existsSync, linkSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PrognosError } from '../../../shared/errors';
import type { Comparison } from '../../../shared/experiments';
import type { FleetComparison } from '../../../shared/fleet-compare';
import { readRunArchive, writeRunArchive } from '../../core/experiments/run-archive';
import { RunTransferStore } from '../../core/store/run-transfer';
import { sha256Hex } from '../../core/export/checksums';
import { appVersion } from '../../paths';
import { parseCommandArgs } from '../args';
import { openServices } from '../context';
import { table, type Output } from '../output';
import { RUNS_TRANSFER_USAGE } from '../usage';

const bad = (message: string): PrognosError => new PrognosError('INVALID_INPUT', message);
const usage = `Usage: prognos ${RUNS_TRANSFER_USAGE}`;

function cell(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The per-unit differences on a fleet: counts, then the units with the largest differences (at most 50). */
export function fleetText(f: FleetComparison): string {
  const heads = f.runs.map((_r, i) => `#${i + 1}`);
  const withRul = f.runs.some((r) => r.hasRul);
  const shown = f.units.slice(0, 50);
  return [
    `on fleet ${f.fleet.name} (${f.fleet.datasetId}, ${f.fleet.unitCount} units): the runs disagree on the alert for ${f.disagreements} unit(s); largest probability differences first (! disagree, * alert):`,
    table(
      shown.map((u) => [
        `${u.unit}${u.disagree ? ' !' : ''}`,
        u.cycle,
        ...u.runs.map((r) => `${r.probability.toFixed(4)}${r.alert ? ' *' : ''}${withRul ? ` / ${r.rul === null ? '—' : r.rul.toFixed(1)}` : ''}`),
        u.maxDiff.toFixed(4),
        ...(f.fleet.hasTrueRul ? [u.trueRul ?? '—'] : []),
      ]),
      ['unit', 'cycle', ...heads.map((h) => (withRul ? `${h} p / RUL` : `${h} p`)), 'max diff', ...(f.fleet.hasTrueRul ? ['true RUL'] : [])],
    ),
    ...(f.units.length > shown.length ? [`(${f.units.length - shown.length} more units in --json)`] : []),
  ].join('\n');
}

export function comparisonText(c: Comparison): string {
  const heads = c.runs.map((r, i) => `#${i + 1}`);
  const lines = [
    table(
      c.runs.map((r, i) => [heads[i]!, r.runId, r.name ?? '—', r.experimentName ?? '—', `${r.datasetName ?? r.datasetId}${r.datasetPresent ? '' : ' (not in this store)'}`, r.models.join('+') || '—']),
      ['', 'run', 'name', 'experiment', 'dataset', 'models'],
    ),
    '',
    'metrics (* best; higher is better except brier, ece and the RUL errors rmse, mae, phm08):',
    table(
      c.metricTable.map((m) => [m.model, m.split, m.metric, ...m.values.map((v, i) => `${cell(v)}${m.best.includes(i) ? ' *' : ''}`)]),
      ['model', 'split', 'metric', ...heads],
    ),
    '',
  ];
  if (c.configDiff.length === 0) lines.push('config: the same in every run');
  else {
    lines.push('config differences:');
    lines.push(table(c.configDiff.map((d) => [d.path, ...d.values.map((v, i) => (d.absent.includes(i) ? '(absent)' : cell(v)))]), ['path', ...heads]));
  }
  lines.push('', `selected features: ${c.features.common.length} in every run`);
  c.features.onlyIn.forEach((f, i) => {
    if (f.length > 0) lines.push(`  ${heads[i]} also: ${f.join(', ')}`);
  });
  return lines.join('\n');
}

async function compare(argv: string[], out: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { fleet: { type: 'string' } });
  const runIds = positionals.slice(1);
  if (runIds.length < 2) throw bad(`Name 2 to 8 runs to compare. ${usage}`);
  if (values.fleet !== undefined && values.fleet.trim() === '') throw bad(`--fleet needs a dataset id. ${usage}`);
  const services = openServices(values.store);
  try {
    const c = services.experiments.compare(runIds);
    if (values.fleet === undefined) {
      out.result(c, () => comparisonText(c));
      return 0;
    }
    const f = await services.experiments.compareOnFleet(runIds, values.fleet.trim(), undefined, '--fleet');
    out.result({ ...c, fleet: f.fleet, fleetRuns: f.runs, disagreements: f.disagreements, units: f.units }, () => `${comparisonText(c)}\n\n${fleetText(f)}`);
    return 0;
  } finally {
    await services.close();
  }
}

async function exportRun(argv: string[], out: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { out: { type: 'string' }, force: { type: 'boolean', default: false } });
  const [, runId, extra] = positionals;
  if (runId === undefined || runId === '') throw bad(`R (a run id) is missing. ${usage}`);
  if (extra !== undefined) throw bad(`Unexpected argument "${extra}". ${usage}`);
  if (values.out === undefined || values.out === '') throw bad(`--out FILE is required. ${usage}`);
  const file = resolve(values.out);
  if (existsSync(file) && !values.force) throw new PrognosError('CONFLICT', `--out ${values.out}: the file exists; add --force to replace it.`);
  if (existsSync(file) && !statSync(file).isFile()) throw bad(`--out ${values.out}: not a file.`);
  if (!existsSync(dirname(file))) throw bad(`--out ${values.out}: the folder ${dirname(file)} does not exist.`);
  const services = openServices(values.store);
  try {
    const store = services.store;
    const r = store.getRun(runId);
    if (r === undefined) throw new PrognosError('NOT_FOUND', `No run ${runId}. List them with \`prognos runs\`.`);
    if (r.status === 'running') throw new PrognosError('CONFLICT', `Run ${runId} is still running; export it when it has finished.`);
    const snapshot = store.runTransfer().snapshot(runId);
    const experiment = r.experimentId === null ? undefined : store.experiments().get(r.experimentId);
    const dataset = store.getDataset(r.datasetId);
    const imported = store.runTransfer().importOf(runId);
    const config = r.config as { features?: unknown } | null;
    const selected = r.status === 'done' ? services.training.detail(runId).selected : [];
    const bytes = writeRunArchive({
      snapshot,
      experiment: experiment === undefined ? null : { name: experiment.name, notes: experiment.notes, tags: experiment.tags },
      lineage: {
        datasetId: r.datasetId,
        datasetName: dataset?.name ?? imported?.datasetName ?? null,
        datasetRole: dataset?.role ?? null,
        datasetFingerprint: r.datasetFingerprint,
        featureSpec: config?.features ?? null,
        selected,
      },
      appVersion: appVersion(),
    });
    // written beside the target, then moved into place: never a half-written archive under its name
    const partial = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.partial`);
    try {
      writeFileSync(partial, bytes, { flag: 'wx', mode: 0o644 });
      if (values.force) renameSync(partial, file);
      else {
        linkSync(partial, file); // fails rather than replaces a file made meanwhile
        rmSync(partial);
      }
    } catch (e) {
      rmSync(partial, { force: true });
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new PrognosError('CONFLICT', `--out ${values.out}: the file exists; add --force to replace it.`);
      throw e;
    }
    const result = { runId, file, bytes: bytes.byteLength, sha256: sha256Hex(bytes), artifacts: snapshot.artifacts.length, metrics: snapshot.metrics.length };
    out.result(result, () => `Wrote run ${runId} to ${file} (${bytes.byteLength.toLocaleString('en-US')} bytes, ${snapshot.artifacts.length} artifacts; SHA-256 ${result.sha256}).`);
    return 0;
  } finally {
    await services.close();
  }
}

async function importRun(argv: string[], out: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { 'new-id': { type: 'boolean', default: false }, experiment: { type: 'string' } });
  const [, fileArg, extra] = positionals;
  if (fileArg === undefined || fileArg === '') throw bad(`FILE (a run archive) is missing. ${usage}`);
  if (extra !== undefined) throw bad(`Unexpected argument "${extra}". ${usage}`);
  const file = resolve(fileArg);
  if (!existsSync(file)) throw new PrognosError('NOT_FOUND', `${fileArg}: no such file.`);
  if (!statSync(file).isFile()) throw bad(`${fileArg}: not a file.`);
  // everything is checked before the store is opened for writing
  const archive = await readRunArchive(file, fileArg);
  const services = openServices(values.store);
  try {
    const store = services.store;
    const source = archive.runFile.run;
    const taken = store.getRun(source.runId) !== undefined;
    if (taken && !values['new-id']) {
      throw new PrognosError('CONFLICT', `${fileArg}: run ${source.runId} is in this store already; add --new-id to import it as a new run.`);
    }
    const runId = taken ? RunTransferStore.newRunId() : source.runId;
    // the run's own dataset when this store holds it, else one with the same fingerprint, else none (lineage only)
    const same = store.getDataset(source.datasetId);
    const local = same !== undefined && same.fingerprint === source.datasetFingerprint ? same : store.findByFingerprint(source.datasetFingerprint)[0];
    const datasetId = local?.datasetId ?? source.datasetId;
    const book = store.experiments();
    const experimentId =
      values.experiment !== undefined
        ? services.experiments.experimentFor(values.experiment)
        : archive.runFile.experiment === null
          ? book.ensureDefault().experimentId
          : (() => {
              const e = archive.runFile.experiment;
              const found = book.list().find((x) => x.name === e.name.trim());
              return found?.experimentId ?? book.create(e.name, { notes: e.notes, tags: e.tags }).experimentId;
            })();
    store.runTransfer().insertRun(archive.snapshot, {
      runId,
      experimentId,
      datasetId,
      source: { sourceRunId: source.runId, datasetName: archive.runFile.lineage.datasetName, archiveSha256: archive.archiveSha256, sourceAppVersion: archive.runFile.appVersion },
    });
    const result = {
      runId,
      sourceRunId: source.runId,
      datasetId,
      datasetPresent: local !== undefined,
      datasetName: local?.name ?? archive.runFile.lineage.datasetName,
      experimentId,
      artifacts: archive.snapshot.artifacts.length,
      metrics: archive.snapshot.metrics.length,
      archiveSha256: archive.archiveSha256,
    };
    out.result(result, () =>
      [
        `Imported run ${source.runId}${runId === source.runId ? '' : ` as ${runId}`} (${result.artifacts} artifacts, every entry checked against its SHA-256).`,
        local !== undefined
          ? `Its dataset is here: ${local.name} (${local.datasetId}).`
          : `Its dataset ${result.datasetName ?? source.datasetId} (${source.datasetId}, fingerprint ${source.datasetFingerprint}) is not in this store; the run keeps it as lineage.`,
      ].join('\n'),
    );
    return 0;
  } finally {
    await services.close();
  }
}

/** `runs compare|export|import …`; undefined when argv is another runs command. */
export async function runsTransferCommand(argv: string[], out: Output): Promise<number | undefined> {
  switch (argv[0]) {
    case 'compare':
      return compare(argv, out);
    case 'export':
      return exportRun(argv, out);
    case 'import':
      return importRun(argv, out);
    default:
      return undefined;
  }
}
