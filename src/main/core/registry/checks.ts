/**
 * Promotion checks as pure functions over what the service gathered. A promotion to Staging or
 * Production runs three checks; each is `passed`, `failed` or `skipped` (nothing to judge: the
 * reason is in its detail, never a silent pass). Any `failed` refuses the promotion unless forced.
 *
 * - metrics: the candidate's validation F2 must not be below the current Production version's, and
 *   its RUL RMSE not above it when both have one. No Production version (or the candidate is it):
 *   skipped. A candidate without an F2 against a Production version with one: failed.
 * - drift: the newest stored drift report against the candidate (its bundle, or its run) must not
 *   flag dataset drift or prediction drift. No drift report: skipped ("no drift report") — a fleet
 *   nobody compared yet shows no drift, and the detail says so; a pipeline that must see one runs
 *   `prognos drift` first.
 * - signature: a bundle version must still read as registered (checksums sound, manifest SHA-256
 *   unchanged) and be signed by a key of the keyring — the same key it was registered with. A run
 *   version has no bundle to sign: the run lives in this store, whose artifacts carry SHA-256
 *   checked on every read; the check reads every artifact and fails on a mismatch, and says that a
 *   run is not a signed artefact.
 */
import type { PromotionCheck, Stage, VersionMetrics } from '../../../shared/registry';

/** stages whose promotion runs the checks */
export const CHECKED_STAGES: readonly Stage[] = ['Staging', 'Production'];

export interface MetricsInput {
  readonly candidate: { readonly version: number; readonly metrics: VersionMetrics };
  /** the current Production version (null: none) */
  readonly production: { readonly version: number; readonly metrics: VersionMetrics } | null;
}

/** float noise of a recomputed metric is not "worse" */
const TOLERANCE = 1e-9;
const f = (x: number): string => x.toFixed(4);

export function metricsCheck({ candidate, production }: MetricsInput): PromotionCheck {
  if (production === null) return { name: 'metrics', status: 'skipped', detail: 'no Production version to compare with' };
  if (production.version === candidate.version) return { name: 'metrics', status: 'skipped', detail: `version ${candidate.version} is the Production version` };
  const c = candidate.metrics;
  const p = production.metrics;
  const problems: string[] = [];
  const said: string[] = [];
  if (p.f2 !== null) {
    if (c.f2 === null) problems.push(`version ${candidate.version} has no validation F2 to compare with Production's ${f(p.f2)}`);
    else if (c.f2 < p.f2 - TOLERANCE) problems.push(`validation F2 ${f(c.f2)} is below Production (version ${production.version}) ${f(p.f2)}`);
    else said.push(`validation F2 ${f(c.f2)} ≥ Production (version ${production.version}) ${f(p.f2)}`);
  } else said.push(`Production (version ${production.version}) has no validation F2`);
  if (c.rulRmse !== null && p.rulRmse !== null) {
    if (c.rulRmse > p.rulRmse + TOLERANCE) problems.push(`RUL RMSE ${f(c.rulRmse)} is above Production's ${f(p.rulRmse)}`);
    else said.push(`RUL RMSE ${f(c.rulRmse)} ≤ Production's ${f(p.rulRmse)}`);
  } else said.push('RUL RMSE not compared (not recorded for both)');
  return problems.length > 0 ? { name: 'metrics', status: 'failed', detail: problems.join('; ') } : { name: 'metrics', status: 'passed', detail: said.join('; ') };
}

export interface DriftInput {
  /** the newest stored drift report against the candidate's bundle or run (null: none) */
  readonly latest: {
    readonly reportId: string;
    readonly createdAt: string;
    /** the fleet compared */
    readonly fleet: string;
    readonly datasetDrift: boolean;
    readonly driftedShare: number;
    readonly predictionDrifted: boolean;
  } | null;
}

export function driftCheck({ latest }: DriftInput): PromotionCheck {
  if (latest === null) return { name: 'drift', status: 'skipped', detail: 'no drift report against this version yet (run `prognos drift` on the latest fleet to check it)' };
  const where = `drift report ${latest.reportId} on ${latest.fleet} (${latest.createdAt})`;
  const flags = [
    ...(latest.datasetDrift ? [`dataset drift (${(latest.driftedShare * 100).toFixed(0)} % of features drifted)`] : []),
    ...(latest.predictionDrifted ? ['prediction drift'] : []),
  ];
  return flags.length > 0
    ? { name: 'drift', status: 'failed', detail: `${where} flags ${flags.join(' and ')}` }
    : { name: 'drift', status: 'passed', detail: `${where} flags no drift (${(latest.driftedShare * 100).toFixed(0)} % of features drifted)` };
}

export type SignatureInput =
  | {
      readonly kind: 'bundle';
      /** the bundle could not be found or read (checksums, layout): why; null when it read */
      readonly unreadable: string | null;
      readonly verdict: 'trusted' | 'unknown-key' | 'unsigned' | 'bad-signature' | null;
      readonly summary: string;
      readonly keyId: string | null;
      readonly manifestSha256: string | null;
      readonly registered: { readonly manifestSha256: string; readonly signingKeyId: string | null };
    }
  | {
      readonly kind: 'run';
      /** the run is no longer in the store */
      readonly missing: boolean;
      /** artifacts whose bytes no longer match their SHA-256, with the reason */
      readonly damaged: readonly string[];
      readonly artifacts: number;
    };

export function signatureCheck(s: SignatureInput): PromotionCheck {
  if (s.kind === 'run') {
    if (s.missing) return { name: 'signature', status: 'failed', detail: 'the run of this version is no longer in the store' };
    if (s.damaged.length > 0) return { name: 'signature', status: 'failed', detail: `the run's artifacts do not match their SHA-256: ${s.damaged.join('; ')}` };
    return {
      name: 'signature',
      status: 'skipped',
      detail: `a run version has no bundle to sign; its ${s.artifacts} artifacts in this store match their SHA-256 (export a signed bundle and register it to deploy)`,
    };
  }
  if (s.unreadable !== null) return { name: 'signature', status: 'failed', detail: `the bundle cannot be read: ${s.unreadable}` };
  if (s.manifestSha256 !== s.registered.manifestSha256) {
    return { name: 'signature', status: 'failed', detail: `the bundle changed since it was registered (manifest.json SHA-256 ${short(s.manifestSha256)}, registered ${short(s.registered.manifestSha256)})` };
  }
  if (s.verdict !== 'trusted') return { name: 'signature', status: 'failed', detail: `not signed by a trusted key: ${s.summary}` };
  if (s.registered.signingKeyId !== null && s.keyId !== s.registered.signingKeyId) {
    return { name: 'signature', status: 'failed', detail: `signed by another key than at registration (${short(s.keyId)}, registered ${short(s.registered.signingKeyId)})` };
  }
  return { name: 'signature', status: 'passed', detail: s.summary };
}

const short = (h: string | null): string => (h === null ? 'none' : h.slice(0, 16));

export interface PromotionInputs extends MetricsInput, DriftInput {
  readonly target: Stage;
  readonly signature: SignatureInput;
}

/** The checks of a promotion to `target` (none for None and Archived). */
export function promotionChecks(i: PromotionInputs): PromotionCheck[] {
  if (!CHECKED_STAGES.includes(i.target)) return [];
  return [metricsCheck(i), driftCheck(i), signatureCheck(i.signature)];
}

export function failedChecks(checks: readonly PromotionCheck[]): PromotionCheck[] {
  return checks.filter((c) => c.status === 'failed');
}
