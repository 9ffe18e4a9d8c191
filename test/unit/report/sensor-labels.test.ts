import { describe, expect, it } from 'vitest';
import type { ReportDocument } from '../../../src/shared/report';
import { CMAPSS_PRESET } from '../../../src/shared/sensor-catalogue';
import { withSensorLabels } from '../../../src/main/core/report/labels';

const panel = {
  contributions: [
    { feature: 's2_mean_30', value: 642.5, contribution: 0.4 },
    { feature: 'regime1_share', value: 0.5, contribution: -0.1 },
  ],
  sources: [
    { source: 's2', contribution: 0.4 },
    { source: 'regime', contribution: -0.1 },
  ],
  trends: [{ sensor: 's11', cycle: [1, 2], values: [47.1, 47.3] }],
};

function doc(sensors: ReportDocument['sensors']): ReportDocument {
  return { panels: [panel], ...(sensors === undefined ? {} : { sensors }) } as unknown as ReportDocument;
}

describe('report sensor labels', () => {
  it('shows the catalogue’s names in the panels; the ids stay in the data', () => {
    const d = doc([...CMAPSS_PRESET]);
    const out = withSensorLabels(d).panels[0]!;
    expect(out.contributions.map((c) => c.feature)).toEqual(['T24 mean (30 cycles)', 'share of cycles in regime 1']);
    expect(out.sources.map((s) => s.source)).toEqual(['T24', 'regime']);
    expect(out.trends.map((t) => t.sensor)).toEqual(['Ps30 (psia)']);
    expect(d.panels[0]!.contributions[0]!.feature).toBe('s2_mean_30');
  });

  it('leaves a document without a catalogue as it is', () => {
    const d = doc(undefined);
    expect(withSensorLabels(d)).toBe(d);
  });
});
