/**
 * Per-unit prediction differences of several runs scored on the same fleet: per unit, each run's
 * probability, alert and RUL at the unit's last cycle, the spread of the probabilities (and of the
 * RULs), and whether the runs disagree on the alert. Pure: the caller scores the fleet with each run.
 */
import { PrognosError } from '../../../shared/errors';
import type { FleetComparison, UnitDifference } from '../../../shared/fleet-compare';

/** One run's scores of the fleet, as the scoring worker gives them (the shape `predict --run` prints). */
export interface RunFleetScores {
  readonly runId: string;
  readonly threshold: number;
  readonly units: readonly {
    readonly unit: number;
    readonly cycle: number;
    readonly probability: number;
    readonly alert: boolean;
    readonly rul?: number;
    readonly trueRul?: number;
  }[];
}

export interface FleetInfo {
  readonly datasetId: string;
  readonly name: string;
  readonly role: string;
}

const spread = (xs: readonly number[]): number => Math.max(...xs) - Math.min(...xs);

export function fleetDifferences(fleet: FleetInfo, scored: readonly RunFleetScores[]): FleetComparison {
  const first = scored[0];
  if (first === undefined) throw new PrognosError('INVALID_INPUT', 'No runs to compare on the fleet.');
  const byRun = scored.map((s) => new Map(s.units.map((u) => [u.unit, u])));
  const units: UnitDifference[] = first.units.map((head) => {
    const answers = byRun.map((m, i) => {
      const u = m.get(head.unit);
      // every run scores the same table, so a missing unit is a fault, not a difference
      if (u === undefined || u.cycle !== head.cycle) throw new PrognosError('INTERNAL', `Run ${scored[i]!.runId} did not score unit ${head.unit} at cycle ${head.cycle}.`);
      return u;
    });
    const ruls = answers.flatMap((u) => (u.rul === undefined ? [] : [u.rul]));
    const alerts = new Set(answers.map((u) => u.alert));
    return {
      unit: head.unit,
      cycle: head.cycle,
      runs: answers.map((u, i) => ({ runId: scored[i]!.runId, probability: u.probability, alert: u.alert, rul: u.rul ?? null })),
      maxDiff: spread(answers.map((u) => u.probability)),
      rulMaxDiff: ruls.length < 2 ? null : spread(ruls),
      disagree: alerts.size > 1,
      ...(head.trueRul === undefined ? {} : { trueRul: head.trueRul }),
    };
  });
  units.sort((a, b) => b.maxDiff - a.maxDiff || a.unit - b.unit);
  return {
    fleet: { ...fleet, unitCount: units.length, hasTrueRul: first.units.length > 0 && first.units.every((u) => u.trueRul !== undefined) },
    runs: scored.map((s) => ({ runId: s.runId, threshold: s.threshold, hasRul: s.units.some((u) => u.rul !== undefined) })),
    disagreements: units.filter((u) => u.disagree).length,
    units,
  };
}
