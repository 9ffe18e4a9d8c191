import { describe, expect, it } from 'vitest';
import { reportTemplateSchema } from '../../../src/shared/report';
import { actionRows, assembleReport, panelUnits, RANKING_DEFINITION, unitDigest, type AssembleInput, type PanelExtras } from '../../../src/main/core/report/assemble';
import type { ScoredUnitInput } from '../../../src/main/core/report/actions';

const rule = { threshold: 0.5, horizon: 30, rulCap: 125, rulCoverage: 0.9 };

/** ten units: probabilities 0.95, 0.85, …, 0.05 over units 10..1 with a tie at 0.55 */
function units(): ScoredUnitInput[] {
  const ps = [0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.55, 0.75, 0.85, 0.95];
  return ps.map((p, k) => ({ unit: k + 1, probability: p, alert: p >= rule.threshold, lastCycle: 100 + k, rul: 200 * (1 - p), rulLow: 150 * (1 - p), rulHigh: 250 * (1 - p) }));
}

function extras(unit: number): PanelExtras {
  return {
    risk: { cycle: [1, 2, 3], probability: [0.1, 0.2, 0.1 * unit] },
    bias: -1,
    contributions: Array.from({ length: 12 }, (_, k) => ({ feature: `s${k}_mean_10`, source: `s${k}`, value: k, contribution: 1 / (k + 1) })),
    sources: [{ source: 's0', contribution: 1 }],
    trends: Array.from({ length: 5 }, (_, k) => ({ sensor: `s${k}`, cycle: [1, 2], values: [k, k + 1] })),
  };
}

function input(over: Partial<AssembleInput> = {}): AssembleInput {
  const template = reportTemplateSchema.parse({ name: 'T', topN: 3, topContributors: 4, trendCharts: 2, author: 'Reliability team' });
  const u = units();
  return {
    template,
    templateSha256: 'ab'.repeat(32),
    createdAt: '2026-03-01T08:00:00.000Z',
    appVersion: '1.2.3',
    fleet: { name: 'Fleet A', units: 10, rows: 1000, fingerprint: 'cd'.repeat(32), regimes: 1, dataFile: 'fleet-a.txt', rulFile: null },
    model: { kind: 'run', id: 'run-1', models: ['gbdt', 'lstm'], features: 20, trainedOn: { fingerprint: 'ef'.repeat(32), units: 70 }, createdAt: '2026-02-01T00:00:00.000Z' },
    rule,
    units: u,
    panels: new Map(u.map((x) => [x.unit, extras(x.unit)])),
    previous: null,
    health: { metrics: [], quality: ['ok'] },
    files: [],
    ...over,
  };
}

describe('assembleReport', () => {
  it('ranks every unit, buckets and actions them, and counts the buckets', () => {
    const doc = assembleReport(input());
    expect(doc.actions.map((r) => r.unit)).toEqual([10, 9, 8, 6, 7, 5, 4, 3, 2, 1]);
    expect(doc.actions.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // p ≥ 0.5: now (5 units); else RUL = 200(1 − p) ≤ 60 never holds below the threshold: later
    expect(doc.summary).toEqual({ units: 10, now: 5, soon: 0, later: 5, withRul: true });
    expect(doc.actions[0]).toMatchObject({ unit: 10, actionId: 'remove', bucket: 'now' });
    // unit 6: p 0.55, rulLow 67.5 → inspect within 67 cycles
    expect(doc.actions[3]).toMatchObject({ unit: 6, actionId: 'inspect', action: 'Schedule inspection within 67 cycles', priority: 'medium' });
    expect(doc.actions[9]).toMatchObject({ unit: 1, actionId: 'monitor', bucket: 'later' });
  });
  it('panels: the top-N units at risk, with contributors and trends cut to the template', () => {
    const doc = assembleReport(input());
    expect(doc.panels.map((p) => p.unit)).toEqual([10, 9, 8]);
    expect(doc.panels[0]!.contributions).toHaveLength(4);
    expect(doc.panels[0]!.trends).toHaveLength(2);
    expect(doc.panels[1]).toMatchObject({ rank: 2, probability: 0.85, lastCycle: 108, action: 'Schedule inspection within 22 cycles' });
  });
  it('no panel for a unit at risk later, however large topN', () => {
    const template = reportTemplateSchema.parse({ name: 'T', topN: 50 });
    expect(assembleReport(input({ template })).panels).toHaveLength(5);
    expect(panelUnits(actionRows(units(), template, rule), 50).every((r) => r.bucket !== 'later')).toBe(true);
  });
  it('meta and appendix come from the inputs only; the title overrides the template', () => {
    const doc = assembleReport(input({ title: 'March', notes: 'Two engines swapped.' }));
    expect(doc.meta).toMatchObject({ title: 'March', author: 'Reliability team', createdAt: '2026-03-01T08:00:00.000Z', appVersion: '1.2.3', language: 'en' });
    expect(doc.notes).toBe('Two engines swapped.');
    expect(doc.appendix.inputs).toContainEqual({ label: 'Ranking', value: RANKING_DEFINITION });
    expect(JSON.stringify(doc)).not.toMatch(/\/tmp|\/home|\\\\/);
    // the same inputs give the same document
    expect(JSON.stringify(assembleReport(input({ title: 'March', notes: 'Two engines swapped.' })))).toBe(JSON.stringify(doc));
  });
  it('what changed, against the previous digest', () => {
    const first = assembleReport(input());
    const previous = { record: { reportId: 'p', createdAt: '2026-02-01T08:00:00.000Z', title: 'February' }, units: unitDigest(first.actions).map((u) => (u.unit === 10 ? { ...u, probability: 0.3, bucket: 'later' as const } : u)) };
    const doc = assembleReport(input({ previous }));
    expect(doc.previous).toMatchObject({ reportId: 'p', newlyAtRisk: [10], noLongerAtRisk: [], addedUnits: [], removedUnits: [] });
    expect(doc.previous!.risen[0]).toEqual({ unit: 10, before: 0.3, after: 0.95 });
  });
  it('without RUL: no RUL fields, soon by half the threshold', () => {
    const u = units().map(({ rul: _r, rulLow: _l, rulHigh: _h, ...rest }) => rest);
    const doc = assembleReport(input({ units: u, rule: { ...rule, rulCap: null, rulCoverage: null } }));
    expect(doc.summary).toMatchObject({ now: 5, soon: 3, later: 2, withRul: false });
    expect(doc.actions.every((r) => r.rul === undefined)).toBe(true);
    expect(doc.actions[3]!.action).toBe('Schedule inspection within 30 cycles');
  });
});
