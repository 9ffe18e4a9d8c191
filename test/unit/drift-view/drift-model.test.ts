import { describe, expect, it } from 'vitest';
import { DEFAULT_DRIFT_THRESHOLDS } from '../../../src/shared/drift';
import { reportIdFromRoute, reportIdOf } from '../../../src/renderer/src/views/drift/drift-client';
import {
  DEFAULT_SORT,
  barFraction,
  driftedText,
  exceedance,
  methodsInUse,
  nextSort,
  rereadReport,
  ruleOf,
  sameRule,
  sortColumns,
  validThreshold,
} from '../../../src/renderer/src/views/drift/drift-model';
import { fixtureReport } from './report-fixture';

const names = (cs: ReadonlyArray<{ name: string }>) => cs.map((c) => c.name);

describe('re-reading a stored report under the view’s rule', () => {
  it('gives the stored report itself under its own rule', () => {
    const r = fixtureReport();
    expect(rereadReport(r, ruleOf(r))).toBe(r);
    expect(driftedText(r.features)).toBe('2 of 4 features drift');
    expect(r.datasetDrift).toBe(true);
  });

  it('moving the threshold changes the drifted count and the dataset verdict', () => {
    const r = fixtureReport();
    const stricter = rereadReport(r, { ...ruleOf(r), thresholds: { ...r.thresholds, wasserstein: 0.2 } });
    expect(names(stricter.features.filter((f) => f.drifted))).toEqual(['s11_mean_10']);
    expect(driftedText(stricter.features)).toBe('1 of 4 features drifts');
    expect(stricter.driftedShare).toBe(0.25);
    expect(stricter.datasetDrift).toBe(false);
    const looser = rereadReport(r, { ...ruleOf(r), thresholds: { ...r.thresholds, wasserstein: 0.03 } });
    expect(driftedText(looser.features)).toBe('3 of 4 features drift');
    expect(looser.datasetDrift).toBe(true);
    // the stored report is untouched
    expect(driftedText(r.features)).toBe('2 of 4 features drift');
  });

  it('switching the method re-reads every column from its stored scores', () => {
    const r = fixtureReport();
    const psi = rereadReport(r, { ...ruleOf(r), method: 'psi', thresholds: { ...r.thresholds, psi: 0.05 } });
    expect(psi.features.every((f) => f.method === 'psi')).toBe(true);
    expect(names(psi.features.filter((f) => f.drifted))).toEqual(['s11_mean_10', 's4_slope_20', 's9_std_5']);
    const ks = rereadReport(r, { ...ruleOf(r), method: 'ks' });
    expect(names(ks.features.filter((f) => f.drifted))).toEqual(['s11_mean_10', 's4_slope_20']);
    expect(ks.features.map((f) => f.pValue)).toEqual([1e-40, 0.002, 0.2, 0.9]);
    expect(names(ks.sensors.filter((f) => f.drifted))).toEqual(['sensor_11']);
    // the dataset-drift share alone
    const share = rereadReport(r, { ...ruleOf(r), datasetDriftShare: 0.75 });
    expect(share.datasetDrift).toBe(false);
    expect(sameRule(ruleOf(share), ruleOf(r))).toBe(false);
  });

  it('names the thresholds that decide under each method', () => {
    expect(methodsInUse('auto')).toEqual(['ks', 'wasserstein']);
    expect(methodsInUse('psi')).toEqual(['psi']);
    expect(validThreshold('ks', 0.05)).toBe(true);
    expect(validThreshold('ks', 1)).toBe(false);
    expect(validThreshold('jsd', 1)).toBe(true);
    expect(validThreshold('jsd', 1.2)).toBe(false);
    expect(validThreshold('psi', 3)).toBe(true);
    expect(validThreshold('psi', 0)).toBe(false);
    expect(validThreshold('wasserstein', Number.NaN)).toBe(false);
  });
});

describe('score against threshold', () => {
  it('is score / threshold for effect sizes and log p / log threshold for KS', () => {
    expect(exceedance({ method: 'psi', score: 0.2, threshold: 0.1 })).toBeCloseTo(2);
    expect(exceedance({ method: 'ks', score: 0.08, threshold: 0.05, pValue: 0.05 })).toBeCloseTo(1);
    expect(exceedance({ method: 'ks', score: 0.08, threshold: 0.05, pValue: 0.002 })).toBeGreaterThan(1);
    expect(exceedance({ method: 'ks', score: 0.01, threshold: 0.05, pValue: 0.9 })).toBeLessThan(1);
    expect(exceedance({ method: 'ks', score: 0, threshold: 0.05, pValue: 1 })).toBe(0);
    // p = 0 is not infinite: it is held at the smallest double's scale
    expect(Number.isFinite(exceedance({ method: 'ks', score: 1, threshold: 0.05, pValue: 0 }))).toBe(true);
  });

  it('draws the threshold at the middle of the bar and caps it at the end', () => {
    expect(barFraction({ method: 'psi', score: 0.1, threshold: 0.1 })).toBeCloseTo(0.5);
    expect(barFraction({ method: 'psi', score: 0.05, threshold: 0.1 })).toBeCloseTo(0.25);
    expect(barFraction({ method: 'psi', score: 5, threshold: 0.1 })).toBe(1);
    expect(barFraction({ method: 'psi', score: -1, threshold: 0.1 })).toBe(0);
  });
});

describe('sorting the table', () => {
  it('starts with the columns furthest past their threshold', () => {
    const r = fixtureReport();
    expect(names(sortColumns(r.features, DEFAULT_SORT))).toEqual(['s11_mean_10', 's4_slope_20', 's9_std_5', 's2_ewma']);
  });

  it('sorts names in natural order and flips on a second click', () => {
    const r = fixtureReport();
    const byName = nextSort(DEFAULT_SORT, 'name');
    expect(byName).toEqual({ key: 'name', descending: false });
    expect(names(sortColumns(r.features, byName))).toEqual(['s2_ewma', 's4_slope_20', 's9_std_5', 's11_mean_10']);
    expect(names(sortColumns(r.features, nextSort(byName, 'name')))).toEqual(['s11_mean_10', 's9_std_5', 's4_slope_20', 's2_ewma']);
  });

  it('puts missing p-values last and sorts p-values under KS', () => {
    const r = fixtureReport();
    const stored = sortColumns(r.features, { key: 'pValue', descending: false });
    expect(names(stored)).toEqual(names(r.features));
    const ks = rereadReport(r, { ...ruleOf(r), method: 'ks' });
    expect(names(sortColumns(ks.features, { key: 'pValue', descending: true }))).toEqual(['s2_ewma', 's9_std_5', 's4_slope_20', 's11_mean_10']);
    expect(names(sortColumns(ks.features, { key: 'drifted', descending: true })).slice(0, 2)).toEqual(['s11_mean_10', 's4_slope_20']);
  });
});

describe('report ids from jobs and addresses', () => {
  it('reads the job result and the two address forms', () => {
    expect(reportIdOf({ reportId: 'drift_1' })).toBe('drift_1');
    expect(reportIdOf({ reportId: '' })).toBeNull();
    expect(reportIdOf({ runId: 'r' })).toBeNull();
    expect(reportIdOf(undefined)).toBeNull();
    expect(reportIdFromRoute('drift_2', '#/drift/drift_2')).toBe('drift_2');
    expect(reportIdFromRoute(null, '#/drift?report=drift_3')).toBe('drift_3');
    expect(reportIdFromRoute(null, '#/drift')).toBeNull();
  });

  it('keeps the default thresholds of the shared shapes', () => {
    expect(ruleOf(fixtureReport()).thresholds).toEqual(DEFAULT_DRIFT_THRESHOLDS);
  });
});
