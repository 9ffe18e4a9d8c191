/**
 * What changed since the previous report of the same fleet: bucket counts then, units newly at risk
 * and no longer at risk, the largest probability rises, units added and removed. Pure.
 */
import type { ReportPrevious, ReportRecord, RiskBucket } from '../../../shared/report';

export interface UnitDigest {
  readonly unit: number;
  readonly probability: number;
  readonly bucket: RiskBucket;
}

/** at most this many rises are listed */
export const MAX_RISEN = 10;

const ascending = (a: number, b: number): number => a - b;

export function compareWithPrevious(
  previous: Readonly<{ record: Pick<ReportRecord, 'reportId' | 'createdAt' | 'title'>; units: readonly UnitDigest[] }>,
  current: readonly UnitDigest[],
): ReportPrevious {
  const before = new Map(previous.units.map((u) => [u.unit, u]));
  const now = new Map(current.map((u) => [u.unit, u]));
  const counts = { now: 0, soon: 0, later: 0 };
  for (const u of previous.units) counts[u.bucket]++;
  const newlyAtRisk = current.filter((u) => u.bucket === 'now' && before.get(u.unit)?.bucket !== 'now').map((u) => u.unit).sort(ascending);
  const noLongerAtRisk = previous.units.filter((u) => u.bucket === 'now' && now.get(u.unit)?.bucket !== 'now').map((u) => u.unit).sort(ascending);
  const risen = current
    .flatMap((u) => {
      const b = before.get(u.unit);
      return b !== undefined && u.probability > b.probability ? [{ unit: u.unit, before: b.probability, after: u.probability }] : [];
    })
    .sort((a, b) => b.after - b.before - (a.after - a.before) || a.unit - b.unit)
    .slice(0, MAX_RISEN);
  return {
    reportId: previous.record.reportId,
    createdAt: previous.record.createdAt,
    title: previous.record.title,
    counts,
    newlyAtRisk,
    noLongerAtRisk,
    risen,
    removedUnits: previous.units.filter((u) => !now.has(u.unit)).map((u) => u.unit).sort(ascending),
    addedUnits: current.filter((u) => !before.has(u.unit)).map((u) => u.unit).sort(ascending),
  };
}
