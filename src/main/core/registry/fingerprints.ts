/** Fingerprints and validation figures of a registry version, read from a run's record or a bundle's manifest. */
import { createHash } from 'node:crypto';
import type { VersionMetrics } from '../../../shared/registry';

/** JSON with object keys sorted at every level: the same config always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** SHA-256 of the config's canonical JSON (null for no config). */
export function configSha256(config: unknown): string | null {
  if (config === null || config === undefined) return null;
  return createHash('sha256').update(canonicalJson(config)).digest('hex');
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The headline (ensemble, else GBDT) validation F2 of a run result's or a manifest's `metrics`. */
export function headlineF2(metrics: unknown): number | null {
  if (!isRecord(metrics)) return null;
  const h = isRecord(metrics.ensemble) ? metrics.ensemble : isRecord(metrics.gbdt) ? metrics.gbdt : null;
  return h !== null && isRecord(h.validation) ? num(h.validation.f2) : null;
}

/** The headline (ensemble, else GBDT) RUL model's validation RMSE of a run result's `rul`. */
export function headlineRulRmse(rul: unknown): number | null {
  if (!isRecord(rul) || !isRecord(rul.metrics)) return null;
  const m = rul.metrics;
  const h = isRecord(m.ensemble) ? m.ensemble : isRecord(m.gbdt) ? m.gbdt : null;
  return h !== null && isRecord(h.validation) ? num(h.validation.rmse) : null;
}

/** What a run's result records for the metrics check. */
export function runMetrics(result: unknown): VersionMetrics {
  const r = isRecord(result) ? result : {};
  return { f2: headlineF2(r.metrics), rulRmse: headlineRulRmse(r.rul) };
}
