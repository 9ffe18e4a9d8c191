/**
 * Dataset roles, names and deletes from the shell: `datasets set-role|rename|delete`,
 * `runs rename|delete`, `bundles [list]|rename|delete`. A delete first says what goes with it and
 * needs `--force` to go ahead; without it nothing is written.
 */
import { PrognosError } from '../../../shared/errors';
import { DATASET_ROLE_LABELS, datasetRoleSchema, displayNameSchema, type DeleteImpact, type DeleteTarget } from '../../../shared/housekeeping';
import type { AppServices } from '../../services/app-services';
import { parseCommandArgs } from '../args';
import { openServices } from '../context';
import { table, type Output } from '../output';
import { BUNDLES_USAGE, DATASETS_USAGE, RUNS_SUBCOMMANDS } from '../usage';


function nameArg(value: string | undefined, usage: string): string {
  if (value === undefined) throw new PrognosError('INVALID_INPUT', `A name is missing. Usage: prognos ${usage}`);
  const parsed = displayNameSchema.safeParse(value);
  if (!parsed.success) throw new PrognosError('INVALID_INPUT', `NAME: ${parsed.error.issues[0]?.message ?? 'not a usable name'}.`);
  return parsed.data;
}

function idArg(value: string | undefined, what: string, usage: string): string {
  if (value === undefined || value === '') throw new PrognosError('INVALID_INPUT', `${what} is missing. Usage: prognos ${usage}`);
  return value;
}

function impactText(i: DeleteImpact): string {
  return [`Deleting ${i.target} also deletes:`, ...i.lines.filter((l) => !l.startsWith('kept:')).map((l) => `  - ${l}`), ...i.lines.filter((l) => l.startsWith('kept:')).map((l) => `  ${l}`)].join('\n');
}

/** States what goes; deletes only with --force (exit 1 and nothing written otherwise). */
async function deleteWithImpact(services: AppServices, target: DeleteTarget, force: boolean, out: Output): Promise<number> {
  const impact = await services.handlers['housekeeping:impact']({ target });
  if (!force) {
    out.note(impactText(impact));
    throw new PrognosError('CONFLICT', `Nothing was deleted: add --force to delete ${impact.target} with everything listed above.`);
  }
  const { deleted } = await services.housekeeping.delete(target);
  out.result({ deleted, ...impact }, () => `${deleted ? 'Deleted' : 'Nothing to delete:'} ${impact.target}.\n${impactText(impact).split('\n').slice(1).join('\n')}`);
  return 0;
}

/** `datasets set-role|rename|delete …`; resolves to undefined when argv is the plain listing. */
export async function datasetsSubcommand(argv: string[], out: Output): Promise<number | undefined> {
  const { values, positionals } = parseCommandArgs(argv, { force: { type: 'boolean', default: false } });
  const [sub, id, arg, extra] = positionals;
  if (sub === undefined || sub === 'list') {
    if (positionals.length > 1) throw new PrognosError('INVALID_INPUT', `Unexpected argument "${positionals[1]}". Usage: prognos ${DATASETS_USAGE}`);
    if (values.force) throw new PrognosError('INVALID_INPUT', '--force goes with `datasets delete D`.');
    return undefined;
  }
  if (!['set-role', 'rename', 'delete'].includes(sub)) throw new PrognosError('INVALID_INPUT', `Unknown datasets command "${sub}". Usage: prognos ${DATASETS_USAGE}`);
  if (extra !== undefined || (sub === 'delete' && arg !== undefined)) throw new PrognosError('INVALID_INPUT', `Unexpected argument "${extra ?? arg}". Usage: prognos ${DATASETS_USAGE}`);
  const datasetId = idArg(id, 'D (a dataset id)', DATASETS_USAGE);
  let role: ReturnType<typeof datasetRoleSchema.parse> | undefined;
  if (sub === 'set-role') {
    const parsed = datasetRoleSchema.safeParse(arg);
    if (!parsed.success) throw new PrognosError('INVALID_INPUT', `ROLE must be training, test or unlabeled, got ${arg === undefined ? 'nothing' : `"${arg}"`}.`);
    role = parsed.data;
  }
  const name = sub === 'rename' ? nameArg(arg, 'datasets rename D NAME') : undefined;
  const services = openServices(values.store);
  try {
    if (services.store.getDataset(datasetId) === undefined) throw new PrognosError('NOT_FOUND', `No dataset ${datasetId}. List them with \`prognos datasets\`.`);
    if (sub === 'delete') return await deleteWithImpact(services, { kind: 'dataset', datasetId }, values.force, out);
    const d = role !== undefined ? services.housekeeping.setRole(datasetId, role) : services.housekeeping.renameDataset(datasetId, name!);
    out.result({ datasetId: d.datasetId, name: d.name, role: d.role }, () =>
      role !== undefined ? `${d.name} (${d.datasetId}) is now ${d.role === 'unlabeled' ? 'an' : 'a'} ${DATASET_ROLE_LABELS[d.role]}.` : `${d.datasetId} is now named "${d.name}".`,
    );
    return 0;
  } finally {
    await services.close();
  }
}

/** `runs rename R NAME | runs delete R [--force]`; undefined when argv is the plain listing. */
export async function runsSubcommand(argv: string[], out: Output): Promise<number | undefined> {
  const { values, positionals } = parseCommandArgs(argv, { dataset: { type: 'string' }, force: { type: 'boolean', default: false } });
  const [sub, id, arg, extra] = positionals;
  if (sub !== 'rename' && sub !== 'delete') {
    if (values.force) throw new PrognosError('INVALID_INPUT', '--force goes with `runs delete R`.');
    return undefined;
  }
  if (values.dataset !== undefined) throw new PrognosError('INVALID_INPUT', `--dataset goes with the runs listing, not \`runs ${sub}\`.`);
  if (extra !== undefined || (sub === 'delete' && arg !== undefined)) throw new PrognosError('INVALID_INPUT', `Unexpected argument "${extra ?? arg}". Usage: prognos ${RUNS_SUBCOMMANDS}`);
  const runId = idArg(id, 'R (a run id)', RUNS_SUBCOMMANDS);
  const name = sub === 'rename' ? nameArg(arg, 'runs rename R NAME') : undefined;
  const services = openServices(values.store);
  try {
    if (services.store.getRun(runId) === undefined) throw new PrognosError('NOT_FOUND', `No run ${runId}. List them with \`prognos runs\`.`);
    if (sub === 'delete') return await deleteWithImpact(services, { kind: 'run', runId }, values.force, out);
    const r = services.housekeeping.renameRun(runId, name!);
    out.result(r, () => `${r.runId} is now named "${r.name}".`);
    return 0;
  } finally {
    await services.close();
  }
}

export async function bundlesCommand(argv: string[], out: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { force: { type: 'boolean', default: false } });
  const [sub = 'list', id, arg, extra] = positionals;
  if (!['list', 'rename', 'delete'].includes(sub)) throw new PrognosError('INVALID_INPUT', `Unknown bundles command "${sub}". Usage: prognos ${BUNDLES_USAGE}`);
  if (extra !== undefined || (sub === 'delete' && arg !== undefined) || (sub === 'list' && id !== undefined)) {
    throw new PrognosError('INVALID_INPUT', `Unexpected argument "${extra ?? arg ?? id}". Usage: prognos ${BUNDLES_USAGE}`);
  }
  const bundleId = sub === 'list' ? '' : idArg(id, 'B (a bundle id)', BUNDLES_USAGE);
  const name = sub === 'rename' ? nameArg(arg, 'bundles rename B NAME') : undefined;
  const services = openServices(values.store);
  try {
    if (sub === 'delete') return await deleteWithImpact(services, { kind: 'bundle', bundleId }, values.force, out);
    if (sub === 'rename') {
      const r = await services.housekeeping.renameBundle(bundleId, name!);
      out.result(r, () => `${r.bundleId} is now named "${r.name}".`);
      return 0;
    }
    const list = await services.exports.list();
    out.result(
      list.map((b) => ({ bundleId: b.bundleId, name: b.name, origin: b.origin, runId: b.runId, created: b.created, datasetName: b.datasetName, models: b.models, trust: b.trust.verdict })),
      () => table(list.map((b) => [b.bundleId, b.name ?? '—', b.origin, b.runId, b.models.join('+'), b.trust.verdict, b.created.slice(0, 19).replace('T', ' ')]), ['id', 'name', 'origin', 'run', 'models', 'trust', 'created']),
    );
    return 0;
  } finally {
    await services.close();
  }
}
