import { describe, expect, it } from 'vitest';
import {
  DRIFT_COLORS,
  buildChunkOption,
  buildDistributionOption,
  buildPerformanceOption,
  buildScoresOption,
  histogramSteps,
  niceBounds,
} from '../../../src/renderer/src/views/drift/drift-charts';
import { rereadReport, ruleOf } from '../../../src/renderer/src/views/drift/drift-model';
import { fixtureReport } from './report-fixture';

interface Point {
  value: number | null;
  symbolSize: number;
  itemStyle: { color: string };
}

function seriesList(option: ReturnType<typeof buildChunkOption>): Array<Record<string, unknown>> {
  const s = option.series;
  return (Array.isArray(s) ? s : [s]) as Array<Record<string, unknown>>;
}

function series(report = fixtureReport(), key: string) {
  const s = report.chunks.series.find((x) => x.key === key);
  if (s === undefined) throw new Error(`no series ${key}`);
  return s;
}

describe('distribution overlay', () => {
  it('steps each bin’s share from its left edge to its right edge', () => {
    const h = { edges: [0, 1, 3], reference: [0.25, 0.75], current: [0.5, 0.5] };
    expect(histogramSteps(h, 'reference')).toEqual([
      [0, 0.25],
      [1, 0.75],
      [3, 0.75],
    ]);
    expect(histogramSteps(h, 'current')).toEqual([
      [0, 0.5],
      [1, 0.5],
      [3, 0.5],
    ]);
  });

  it('draws reference and current of the chosen column', () => {
    const c = fixtureReport().features[0]!;
    const s = seriesList(buildDistributionOption(c));
    expect(s).toHaveLength(2);
    expect(s[0]!.name).toMatch(/^Reference/);
    expect(s[1]!.name).toMatch(/^Current/);
    expect(s[1]!.data).toEqual(histogramSteps(c.histogram, 'current'));
  });
});

describe('chunk charts', () => {
  it('shades the reference band and marks the alerted chunks', () => {
    const r = fixtureReport();
    const s = seriesList(buildChunkOption(r.chunks.labels, series(r, 'pca'), 'Reconstruction error'));
    expect(s).toHaveLength(1);
    const area = s[0]!.markArea as { data: Array<[{ yAxis: unknown }, { yAxis: unknown }]> };
    expect(area.data[0]![0].yAxis).toBe(0.9);
    expect(area.data[0]![1].yAxis).toBe(1.5);
    const pts = s[0]!.data as Point[];
    expect(pts.map((p) => p.itemStyle.color)).toEqual([DRIFT_COLORS.value, DRIFT_COLORS.value, DRIFT_COLORS.alert, DRIFT_COLORS.alert]);
    expect(pts[2]!.symbolSize).toBeGreaterThan(pts[0]!.symbolSize);
  });

  it('keeps a missing chunk value as a gap and an open band side open', () => {
    const r = fixtureReport();
    const pred = seriesList(buildChunkOption(r.chunks.labels, series(r, 'prediction'), 'Probability'));
    expect((pred[0]!.data as Point[])[2]!.value).toBeNull();
    const option = buildChunkOption(r.chunks.labels, series(r, 'feature:s11_mean_10'), 's11');
    const area = seriesList(option)[0]!.markArea as { data: Array<[{ yAxis: unknown }, { yAxis: unknown }]> };
    // no lower bound: the band runs down to the axis' bottom
    const axis = option.yAxis as { min: number; max: number };
    expect(area.data[0]![0].yAxis).toBe(axis.min);
    expect(area.data[0]![1].yAxis).toBe(0.3);
    expect(axis.min).toBeLessThanOrEqual(0.1);
    expect(axis.max).toBeGreaterThanOrEqual(0.6);
  });

  it('puts the value axis on round numbers that hold the values and the band', () => {
    expect(niceBounds([0.9, 1.1, 1.98, 1.5])).toEqual({ min: 0.75, max: 2 });
    expect(niceBounds([0.01, 0.3])).toEqual({ min: 0, max: 0.4 });
    expect(niceBounds([5, 5])).toEqual({ min: 4.4, max: 5.6 });
    expect(niceBounds([0, 0])).toEqual({ min: -1.5, max: 1.5 });
    expect(niceBounds([Number.NaN])).toBeNull();
  });

  it('draws the estimate with its per-chunk band and the realised values', () => {
    const r = fixtureReport();
    const s = seriesList(buildPerformanceOption(r.chunks.labels, series(r, 'estimated:f2'), 'F2'));
    expect(s.map((x) => x.name)).toEqual(['band-base', 'Confidence band', 'Estimated F2', 'Realised F2']);
    expect(s[0]!.data).toEqual([0.8, 0.77, null, 0.62]);
    const widths = s[1]!.data as Array<number | null>;
    expect(widths[0]).toBeCloseTo(0.1);
    expect(widths[2]).toBeNull();
    expect(s[3]!.data).toEqual([0.86, 0.8, 0.78, 0.69]);
    // the reference-learned lower bound is an alert line
    const marks = (s[2]!.markLine as { data: Array<{ yAxis: number }> }).data;
    expect(marks.map((m) => m.yAxis)).toEqual([0.72]);
  });

  it('has no realised line without labels', () => {
    const r = fixtureReport();
    const { realised: _realised, ...estimateOnly } = series(r, 'estimated:f2');
    const s = seriesList(buildPerformanceOption(r.chunks.labels, estimateOnly, 'F2'));
    expect(s.map((x) => x.name)).toEqual(['band-base', 'Confidence band', 'Estimated F2']);
  });
});

describe('scores against thresholds', () => {
  it('follows the rule: a higher threshold turns bars from drifted to stable', () => {
    const r = fixtureReport();
    const colours = (rep: typeof r) =>
      ((seriesList(buildScoresOption(rep.features))[0]!.data as Array<{ itemStyle: { color: string } }>).map((d) => d.itemStyle.color));
    expect(colours(r)).toEqual([DRIFT_COLORS.drifted, DRIFT_COLORS.drifted, DRIFT_COLORS.stable, DRIFT_COLORS.stable]);
    const stricter = rereadReport(r, { ...ruleOf(r), thresholds: { ...r.thresholds, wasserstein: 0.2 } });
    expect(colours(stricter)).toEqual([DRIFT_COLORS.drifted, DRIFT_COLORS.stable, DRIFT_COLORS.stable, DRIFT_COLORS.stable]);
    const values = (seriesList(buildScoresOption(stricter.features))[0]!.data as Array<{ value: number }>).map((d) => d.value);
    expect(values[0]).toBeCloseTo(0.55 / 0.2);
  });
});
