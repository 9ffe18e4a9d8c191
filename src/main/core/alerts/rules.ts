/**
 * Alert rules on a stored drift report: which fire, the notification they raise, and the
 * Slack-compatible message (`{ text, blocks }`) a webhook receives. Pure functions.
 */
import type { AlertRule, DriftReport, Notification } from '../../../shared/drift';
import type { AlertMetric } from '../../../shared/alerts';
import { ALERT_METRIC_LABELS } from '../../../shared/alerts';

/** The source run's own validation figures (the baseline of rules `relativeTo: 'validation'`). */
export interface ValidationFigures {
  readonly f2: number | null;
  readonly precision: number | null;
  readonly recall: number | null;
}

export interface RuleOutcome {
  readonly rule: AlertRule;
  /** the report's value of the rule's metric (booleans as 1/0); null when the report has none */
  readonly value: number | null;
  /** the threshold in force (for relative rules: the validation figure plus the rule's value) */
  readonly threshold: number | null;
  readonly fired: boolean;
  /** why the rule could not be judged (no figure in the report, no validation figure) */
  readonly skipped: string | null;
}

/** The report's value of a metric; booleans count as 1 (yes) or 0 (no). */
export function metricValue(report: DriftReport, metric: AlertMetric): number | null {
  switch (metric) {
    case 'datasetDrift':
      return report.datasetDrift ? 1 : 0;
    case 'driftedShare':
      return report.driftedShare;
    case 'pca':
      return report.multivariate.pca;
    case 'domainAuc':
      return report.multivariate.domainAuc;
    case 'predictionDrift':
      return report.prediction.drifted ? 1 : 0;
    case 'estimatedF2':
      return report.estimated.f2;
    case 'estimatedRecall':
      return report.estimated.recall;
    case 'estimatedPrecision':
      return report.estimated.precision;
  }
}

function validationFigure(v: ValidationFigures | null, metric: AlertMetric): number | null {
  if (v === null) return null;
  if (metric === 'estimatedF2') return v.f2;
  if (metric === 'estimatedPrecision') return v.precision;
  if (metric === 'estimatedRecall') return v.recall;
  return null;
}

function inScope(rule: AlertRule, report: DriftReport): boolean {
  return rule.scope === undefined || (rule.scope.kind === report.source.kind && rule.scope.id === report.source.id);
}

/**
 * Judges every enabled rule in scope. 'above' fires when value ≥ threshold, 'below' when value ≤
 * threshold. A rule whose figure is missing (or not finite) does not fire and says why.
 */
export function evaluateRules(
  rules: readonly AlertRule[],
  report: DriftReport,
  validation: ValidationFigures | null,
): RuleOutcome[] {
  const out: RuleOutcome[] = [];
  for (const rule of rules) {
    if (!rule.enabled || !inScope(rule, report)) continue;
    const raw = metricValue(report, rule.metric);
    const value = raw !== null && Number.isFinite(raw) ? raw : null;
    if (value === null) {
      out.push({
        rule,
        value: null,
        threshold: null,
        fired: false,
        skipped: `the report has no ${ALERT_METRIC_LABELS[rule.metric].toLowerCase()}`,
      });
      continue;
    }
    let threshold = rule.value;
    if (rule.relativeTo === 'validation') {
      const base = validationFigure(validation, rule.metric);
      if (base === null || !Number.isFinite(base)) {
        out.push({
          rule,
          value,
          threshold: null,
          fired: false,
          skipped: `no validation figure is known for ${report.source.kind} ${report.source.id}`,
        });
        continue;
      }
      threshold = base + rule.value;
    }
    const fired = rule.when === 'above' ? value >= threshold : value <= threshold;
    out.push({ rule, value, threshold, fired, skipped: null });
  }
  return out;
}

const BOOLEAN_METRICS: readonly AlertMetric[] = ['datasetDrift', 'predictionDrift'];

function num(x: number, digits = 3): string {
  if (Number.isInteger(x)) return String(x);
  return x.toFixed(digits).replace(/0+$/, '').replace(/\.$/, '');
}

function percent(x: number): string {
  return `${(x * 100).toFixed(0)} %`;
}

/** The notification a fired rule raises: a one-line title and a few plain sentences. */
export function notificationText(outcome: RuleOutcome, report: DriftReport): { title: string; body: string } {
  const { rule, value, threshold } = outcome;
  const metric = ALERT_METRIC_LABELS[rule.metric];
  const drifted = report.features.filter((f) => f.drifted);
  const detail = (() => {
    if (rule.metric === 'datasetDrift' && rule.when === 'above' && rule.value > 0 && rule.value <= 1)
      return `${drifted.length} of ${report.features.length} features drift`;
    if (rule.metric === 'predictionDrift' && rule.when === 'above' && rule.value > 0 && rule.value <= 1) {
      return `the predictions drift from the reference (${report.prediction.method} ${num(report.prediction.score)})`;
    }
    const op = rule.when === 'above' ? '≥' : '≤';
    const shown = BOOLEAN_METRICS.includes(rule.metric) ? metric : metric.charAt(0).toLowerCase() + metric.slice(1);
    const thr =
      threshold === null
        ? ''
        : rule.relativeTo === 'validation'
          ? `${num(threshold)} (validation ${num(threshold - rule.value)} ${rule.value >= 0 ? '+' : '−'} ${num(Math.abs(rule.value))})`
          : num(threshold);
    return `${shown} ${value === null ? 'unknown' : num(value)} ${op} ${thr}`;
  })();
  const title = `${rule.name}: ${detail}`;
  const top = [...drifted].sort((a, b) => b.score / (b.threshold || 1) - a.score / (a.threshold || 1)).slice(0, 5);
  const sentences = [
    `${report.current.label} compared with ${report.source.kind} ${report.source.label} (${report.comparison === 'matched' ? 'life-stage matched' : 'unmatched'}).`,
    `${drifted.length} of ${report.features.length} features drift (${percent(report.driftedShare)}; dataset drift at ${percent(report.datasetDriftShare)}): ${report.datasetDrift ? 'yes' : 'no'}.`,
  ];
  if (top.length > 0)
    sentences.push(`Most drifted: ${top.map((f) => `${f.name} (${f.method} ${num(f.score)})`).join(', ')}.`);
  sentences.push(
    `Prediction drift: ${report.prediction.drifted ? 'yes' : 'no'} (${report.prediction.method} ${num(report.prediction.score)}).`,
  );
  const e = report.estimated;
  if (e.f2 !== null) {
    const band =
      e.low.f2 !== null && e.high.f2 !== null ? ` (${percent(e.level)} band ${num(e.low.f2)}–${num(e.high.f2)})` : '';
    sentences.push(`Estimated F2 ${num(e.f2)}${band}.`);
  }
  return { title, body: sentences.join(' ') };
}

/** Slack's mrkdwn treats &, < and > as markup: user-given labels are escaped. */
function escapeMrkdwn(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

/**
 * The message a Slack incoming webhook (or anything that reads the same JSON) receives: `text` is the
 * fallback shown in notifications, `blocks` the formatted message (header, body, context).
 */
export function slackMessage(
  n: Pick<Notification, 'severity' | 'title' | 'body' | 'reportId' | 'notificationId'>,
): SlackMessage {
  const severity = n.severity === 'critical' ? 'CRITICAL' : n.severity === 'warning' ? 'Warning' : 'Info';
  const context = [`Severity: *${severity}*`, 'Prognos drift alert'];
  if (n.reportId !== null) context.push(`report \`${escapeMrkdwn(n.reportId)}\``);
  return {
    text: clip(`[${severity}] ${n.title}`, 3000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(n.title, 150), emoji: false } },
      { type: 'section', text: { type: 'mrkdwn', text: clip(escapeMrkdwn(n.body), 3000) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] },
    ],
  };
}
