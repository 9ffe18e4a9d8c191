/**
 * Whether the current units ran to failure, when no RUL file says how long they lived.
 *
 * Life-stage matching needs to know what a current row's life stage is. With a RUL file every unit's
 * life is known. Without one, a fleet in service is matched by cycle (and only with reference engines
 * that lived at least as long as each current engine is known to have run); a run-to-failure fleet
 * (training-format data: each unit's last row is its failure) must instead be matched by the share of
 * life used, or its last rows — engines at failure — are set beside reference engines of the same age
 * that still had life left, and ordinary wear reads as drift.
 *
 * 'auto' decides from the model itself: a fleet whose units nearly all end with the model raising its
 * alert is taken as run-to-failure. Engines in service, like C-MAPSS test files, end mostly healthy.
 */
import type { DriftData } from './reference';

export type CurrentLives = 'auto' | 'run-to-failure' | 'in-service';

/** Share of units whose last row raises the alert, above which 'auto' takes the fleet as run-to-failure. */
export const RUN_TO_FAILURE_SHARE = 0.9;

/** The share of current units whose last compared row is at or above the alert threshold. */
export function endsAtFailureShare(data: DriftData, threshold: number): { share: number; units: number } {
  const last = new Map<number, number>();
  for (let k = 0; k < data.unit.length; k++) last.set(data.unit[k]!, k); // rows are in (unit, cycle) order
  let alerts = 0;
  for (const k of last.values()) if (data.probability[k]! >= Math.fround(threshold)) alerts++;
  return { share: last.size === 0 ? 0 : alerts / last.size, units: last.size };
}

/** The same data read as run-to-failure: each unit's life is its last cycle, and labels count down to it. */
export function asRunToFailure(data: DriftData, labelWindow: number): DriftData {
  const lifeOf = new Map<number, number>();
  for (let k = 0; k < data.unit.length; k++) lifeOf.set(data.unit[k]!, Math.max(lifeOf.get(data.unit[k]!) ?? 0, data.cycle[k]!));
  const life = Int32Array.from(data.unit, (u) => lifeOf.get(u)!);
  const labels = Uint8Array.from(data.cycle, (c, k) => (life[k]! - c <= labelWindow ? 1 : 0));
  return { ...data, life, labels, runToFailure: true };
}

/**
 * Resolves how long the current units lived. Data that already knows its lives (a RUL file) is kept
 * as it is; otherwise the choice (or, for 'auto', the model's alerts at each unit's last row) decides.
 * Returns the data to compare and a note for the report.
 */
export function resolveCurrentLives(data: DriftData, choice: CurrentLives, threshold: number, labelWindow: number): { data: DriftData; note?: string } {
  if (data.life !== undefined) return { data };
  if (choice === 'in-service') return { data, note: 'The current units were taken as still in service (as asked): their lives are not known.' };
  if (choice === 'run-to-failure') {
    return { data: asRunToFailure(data, labelWindow), note: 'The current units were taken as run to failure (as asked): each unit’s last row is its failure, so its life is known and labels count down to it.' };
  }
  const { share, units } = endsAtFailureShare(data, threshold);
  const pct = `${Math.round(100 * share)} %`;
  if (units > 0 && share >= RUN_TO_FAILURE_SHARE) {
    return {
      data: asRunToFailure(data, labelWindow),
      note: `The current units look run to failure: the model raises its alert at the last row of ${pct} of them (${units}), so each unit’s last row was taken as its failure (life known, labels counting down to it). If these engines are still in service, compute again with the current units taken as in service.`,
    };
  }
  return {
    data,
    note: `The current units were taken as still in service: the model raises its alert at the last row of only ${pct} of them (run-to-failure data ends with nearly all units alerting). Their lives are not known, so there are no realised figures without a RUL file.`,
  };
}
