/** The promotion checks as pure functions: each outcome, and the reason it gives. */
import { describe, expect, it } from 'vitest';
import { driftCheck, failedChecks, metricsCheck, promotionChecks, signatureCheck, type SignatureInput } from '../../../src/main/core/registry/checks';
import { canonicalJson, configSha256, runMetrics } from '../../../src/main/core/registry/fingerprints';

const m = (f2: number | null, rulRmse: number | null = null) => ({ f2, rulRmse });
const sha = (c: string) => c.repeat(64);
const bundle = (over: Partial<Extract<SignatureInput, { kind: 'bundle' }>> = {}): SignatureInput => ({
  kind: 'bundle',
  unreadable: null,
  verdict: 'trusted',
  summary: 'signed by trusted key "release" (abcd)',
  keyId: sha('k'),
  manifestSha256: sha('a'),
  registered: { manifestSha256: sha('a'), signingKeyId: sha('k') },
  ...over,
});

describe('metrics check', () => {
  it('skips without a Production version, or for the Production version itself', () => {
    expect(metricsCheck({ candidate: { version: 2, metrics: m(0.5) }, production: null }).status).toBe('skipped');
    expect(metricsCheck({ candidate: { version: 2, metrics: m(0.5) }, production: { version: 2, metrics: m(0.9) } }).status).toBe('skipped');
  });
  it('passes an equal or better F2 and RMSE, fails a lower F2 or a higher RMSE', () => {
    const prod = { version: 1, metrics: m(0.8, 20) };
    expect(metricsCheck({ candidate: { version: 2, metrics: m(0.8, 20) }, production: prod }).status).toBe('passed');
    expect(metricsCheck({ candidate: { version: 2, metrics: m(0.81, 19) }, production: prod }).status).toBe('passed');
    expect(metricsCheck({ candidate: { version: 2, metrics: m(0.79, 19) }, production: prod })).toMatchObject({ status: 'failed', detail: 'validation F2 0.7900 is below Production (version 1) 0.8000' });
    expect(metricsCheck({ candidate: { version: 2, metrics: m(0.9, 21) }, production: prod })).toMatchObject({ status: 'failed', detail: "RUL RMSE 21.0000 is above Production's 20.0000" });
  });
  it('compares RMSE only when both have one; a candidate without F2 fails against one with', () => {
    const prod = { version: 1, metrics: m(0.8, null) };
    expect(metricsCheck({ candidate: { version: 2, metrics: m(0.9, 99) }, production: prod })).toMatchObject({ status: 'passed', detail: expect.stringContaining('RUL RMSE not compared') as unknown });
    expect(metricsCheck({ candidate: { version: 2, metrics: m(null) }, production: prod })).toMatchObject({ status: 'failed', detail: expect.stringContaining('has no validation F2') as unknown });
  });
});

describe('drift check', () => {
  const report = { reportId: 'drift_1', createdAt: '2026-01-01T00:00:00.000Z', fleet: 'may.txt', datasetDrift: false, driftedShare: 0.2, predictionDrifted: false };
  it('skips without a report, passes an unflagged one and fails dataset or prediction drift', () => {
    expect(driftCheck({ latest: null })).toMatchObject({ status: 'skipped', detail: expect.stringContaining('no drift report') as unknown });
    expect(driftCheck({ latest: report }).status).toBe('passed');
    expect(driftCheck({ latest: { ...report, datasetDrift: true, driftedShare: 0.6 } })).toMatchObject({ status: 'failed', detail: expect.stringContaining('flags dataset drift (60 % of features drifted)') as unknown });
    expect(driftCheck({ latest: { ...report, predictionDrifted: true } })).toMatchObject({ status: 'failed', detail: expect.stringContaining('flags prediction drift') as unknown });
  });
});

describe('signature check', () => {
  it('passes a bundle still as registered and signed by the trusted key it was registered with', () => {
    expect(signatureCheck(bundle()).status).toBe('passed');
  });
  it('fails an unreadable, changed, untrusted or re-keyed bundle', () => {
    expect(signatureCheck(bundle({ unreadable: 'SHA256SUMS: mismatch' }))).toMatchObject({ status: 'failed', detail: 'the bundle cannot be read: SHA256SUMS: mismatch' });
    expect(signatureCheck(bundle({ manifestSha256: sha('b') })).detail).toMatch(/changed since it was registered/);
    expect(signatureCheck(bundle({ verdict: 'unsigned', summary: 'unsigned' }))).toMatchObject({ status: 'failed', detail: 'not signed by a trusted key: unsigned' });
    expect(signatureCheck(bundle({ verdict: 'unknown-key' })).status).toBe('failed');
    expect(signatureCheck(bundle({ keyId: sha('z') })).detail).toMatch(/another key than at registration/);
  });
  it('a run version: skipped when its artifacts are sound, failed when damaged or gone', () => {
    expect(signatureCheck({ kind: 'run', missing: false, damaged: [], artifacts: 3 }).status).toBe('skipped');
    expect(signatureCheck({ kind: 'run', missing: false, damaged: ['gbdt: mismatch'], artifacts: 3 }).status).toBe('failed');
    expect(signatureCheck({ kind: 'run', missing: true, damaged: [], artifacts: 0 }).status).toBe('failed');
  });
});

describe('promotionChecks', () => {
  it('runs the three checks for Staging and Production, none for None and Archived', () => {
    const inputs = { candidate: { version: 2, metrics: m(0.5) }, production: { version: 1, metrics: m(0.9) }, latest: null, signature: bundle() };
    const checks = promotionChecks({ ...inputs, target: 'Production' });
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ['metrics', 'failed'],
      ['drift', 'skipped'],
      ['signature', 'passed'],
    ]);
    expect(failedChecks(checks).map((c) => c.name)).toEqual(['metrics']);
    expect(promotionChecks({ ...inputs, target: 'Staging' })).toHaveLength(3);
    expect(promotionChecks({ ...inputs, target: 'Archived' })).toEqual([]);
    expect(promotionChecks({ ...inputs, target: 'None' })).toEqual([]);
  });
});

describe('fingerprints', () => {
  it('hashes configs by canonical JSON, whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    expect(configSha256({ b: 1, a: 2 })).toBe(configSha256({ a: 2, b: 1 }));
    expect(configSha256({ a: 2 })).not.toBe(configSha256({ a: 3 }));
    expect(configSha256(null)).toBeNull();
  });
  it('reads the headline validation F2 and RUL RMSE of a run result', () => {
    expect(runMetrics({ metrics: { gbdt: { validation: { f2: 0.7 } }, ensemble: { validation: { f2: 0.8 } } }, rul: { metrics: { gbdt: { validation: { rmse: 14 } } } } })).toEqual({ f2: 0.8, rulRmse: 14 });
    expect(runMetrics({ metrics: { gbdt: { validation: { f2: 0.7 } } } })).toEqual({ f2: 0.7, rulRmse: null });
    expect(runMetrics(null)).toEqual({ f2: null, rulRmse: null });
  });
});
