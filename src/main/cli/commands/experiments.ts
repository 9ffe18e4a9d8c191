/**
 * `prognos experiments …`: experiments (named groups of runs) with notes and tags, and the notes, tags
 * and experiment of a run.
 */
import { PrognosError } from '../../../shared/errors';
import { experimentNameSchema, notesSchema, tagSchema, type Experiment } from '../../../shared/experiments';
import { parseCommandArgs } from '../args';
import { openServices } from '../context';
import { table, type Output } from '../output';
import { EXPERIMENTS_USAGE } from '../usage';

const usage = (): string => `Usage: prognos ${EXPERIMENTS_USAGE}`;
const bad = (message: string): PrognosError => new PrognosError('INVALID_INPUT', message);

function nameArg(value: string | undefined, what: string): string {
  if (value === undefined) throw bad(`${what} is missing. ${usage()}`);
  const parsed = experimentNameSchema.safeParse(value);
  if (!parsed.success) throw bad(`${what}: ${parsed.error.issues[0]?.message ?? 'not a usable name'}.`);
  return parsed.data;
}

function tagsArg(values: readonly string[], option: string): string[] {
  return values.map((t) => {
    const parsed = tagSchema.safeParse(t);
    if (!parsed.success) throw bad(`${option} "${t}": ${parsed.error.issues[0]?.message ?? 'not a usable tag'}.`);
    return parsed.data;
  });
}

function notesArg(value: string | undefined): string {
  if (value === undefined) throw bad(`TEXT is missing. ${usage()}`);
  const parsed = notesSchema.safeParse(value);
  if (!parsed.success) throw bad(`TEXT: ${parsed.error.issues[0]?.message ?? 'not usable notes'}.`);
  return parsed.data;
}

function experimentLine(e: Experiment): string {
  return `${e.name} (${e.experimentId}): ${e.runs} run(s)${e.tags.length === 0 ? '' : `, tags ${e.tags.join(', ')}`}${e.notes === '' ? '' : `\n  ${e.notes.replace(/\n/g, '\n  ')}`}`;
}

export async function experimentsCommand(argv: string[], out: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    notes: { type: 'string' },
    tag: { type: 'string', multiple: true },
    remove: { type: 'string', multiple: true },
    run: { type: 'string' },
    to: { type: 'string' },
    force: { type: 'boolean', default: false },
  });
  const [sub = 'list', ...args] = positionals;
  const known = ['list', 'show', 'create', 'rename', 'notes', 'tag', 'move', 'delete'];
  if (!known.includes(sub)) throw bad(`Unknown experiments command "${sub}". ${usage()}`);
  const allowed: Record<string, string[]> = { create: ['notes', 'tag'], notes: ['run'], tag: ['run', 'remove'], move: ['to'], delete: ['force'] };
  for (const option of ['notes', 'tag', 'remove', 'run', 'to', 'force'] as const) {
    const given = option === 'force' ? values.force : values[option] !== undefined;
    if (given && !(allowed[sub] ?? []).includes(option)) throw bad(`--${option} does not go with \`experiments ${sub}\`. ${usage()}`);
  }
  const extra = (max: number): void => {
    if (args.length > max) throw bad(`Unexpected argument "${args[max]}". ${usage()}`);
  };
  const services = openServices(values.store);
  const book = services.store.experiments();
  try {
    switch (sub) {
      case 'list': {
        extra(0);
        const list = book.list();
        out.result(list, () =>
          list.length === 0
            ? 'No experiments yet. Training puts runs in "Default"; `prognos experiments create NAME` makes one.'
            : table(list.map((e) => [e.experimentId, e.name, e.runs, e.tags.join(', ') || '—', e.createdAt.slice(0, 19).replace('T', ' ')]), ['experiment', 'name', 'runs', 'tags', 'created']),
        );
        return 0;
      }
      case 'show': {
        extra(1);
        const e = book.resolve(args[0] ?? '', 'E');
        const runIds = book.runIdsOf(e.experimentId);
        const runs = runIds.map((id) => {
          const r = services.store.getRun(id)!;
          const labels = book.runLabels(id)!;
          return { runId: id, name: services.store.housekeeping().runName(id), status: r.status, createdAt: r.createdAt, notes: labels.notes, tags: labels.tags };
        });
        out.result({ ...e, runIds, runList: runs }, () =>
          [experimentLine(e), '', runs.length === 0 ? 'No runs.' : table(runs.map((r) => [r.runId, r.name ?? '—', r.status, r.tags.join(', ') || '—', r.createdAt.slice(0, 19).replace('T', ' ')]), ['run', 'name', 'status', 'tags', 'started'])].join('\n'),
        );
        return 0;
      }
      case 'create': {
        extra(1);
        const e = book.create(nameArg(args[0], 'NAME'), { notes: values.notes === undefined ? '' : notesArg(values.notes), tags: tagsArg(values.tag ?? [], '--tag') });
        out.result(e, () => `Created ${experimentLine(e)}`);
        return 0;
      }
      case 'rename': {
        extra(2);
        const e = book.resolve(args[0] ?? '', 'E');
        const renamed = book.rename(e.experimentId, nameArg(args[1], 'NAME'));
        out.result(renamed, () => `${renamed.experimentId} is now named "${renamed.name}".`);
        return 0;
      }
      case 'notes': {
        if (values.run !== undefined) {
          extra(1);
          const r = book.setRunNotes(values.run, notesArg(args[0]));
          out.result(r, () => `Notes of run ${r.runId} saved.`);
          return 0;
        }
        extra(2);
        const e = book.setNotes(book.resolve(args[0] ?? '', 'E').experimentId, notesArg(args[1]));
        out.result(e, () => `Notes of ${e.name} saved.`);
        return 0;
      }
      case 'tag': {
        const remove = tagsArg(values.remove ?? [], '--remove');
        if (values.run !== undefined) {
          const add = tagsArg(args, 'TAG');
          if (add.length === 0 && remove.length === 0) throw bad(`Name a TAG to add or --remove TAG. ${usage()}`);
          const r = book.tagRun(values.run, add, remove);
          out.result(r, () => `Run ${r.runId}: tags ${r.tags.join(', ') || '(none)'}`);
          return 0;
        }
        const e = book.resolve(args[0] ?? '', 'E');
        const add = tagsArg(args.slice(1), 'TAG');
        if (add.length === 0 && remove.length === 0) throw bad(`Name a TAG to add or --remove TAG. ${usage()}`);
        const tagged = book.tag(e.experimentId, add, remove);
        out.result(tagged, () => `${tagged.name}: tags ${tagged.tags.join(', ') || '(none)'}`);
        return 0;
      }
      case 'move': {
        if (args.length === 0) throw bad(`Name the runs to move. ${usage()}`);
        if (values.to === undefined) throw bad(`--to E (the experiment the runs go to) is required. ${usage()}`);
        const target = book.resolve(values.to, '--to');
        book.moveRuns(args, target.experimentId);
        out.result({ experimentId: target.experimentId, name: target.name, runIds: args }, () => `Moved ${args.length} run(s) to ${target.name} (${target.experimentId}).`);
        return 0;
      }
      case 'delete': {
        extra(1);
        const e = book.resolve(args[0] ?? '', 'E');
        const runIds = book.runIdsOf(e.experimentId);
        if (runIds.length > 0 && !values.force) {
          out.note([`Deleting ${e.name} also deletes its ${runIds.length} run(s), with their bundles and drift reports:`, ...runIds.map((id) => `  - ${id}`)].join('\n'));
          throw new PrognosError('CONFLICT', `Nothing was deleted: add --force to delete ${e.name} with its runs, or move them first (\`prognos experiments move R... --to E\`).`);
        }
        for (const runId of runIds) await services.housekeeping.delete({ kind: 'run', runId });
        const deleted = book.deleteEmpty(e.experimentId);
        out.result({ deleted, experimentId: e.experimentId, name: e.name, runIds }, () => `Deleted ${e.name}${runIds.length === 0 ? '' : ` and its ${runIds.length} run(s)`}.`);
        return 0;
      }
      default:
        throw bad(usage());
    }
  } finally {
    await services.close();
  }
}
