/**
 * Per-unit prediction differences of compared runs on one fleet: each run's failure probability, alert
 * and RUL at every unit's last cycle, the largest differences first. The Compare view
 * (`runs:compareFleet`) and `prognos runs compare … --fleet D` share this shape.
 */
import { z } from 'zod';

/** One run's answer for one unit, as `prognos predict --run` gives it. */
export const unitRunScoreSchema = z.object({
  runId: z.string(),
  probability: z.number(),
  alert: z.boolean(),
  /** predicted RUL at the last cycle; null when the run has no RUL models */
  rul: z.number().nullable(),
});
export type UnitRunScore = z.infer<typeof unitRunScoreSchema>;

export const unitDifferenceSchema = z.object({
  unit: z.number().int(),
  /** the unit's last cycle, where every run scored it */
  cycle: z.number().int(),
  /** in the order of the compared runs */
  runs: z.array(unitRunScoreSchema),
  /** largest minus smallest probability across the runs */
  maxDiff: z.number(),
  /** largest minus smallest predicted RUL across the runs that have one (null when fewer than two have) */
  rulMaxDiff: z.number().nullable(),
  /** some runs raise an alert for this unit and others do not */
  disagree: z.boolean(),
  /** the true RUL after the last cycle, when the fleet came with a RUL file */
  trueRul: z.number().optional(),
});
export type UnitDifference = z.infer<typeof unitDifferenceSchema>;

export const fleetComparisonSchema = z.object({
  fleet: z.object({
    datasetId: z.string(),
    name: z.string(),
    role: z.string(),
    unitCount: z.number().int(),
    /** the fleet came with a RUL file: every unit carries trueRul */
    hasTrueRul: z.boolean(),
  }),
  /** per compared run, in order: its alert threshold and whether it predicts RUL */
  runs: z.array(z.object({ runId: z.string(), threshold: z.number(), hasRul: z.boolean() })),
  /** units where the runs disagree on the alert */
  disagreements: z.number().int(),
  /** every unit, the largest probability difference first (ties: by unit) */
  units: z.array(unitDifferenceSchema),
});
export type FleetComparison = z.infer<typeof fleetComparisonSchema>;
