/**
 * Experiments with notes and tags, and the notes, tags and experiment of each run (migration 012).
 * `runs.createExperiment` makes the bare record; this adds what the analyst edits. An experiment is
 * named by its id or its name (names are kept unique by `create` and `rename`; an older duplicate
 * name asks for the id).
 */
import { PrognosError } from '../../../shared/errors';
import { DEFAULT_EXPERIMENT, MAX_NOTES, MAX_TAGS, type Experiment } from '../../../shared/experiments';
import { createExperiment } from './runs';
import type { Db } from './sqlite';

interface ExperimentRow {
  experiment_id: string;
  name: string;
  notes: string;
  tags_json: string;
  created_at: string;
  runs: number;
}

const SELECT = `SELECT e.experiment_id, e.name, e.notes, e.tags_json, e.created_at,
  (SELECT count(*) FROM runs r WHERE r.experiment_id = e.experiment_id) AS runs FROM experiments e`;

function parseTags(json: string): string[] {
  const v = JSON.parse(json) as unknown;
  return Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : [];
}

function toExperiment(r: ExperimentRow): Experiment {
  return { experimentId: r.experiment_id, name: r.name, notes: r.notes, tags: parseTags(r.tags_json), createdAt: r.created_at, runs: r.runs };
}

/** Tags as kept: trimmed, each once, sorted; at most MAX_TAGS. */
export function normaliseTags(tags: Iterable<string>): string[] {
  const out = [...new Set([...tags].map((t) => t.trim()).filter((t) => t.length > 0))].sort((a, b) => a.localeCompare(b));
  if (out.length > MAX_TAGS) throw new PrognosError('INVALID_INPUT', `at most ${MAX_TAGS} tags, got ${out.length}`);
  return out;
}

function checkNotes(notes: string): void {
  if (notes.length > MAX_NOTES) throw new PrognosError('INVALID_INPUT', `notes hold at most ${MAX_NOTES} characters, got ${notes.length}`);
}

export interface RunLabels {
  readonly runId: string;
  readonly experimentId: string | null;
  readonly notes: string;
  readonly tags: string[];
}

export class ExperimentBook {
  constructor(private readonly db: Db) {}

  list(): Experiment[] {
    return this.db.prepare<[], ExperimentRow>(`${SELECT} ORDER BY e.created_at DESC, e.experiment_id DESC`).all().map(toExperiment);
  }

  get(experimentId: string): Experiment | undefined {
    const row = this.db.prepare<[string], ExperimentRow>(`${SELECT} WHERE e.experiment_id = ?`).get(experimentId);
    return row === undefined ? undefined : toExperiment(row);
  }

  /** By id, else by name (NOT_FOUND naming `what`; CONFLICT when two experiments share the name). */
  resolve(idOrName: string, what = 'experiment'): Experiment {
    const byId = this.get(idOrName);
    if (byId !== undefined) return byId;
    const named = this.byName(idOrName);
    if (named.length === 1) return named[0]!;
    if (named.length > 1) {
      throw new PrognosError('CONFLICT', `${what}: ${named.length} experiments are named "${idOrName}" (${named.map((e) => e.experimentId).join(', ')}); name one by its id`);
    }
    throw new PrognosError('NOT_FOUND', `${what}: no experiment "${idOrName}". List them with \`prognos experiments\`.`);
  }

  private byName(name: string): Experiment[] {
    return this.db.prepare<[string], ExperimentRow>(`${SELECT} WHERE e.name = ? ORDER BY e.created_at`).all(name.trim()).map(toExperiment);
  }

  private refuseTakenName(name: string, except?: string): void {
    const other = this.byName(name).find((e) => e.experimentId !== except);
    if (other !== undefined) throw new PrognosError('CONFLICT', `an experiment named "${name}" exists already (${other.experimentId})`);
  }

  create(name: string, opts: { notes?: string; tags?: readonly string[] } = {}): Experiment {
    const clean = name.trim();
    const tags = normaliseTags(opts.tags ?? []);
    checkNotes(opts.notes ?? '');
    const id = this.db
      .transaction(() => {
        this.refuseTakenName(clean);
        const created = createExperiment(this.db, clean);
        this.db.prepare<[string, string, string]>('UPDATE experiments SET notes = ?, tags_json = ? WHERE experiment_id = ?').run(opts.notes ?? '', JSON.stringify(tags), created);
        return created;
      })
      .immediate();
    return this.get(id)!;
  }

  /** The experiment named `name`, created when there is none. */
  ensure(name: string): Experiment {
    const named = this.byName(name);
    return named[0] ?? this.create(name);
  }

  /** The experiment runs go to when none is named ("Default", created on demand). */
  ensureDefault(): Experiment {
    return this.ensure(DEFAULT_EXPERIMENT);
  }

  rename(experimentId: string, name: string): Experiment {
    const clean = name.trim();
    this.db
      .transaction(() => {
        this.require(experimentId);
        this.refuseTakenName(clean, experimentId);
        this.db.prepare<[string, string]>('UPDATE experiments SET name = ? WHERE experiment_id = ?').run(clean, experimentId);
      })
      .immediate();
    return this.get(experimentId)!;
  }

  setNotes(experimentId: string, notes: string): Experiment {
    checkNotes(notes);
    this.require(experimentId);
    this.db.prepare<[string, string]>('UPDATE experiments SET notes = ? WHERE experiment_id = ?').run(notes, experimentId);
    return this.get(experimentId)!;
  }

  /** Adds `add` and removes `remove` from the experiment's tags. */
  tag(experimentId: string, add: readonly string[], remove: readonly string[] = []): Experiment {
    const e = this.require(experimentId);
    const gone = new Set(remove.map((t) => t.trim()));
    const tags = normaliseTags([...e.tags, ...add].filter((t) => !gone.has(t.trim())));
    this.db.prepare<[string, string]>('UPDATE experiments SET tags_json = ? WHERE experiment_id = ?').run(JSON.stringify(tags), experimentId);
    return this.get(experimentId)!;
  }

  /** Runs in the experiment, newest first. */
  runIdsOf(experimentId: string): string[] {
    return this.db
      .prepare<[string], { run_id: string }>('SELECT run_id FROM runs WHERE experiment_id = ? ORDER BY created_at DESC, run_id DESC')
      .all(experimentId)
      .map((r) => r.run_id);
  }

  /** Deletes an experiment that holds no runs (CONFLICT otherwise: the schema would delete them with it). */
  deleteEmpty(experimentId: string): boolean {
    return this.db
      .transaction(() => {
        const e = this.get(experimentId);
        if (e === undefined) return false;
        if (e.runs > 0) throw new PrognosError('CONFLICT', `experiment "${e.name}" holds ${e.runs} run(s); move or delete them first`);
        return this.db.prepare<[string]>('DELETE FROM experiments WHERE experiment_id = ?').run(experimentId).changes > 0;
      })
      .immediate();
  }

  /** Puts runs into an experiment (null: none); NOT_FOUND names the first unknown run. */
  moveRuns(runIds: readonly string[], experimentId: string | null): void {
    this.db
      .transaction(() => {
        if (experimentId !== null) this.require(experimentId);
        const move = this.db.prepare<[string | null, string]>('UPDATE runs SET experiment_id = ? WHERE run_id = ?');
        for (const id of runIds) if (move.run(experimentId, id).changes === 0) throw new PrognosError('NOT_FOUND', `No run ${id}.`);
      })
      .immediate();
  }

  runLabels(runId: string): RunLabels | undefined {
    const row = this.db
      .prepare<[string], { run_id: string; experiment_id: string | null; notes: string; tags_json: string }>('SELECT run_id, experiment_id, notes, tags_json FROM runs WHERE run_id = ?')
      .get(runId);
    return row === undefined ? undefined : { runId: row.run_id, experimentId: row.experiment_id, notes: row.notes, tags: parseTags(row.tags_json) };
  }

  setRunNotes(runId: string, notes: string): RunLabels {
    checkNotes(notes);
    if (this.db.prepare<[string, string]>('UPDATE runs SET notes = ? WHERE run_id = ?').run(notes, runId).changes === 0) throw new PrognosError('NOT_FOUND', `No run ${runId}.`);
    return this.runLabels(runId)!;
  }

  tagRun(runId: string, add: readonly string[], remove: readonly string[] = []): RunLabels {
    const r = this.runLabels(runId);
    if (r === undefined) throw new PrognosError('NOT_FOUND', `No run ${runId}.`);
    const gone = new Set(remove.map((t) => t.trim()));
    const tags = normaliseTags([...r.tags, ...add].filter((t) => !gone.has(t.trim())));
    this.db.prepare<[string, string]>('UPDATE runs SET tags_json = ? WHERE run_id = ?').run(JSON.stringify(tags), runId);
    return this.runLabels(runId)!;
  }

  private require(experimentId: string): Experiment {
    const e = this.get(experimentId);
    if (e === undefined) throw new PrognosError('NOT_FOUND', `No experiment ${experimentId}.`);
    return e;
  }
}
