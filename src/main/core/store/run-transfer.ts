/**
 * A run as plain data, to move it between stores (`prognos runs export/import`): the run record,
 * its parameters, every metric point, artifacts with their bytes, registered models, notes and tags.
 * `insertRun` writes one in a single transaction; the run may name a dataset this store does not hold
 * (migration 012: its id and fingerprint stay as lineage), and `run_imports` records where it came from.
 */
import { PrognosError } from '../../../shared/errors';
import { sha256Hex } from './blobs';
import { sortableId } from './ids';
import { fromJson, nowIso, toJson, type Db } from './sqlite';

export interface RunSnapshot {
  run: {
    runId: string;
    kind: string;
    status: string;
    config: unknown;
    seed: number;
    datasetId: string;
    datasetFingerprint: string;
    backend: string | null;
    error: string | null;
    result: unknown;
    createdAt: string;
    finishedAt: string | null;
    name: string | null;
    notes: string;
    tags: string[];
  };
  params: Record<string, unknown>;
  metrics: { key: string; step: number | null; value: number | null; loggedAt: string }[];
  artifacts: { name: string; kind: string; mediaType: string | null; size: number; sha256: string; createdAt: string; data: Uint8Array }[];
  models: { kind: string; artifactName: string; meta: unknown; createdAt: string }[];
}

export interface ImportRecord {
  runId: string;
  sourceRunId: string;
  datasetName: string | null;
  archiveSha256: string;
  sourceAppVersion: string | null;
  importedAt: string;
}

interface RunRow {
  run_id: string;
  kind: string;
  status: string;
  config_json: string;
  seed: number;
  dataset_id: string;
  dataset_fingerprint: string;
  backend: string | null;
  error: string | null;
  result_json: string | null;
  created_at: string;
  finished_at: string | null;
  name: string | null;
  notes: string;
  tags_json: string;
}

export class RunTransferStore {
  constructor(
    private readonly db: Db,
    private readonly dbPath: string,
  ) {}

  /** Everything the store holds about a run; artifacts are checked against their SHA-256 (BAD_FILE). */
  snapshot(runId: string): RunSnapshot {
    const r = this.db
      .prepare<[string], RunRow>(
        'SELECT run_id, kind, status, config_json, seed, dataset_id, dataset_fingerprint, backend, error, result_json, created_at, finished_at, name, notes, tags_json FROM runs WHERE run_id = ?',
      )
      .get(runId);
    if (r === undefined) throw new PrognosError('NOT_FOUND', `No run ${runId}.`);
    const params = Object.fromEntries(
      this.db.prepare<[string], { key: string; value_json: string }>('SELECT key, value_json FROM params WHERE run_id = ? ORDER BY key').all(runId).map((p) => [p.key, JSON.parse(p.value_json) as unknown]),
    );
    const metrics = this.db
      .prepare<[string], { key: string; step: number | null; value: number | null; logged_at: string }>('SELECT key, step, value, logged_at FROM metrics WHERE run_id = ? ORDER BY metric_id')
      .all(runId)
      .map((m) => ({ key: m.key, step: m.step, value: m.value, loggedAt: m.logged_at }));
    const artifacts = this.db
      .prepare<[string], { name: string; kind: string; media_type: string | null; size: number; sha256: string; created_at: string; data: Buffer }>(
        'SELECT name, kind, media_type, size, sha256, created_at, data FROM artifacts WHERE run_id = ? ORDER BY name',
      )
      .all(runId)
      .map((a) => {
        const actual = sha256Hex(a.data);
        if (actual !== a.sha256 || a.data.byteLength !== a.size) {
          throw new PrognosError('BAD_FILE', `${this.dbPath}: artifact "${a.name}" of run ${runId} is corrupt: SHA-256 ${actual} does not match the recorded ${a.sha256}`);
        }
        return { name: a.name, kind: a.kind, mediaType: a.media_type, size: a.size, sha256: a.sha256, createdAt: a.created_at, data: new Uint8Array(a.data) };
      });
    const models = this.db
      .prepare<[string], { kind: string; name: string; meta_json: string | null; created_at: string }>(
        'SELECT m.kind, a.name, m.meta_json, m.created_at FROM models m JOIN artifacts a ON a.artifact_id = m.artifact_id WHERE m.run_id = ? ORDER BY m.kind',
      )
      .all(runId)
      .map((m) => ({ kind: m.kind, artifactName: m.name, meta: fromJson(m.meta_json), createdAt: m.created_at }));
    const tags = JSON.parse(r.tags_json) as unknown;
    return {
      run: {
        runId: r.run_id,
        kind: r.kind,
        status: r.status,
        config: fromJson(r.config_json),
        seed: r.seed,
        datasetId: r.dataset_id,
        datasetFingerprint: r.dataset_fingerprint,
        backend: r.backend,
        error: r.error,
        result: fromJson(r.result_json),
        createdAt: r.created_at,
        finishedAt: r.finished_at,
        name: r.name,
        notes: r.notes,
        tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [],
      },
      params,
      metrics,
      artifacts,
      models,
    };
  }

  /**
   * Writes `s` as a new run `runId` (CONFLICT when the id is taken), in experiment `experimentId`, on
   * dataset `datasetId` (which need not exist here), in one transaction.
   */
  insertRun(s: RunSnapshot, o: { runId: string; experimentId: string | null; datasetId: string; source: Omit<ImportRecord, 'runId' | 'importedAt'> }, now: number = Date.now()): void {
    if (s.run.status === 'running') throw new PrognosError('INVALID_INPUT', `run ${s.run.runId} is still running; only a finished run can be imported`);
    this.db
      .transaction(() => {
        if (this.db.prepare<[string]>('SELECT 1 FROM runs WHERE run_id = ?').get(o.runId) !== undefined) {
          throw new PrognosError('CONFLICT', `a run ${o.runId} exists already in this store`);
        }
        this.db
          .prepare(
            `INSERT INTO runs (run_id, experiment_id, dataset_id, kind, status, config_json, seed, dataset_fingerprint, backend, error, result_json, owner_pid, created_at, finished_at, name, notes, tags_json)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)`,
          )
          .run(
            o.runId,
            o.experimentId,
            o.datasetId,
            s.run.kind,
            s.run.status,
            toJson(s.run.config, 'run config'),
            s.run.seed,
            s.run.datasetFingerprint,
            s.run.backend,
            s.run.error,
            s.run.result === null || s.run.result === undefined ? null : toJson(s.run.result, 'run result'),
            s.run.createdAt,
            s.run.finishedAt,
            s.run.name,
            s.run.notes,
            JSON.stringify(s.run.tags),
          );
        const param = this.db.prepare<[string, string, string]>('INSERT INTO params (run_id, key, value_json) VALUES (?, ?, ?)');
        for (const [k, v] of Object.entries(s.params)) param.run(o.runId, k, JSON.stringify(v));
        const metric = this.db.prepare<[string, string, number | null, number | null, string]>('INSERT INTO metrics (run_id, key, step, value, logged_at) VALUES (?, ?, ?, ?, ?)');
        for (const m of s.metrics) metric.run(o.runId, m.key, m.step, m.value, m.loggedAt);
        const artifact = this.db.prepare(
          'INSERT INTO artifacts (artifact_id, run_id, name, kind, media_type, size, sha256, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        );
        const ids = new Map<string, string>();
        for (const a of s.artifacts) {
          if (sha256Hex(a.data) !== a.sha256 || a.data.byteLength !== a.size) throw new PrognosError('BAD_FILE', `artifact "${a.name}": its bytes do not match its SHA-256`);
          const id = sortableId('art', now);
          ids.set(a.name, id);
          artifact.run(id, o.runId, a.name, a.kind, a.mediaType, a.size, a.sha256, Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength), a.createdAt);
        }
        const model = this.db.prepare<[string, string, string, string | null, string]>('INSERT INTO models (run_id, kind, artifact_id, meta_json, created_at) VALUES (?, ?, ?, ?, ?)');
        for (const m of s.models) {
          const id = ids.get(m.artifactName);
          if (id === undefined) throw new PrognosError('BAD_FILE', `model "${m.kind}" names an artifact "${m.artifactName}" the run does not have`);
          model.run(o.runId, m.kind, id, m.meta === null || m.meta === undefined ? null : toJson(m.meta, 'model meta'), m.createdAt);
        }
        this.db
          .prepare(
            'INSERT INTO run_imports (run_id, source_run_id, dataset_name, archive_sha256, source_app_version, imported_at) VALUES (?, ?, ?, ?, ?, ?)',
          )
          .run(o.runId, o.source.sourceRunId, o.source.datasetName, o.source.archiveSha256, o.source.sourceAppVersion, nowIso(now));
      })
      .immediate();
  }

  /** Where an imported run came from; undefined for a run trained here. */
  importOf(runId: string): ImportRecord | undefined {
    return this.db
      .prepare<[string], ImportRecord>(
        'SELECT run_id AS runId, source_run_id AS sourceRunId, dataset_name AS datasetName, archive_sha256 AS archiveSha256, source_app_version AS sourceAppVersion, imported_at AS importedAt FROM run_imports WHERE run_id = ?',
      )
      .get(runId);
  }

  /** A fresh run id (for `--new-id`). */
  static newRunId(now: number = Date.now()): string {
    return sortableId('run', now);
  }
}
