/**
 * Experiments, runs and what a run leaves behind: parameters, step-wise metrics, artifacts
 * (BLOBs checked by SHA-256), registered models and reports.
 */
import { PrognosError } from '../../../shared/errors';
import { blobOf, sha256Hex } from './blobs';
import { sortableId } from './ids';
import { ownerIsAlive, SYSTEM_PROBE, type Owner, type OwnerProbe } from './owner';
import { fromJson, isConstraintError, nowIso, toJson, type Db } from './sqlite';

export type RunStatus = 'running' | 'done' | 'failed' | 'cancelled';
export const RUN_STATUSES: readonly RunStatus[] = ['running', 'done', 'failed', 'cancelled'];

export interface RunRecord {
  runId: string;
  experimentId: string | null;
  datasetId: string;
  kind: string;
  status: RunStatus;
  config: unknown;
  seed: number;
  datasetFingerprint: string;
  backend: string | null;
  error: string | null;
  /** the run's JSON summary (metrics, threshold, timings); null until set */
  result: unknown;
  createdAt: string;
  finishedAt: string | null;
}

export interface NewRun {
  experimentId?: string;
  datasetId: string;
  kind: string;
  config: unknown;
  seed: number;
  datasetFingerprint: string;
  backend?: string;
}

export interface ExperimentRecord {
  experimentId: string;
  name: string;
  createdAt: string;
}

export type ParamValue = string | number | boolean;

export interface MetricPoint {
  key: string;
  /** null for a single value, else the iteration/epoch */
  step: number | null;
  /** NaN when the logged value was NaN */
  value: number;
}

export interface MetricInput {
  key: string;
  value: number;
  step?: number;
}

export interface NewArtifact {
  name: string;
  kind: string;
  data: Uint8Array;
  mediaType?: string;
}

export interface ArtifactInfo {
  artifactId: string;
  name: string;
  kind: string;
  mediaType: string | null;
  size: number;
  sha256: string;
  createdAt: string;
}

export interface ModelInfo {
  kind: string;
  artifactId: string;
  artifactName: string;
  meta: unknown;
  createdAt: string;
}

export interface ReportRecord {
  reportId: string;
  runId: string | null;
  title: string;
  data: Buffer;
  sha256: string;
  createdAt: string;
}

/** Error text of runs found 'running' by a process that is not running them. */
export const INTERRUPTED_ERROR = 'interrupted: the app stopped while this run was running';

interface RunRow {
  run_id: string;
  experiment_id: string | null;
  dataset_id: string;
  kind: string;
  status: string;
  config_json: string;
  seed: number;
  dataset_fingerprint: string;
  backend: string | null;
  error: string | null;
  result_json: string | null;
  created_at: string;
  finished_at: string | null;
}

const RUN_COLUMNS =
  'run_id, experiment_id, dataset_id, kind, status, config_json, seed, dataset_fingerprint, backend, error, result_json, created_at, finished_at';

function asStatus(s: string): RunStatus {
  const found = RUN_STATUSES.find((x) => x === s);
  if (found === undefined) throw new PrognosError('BAD_FILE', `unknown run status "${s}" in the store`);
  return found;
}

function toRunRecord(r: RunRow): RunRecord {
  return {
    runId: r.run_id,
    experimentId: r.experiment_id,
    datasetId: r.dataset_id,
    kind: r.kind,
    status: asStatus(r.status),
    config: fromJson(r.config_json),
    seed: r.seed,
    datasetFingerprint: r.dataset_fingerprint,
    backend: r.backend,
    error: r.error,
    result: fromJson(r.result_json),
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}

function requireRun(db: Db, runId: string): void {
  if (db.prepare<[string]>('SELECT 1 FROM runs WHERE run_id = ?').get(runId) === undefined) {
    throw new PrognosError('NOT_FOUND', `no run with id "${runId}"`);
  }
}

function requireText(value: string, what: string): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new PrognosError('INVALID_INPUT', `${what} must be a non-empty string`);
  }
}

// experiments ---------------------------------------------------------------------------------

export function createExperiment(db: Db, name: string, now: number = Date.now()): string {
  requireText(name, 'experiment name');
  const id = sortableId('exp', now);
  db.prepare<[string, string, string]>(
    'INSERT INTO experiments (experiment_id, name, created_at) VALUES (?, ?, ?)',
  ).run(id, name, nowIso(now));
  return id;
}

export function listExperiments(db: Db): ExperimentRecord[] {
  return db
    .prepare<[], ExperimentRecord>(
      'SELECT experiment_id AS experimentId, name, created_at AS createdAt FROM experiments ORDER BY created_at DESC, experiment_id DESC',
    )
    .all();
}

// runs ----------------------------------------------------------------------------------------

export function createRun(db: Db, r: NewRun, owner: Owner, now: number = Date.now()): string {
  requireText(r.kind, 'run kind');
  if (!Number.isSafeInteger(r.seed)) throw new PrognosError('INVALID_INPUT', `seed ${r.seed} is not an integer`);
  const config = toJson(r.config, 'run config');
  const id = sortableId('run', now);
  db.transaction(() => {
    if (db.prepare<[string]>('SELECT 1 FROM datasets WHERE dataset_id = ?').get(r.datasetId) === undefined) {
      throw new PrognosError('NOT_FOUND', `no dataset with id "${r.datasetId}"`);
    }
    if (
      r.experimentId !== undefined &&
      db.prepare<[string]>('SELECT 1 FROM experiments WHERE experiment_id = ?').get(r.experimentId) === undefined
    ) {
      throw new PrognosError('NOT_FOUND', `no experiment with id "${r.experimentId}"`);
    }
    db.prepare(
      `INSERT INTO runs (run_id, experiment_id, dataset_id, kind, status, config_json, seed, dataset_fingerprint, backend, owner_pid, owner_start, heartbeat_at, created_at)
       VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      r.experimentId ?? null,
      r.datasetId,
      r.kind,
      config,
      r.seed,
      r.datasetFingerprint,
      r.backend ?? null,
      owner.pid,
      owner.start,
      nowIso(now),
      nowIso(now),
    );
  }).immediate();
  return id;
}

/** Sets the status; a final status stamps finishedAt, 'running' clears it. `error` is kept only if given. */
export function setRunStatus(db: Db, runId: string, status: RunStatus, error?: string, now: number = Date.now()): void {
  if (!RUN_STATUSES.includes(status)) throw new PrognosError('INVALID_INPUT', `unknown run status "${String(status)}"`);
  const finishedAt = status === 'running' ? null : nowIso(now);
  const changes = db
    .prepare<[string, string | null, string | null, string]>(
      'UPDATE runs SET status = ?, error = ?, finished_at = ? WHERE run_id = ?',
    )
    .run(status, error ?? null, finishedAt, runId).changes;
  if (changes === 0) throw new PrognosError('NOT_FOUND', `no run with id "${runId}"`);
}

export function setRunResult(db: Db, runId: string, result: unknown): void {
  const json = toJson(result, 'run result');
  const changes = db
    .prepare<[string, string]>('UPDATE runs SET result_json = ? WHERE run_id = ?')
    .run(json, runId).changes;
  if (changes === 0) throw new PrognosError('NOT_FOUND', `no run with id "${runId}"`);
}

export function setRunBackend(db: Db, runId: string, backend: string): void {
  const changes = db.prepare<[string, string]>('UPDATE runs SET backend = ? WHERE run_id = ?').run(backend, runId).changes;
  if (changes === 0) throw new PrognosError('NOT_FOUND', `no run with id "${runId}"`);
}

export function getRun(db: Db, runId: string): RunRecord | undefined {
  const row = db.prepare<[string], RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_id = ?`).get(runId);
  return row === undefined ? undefined : toRunRecord(row);
}

/** Newest first. */
export function listRuns(db: Db, filter: { datasetId?: string } = {}): RunRecord[] {
  const rows =
    filter.datasetId === undefined
      ? db.prepare<[], RunRow>(`SELECT ${RUN_COLUMNS} FROM runs ORDER BY created_at DESC, run_id DESC`).all()
      : db
          .prepare<[string], RunRow>(
            `SELECT ${RUN_COLUMNS} FROM runs WHERE dataset_id = ? ORDER BY created_at DESC, run_id DESC`,
          )
          .all(filter.datasetId);
  return rows.map(toRunRecord);
}

/** Deletes the run with its parameters, metrics, artifacts, models and reports. */
export function deleteRun(db: Db, runId: string): boolean {
  return db.prepare<[string]>('DELETE FROM runs WHERE run_id = ?').run(runId).changes > 0;
}

/** Stamps the heartbeat of the given runs that are still running. */
export function heartbeat(db: Db, runIds: Iterable<string>, now: number = Date.now()): void {
  const ids = [...runIds];
  if (ids.length === 0) return;
  db.prepare<[string, string]>(
    "UPDATE runs SET heartbeat_at = ? WHERE status = 'running' AND run_id IN (SELECT value FROM json_each(?))",
  ).run(nowIso(now), JSON.stringify(ids));
}

export interface SweepOptions {
  /** this process, as its runs record it */
  self: Owner;
  /** runs this process is running now (owned by an open store); every other run of `self` is over */
  ownRuns: ReadonlySet<string>;
  /** a heartbeat older than this means the owner stopped running the run (ms) */
  staleAfterMs: number;
  now?: number;
  probe?: OwnerProbe;
}

/**
 * Marks runs left 'running' as failed when no process runs them any more: the owner is unknown, its
 * process is gone, its pid now belongs to another program (a different start time), its heartbeat
 * is older than `staleAfterMs`, or it is this very process but no open store here runs it. Returns
 * the ids marked.
 */
export function failInterruptedRuns(db: Db, o: SweepOptions): string[] {
  const now = o.now ?? Date.now();
  const probe = o.probe ?? SYSTEM_PROBE;
  const running = db
    .prepare<
      [],
      { run_id: string; owner_pid: number | null; owner_start: string | null; heartbeat_at: string | null; created_at: string }
    >("SELECT run_id, owner_pid, owner_start, heartbeat_at, created_at FROM runs WHERE status = 'running'")
    .all();
  const stale = running.filter((r) => {
    if (r.owner_pid === null) return true;
    const owner: Owner = { pid: r.owner_pid, start: r.owner_start };
    if (owner.pid === o.self.pid && owner.start === o.self.start) return !o.ownRuns.has(r.run_id);
    if (!ownerIsAlive(owner, probe)) return true;
    const lastSign = Date.parse(r.heartbeat_at ?? r.created_at);
    return !(now - lastSign <= o.staleAfterMs);
  });
  // the write lock only when there is something to mark
  if (stale.length === 0) return [];
  const mark = db.prepare<[string, string, string]>(
    "UPDATE runs SET status = 'failed', error = ?, finished_at = ? WHERE run_id = ? AND status = 'running'",
  );
  return db
    .transaction(() => stale.filter((r) => mark.run(INTERRUPTED_ERROR, nowIso(now), r.run_id).changes > 0).map((r) => r.run_id))
    .immediate();
}

// parameters and metrics ------------------------------------------------------------------------

/** Upserts parameters (a key logged again takes the new value). */
export function logParams(db: Db, runId: string, params: Record<string, ParamValue>): void {
  const entries = Object.entries(params);
  for (const [key, value] of entries) {
    requireText(key, 'parameter name');
    const t = typeof value;
    if (t !== 'string' && t !== 'number' && t !== 'boolean') {
      throw new PrognosError('INVALID_INPUT', `parameter "${key}" must be a string, number or boolean`);
    }
    if (t === 'number' && !Number.isFinite(value)) {
      throw new PrognosError('INVALID_INPUT', `parameter "${key}" must be a finite number`);
    }
  }
  const upsert = db.prepare<[string, string, string]>(
    'INSERT INTO params (run_id, key, value_json) VALUES (?, ?, ?) ON CONFLICT (run_id, key) DO UPDATE SET value_json = excluded.value_json',
  );
  db.transaction(() => {
    requireRun(db, runId);
    for (const [key, value] of entries) upsert.run(runId, key, JSON.stringify(value));
  }).immediate();
}

export function paramsOf(db: Db, runId: string): Record<string, ParamValue> {
  const rows = db
    .prepare<[string], { key: string; value_json: string }>(
      'SELECT key, value_json FROM params WHERE run_id = ? ORDER BY key',
    )
    .all(runId);
  return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value_json) as ParamValue]));
}

function checkMetric(m: MetricInput): void {
  requireText(m.key, 'metric name');
  if (typeof m.value !== 'number') throw new PrognosError('INVALID_INPUT', `metric "${m.key}" must be a number`);
  if (m.step !== undefined && !Number.isSafeInteger(m.step)) {
    throw new PrognosError('INVALID_INPUT', `metric "${m.key}": step ${m.step} is not an integer`);
  }
}

/** Appends metric values in one transaction. */
export function logMetrics(db: Db, runId: string, rows: readonly MetricInput[], now: number = Date.now()): void {
  rows.forEach(checkMetric);
  const insert = db.prepare<[string, string, number | null, number | null, string]>(
    'INSERT INTO metrics (run_id, key, step, value, logged_at) VALUES (?, ?, ?, ?, ?)',
  );
  const at = nowIso(now);
  db.transaction(() => {
    requireRun(db, runId);
    // SQLite stores NaN as NULL; metricsOf turns it back into NaN
    for (const m of rows) insert.run(runId, m.key, m.step ?? null, Number.isNaN(m.value) ? null : m.value, at);
  }).immediate();
}

/** Ordered by key, then step (single values first), then logging order. */
export function metricsOf(db: Db, runId: string): MetricPoint[] {
  return db
    .prepare<[string], { key: string; step: number | null; value: number | null }>(
      'SELECT key, step, value FROM metrics WHERE run_id = ? ORDER BY key, step, metric_id',
    )
    .all(runId)
    .map((r) => ({ key: r.key, step: r.step, value: r.value ?? Number.NaN }));
}

// artifacts, models, reports -------------------------------------------------------------------

export function addArtifact(
  db: Db,
  runId: string,
  a: NewArtifact,
  now: number = Date.now(),
): { artifactId: string; sha256: string; size: number } {
  requireText(a.name, 'artifact name');
  requireText(a.kind, 'artifact kind');
  if (!(a.data instanceof Uint8Array))
    throw new PrognosError('INVALID_INPUT', `artifact "${a.name}": data must be bytes`);
  const sha256 = sha256Hex(a.data);
  const size = a.data.byteLength;
  const artifactId = sortableId('art', now);
  try {
    db.transaction(() => {
      requireRun(db, runId);
      db.prepare(
        `INSERT INTO artifacts (artifact_id, run_id, name, kind, media_type, size, sha256, data, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(artifactId, runId, a.name, a.kind, a.mediaType ?? null, size, sha256, blobOf(a.data), nowIso(now));
    }).immediate();
  } catch (e) {
    if (isConstraintError(e) && e.code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw new PrognosError('CONFLICT', `run ${runId} already has an artifact named "${a.name}"`);
    }
    throw e;
  }
  return { artifactId, sha256, size };
}

function corrupt(
  what: string,
  storedSha: string,
  data: Buffer,
  storedSize: number,
  dbPath: string,
): PrognosError | undefined {
  const actual = sha256Hex(data);
  if (actual === storedSha && data.byteLength === storedSize) return undefined;
  const reason = `${what} is corrupt: SHA-256 ${actual} (${data.byteLength} bytes) does not match the recorded ${storedSha} (${storedSize} bytes)`;
  return new PrognosError('BAD_FILE', `${dbPath}: ${reason}`, { issues: [{ file: dbPath, reason }] });
}

/** The artifact's bytes after checking them against the recorded SHA-256 (BAD_FILE on mismatch). */
export function getArtifact(
  db: Db,
  runId: string,
  name: string,
  dbPath: string,
): { data: Buffer; sha256: string } | undefined {
  const row = db
    .prepare<[string, string], { data: Buffer; sha256: string; size: number }>(
      'SELECT data, sha256, size FROM artifacts WHERE run_id = ? AND name = ?',
    )
    .get(runId, name);
  if (row === undefined) return undefined;
  const bad = corrupt(`artifact "${name}" of run ${runId}`, row.sha256, row.data, row.size, dbPath);
  if (bad !== undefined) throw bad;
  return { data: row.data, sha256: row.sha256 };
}

export function listArtifacts(db: Db, runId: string): ArtifactInfo[] {
  return db
    .prepare<[string], ArtifactInfo>(
      `SELECT artifact_id AS artifactId, name, kind, media_type AS mediaType, size, sha256, created_at AS createdAt
       FROM artifacts WHERE run_id = ? ORDER BY name`,
    )
    .all(runId);
}

/** Removes every artifact of the run (and the models registered on them); returns how many. */
export function discardArtifacts(db: Db, runId: string): number {
  return db.prepare<[string]>('DELETE FROM artifacts WHERE run_id = ?').run(runId).changes;
}

/** Registers an artifact of the run as its model of `kind`, replacing an earlier registration. */
export function registerModel(
  db: Db,
  runId: string,
  m: { kind: string; artifactName: string; meta?: unknown },
  now: number = Date.now(),
): void {
  requireText(m.kind, 'model kind');
  const meta = m.meta === undefined ? null : toJson(m.meta, 'model meta');
  db.transaction(() => {
    requireRun(db, runId);
    const art = db
      .prepare<[string, string], { artifact_id: string }>(
        'SELECT artifact_id FROM artifacts WHERE run_id = ? AND name = ?',
      )
      .get(runId, m.artifactName);
    if (art === undefined)
      throw new PrognosError('NOT_FOUND', `run ${runId} has no artifact named "${m.artifactName}"`);
    db.prepare<[string, string, string, string | null, string]>(
      `INSERT INTO models (run_id, kind, artifact_id, meta_json, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (run_id, kind) DO UPDATE SET artifact_id = excluded.artifact_id, meta_json = excluded.meta_json, created_at = excluded.created_at`,
    ).run(runId, m.kind, art.artifact_id, meta, nowIso(now));
  }).immediate();
}

export function modelsOf(db: Db, runId: string): ModelInfo[] {
  return db
    .prepare<
      [string],
      { kind: string; artifact_id: string; name: string; meta_json: string | null; created_at: string }
    >(
      `SELECT m.kind, m.artifact_id, a.name, m.meta_json, m.created_at
       FROM models m JOIN artifacts a ON a.artifact_id = m.artifact_id WHERE m.run_id = ? ORDER BY m.kind`,
    )
    .all(runId)
    .map((r) => ({
      kind: r.kind,
      artifactId: r.artifact_id,
      artifactName: r.name,
      meta: fromJson(r.meta_json),
      createdAt: r.created_at,
    }));
}

export function addReport(
  db: Db,
  runId: string | null,
  r: { title: string; artifactData: Uint8Array },
  now: number = Date.now(),
): string {
  requireText(r.title, 'report title');
  const id = sortableId('rep', now);
  db.transaction(() => {
    if (runId !== null) requireRun(db, runId);
    db.prepare(
      'INSERT INTO reports (report_id, run_id, title, size, sha256, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(
      id,
      runId,
      r.title,
      r.artifactData.byteLength,
      sha256Hex(r.artifactData),
      blobOf(r.artifactData),
      nowIso(now),
    );
  }).immediate();
  return id;
}

/** The report after checking its bytes against the recorded SHA-256 (BAD_FILE on mismatch). */
export function getReport(db: Db, reportId: string, dbPath: string): ReportRecord | undefined {
  const row = db
    .prepare<
      [string],
      {
        report_id: string;
        run_id: string | null;
        title: string;
        size: number;
        sha256: string;
        data: Buffer;
        created_at: string;
      }
    >('SELECT report_id, run_id, title, size, sha256, data, created_at FROM reports WHERE report_id = ?')
    .get(reportId);
  if (row === undefined) return undefined;
  const bad = corrupt(`report ${reportId}`, row.sha256, row.data, row.size, dbPath);
  if (bad !== undefined) throw bad;
  return {
    reportId: row.report_id,
    runId: row.run_id,
    title: row.title,
    data: row.data,
    sha256: row.sha256,
    createdAt: row.created_at,
  };
}
