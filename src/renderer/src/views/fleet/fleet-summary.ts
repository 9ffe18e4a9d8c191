/** What a fleet scoring means for the analyst: ranks, alerts, and how alerts compare with the true RUL. */
import type { FleetScoresValue, Scorer } from '../../../../shared/schemas';
import { formatInteger } from '../../lib/format';

export type UnitScore = FleetScoresValue['units'][number];

/**
 * With a known RUL: an alert on a unit that fails within the label window (true alert), an alert
 * on one that does not (false alarm), no alert on one that does (missed), or neither (quiet).
 */
export type Outcome = 'true-alert' | 'false-alarm' | 'missed' | 'quiet';

export interface RankedUnit extends UnitScore {
  /** 1 = highest risk */
  readonly rank: number;
  readonly outcome: Outcome | null;
}

export interface FleetSummary {
  readonly units: number;
  readonly alerts: number;
  /** units with a known RUL */
  readonly withRul: number;
  /** units that fail within the label window (RUL ≤ W) */
  readonly failing: number;
  readonly trueAlerts: number;
  readonly falseAlarms: number;
  readonly missed: number;
}

/** "87 (62–110)": the predicted RUL and its interval in whole cycles; "—" without RUL. */
export function rulText(u: Pick<UnitScore, 'rul' | 'rulLow' | 'rulHigh'>): string {
  if (u.rul === undefined) return '—';
  const range =
    u.rulLow === undefined || u.rulHigh === undefined
      ? ''
      : ` (${formatInteger(Math.round(u.rulLow))}–${formatInteger(Math.round(u.rulHigh))})`;
  return `${formatInteger(Math.round(u.rul))}${range}`;
}

export function outcomeOf(u: UnitScore, labelWindow: number): Outcome | null {
  if (u.trueRul === undefined) return null;
  const fails = u.trueRul <= labelWindow;
  if (u.alert) return fails ? 'true-alert' : 'false-alarm';
  return fails ? 'missed' : 'quiet';
}

/** Units by probability, highest first (ties by unit number), each with its rank and outcome. */
export function rankUnits(scores: FleetScoresValue): RankedUnit[] {
  return [...scores.units]
    .sort((a, b) => b.probability - a.probability || a.unit - b.unit)
    .map((u, i) => ({ ...u, rank: i + 1, outcome: outcomeOf(u, scores.labelWindow) }));
}

export function summarise(ranked: readonly RankedUnit[], labelWindow: number): FleetSummary {
  let alerts = 0;
  let withRul = 0;
  let failing = 0;
  let trueAlerts = 0;
  let falseAlarms = 0;
  let missed = 0;
  for (const u of ranked) {
    if (u.alert) alerts++;
    if (u.trueRul === undefined) continue;
    withRul++;
    if (u.trueRul <= labelWindow) failing++;
    if (u.outcome === 'true-alert') trueAlerts++;
    else if (u.outcome === 'false-alarm') falseAlarms++;
    else if (u.outcome === 'missed') missed++;
  }
  return { units: ranked.length, alerts, withRul, failing, trueAlerts, falseAlarms, missed };
}

/** A scorer as one string, for a select element and the address: `bundle:<id>` or `run:<id>`. */
export function scorerKey(s: Scorer): string {
  return s.kind === 'bundle' ? `bundle:${s.bundleId}` : `run:${s.runId}`;
}

export function parseScorerKey(key: string | null): Scorer | null {
  if (key === null) return null;
  if (key.startsWith('bundle:') && key.length > 'bundle:'.length) return { kind: 'bundle', bundleId: key.slice(7) };
  if (key.startsWith('run:') && key.length > 'run:'.length) return { kind: 'run', runId: key.slice(4) };
  return null;
}
