import { describe, expect, it } from 'vitest';
import { CMAPSS_VALUE_COLUMNS } from '../../../src/main/core/data/table';
import { CMAPSS_PRESET, SensorLabels, catalogueProblems, completeCatalogue, defaultCatalogue, featureLabel, isCmapssLayout } from '../../../src/shared/sensor-catalogue';

const cmapss = [{ name: 'unit', original: 'unit', role: 'unit' as const }, { name: 'cycle', original: 'cycle', role: 'cycle' as const }, ...CMAPSS_VALUE_COLUMNS];

describe('the C-MAPSS preset', () => {
  it('names the 21 channels and 3 settings as NASA documents them, with their units', () => {
    const byName = new Map(CMAPSS_PRESET.map((e) => [e.column, e]));
    expect(CMAPSS_PRESET).toHaveLength(24);
    expect(CMAPSS_PRESET.filter((e) => e.column.startsWith('s') && !e.column.startsWith('setting')).map((e) => e.name)).toEqual([
      'T2', 'T24', 'T30', 'T50', 'P2', 'P15', 'P30', 'Nf', 'Nc', 'epr', 'Ps30', 'phi', 'NRf', 'NRc', 'BPR', 'farB', 'htBleed', 'Nf_dmd', 'PCNfR_dmd', 'W31', 'W32',
    ]);
    for (const t of ['s1', 's2', 's3', 's4']) expect(byName.get(t)?.unit).toBe('°R');
    for (const p of ['s5', 's6', 's7', 's11']) expect(byName.get(p)?.unit).toBe('psia');
    for (const n of ['s8', 's9', 's13', 's14', 's18', 's19']) expect(byName.get(n)?.unit).toBe('rpm');
    expect(byName.get('s12')?.unit).toBe('pps/psi');
    expect(byName.get('s20')?.unit).toBe('lbm/s');
    expect(byName.get('s21')?.unit).toBe('lbm/s');
    for (const d of ['s10', 's15', 's16', 's17']) expect(byName.get(d)?.unit).toBe('');
  });

  it('is the default for C-MAPSS columns only', () => {
    expect(isCmapssLayout(cmapss)).toBe(true);
    expect(defaultCatalogue(cmapss).find((e) => e.column === 's2')).toEqual({ column: 's2', name: 'T24', quantity: 'Total temperature at LPC outlet', unit: '°R' });
    // a CSV whose headers only happen to be sanitized into s-names is not C-MAPSS
    const csv = [{ name: 's2', original: 'S-2', role: 'sensor' as const }, { name: 'alt', original: 'alt', role: 'setting' as const }];
    expect(isCmapssLayout(csv)).toBe(false);
    expect(defaultCatalogue(csv)).toEqual([
      { column: 's2', name: 'S-2', quantity: '', unit: '' },
      { column: 'alt', name: 'alt', quantity: '', unit: '' },
    ]);
  });
});

describe('completeCatalogue and catalogueProblems', () => {
  it('keeps stored entries, fills the rest with defaults and drops unknown columns', () => {
    const out = completeCatalogue(cmapss, [{ column: 's2', name: 'LPC out', quantity: 'q', unit: 'K' }, { column: 'gone', name: 'x', quantity: '', unit: '' }]);
    expect(out).toHaveLength(24);
    expect(out.find((e) => e.column === 's2')?.name).toBe('LPC out');
    expect(out.find((e) => e.column === 's3')?.name).toBe('T30');
    expect(out.some((e) => e.column === 'gone')).toBe(false);
  });

  it('refuses unknown columns, a column twice and one name for two columns', () => {
    const e = (column: string, name: string) => ({ column, name, quantity: '', unit: '' });
    expect(catalogueProblems([e('s1', 'A'), e('s2', 'B')], ['s1', 's2'])).toEqual([]);
    expect(catalogueProblems([e('s9', 'A')], ['s1'])).toEqual(['the sensor catalogue names column "s9", which is not a setting or sensor of this dataset']);
    expect(catalogueProblems([e('s1', 'A'), e('s1', 'B')], ['s1'])).toEqual(['the sensor catalogue lists column "s1" twice']);
    expect(catalogueProblems([e('s1', 'T'), e('s2', 't')], ['s1', 's2'])).toEqual(['display name "t" is given to both s1 and s2']);
  });
});

describe('feature labels', () => {
  const labels = new SensorLabels(defaultCatalogue(cmapss));
  it('reads feature ids back into the analyst’s words, ids unchanged underneath', () => {
    expect(labels.feature('s2_mean_30')).toBe('T24 mean (30 cycles)');
    expect(labels.featureWithUnit('s2_mean_30')).toBe('T24 mean (30 cycles), °R');
    expect(labels.featureWithUnit('s11_slope_10')).toBe('Ps30 slope (10 cycles), psia/cycle');
    expect(labels.featureWithUnit('s9_std_5')).toBe('Nc std (5 cycles), rpm');
    expect(labels.featureWithUnit('s15_ewma')).toBe('BPR EWMA');
    expect(labels.featureWithUnit('s3_diff')).toBe('T30 change per cycle, °R/cycle');
    expect(labels.featureWithUnit('s4_vs_start')).toBe("T50 change since the unit's start, °R");
    expect(labels.featureWithUnit('s4_trend')).toBe("T50 trend since the unit's start, °R/cycle");
    expect(labels.featureWithUnit('cycle')).toBe('age (cycle number), cycles');
    expect(labels.featureWithUnit('s7')).toBe('P30, psia');
    expect(labels.feature('regime2_share')).toBe('share of cycles in regime 2');
    expect(labels.feature('mystery_feature')).toBe('mystery_feature');
    expect(labels.withUnit('s4')).toBe('T50 (°R)');
    expect(labels.describe('s4')).toBe('T50 — Total temperature at LPT outlet, °R (s4)');
  });

  it('handles sensor ids that contain underscores and look like features', () => {
    const l = new SensorLabels([
      { column: 'fan_temp', name: 'Fan T', quantity: '', unit: 'K' },
      { column: 'x_diff', name: 'X diff', quantity: '', unit: '' },
    ]);
    expect(featureLabel('fan_temp_max_30', l)).toEqual({ text: 'Fan T max (30 cycles)', unit: 'K', column: 'fan_temp' });
    expect(l.feature('x_diff')).toBe('X diff');
    expect(l.feature('x_diff_diff')).toBe('X diff change per cycle');
    expect(l.feature('unknown_mean_30')).toBe('unknown_mean_30');
  });
});
