/**
 * The registry's tables (migration 014): registered models, versions, transitions. Every write is
 * one transaction taken with BEGIN IMMEDIATE, so two processes on one store serialise: a promotion
 * re-reads the stage it checked against inside its transaction and refuses (CONFLICT) when another
 * promotion got there first. Moving the old Production version to Archived happens in the same
 * transaction as the promotion; the partial unique index keeps at most one Production version
 * whatever writes the table.
 */
import { PrognosError } from '../../../shared/errors';
import { STAGES, modelNameSchema, promotionCheckSchema, versionMetricsSchema, type ModelVersion, type PromotionCheck, type RegisteredModel, type Stage, type Transition, type VersionMetrics } from '../../../shared/registry';
import { isConstraintError, nowIso, type Db } from '../store/sqlite';

export interface NewVersion {
  readonly model: string;
  readonly source: 'run' | 'bundle';
  readonly runId: string;
  readonly bundleId: string | null;
  readonly configSha256: string | null;
  readonly datasetFingerprint: string;
  readonly manifestSha256: string | null;
  readonly signingKeyId: string | null;
  readonly metrics: VersionMetrics;
  readonly actor: string;
}

export interface StageChange {
  readonly model: string;
  readonly version: number;
  readonly to: Stage;
  /** the candidate's stage the checks saw: refused with CONFLICT when it changed since */
  readonly expectedFrom: Stage;
  /** the Production version the checks compared with (null: none): CONFLICT when it changed since */
  readonly expectedProduction: number | null;
  readonly actor: string;
  readonly reason: string | null;
  readonly checks: readonly PromotionCheck[];
  readonly forced: boolean;
}

interface VersionRow {
  name: string;
  model_id: number;
  version: number;
  source_kind: 'run' | 'bundle';
  run_id: string;
  bundle_id: string | null;
  config_sha256: string | null;
  dataset_fingerprint: string;
  manifest_sha256: string | null;
  signing_key_id: string | null;
  metrics_json: string;
  stage: string;
  created_at: string;
  created_by: string;
}

interface TransitionRow {
  transition_id: number;
  name: string;
  version: number;
  from_stage: string | null;
  to_stage: string;
  actor: string;
  reason: string | null;
  at: string;
  checks_json: string;
  forced: number;
  caused_by: number | null;
}

const VERSION_SELECT = `SELECT m.name, v.model_id, v.version, v.source_kind, v.run_id, v.bundle_id, v.config_sha256, v.dataset_fingerprint, v.manifest_sha256,
  v.signing_key_id, v.metrics_json, v.stage, v.created_at, v.created_by FROM model_versions v JOIN registered_models m ON m.model_id = v.model_id`;

const TRANSITION_SELECT = `SELECT t.transition_id, m.name, t.version, t.from_stage, t.to_stage, t.actor, t.reason, t.at, t.checks_json, t.forced, t.caused_by
  FROM model_transitions t JOIN registered_models m ON m.model_id = t.model_id`;

const MAX_ACTOR = 200;
const MAX_REASON = 2000;

function asStage(s: string, dbPath: string): Stage {
  const hit = STAGES.find((x) => x === s);
  if (hit === undefined) throw new PrognosError('BAD_FILE', `${dbPath}: unknown registry stage "${s}"`);
  return hit;
}

/** One line of text for who and why: trimmed, no control characters, bounded. */
function oneLine(text: string, what: string, max: number): string {
  const t = text.trim();
  if (t.length === 0) throw new PrognosError('INVALID_INPUT', `${what} is empty`);
  if (t.length > max) throw new PrognosError('INVALID_INPUT', `${what} has ${t.length} characters; at most ${max}`);
  if ([...t].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) throw new PrognosError('INVALID_INPUT', `${what} must be one line without control characters`);
  return t;
}

/** The model name, checked (INVALID_INPUT naming the rule). */
export function checkModelName(name: string): string {
  const parsed = modelNameSchema.safeParse(name);
  if (!parsed.success) throw new PrognosError('INVALID_INPUT', `model name "${name}": ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

export class RegistryStore {
  constructor(
    private readonly db: Db,
    /** names the store file in errors about damaged rows */
    private readonly dbPath: string = 'the store',
    private readonly now: () => number = Date.now,
  ) {}

  private toVersion(r: VersionRow): ModelVersion {
    const metrics = versionMetricsSchema.safeParse(JSON.parse(r.metrics_json));
    if (!metrics.success) throw new PrognosError('BAD_FILE', `${this.dbPath}: the metrics of ${r.name} version ${r.version} are damaged`);
    return {
      model: r.name,
      version: r.version,
      stage: asStage(r.stage, this.dbPath),
      source: r.source_kind,
      runId: r.run_id,
      bundleId: r.bundle_id,
      fingerprints: { configSha256: r.config_sha256, datasetFingerprint: r.dataset_fingerprint, manifestSha256: r.manifest_sha256, signingKeyId: r.signing_key_id },
      metrics: metrics.data,
      createdAt: r.created_at,
      createdBy: r.created_by,
    };
  }

  private toTransition(r: TransitionRow): Transition {
    const checks = promotionCheckSchema.array().safeParse(JSON.parse(r.checks_json));
    if (!checks.success) throw new PrognosError('BAD_FILE', `${this.dbPath}: the checks of transition ${r.transition_id} are damaged`);
    return {
      transitionId: r.transition_id,
      model: r.name,
      version: r.version,
      from: r.from_stage === null ? null : asStage(r.from_stage, this.dbPath),
      to: asStage(r.to_stage, this.dbPath),
      actor: r.actor,
      reason: r.reason,
      at: r.at,
      checks: checks.data,
      forced: r.forced === 1,
      causedBy: r.caused_by,
    };
  }

  private modelId(name: string): number | undefined {
    return this.db.prepare<[string], { model_id: number }>('SELECT model_id FROM registered_models WHERE name = ?').get(name)?.model_id;
  }

  private requireModelId(name: string): number {
    const id = this.modelId(name);
    if (id === undefined) throw new PrognosError('NOT_FOUND', `No registered model "${name}".`);
    return id;
  }

  /**
   * Adds the next version of `model` (creating the model on its first version) at stage None, with
   * its registration in the history. CONFLICT when the model already has a version with the same
   * run (for a run) or the same manifest SHA-256 (for a bundle).
   */
  addVersion(v: NewVersion): ModelVersion {
    const name = checkModelName(v.model);
    const actor = oneLine(v.actor, 'the actor', MAX_ACTOR);
    const metrics = versionMetricsSchema.parse(v.metrics);
    const at = nowIso(this.now());
    return this.db
      .transaction((): ModelVersion => {
        let modelId = this.modelId(name);
        if (modelId === undefined) {
          modelId = Number(this.db.prepare<[string, string]>('INSERT INTO registered_models (name, created_at) VALUES (?, ?)').run(name, at).lastInsertRowid);
        }
        const shown = this.db.prepare<[number], { name: string }>('SELECT name FROM registered_models WHERE model_id = ?').get(modelId)!.name;
        const same =
          v.source === 'run'
            ? this.db.prepare<[number, string], { version: number }>("SELECT version FROM model_versions WHERE model_id = ? AND source_kind = 'run' AND run_id = ?").get(modelId, v.runId)
            : this.db.prepare<[number, string], { version: number }>("SELECT version FROM model_versions WHERE model_id = ? AND source_kind = 'bundle' AND manifest_sha256 = ?").get(modelId, v.manifestSha256 ?? '');
        if (same !== undefined) {
          throw new PrognosError('CONFLICT', `${v.source === 'run' ? `Run ${v.runId}` : `Bundle ${v.bundleId ?? ''}`} is version ${same.version} of "${shown}" already.`);
        }
        const version = this.db.prepare<[number], { n: number }>('SELECT coalesce(max(version), 0) + 1 AS n FROM model_versions WHERE model_id = ?').get(modelId)!.n;
        this.db
          .prepare(
            `INSERT INTO model_versions (model_id, version, source_kind, run_id, bundle_id, config_sha256, dataset_fingerprint, manifest_sha256, signing_key_id,
               metrics_json, stage, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'None', ?, ?)`,
          )
          .run(modelId, version, v.source, v.runId, v.bundleId, v.configSha256, v.datasetFingerprint, v.manifestSha256, v.signingKeyId, JSON.stringify(metrics), at, actor);
        this.db
          .prepare("INSERT INTO model_transitions (model_id, version, from_stage, to_stage, actor, reason, at, checks_json, forced, caused_by) VALUES (?, ?, NULL, 'None', ?, 'registered', ?, '[]', 0, NULL)")
          .run(modelId, version, actor, at);
        return this.getVersion(shown, version)!;
      })
      .immediate();
  }

  getVersion(model: string, version: number): ModelVersion | undefined {
    const row = this.db.prepare<[string, number], VersionRow>(`${VERSION_SELECT} WHERE m.name = ? AND v.version = ?`).get(model, version);
    return row === undefined ? undefined : this.toVersion(row);
  }

  /** The model's Production version, if any. */
  production(model: string): ModelVersion | undefined {
    const row = this.db.prepare<[string], VersionRow>(`${VERSION_SELECT} WHERE m.name = ? AND v.stage = 'Production'`).get(model);
    return row === undefined ? undefined : this.toVersion(row);
  }

  /** Every model by name, each with its versions, newest version first. */
  list(): RegisteredModel[] {
    const models = this.db.prepare<[], { model_id: number; name: string; created_at: string }>('SELECT model_id, name, created_at FROM registered_models ORDER BY name COLLATE NOCASE').all();
    const versions = this.db.prepare<[number], VersionRow>(`${VERSION_SELECT} WHERE v.model_id = ? ORDER BY v.version DESC`);
    return models.map((m) => ({ model: m.name, createdAt: m.created_at, versions: versions.all(m.model_id).map((r) => this.toVersion(r)) }));
  }

  /** Versions registered from this run or this bundle (for lineage and the views). */
  versionsOf(ref: { runId: string } | { bundleId: string }): ModelVersion[] {
    const rows =
      'runId' in ref
        ? this.db.prepare<[string], VersionRow>(`${VERSION_SELECT} WHERE v.run_id = ? ORDER BY m.name, v.version`).all(ref.runId)
        : this.db.prepare<[string], VersionRow>(`${VERSION_SELECT} WHERE v.bundle_id = ? ORDER BY m.name, v.version`).all(ref.bundleId);
    return rows.map((r) => this.toVersion(r));
  }

  /** The model's transitions, oldest first (one version's with `version`). */
  history(model: string, version?: number): Transition[] {
    const modelId = this.requireModelId(model);
    const rows =
      version === undefined
        ? this.db.prepare<[number], TransitionRow>(`${TRANSITION_SELECT} WHERE t.model_id = ? ORDER BY t.transition_id`).all(modelId)
        : this.db.prepare<[number, number], TransitionRow>(`${TRANSITION_SELECT} WHERE t.model_id = ? AND t.version = ? ORDER BY t.transition_id`).all(modelId, version);
    return rows.map((r) => this.toTransition(r));
  }

  /**
   * Moves a version to `to`, in one transaction: with Production, the old Production version goes
   * to Archived first (its own transition, `causedBy` this version). CONFLICT when the version or the
   * Production version is no longer what the checks saw, or the version is at `to` already.
   * Returns the transitions written, the promotion's last.
   */
  changeStage(c: StageChange): { transitions: Transition[]; archived: number | null } {
    const actor = oneLine(c.actor, 'the actor', MAX_ACTOR);
    const reason = c.reason === null ? null : oneLine(c.reason, 'the reason', MAX_REASON);
    if (c.forced && reason === null) throw new PrognosError('INVALID_INPUT', 'a forced promotion needs a reason (--reason TEXT)');
    const checks = JSON.stringify(promotionCheckSchema.array().parse(c.checks));
    const at = nowIso(this.now());
    const insert = this.db.prepare(
      'INSERT INTO model_transitions (model_id, version, from_stage, to_stage, actor, reason, at, checks_json, forced, caused_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const setStage = this.db.prepare<[string, number, number]>('UPDATE model_versions SET stage = ? WHERE model_id = ? AND version = ?');
    try {
      return this.db
        .transaction(() => {
          const modelId = this.requireModelId(c.model);
          const current = this.db.prepare<[number, number], { stage: string }>('SELECT stage FROM model_versions WHERE model_id = ? AND version = ?').get(modelId, c.version);
          if (current === undefined) throw new PrognosError('NOT_FOUND', `"${c.model}" has no version ${c.version}.`);
          const from = asStage(current.stage, this.dbPath);
          if (from === c.to) throw new PrognosError('CONFLICT', `${c.model} version ${c.version} is in ${c.to} already.`);
          if (from !== c.expectedFrom) throw new PrognosError('CONFLICT', `${c.model} version ${c.version} moved to ${from} while its checks ran; nothing changed, try again.`);
          const prod = this.db.prepare<[number], { version: number }>("SELECT version FROM model_versions WHERE model_id = ? AND stage = 'Production'").get(modelId)?.version ?? null;
          if (prod !== c.expectedProduction) {
            throw new PrognosError(
              'CONFLICT',
              `The Production version of ${c.model} changed while the checks ran (now ${prod === null ? 'none' : `version ${prod}`}); nothing changed, check again.`,
            );
          }
          const ids: number[] = [];
          let archived: number | null = null;
          if (c.to === 'Production' && prod !== null) {
            setStage.run('Archived', modelId, prod);
            ids.push(Number(insert.run(modelId, prod, 'Production', 'Archived', actor, `replaced by version ${c.version}`, at, '[]', 0, c.version).lastInsertRowid));
            archived = prod;
          }
          setStage.run(c.to, modelId, c.version);
          ids.push(Number(insert.run(modelId, c.version, from, c.to, actor, reason, at, checks, c.forced ? 1 : 0, null).lastInsertRowid));
          const read = this.db.prepare<[number], TransitionRow>(`${TRANSITION_SELECT} WHERE t.transition_id = ?`);
          return { transitions: ids.map((id) => this.toTransition(read.get(id)!)), archived };
        })
        .immediate();
    } catch (e) {
      // the database's own guard (one Production version): reported, never a half-done promotion
      if (isConstraintError(e) && /model_versions/.test(e.message)) throw new PrognosError('CONFLICT', `${c.model} already has a Production version; nothing changed.`);
      throw e;
    }
  }

  /**
   * PDF maintenance reports made with this run or bundle (a bundle's by its library id or by its
   * manifest SHA-256, which a report records), newest first.
   */
  reportsMadeWith(ref: { runId: string; bundleId: string | null; manifestSha256: string | null }): { reportId: string; title: string; fleet: string; createdAt: string; source: 'run' | 'bundle'; sha256: string }[] {
    const rows =
      ref.bundleId === null
        ? this.db
            .prepare<[string], { report_id: string; title: string; fleet: string; created_at: string; source_kind: 'run' | 'bundle'; sha256: string }>(
              "SELECT report_id, title, fleet, created_at, source_kind, sha256 FROM fleet_reports WHERE source_kind = 'run' AND run_id = ? ORDER BY created_at DESC, report_id DESC",
            )
            .all(ref.runId)
        : this.db
            .prepare<[string, string], { report_id: string; title: string; fleet: string; created_at: string; source_kind: 'run' | 'bundle'; sha256: string }>(
              "SELECT report_id, title, fleet, created_at, source_kind, sha256 FROM fleet_reports WHERE source_kind = 'bundle' AND (bundle_id = ? OR bundle_sha256 = ?) ORDER BY created_at DESC, report_id DESC",
            )
            .all(ref.bundleId, ref.manifestSha256 ?? '');
    return rows.map((r) => ({ reportId: r.report_id, title: r.title, fleet: r.fleet, createdAt: r.created_at, source: r.source_kind, sha256: r.sha256 }));
  }

  /** Drift reports against this run, or this bundle (by library id) or the run it was exported from, newest first. */
  driftReportsOf(ref: { runId: string; bundleId: string | null }): { reportId: string; createdAt: string; fleet: string; datasetDrift: boolean }[] {
    const rows =
      ref.bundleId === null
        ? this.db
            .prepare<[string], { report_id: string; created_at: string; current_label: string; dataset_drift: number }>(
              'SELECT report_id, created_at, current_label, dataset_drift FROM drift_reports WHERE run_id = ? ORDER BY created_at DESC, report_id DESC',
            )
            .all(ref.runId)
        : this.db
            .prepare<[string, string], { report_id: string; created_at: string; current_label: string; dataset_drift: number }>(
              'SELECT report_id, created_at, current_label, dataset_drift FROM drift_reports WHERE bundle_id = ? OR run_id = ? ORDER BY created_at DESC, report_id DESC',
            )
            .all(ref.bundleId, ref.runId);
    return rows.map((r) => ({ reportId: r.report_id, createdAt: r.created_at, fleet: r.current_label, datasetDrift: r.dataset_drift === 1 }));
  }
}
