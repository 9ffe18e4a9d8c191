/** Alert rules on drift report fixtures: which fire and which do not, and the message a webhook gets. */
import { describe, expect, it } from 'vitest';
import type { AlertRule } from '../../../src/shared/drift';
import { evaluateRules, metricValue, notificationText, slackMessage } from '../../../src/main/core/alerts/rules';
import { driftReportFixture } from '../../helpers/drift-report-fixture';

const rule = (over: Partial<AlertRule>): AlertRule => ({
  ruleId: 'r1',
  name: 'Rule',
  enabled: true,
  metric: 'datasetDrift',
  when: 'above',
  value: 1,
  severity: 'warning',
  ...over,
});

/** the three built-in rules of migration 008, as the store lists them */
const defaults: AlertRule[] = [
  rule({ ruleId: 'default-dataset-drift', name: 'Dataset drift' }),
  rule({ ruleId: 'default-prediction-drift', name: 'Prediction drift', metric: 'predictionDrift' }),
  rule({
    ruleId: 'default-estimated-f2',
    name: 'Estimated F2 0.1 or more below validation',
    metric: 'estimatedF2',
    when: 'below',
    value: -0.1,
    relativeTo: 'validation',
    severity: 'critical',
  }),
];
const validation = { f2: 0.85, precision: 0.6, recall: 0.95 };

describe('alert rules on drift reports', () => {
  it('a quiet report fires none of the defaults', () => {
    const report = driftReportFixture({ wasserstein: [0.01, 0.02, 0.03, 0.2], estimatedF2: 0.8 });
    const out = evaluateRules(defaults, report, validation);
    expect(out.map((o) => [o.rule.ruleId, o.fired])).toEqual([
      ['default-dataset-drift', false],
      ['default-prediction-drift', false],
      ['default-estimated-f2', false],
    ]);
    // the relative rule's threshold is the validation F2 minus 0.1
    expect(out[2]!.threshold).toBeCloseTo(0.75, 12);
  });

  it('dataset drift, prediction drift and a fallen F2 each fire', () => {
    const report = driftReportFixture({
      wasserstein: [0.3, 0.25, 0.01, 0.12],
      predictionDrifted: true,
      estimatedF2: 0.7,
    });
    expect(report.datasetDrift).toBe(true);
    const out = evaluateRules(defaults, report, validation);
    expect(out.filter((o) => o.fired).map((o) => o.rule.ruleId)).toEqual([
      'default-dataset-drift',
      'default-prediction-drift',
      'default-estimated-f2',
    ]);
  });

  it('"below" fires at the threshold itself and not just above it; "above" likewise', () => {
    const at = driftReportFixture({ estimatedF2: 0.75 });
    const justAbove = driftReportFixture({ estimatedF2: 0.7500001 });
    const r = rule({ metric: 'estimatedF2', when: 'below', value: 0.75 });
    expect(evaluateRules([r], at, null)[0]!.fired).toBe(true);
    expect(evaluateRules([r], justAbove, null)[0]!.fired).toBe(false);
    const auc = rule({ metric: 'domainAuc', when: 'above', value: 0.7 });
    expect(evaluateRules([auc], driftReportFixture({ domainAuc: 0.7 }), null)[0]!.fired).toBe(true);
    expect(evaluateRules([auc], driftReportFixture({ domainAuc: 0.69 }), null)[0]!.fired).toBe(false);
  });

  it('a disabled rule and a rule scoped to another run are not judged', () => {
    const report = driftReportFixture({ wasserstein: [0.3, 0.3] });
    const out = evaluateRules(
      [
        rule({ ruleId: 'off', enabled: false }),
        rule({ ruleId: 'other', scope: { kind: 'run', id: 'run_other' } }),
        rule({ ruleId: 'bundle', scope: { kind: 'bundle', id: 'run_fixture' } }),
        rule({ ruleId: 'mine', scope: { kind: 'run', id: 'run_fixture' } }),
      ],
      report,
      null,
    );
    expect(out.map((o) => [o.rule.ruleId, o.fired])).toEqual([['mine', true]]);
  });

  it('a relative rule without a validation figure, or a report without an estimate, does not fire and says why', () => {
    const [noBaseline] = evaluateRules([defaults[2]!], driftReportFixture({ estimatedF2: 0.1 }), null);
    expect(noBaseline!.fired).toBe(false);
    expect(noBaseline!.skipped).toMatch(/no validation figure is known for run run_fixture/);
    const [noEstimate] = evaluateRules([defaults[2]!], driftReportFixture({ estimatedF2: null }), validation);
    expect(noEstimate!.fired).toBe(false);
    expect(noEstimate!.skipped).toMatch(/no estimated f2/);
  });

  it('reads every metric from the report', () => {
    const report = driftReportFixture({
      wasserstein: [0.3, 0.01, 0.01, 0.01],
      predictionDrifted: true,
      estimatedF2: 0.5,
      domainAuc: 0.9,
    });
    expect(metricValue(report, 'datasetDrift')).toBe(0);
    expect(metricValue(report, 'driftedShare')).toBe(0.25);
    expect(metricValue(report, 'predictionDrift')).toBe(1);
    expect(metricValue(report, 'domainAuc')).toBe(0.9);
    expect(metricValue(report, 'pca')).toBe(1.2);
    expect(metricValue(report, 'estimatedF2')).toBe(0.5);
    expect(metricValue(report, 'estimatedPrecision')).toBe(0.6);
    expect(metricValue(report, 'estimatedRecall')).toBe(0.9);
  });

  it('the notification names the figures; the Slack message escapes labels and keeps the limits', () => {
    const report = driftReportFixture({
      wasserstein: [0.3, 0.25, 0.01, 0.12],
      estimatedF2: 0.7,
      currentLabel: 'fleet <b>&</b> "x"',
    });
    const [o] = evaluateRules([defaults[2]!], report, validation);
    const text = notificationText(o!, report);
    expect(text.title).toBe('Estimated F2 0.1 or more below validation: estimated F2 0.7 ≤ 0.75 (validation 0.85 − 0.1)');
    expect(text.body).toContain('3 of 4 features drift (75 %');
    expect(text.body).toContain(
      'Most drifted: s2_mean_10 (wasserstein 0.3), s3_mean_10 (wasserstein 0.25), s5_mean_10 (wasserstein 0.12)',
    );
    const msg = slackMessage({ ...text, severity: 'critical', reportId: report.reportId, notificationId: 'n1' });
    expect(msg.text).toBe(`[CRITICAL] ${text.title}`);
    expect(msg.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);
    const section = (msg.blocks[1] as { text: { type: string; text: string } }).text;
    expect(section.type).toBe('mrkdwn');
    expect(section.text).toContain('fleet &lt;b&gt;&amp;&lt;/b&gt; "x"');
    expect(section.text).not.toContain('<b>');
    const long = slackMessage({
      title: 'x'.repeat(400),
      body: 'y'.repeat(5000),
      severity: 'info',
      reportId: null,
      notificationId: 'n2',
    });
    expect((long.blocks[0] as { text: { text: string } }).text.text.length).toBe(150);
    expect((long.blocks[1] as { text: { text: string } }).text.text.length).toBe(3000);
  });
});

describe('rule drafts', () => {
  it('refuses what a rule cannot mean, naming the field', async () => {
    const { alertRuleDraftSchema } = await import('../../../src/shared/alerts');
    const base = { name: 'r', enabled: true, metric: 'domainAuc', when: 'above', value: 0.8, severity: 'info' };
    expect(alertRuleDraftSchema.safeParse(base).success).toBe(true);
    const bad = (over: object): string => {
      const r = alertRuleDraftSchema.safeParse({ ...base, ...over });
      expect(r.success).toBe(false);
      return r.success ? '' : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    };
    expect(bad({ relativeTo: 'validation' })).toMatch(/^relativeTo: only estimated F2, precision and recall/);
    expect(bad({ name: '   ' })).toMatch(/^name:/);
    expect(bad({ value: Number.NaN })).toMatch(/^value:/);
    expect(bad({ metric: 'accuracy' })).toMatch(/^metric:/);
    expect(bad({ severity: 'urgent' })).toMatch(/^severity:/);
    expect(bad({ when: 'sideways' })).toMatch(/^when:/);
  });
});
