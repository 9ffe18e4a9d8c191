import { describe, expect, it } from 'vitest';
import { renderReportHtml, svgOf } from '../../../src/main/core/report/render';
import { buildContributionsOption, buildSensorTrendsOption, buildUnitRiskOption } from '../../../src/shared/charts/report-charts';
import { syntheticReportDocument } from '../../helpers/report-document';

describe('report charts', () => {
  it('the unit risk chart is the Fleet view risk chart for one unit, with the threshold line in the given words', () => {
    const o = buildUnitRiskOption(7, { cycle: [1, 2, 3], probability: [0.1, 0.4, 0.8] }, { threshold: 0.42, horizon: 30, thresholdLabel: 'Schwelle 0.420', xName: 'Zyklus', yName: 'W' });
    const series = o.series as { name: string; data: number[][]; markLine: { data: { yAxis: number; label: { formatter: string } }[] } }[];
    expect(series[0]!.name).toBe('Unit 7');
    expect(series[0]!.data.map((d) => d.slice(0, 2))).toEqual([[1, 0.1], [2, 0.4], [3, 0.8]]);
    expect(series[0]!.markLine.data[0]!.yAxis).toBe(0.42);
    const svg = svgOf(o, 400, 150);
    expect(svg).toContain('Schwelle 0.420');
    expect(svg).toContain('Zyklus');
    expect(svg).not.toContain('alert threshold');
  });

  it('contributions: largest on top, sign by direction of the bar', () => {
    const o = buildContributionsOption(
      [
        { label: 'a', contribution: 1.5 },
        { label: 'b', contribution: -0.7 },
        { label: 'c', contribution: 0.2 },
      ],
      { axisName: 'x' },
    );
    // category axes run bottom to top: the largest is last
    expect((o.yAxis as { data: string[] }).data).toEqual(['c', 'b', 'a']);
    expect((o.series as { data: { value: number }[] }[])[0]!.data.map((d) => d.value)).toEqual([0.2, -0.7, 1.5]);
  });

  it('sensor trends: one grid, axis pair and titled line per sensor', () => {
    const t = (s: string) => ({ sensor: s, cycle: [1, 2, 3], values: [1, 2, 4] });
    const o = buildSensorTrendsOption([t('s2'), t('s3'), t('s4'), t('s7')], { xName: 'Cycle', columns: 3, cellWidth: 150, cellHeight: 100, gap: 8 });
    expect((o.grid as unknown[]).length).toBe(4);
    expect((o.series as { xAxisIndex: number }[]).map((s) => s.xAxisIndex)).toEqual([0, 1, 2, 3]);
    const svg = svgOf(o, 466, 208);
    for (const s of ['s2', 's3', 's4', 's7']) expect(svg).toContain(`>${s}<`);
  });
});

describe('renderReportHtml', () => {
  it('has every section, every unit in ranked order, a repeating table header and an SVG per chart', () => {
    const doc = syntheticReportDocument({ units: 25, topN: 3, withPrevious: true, seed: 4 });
    const html = renderReportHtml(doc);
    for (const id of ['section-cover', 'section-summary', 'section-actions', 'section-units', 'section-health', 'section-appendix']) expect(html).toContain(`id="${id}"`);
    expect(html).toContain('thead { display: table-header-group; }');
    const rows = [...html.matchAll(/<tr><td class="n">(\d+)<\/td><td class="n">(\d+)<\/td><td class="n">(\d\.\d{3})<\/td>/g)];
    expect(rows.map((m) => Number(m[2]))).toEqual(doc.actions.map((a) => a.unit));
    expect(rows.map((m) => m[3])).toEqual(doc.actions.map((a) => a.probability.toFixed(3)));
    // buckets + reliability + 3 per panel (risk, contributions, trends)
    expect(html.match(/<svg /g)?.length).toBe(2 + 3 * doc.panels.length);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });
});
