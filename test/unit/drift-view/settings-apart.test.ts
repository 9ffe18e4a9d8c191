/**
 * Operating settings are kept apart from the sensors in a drift report (by the current data's column
 * roles): their own group, never ranked with the sensors, re-read under a new rule like every
 * column, and printed apart by `prognos drift`; the overlay's x-axis carries the catalogue's name.
 */
import { describe, expect, it } from 'vitest';
import { driftText } from '../../../src/main/cli/commands/drift';
import { buildDistributionOption } from '../../../src/renderer/src/views/drift/drift-charts';
import { applyDriftRule, driftReportSchema, separateSettings } from '../../../src/shared/drift';
import { SensorLabels } from '../../../src/shared/sensor-catalogue';
import { fixtureReport } from './report-fixture';

describe('settings apart from sensors', () => {
  it('moves the columns whose role is setting out of the sensors, in order, and the report still matches its schema', () => {
    const r = fixtureReport();
    expect(r.sensors.map((c) => c.name)).toEqual(['sensor_11', 'setting_1']);
    const apart = separateSettings(r, new Set(['setting_1']));
    expect(apart.sensors.map((c) => c.name)).toEqual(['sensor_11']);
    expect(apart.settings?.map((c) => c.name)).toEqual(['setting_1']);
    expect(apart.features).toBe(r.features);
    expect(driftReportSchema.safeParse(apart).success).toBe(true);
    // no setting column: nothing moves, the group is empty
    expect(separateSettings(r, new Set()).sensors).toHaveLength(2);
    expect(separateSettings(r, new Set()).settings).toEqual([]);
  });

  it('re-reads the settings under a new rule without counting them in the dataset-drift share', () => {
    const apart = separateSettings(fixtureReport(), new Set(['setting_1']));
    const strict = applyDriftRule(apart, { method: 'psi', thresholds: { ...apart.thresholds, psi: 0.005 }, datasetDriftShare: apart.datasetDriftShare });
    expect(strict.settings?.[0]).toMatchObject({ name: 'setting_1', method: 'psi', threshold: 0.005, drifted: true });
    const loose = applyDriftRule(apart, { method: 'psi', thresholds: { ...apart.thresholds, psi: 0.9 }, datasetDriftShare: apart.datasetDriftShare });
    expect(loose.settings?.[0]?.drifted).toBe(false);
    expect(strict.driftedShare).toBe(strict.features.filter((f) => f.drifted).length / strict.features.length);
    // an older report without the group stays without it
    expect(applyDriftRule(fixtureReport(), { method: 'psi', thresholds: apart.thresholds, datasetDriftShare: 0.5 }).settings).toBeUndefined();
  });

  it('prognos drift prints the settings in their own section, not among the sensors', () => {
    const apart = separateSettings(fixtureReport(), new Set(['setting_1']));
    const strict = applyDriftRule(apart, { method: 'psi', thresholds: { ...apart.thresholds, psi: 0.005 }, datasetDriftShare: 0.5 });
    const text = driftText(strict);
    expect(text).toMatch(/^Raw sensors: 1 of 1 drift:$/m);
    expect(text).toMatch(/^Operating settings \(the conditions units ran under, not sensors; not counted in the dataset drift\): 1 of 1 shifted:$/m);
    const sensorsPart = text.slice(text.indexOf('Raw sensors'), text.indexOf('Operating settings'));
    expect(sensorsPart).not.toContain('setting_1');
    expect(text.slice(text.indexOf('Operating settings'))).toContain('setting_1');
    // a report stored before: one section, named for what it holds
    expect(driftText(fixtureReport())).toMatch(/^Raw sensors and settings: /m);
  });
});

describe('distribution overlay axis', () => {
  it('names the x-axis with the catalogue name and unit, not the column id', () => {
    const c = fixtureReport().features[0]!; // s11_mean_10
    const labels = new SensorLabels([{ column: 's11', name: 'Ps30', quantity: 'Static pressure at HPC outlet', unit: 'psia' }]);
    const named = buildDistributionOption(c, labels.featureWithUnit(c.name)) as { xAxis: { name: string } };
    expect(named.xAxis.name).toBe('Ps30 mean (10 cycles), psia');
    expect((buildDistributionOption(c) as { xAxis: { name: string } }).xAxis.name).toBe('s11_mean_10');
  });
});
