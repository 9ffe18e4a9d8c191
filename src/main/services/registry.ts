/**
 * The model registry: register a run or a bundle as a version of a named model, promote versions
 * through None → Staging → Production → Archived with checks, and read the history and the lineage.
 *
 * Checks gather their inputs here (the bundle is read in a worker thread: checksums and signature
 * against the keyring) and are judged by the pure functions of core/registry/checks.ts. A promotion
 * whose checks fail is refused (`promoted: false`, nothing written) unless forced with a reason; the
 * stage change itself is one transaction that re-reads what the checks saw (core/registry/store.ts).
 */
import { userInfo } from 'node:os';
import { basename } from 'node:path';
import { PrognosError } from '../../shared/errors';
import type { Lineage, ModelVersion, PromotionCheck, PromotionResult, RegisteredModel, Stage, Transition, VersionMetrics } from '../../shared/registry';
import { failedChecks, promotionChecks, type SignatureInput } from '../core/registry/checks';
import { configSha256, headlineF2, runMetrics } from '../core/registry/fingerprints';
import { checkModelName, type RegistryStore } from '../core/registry/store';
import type { ExperimentStore } from '../core/store/store';
import type { BundleFingerprint, RegistryWorkerRequest, RegistryWorkerValue } from '../workers/registry-protocol';
import type { ExportService } from './exports';
import type { TrainingService } from './training';
import { callWorker, type WorkerCallContext } from './worker-call';

/** What to register: a finished run of this store, or a bundle of the library (by its id). */
export type RegistrySource = { readonly runId: string } | { readonly bundleId: string };

export interface RegisterInput {
  readonly model: string;
  readonly source: RegistrySource;
  /** who registers (default: the user this process runs as) */
  readonly actor?: string;
}

export interface PromoteInput {
  readonly model: string;
  readonly version: number;
  readonly stage: Stage;
  readonly reason?: string;
  /** promote even when checks fail; needs a reason, and the override is recorded */
  readonly force?: boolean;
  readonly actor?: string;
}

export interface CheckReport {
  readonly checks: PromotionCheck[];
  /** the version's stage when checked */
  readonly from: Stage;
  /** the Production version compared with (null: none) */
  readonly production: number | null;
}

const UNCANCELLED: WorkerCallContext = { signal: new AbortController().signal };

/** The user this process runs as (the default actor). */
export function osUser(): string {
  try {
    const name = userInfo().username;
    if (name.length > 0) return name;
  } catch {
    // no passwd entry (a container's arbitrary uid): fall back to the environment
  }
  return process.env.USER ?? process.env.USERNAME ?? 'unknown';
}

export class RegistryService {
  constructor(
    private readonly store: ExperimentStore,
    private readonly exports: ExportService,
    private readonly training: TrainingService,
  ) {}

  private get registry(): RegistryStore {
    return this.store.registry();
  }

  /** Reads a bundle of the library in a worker thread: fingerprints and trust, or why it cannot be read. */
  async readBundle(bundleId: string, ctx: WorkerCallContext = UNCANCELLED): Promise<BundleFingerprint> {
    const path = this.exports.bundlePath(bundleId);
    const request: RegistryWorkerRequest = { op: 'fingerprint', path, trustedKeys: this.store.trustedKeys() };
    return (await callWorker<RegistryWorkerRequest, RegistryWorkerValue>(this.training.workerScript('registry-worker'), request, ctx)).value.bundle;
  }

  /**
   * Registers the run or bundle as the model's next version, at stage None (the model is created
   * with its first version). A run must be finished; a bundle must read soundly (checksums) and not
   * carry a bad signature (an unsigned bundle or one of an unknown key registers, and fails the
   * signature check when promoted). CONFLICT when the model has this run or bundle already.
   */
  async register(input: RegisterInput, ctx: WorkerCallContext = UNCANCELLED): Promise<ModelVersion> {
    const model = checkModelName(input.model);
    const actor = input.actor ?? osUser();
    if ('runId' in input.source) {
      const run = this.store.getRun(input.source.runId);
      if (run === undefined) throw new PrognosError('NOT_FOUND', `No run ${input.source.runId}.`);
      if (run.status !== 'done') throw new PrognosError('CONFLICT', `Run ${run.runId} is ${run.status}; only a finished run can be registered.`);
      return this.registry.addVersion({
        model,
        source: 'run',
        runId: run.runId,
        bundleId: null,
        configSha256: configSha256(run.config),
        datasetFingerprint: run.datasetFingerprint,
        manifestSha256: null,
        signingKeyId: null,
        metrics: runMetrics(run.result),
        actor,
      });
    }
    const bundleId = input.source.bundleId;
    const b = await this.readBundle(bundleId, ctx);
    if (!b.ok) throw new PrognosError('BAD_FILE', `Bundle ${bundleId} cannot be registered: ${b.reason}`);
    if (b.trust.verdict === 'bad-signature') throw new PrognosError('BAD_FILE', `Bundle ${bundleId} cannot be registered: ${b.trust.summary}`);
    const run = this.store.getRun(b.runId);
    // the run it was exported from, when this store holds it (the same training data): its RUL figures
    const sameRun = run !== undefined && run.datasetFingerprint === b.datasetFingerprint ? run : undefined;
    const metrics: VersionMetrics = { f2: headlineF2(b.metrics), rulRmse: sameRun === undefined ? null : runMetrics(sameRun.result).rulRmse };
    return this.registry.addVersion({
      model,
      source: 'bundle',
      runId: b.runId,
      bundleId,
      configSha256: configSha256(b.config) ?? (sameRun === undefined ? null : configSha256(sameRun.config)),
      datasetFingerprint: b.datasetFingerprint,
      manifestSha256: b.manifestSha256,
      signingKeyId: b.trust.keyId,
      metrics,
      actor,
    });
  }

  private requireVersion(model: string, version: number): ModelVersion {
    const v = this.registry.getVersion(model, version);
    if (v === undefined) {
      if (this.registry.list().every((m) => m.model.toLowerCase() !== model.toLowerCase())) throw new PrognosError('NOT_FOUND', `No registered model "${model}".`);
      throw new PrognosError('NOT_FOUND', `"${model}" has no version ${version}.`);
    }
    return v;
  }

  private async signatureInput(v: ModelVersion, ctx: WorkerCallContext): Promise<SignatureInput> {
    if (v.source === 'run') {
      if (this.store.getRun(v.runId) === undefined) return { kind: 'run', missing: true, damaged: [], artifacts: 0 };
      const artifacts = this.store.listArtifacts(v.runId);
      const damaged: string[] = [];
      for (const a of artifacts) {
        try {
          if (this.store.getArtifact(v.runId, a.name) === undefined) damaged.push(`${a.name}: missing`);
        } catch (e) {
          damaged.push(`${a.name}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      return { kind: 'run', missing: false, damaged, artifacts: artifacts.length };
    }
    const registered = { manifestSha256: v.fingerprints.manifestSha256 ?? '', signingKeyId: v.fingerprints.signingKeyId };
    let b: BundleFingerprint;
    try {
      b = await this.readBundle(v.bundleId ?? '', ctx);
    } catch (e) {
      if (e instanceof PrognosError && e.code === 'NOT_FOUND') b = { ok: false, reason: `${v.bundleId ?? ''} is no longer in the bundle library` };
      else throw e;
    }
    if (!b.ok) return { kind: 'bundle', unreadable: b.reason, verdict: null, summary: '', keyId: null, manifestSha256: null, registered };
    return { kind: 'bundle', unreadable: null, verdict: b.trust.verdict, summary: b.trust.summary, keyId: b.trust.keyId, manifestSha256: b.manifestSha256, registered };
  }

  private latestDrift(v: ModelVersion) {
    const [newest] = this.registry.driftReportsOf({ runId: v.runId, bundleId: v.bundleId });
    if (newest === undefined) return null;
    const report = this.store.getDriftReport(newest.reportId);
    if (report === undefined) return null;
    return {
      reportId: report.reportId,
      createdAt: report.createdAt,
      fleet: report.current.label,
      datasetDrift: report.datasetDrift,
      driftedShare: report.driftedShare,
      predictionDrifted: report.prediction.drifted,
    };
  }

  /** The checks a promotion of the version to `stage` would run now (none for None and Archived). */
  async check(model: string, version: number, stage: Stage, ctx: WorkerCallContext = UNCANCELLED): Promise<CheckReport> {
    const v = this.requireVersion(model, version);
    const prod = this.registry.production(v.model);
    const production = prod === undefined ? null : { version: prod.version, metrics: prod.metrics };
    const checks =
      stage === 'Staging' || stage === 'Production'
        ? promotionChecks({
            target: stage,
            candidate: { version: v.version, metrics: v.metrics },
            production,
            latest: this.latestDrift(v),
            signature: await this.signatureInput(v, ctx),
          })
        : [];
    return { checks, from: v.stage, production: production?.version ?? null };
  }

  /**
   * Moves a version to `stage`. To Staging or Production the checks run first: any failed check
   * refuses the promotion (`promoted: false`, nothing written) unless `force` with a `reason`, which
   * is recorded as an override. Promoting to Production archives the old Production version in the
   * same transaction. CONFLICT when another promotion changed the model while the checks ran.
   */
  async promote(input: PromoteInput, ctx: WorkerCallContext = UNCANCELLED): Promise<PromotionResult> {
    const force = input.force === true;
    const reason = input.reason === undefined || input.reason.trim() === '' ? null : input.reason;
    if (force && reason === null) throw new PrognosError('INVALID_INPUT', '--force needs --reason TEXT: an override is recorded with its reason.');
    const v = this.requireVersion(input.model, input.version);
    if (v.stage === input.stage) throw new PrognosError('CONFLICT', `${v.model} version ${v.version} is in ${input.stage} already.`);
    const report = await this.check(v.model, v.version, input.stage, ctx);
    const failed = failedChecks(report.checks);
    const base = { model: v.model, version: v.version, stage: input.stage, checks: report.checks };
    if (failed.length > 0 && !force) return { ...base, promoted: false, forced: false, archived: null, transitions: [] };
    const forced = failed.length > 0;
    const done = this.registry.changeStage({
      model: v.model,
      version: v.version,
      to: input.stage,
      expectedFrom: report.from,
      expectedProduction: report.production,
      actor: input.actor ?? osUser(),
      reason,
      checks: report.checks,
      forced,
    });
    return { ...base, promoted: true, forced, archived: done.archived, transitions: done.transitions };
  }

  list(): RegisteredModel[] {
    return this.registry.list();
  }

  history(model: string): Transition[] {
    return this.registry.history(checkModelName(model));
  }

  /** dataset file fingerprint → run → bundle → this version → reports made with its run or bundle */
  lineage(model: string, version: number): Lineage {
    const v = this.requireVersion(model, version);
    const run = this.store.getRun(v.runId);
    const dataset = this.store.findByFingerprint(v.fingerprints.datasetFingerprint)[0] ?? (run === undefined ? undefined : this.store.getDataset(run.datasetId));
    const names = this.store.housekeeping();
    let inLibrary = false;
    if (v.bundleId !== null) {
      try {
        this.exports.bundlePath(v.bundleId);
        inLibrary = true;
      } catch {
        inLibrary = false;
      }
    }
    return {
      version: v,
      dataset: {
        fingerprint: v.fingerprints.datasetFingerprint,
        datasetId: dataset?.datasetId ?? null,
        name: dataset?.name ?? null,
        file: dataset === undefined ? null : basename(dataset.sourceFile.replaceAll('\\', '/')),
      },
      run: {
        runId: v.runId,
        inStore: run !== undefined,
        name: run === undefined ? null : names.runName(run.runId),
        status: run?.status ?? null,
        createdAt: run?.createdAt ?? null,
        configSha256: v.fingerprints.configSha256,
      },
      bundle:
        v.bundleId === null
          ? null
          : {
              bundleId: v.bundleId,
              manifestSha256: v.fingerprints.manifestSha256 ?? '',
              signingKeyId: v.fingerprints.signingKeyId,
              inLibrary,
              name: names.bundleNames().get(v.bundleId) ?? null,
            },
      reports: this.registry.reportsMadeWith({ runId: v.runId, bundleId: v.bundleId, manifestSha256: v.fingerprints.manifestSha256 }),
      driftReports: this.registry.driftReportsOf({ runId: v.runId, bundleId: v.bundleId }),
    };
  }
}
