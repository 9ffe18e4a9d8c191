import type { DriftReport, DriftReportSummary, DriftRequest } from '../../../../shared/drift';

/** The drift channels the view uses: start a drift job, list a run's or bundle's reports, open one. */
export interface DriftClient {
  start(request: DriftRequest): Promise<{ jobId: string }>;
  list(query: { runId: string } | { bundleId: string }): Promise<DriftReportSummary[]>;
  get(reportId: string): Promise<DriftReport>;
}

/** A finished drift job's result: the id of the report it stored. */
export function reportIdOf(result: unknown): string | null {
  if (typeof result !== 'object' || result === null || !('reportId' in result)) return null;
  const id = result.reportId;
  return typeof id === 'string' && id !== '' ? id : null;
}

/** `#/drift/<reportId>` or `#/drift?report=<reportId>` (the notifications' links). */
export function reportIdFromRoute(param: string | null, hash: string): string | null {
  if (param !== null && param !== '') return param;
  const q = hash.indexOf('?');
  if (q < 0) return null;
  const id = new URLSearchParams(hash.slice(q + 1)).get('report');
  return id === null || id === '' ? null : id;
}
