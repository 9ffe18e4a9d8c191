/**
 * Hyperparameter sweeps and their trials (migration 013). Every write is one statement or one
 * transaction; a trial is recorded with its parameters before its run starts.
 */
import type Database from 'better-sqlite3';
import { PrognosError } from '../../../shared/errors';
import { sortableId } from './ids';
import { ownerIsAlive, type Owner } from './owner';
import { isConstraintError, nowIso } from './sqlite';

export type SweepStatus = 'running' | 'done' | 'cancelled' | 'failed';
export type TrialStatus = 'pending' | 'running' | 'done' | 'pruned' | 'failed';

export interface NewSweep {
  experimentId: string;
  datasetId: string;
  key: string;
  spaceText: string;
  spaceFile: string;
  sampler: 'grid' | 'random' | 'tpe';
  objective: 'f2' | 'rmse';
  trials: number;
  parallel: number;
  seed: number;
  pruning: boolean;
}

export interface SweepRecord extends NewSweep {
  sweepId: string;
  status: SweepStatus;
  error: string | null;
  owner: Owner | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface TrialRecord {
  sweepId: string;
  trialNo: number;
  params: Record<string, unknown>;
  status: TrialStatus;
  runId: string | null;
  objective: number | null;
  attempts: number;
  previousRunIds: string[];
  note: string | null;
  createdAt: string;
  finishedAt: string | null;
}

interface SweepRow {
  sweep_id: string;
  experiment_id: string;
  dataset_id: string;
  sweep_key: string;
  space_text: string;
  space_file: string;
  sampler: NewSweep['sampler'];
  objective: NewSweep['objective'];
  trials: number;
  parallel: number;
  seed: number;
  pruning: number;
  status: SweepStatus;
  error: string | null;
  owner_pid: number | null;
  owner_start: string | null;
  created_at: string;
  finished_at: string | null;
}

interface TrialRow {
  sweep_id: string;
  trial_no: number;
  params_json: string;
  status: TrialStatus;
  run_id: string | null;
  objective: number | null;
  attempts: number;
  previous_runs_json: string;
  note: string | null;
  created_at: string;
  finished_at: string | null;
}

function toSweep(r: SweepRow): SweepRecord {
  return {
    sweepId: r.sweep_id,
    experimentId: r.experiment_id,
    datasetId: r.dataset_id,
    key: r.sweep_key,
    spaceText: r.space_text,
    spaceFile: r.space_file,
    sampler: r.sampler,
    objective: r.objective,
    trials: r.trials,
    parallel: r.parallel,
    seed: r.seed,
    pruning: r.pruning === 1,
    status: r.status,
    error: r.error,
    owner: r.owner_pid === null ? null : { pid: r.owner_pid, start: r.owner_start },
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}

function toTrial(r: TrialRow): TrialRecord {
  return {
    sweepId: r.sweep_id,
    trialNo: r.trial_no,
    params: JSON.parse(r.params_json) as Record<string, unknown>,
    status: r.status,
    runId: r.run_id,
    objective: r.objective,
    attempts: r.attempts,
    previousRunIds: JSON.parse(r.previous_runs_json) as string[],
    note: r.note,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}

export class SweepStore {
  constructor(private readonly db: Database.Database) {}

  create(s: NewSweep, owner: Owner, now: number = Date.now()): string {
    // the sortable body of an id with the sweeps' own prefix
    const id = `swp_${sortableId('exp', now).slice('exp_'.length)}`;
    this.db
      .prepare(
        `INSERT INTO sweeps (sweep_id, experiment_id, dataset_id, sweep_key, space_text, space_file, sampler, objective, trials, parallel, seed, pruning, status, owner_pid, owner_start, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)`,
      )
      .run(id, s.experimentId, s.datasetId, s.key, s.spaceText, s.spaceFile, s.sampler, s.objective, s.trials, s.parallel, s.seed, s.pruning ? 1 : 0, owner.pid, owner.start, nowIso(now));
    return id;
  }

  get(sweepId: string): SweepRecord | undefined {
    const r = this.db.prepare<[string], SweepRow>('SELECT * FROM sweeps WHERE sweep_id = ?').get(sweepId);
    return r === undefined ? undefined : toSweep(r);
  }

  /** Newest first. */
  list(): SweepRecord[] {
    return this.db.prepare<[], SweepRow>('SELECT * FROM sweeps ORDER BY created_at DESC, sweep_id DESC').all().map(toSweep);
  }

  /** The newest sweep with this key that has not finished, if any. */
  unfinished(key: string): SweepRecord | undefined {
    const r = this.db.prepare<[string], SweepRow>("SELECT * FROM sweeps WHERE sweep_key = ? AND status IN ('running', 'failed', 'cancelled') ORDER BY created_at DESC LIMIT 1").get(key);
    return r === undefined ? undefined : toSweep(r);
  }

  /**
   * Makes `owner` the process running the sweep: refused (CONFLICT) while another live process owns
   * it. Sets the status back to 'running'.
   */
  claim(sweepId: string, owner: Owner): SweepRecord {
    return this.db
      .transaction(() => {
        const s = this.get(sweepId);
        if (s === undefined) throw new PrognosError('NOT_FOUND', `No sweep ${sweepId}.`);
        if (s.status === 'done') throw new PrognosError('CONFLICT', `Sweep ${sweepId} has finished; nothing to resume.`);
        const mine = s.owner !== null && s.owner.pid === owner.pid && s.owner.start === owner.start;
        if (s.owner !== null && !mine && s.status === 'running' && ownerIsAlive(s.owner)) {
          throw new PrognosError('CONFLICT', `Sweep ${sweepId} is being run by process ${s.owner.pid}; stop it first or wait for it.`);
        }
        this.db.prepare("UPDATE sweeps SET owner_pid = ?, owner_start = ?, status = 'running', error = NULL, finished_at = NULL WHERE sweep_id = ?").run(owner.pid, owner.start, sweepId);
        return this.get(sweepId)!;
      })
      .immediate();
  }

  finish(sweepId: string, status: Exclude<SweepStatus, 'running'>, error?: string, now: number = Date.now()): void {
    this.db.prepare('UPDATE sweeps SET status = ?, error = ?, finished_at = ? WHERE sweep_id = ?').run(status, error ?? null, nowIso(now), sweepId);
  }

  trials(sweepId: string): TrialRecord[] {
    return this.db.prepare<[string], TrialRow>('SELECT * FROM sweep_trials WHERE sweep_id = ? ORDER BY trial_no').all(sweepId).map(toTrial);
  }

  /** Records a trial with its parameters before anything starts (CONFLICT if the number is taken). */
  addTrial(sweepId: string, trialNo: number, params: Record<string, unknown>, now: number = Date.now()): void {
    try {
      this.db.prepare("INSERT INTO sweep_trials (sweep_id, trial_no, params_json, status, created_at) VALUES (?, ?, ?, 'pending', ?)").run(sweepId, trialNo, JSON.stringify(params), nowIso(now));
    } catch (e) {
      if (isConstraintError(e) && e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new PrognosError('CONFLICT', `Sweep ${sweepId} already has trial ${trialNo}.`);
      throw e;
    }
  }

  /** The trial's run starts: an earlier run of the trial (interrupted) is kept in its history. */
  startTrial(sweepId: string, trialNo: number, runId: string): void {
    this.db
      .transaction(() => {
        const t = this.db.prepare<[string, number], TrialRow>('SELECT * FROM sweep_trials WHERE sweep_id = ? AND trial_no = ?').get(sweepId, trialNo);
        if (t === undefined) throw new PrognosError('NOT_FOUND', `Sweep ${sweepId} has no trial ${trialNo}.`);
        const previous = JSON.parse(t.previous_runs_json) as string[];
        if (t.run_id !== null) previous.push(t.run_id);
        this.db
          .prepare("UPDATE sweep_trials SET run_id = ?, status = 'running', attempts = attempts + 1, previous_runs_json = ?, objective = NULL, note = NULL, finished_at = NULL WHERE sweep_id = ? AND trial_no = ?")
          .run(runId, JSON.stringify(previous), sweepId, trialNo);
      })
      .immediate();
  }

  finishTrial(sweepId: string, trialNo: number, status: 'done' | 'pruned' | 'failed', objective: number | null, note?: string, now: number = Date.now()): void {
    this.db
      .prepare('UPDATE sweep_trials SET status = ?, objective = ?, note = ?, finished_at = ? WHERE sweep_id = ? AND trial_no = ?')
      .run(status, objective !== null && Number.isFinite(objective) ? objective : null, note ?? null, nowIso(now), sweepId, trialNo);
  }

  /** A trial stopped by cancelling the sweep: started again when the sweep is resumed. */
  requeueTrial(sweepId: string, trialNo: number): void {
    this.db.prepare("UPDATE sweep_trials SET status = 'pending', attempts = max(0, attempts - 1) WHERE sweep_id = ? AND trial_no = ?").run(sweepId, trialNo);
  }
}
