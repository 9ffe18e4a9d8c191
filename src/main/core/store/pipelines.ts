/**
 * Saved pipelines, pipeline runs and their steps (migration 016). Every write is one statement or
 * one transaction. A run left 'running' by a process that is gone is marked failed (with its
 * running step) by `failInterrupted`, which the pipelines service calls on open and when listing.
 */
import type Database from 'better-sqlite3';
import { PrognosError } from '../../../shared/errors';
import type { PipelineRunRecord, PipelineRunStatus, PipelineStepName, PipelineStepRecord, PipelineStepStatus, SavedPipeline } from '../../../shared/pipelines';
import { sortableId } from './ids';
import { ownerIsAlive, type Owner, type OwnerProbe, SYSTEM_PROBE } from './owner';

export const PIPELINE_INTERRUPTED = 'interrupted: the process running the pipeline stopped before it finished';

interface RunRow {
  pipeline_run_id: string;
  pipeline_id: string | null;
  name: string;
  source: string;
  recipe_sha256: string;
  status: PipelineRunStatus;
  started_at: string;
  finished_at: string | null;
  error: string | null;
}

interface StepRow {
  pipeline_run_id: string;
  position: number;
  step: PipelineStepName;
  status: PipelineStepStatus;
  attempts: number;
  cache_key: string | null;
  output_json: string | null;
  summary: string | null;
  log: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
}

/** At most this much of a step's log is kept (the end of it). */
const LOG_LIMIT = 64 * 1024;

const nowIso = (): string => new Date().toISOString();

function stepOf(r: StepRow): PipelineStepRecord {
  return {
    step: r.step,
    status: r.status,
    attempts: r.attempts,
    cacheKey: r.cache_key,
    output: r.output_json === null ? null : (JSON.parse(r.output_json) as Record<string, unknown>),
    summary: r.summary,
    log: r.log,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: r.error,
  };
}

export interface NewPipelineRun {
  readonly name: string;
  readonly source: string;
  readonly pipelineId: string | null;
  readonly recipeText: string;
  readonly recipeSha256: string;
  readonly steps: readonly PipelineStepName[];
  readonly owner: Owner;
}

export interface StepUpdate {
  readonly status?: PipelineStepStatus;
  readonly attempts?: number;
  readonly cacheKey?: string | null;
  readonly output?: Record<string, unknown> | null;
  readonly summary?: string | null;
  readonly error?: string | null;
  readonly started?: boolean;
  readonly finished?: boolean;
}

export class PipelineStore {
  constructor(private readonly db: Database.Database) {}

  // saved recipes ------------------------------------------------------------------------------

  listSaved(): SavedPipeline[] {
    return this.db
      .prepare<[], { pipeline_id: string; name: string; text: string; updated_at: string }>('SELECT pipeline_id, name, text, updated_at FROM pipelines ORDER BY name COLLATE NOCASE')
      .all()
      .map((r) => ({ pipelineId: r.pipeline_id, name: r.name, text: r.text, updatedAt: r.updated_at }));
  }

  getSaved(pipelineId: string): SavedPipeline | undefined {
    return this.listSaved().find((p) => p.pipelineId === pipelineId);
  }

  /** Creates (no id) or replaces a saved recipe; CONFLICT when another one has the name. */
  save(pipelineId: string | undefined, name: string, text: string): SavedPipeline {
    const now = nowIso();
    return this.db
      .transaction((): SavedPipeline => {
        const other = this.db.prepare<[string], { pipeline_id: string }>('SELECT pipeline_id FROM pipelines WHERE name = ?').get(name);
        if (other !== undefined && other.pipeline_id !== pipelineId) throw new PrognosError('CONFLICT', `A pipeline named "${name}" is saved already: give this one another "name".`);
        if (pipelineId === undefined) {
          const id = sortableId('run').replace(/^run_/, 'pipe_');
          this.db.prepare('INSERT INTO pipelines (pipeline_id, name, text, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(id, name, text, now, now);
          return { pipelineId: id, name, text, updatedAt: now };
        }
        const changed = this.db.prepare('UPDATE pipelines SET name = ?, text = ?, updated_at = ? WHERE pipeline_id = ?').run(name, text, now, pipelineId).changes;
        if (changed === 0) throw new PrognosError('NOT_FOUND', `No saved pipeline ${pipelineId}.`);
        return { pipelineId, name, text, updatedAt: now };
      })
      .immediate();
  }

  deleteSaved(pipelineId: string): boolean {
    return this.db.prepare('DELETE FROM pipelines WHERE pipeline_id = ?').run(pipelineId).changes > 0;
  }

  // runs ---------------------------------------------------------------------------------------

  createRun(r: NewPipelineRun): string {
    const id = sortableId('run').replace(/^run_/, 'prun_');
    const insertStep = this.db.prepare("INSERT INTO pipeline_steps (pipeline_run_id, position, step, status) VALUES (?, ?, ?, 'pending')");
    this.db
      .transaction(() => {
        this.db
          .prepare(
            "INSERT INTO pipeline_runs (pipeline_run_id, pipeline_id, name, source, recipe_text, recipe_sha256, status, owner_pid, owner_start, started_at) VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)",
          )
          .run(id, r.pipelineId, r.name, r.source, r.recipeText, r.recipeSha256, r.owner.pid, r.owner.start, nowIso());
        r.steps.forEach((s, i) => insertStep.run(id, i, s));
      })
      .immediate();
    return id;
  }

  updateStep(runId: string, position: number, u: StepUpdate): void {
    const sets: string[] = [];
    const args: (string | number | null)[] = [];
    const set = (col: string, v: string | number | null): void => {
      sets.push(`${col} = ?`);
      args.push(v);
    };
    if (u.status !== undefined) set('status', u.status);
    if (u.attempts !== undefined) set('attempts', u.attempts);
    if (u.cacheKey !== undefined) set('cache_key', u.cacheKey);
    if (u.output !== undefined) set('output_json', u.output === null ? null : JSON.stringify(u.output));
    if (u.summary !== undefined) set('summary', u.summary);
    if (u.error !== undefined) set('error', u.error);
    if (u.started === true) set('started_at', nowIso());
    if (u.finished === true) set('finished_at', nowIso());
    if (sets.length === 0) return;
    this.db.prepare(`UPDATE pipeline_steps SET ${sets.join(', ')} WHERE pipeline_run_id = ? AND position = ?`).run(...args, runId, position);
  }

  /** Appends lines to a step's log, keeping its last 64 KiB. */
  appendLog(runId: string, position: number, lines: string): void {
    if (lines === '') return;
    this.db
      .prepare(`UPDATE pipeline_steps SET log = substr(log || ?, -${LOG_LIMIT}) WHERE pipeline_run_id = ? AND position = ?`)
      .run(lines.endsWith('\n') ? lines : `${lines}\n`, runId, position);
  }

  finishRun(runId: string, status: Exclude<PipelineRunStatus, 'running'>, error: string | null): void {
    this.db
      .transaction(() => {
        this.db.prepare("UPDATE pipeline_runs SET status = ?, error = ?, finished_at = ? WHERE pipeline_run_id = ? AND status = 'running'").run(status, error, nowIso(), runId);
        // steps that never started are skipped; one left running ends with the run
        this.db.prepare("UPDATE pipeline_steps SET status = 'skipped' WHERE pipeline_run_id = ? AND status = 'pending'").run(runId);
        this.db
          .prepare("UPDATE pipeline_steps SET status = ?, error = coalesce(error, ?), finished_at = ? WHERE pipeline_run_id = ? AND status = 'running'")
          .run(status === 'cancelled' ? 'cancelled' : 'failed', error, nowIso(), runId);
      })
      .immediate();
  }

  getRun(runId: string): PipelineRunRecord | undefined {
    const r = this.db
      .prepare<[string], RunRow>('SELECT pipeline_run_id, pipeline_id, name, source, recipe_sha256, status, started_at, finished_at, error FROM pipeline_runs WHERE pipeline_run_id = ?')
      .get(runId);
    return r === undefined ? undefined : this.withSteps([r])[0];
  }

  recipeText(runId: string): string | undefined {
    return this.db.prepare<[string], { recipe_text: string }>('SELECT recipe_text FROM pipeline_runs WHERE pipeline_run_id = ?').get(runId)?.recipe_text;
  }

  /** Pipeline runs, newest first. */
  listRuns(limit = 100): PipelineRunRecord[] {
    const rows = this.db
      .prepare<[number], RunRow>(
        'SELECT pipeline_run_id, pipeline_id, name, source, recipe_sha256, status, started_at, finished_at, error FROM pipeline_runs ORDER BY pipeline_run_id DESC LIMIT ?',
      )
      .all(limit);
    return this.withSteps(rows);
  }

  private withSteps(rows: RunRow[]): PipelineRunRecord[] {
    const steps = this.db.prepare<[string], StepRow>('SELECT * FROM pipeline_steps WHERE pipeline_run_id = ? ORDER BY position');
    return rows.map((r) => ({
      pipelineRunId: r.pipeline_run_id,
      pipelineId: r.pipeline_id,
      name: r.name,
      source: r.source,
      status: r.status,
      recipeSha256: r.recipe_sha256,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      error: r.error,
      steps: steps.all(r.pipeline_run_id).map(stepOf),
    }));
  }

  /**
   * The output of the newest finished step (done, or reused from the cache) with this cache key,
   * newest first, so the caller can take the first whose records still exist.
   */
  cachedOutputs(cacheKey: string): Record<string, unknown>[] {
    return this.db
      .prepare<[string], { output_json: string }>(
        "SELECT output_json FROM pipeline_steps WHERE cache_key = ? AND status IN ('done', 'cached') AND output_json IS NOT NULL ORDER BY finished_at DESC LIMIT 20",
      )
      .all(cacheKey)
      .map((r) => JSON.parse(r.output_json) as Record<string, unknown>);
  }

  /**
   * Marks runs left 'running' whose process is gone (or is another program under a reused pid) as
   * failed, and their running step with them; `live` holds the runs this process is running.
   */
  failInterrupted(self: Owner, live: ReadonlySet<string>, probe: OwnerProbe = SYSTEM_PROBE): string[] {
    const running = this.db
      .prepare<[], { pipeline_run_id: string; owner_pid: number | null; owner_start: string | null }>("SELECT pipeline_run_id, owner_pid, owner_start FROM pipeline_runs WHERE status = 'running'")
      .all();
    const dead = running.filter((r) => {
      if (r.owner_pid === null) return true;
      if (r.owner_pid === self.pid && r.owner_start === self.start) return !live.has(r.pipeline_run_id);
      return !ownerIsAlive({ pid: r.owner_pid, start: r.owner_start }, probe);
    });
    for (const r of dead) this.finishRun(r.pipeline_run_id, 'failed', PIPELINE_INTERRUPTED);
    return dead.map((r) => r.pipeline_run_id);
  }
}
