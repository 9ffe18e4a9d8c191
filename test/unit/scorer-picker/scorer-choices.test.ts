import { describe, expect, it } from 'vitest';
import type { BundleEntry, RunSummary } from '../../../src/shared/schemas';
import { orderBundles, resolveScorerKey, scorerChoices, type ScorerChoiceOptions } from '../../../src/renderer/src/lib/scorer-choices';

function bundle(bundleId: string, origin: BundleEntry['origin'], created: string): BundleEntry {
  return {
    bundleId,
    name: null,
    path: `/store/bundles/${bundleId}`,
    origin,
    runId: `run_${bundleId}`,
    created,
    datasetName: 'train',
    models: ['gbdt'],
    threshold: 0.5,
    weight: 1,
    signed: false,
    files: ['manifest.json', 'models/gbdt.onnx'],
    trust: { verdict: 'unsigned', keyId: null, keyName: null, claimedKeyId: null, summary: 'unsigned' },
    refused: null,
  };
}

function run(runId: string, status: RunSummary['status'], createdAt: string): RunSummary {
  return {
    runId,
    name: null,
    datasetId: 'ds_1',
    datasetName: 'train',
    status,
    createdAt,
    finishedAt: null,
    seed: 1,
    jobId: null,
    models: ['gbdt'],
    threshold: 0.5,
    validationF2: 0.8,
    testF2: null,
    error: null,
  };
}

const FLEET: ScorerChoiceOptions = { shipped: true, first: 'bundles', groupLabels: { library: 'Library', shipped: 'Shipped', runs: 'Runs' } };
const DRIFT: ScorerChoiceOptions = { shipped: false, first: 'runs', groupLabels: { library: 'Library', runs: 'Runs' } };

const bundles = [
  bundle('demo', 'shipped', '2026-01-01T00:00:00Z'),
  bundle('old', 'exported', '2026-02-01T00:00:00Z'),
  bundle('new', 'imported', '2026-03-01T00:00:00Z'),
];
const runs = [
  run('run_a', 'done', '2026-02-10T00:00:00Z'),
  run('run_b', 'running', '2026-03-10T00:00:00Z'),
  run('run_c', 'done', '2026-03-05T00:00:00Z'),
  run('run_d', 'failed', '2026-03-11T00:00:00Z'),
];

describe('the scorer choices of the Fleet, Drift and Reports views', () => {
  it('orders the library newest first, then the shipped bundles, or leaves the shipped ones out', () => {
    expect(orderBundles(bundles, true).map((b) => b.bundleId)).toEqual(['new', 'old', 'demo']);
    expect(orderBundles(bundles, false).map((b) => b.bundleId)).toEqual(['new', 'old']);
  });

  it('bundles first: groups library, shipped, finished runs (newest first); a bundle is the default', () => {
    const c = scorerChoices(bundles, runs, FLEET);
    expect(c.groups.map((g) => [g.label, g.options.map((o) => o.key)])).toEqual([
      ['Library', ['bundle:new', 'bundle:old']],
      ['Shipped', ['bundle:demo']],
      ['Runs', ['run:run_c', 'run:run_a']],
    ]);
    expect(c.defaultKey).toBe('bundle:new');
    expect(c.labels.get('run:run_c')).toMatch(/^Run c · train · .* · val F2 0\.8/);
  });

  it('runs first: finished runs then the library, without shipped bundles; a run is the default', () => {
    const c = scorerChoices(bundles, runs, DRIFT);
    expect(c.groups.map((g) => g.label)).toEqual(['Runs', 'Library']);
    expect(c.labels.has('bundle:demo')).toBe(false);
    expect(c.labels.has('run:run_b')).toBe(false);
    expect(c.defaultKey).toBe('run:run_c');
  });

  it('falls back to the other kind, and to nothing, when the preferred kind is missing', () => {
    expect(scorerChoices([], runs, FLEET).defaultKey).toBe('run:run_c');
    expect(scorerChoices(bundles, [], DRIFT).defaultKey).toBe('bundle:new');
    const none = scorerChoices([bundles[0]!], [runs[1]!], DRIFT);
    expect(none.groups).toEqual([]);
    expect(none.defaultKey).toBeNull();
  });

  it('keeps a choice while it is offered, else takes the default', () => {
    const c = scorerChoices(bundles, runs, FLEET);
    expect(resolveScorerKey('run:run_a', c)).toBe('run:run_a');
    expect(resolveScorerKey('run:run_b', c)).toBe('bundle:new');
    expect(resolveScorerKey('bundle:gone', c)).toBe('bundle:new');
    expect(resolveScorerKey(null, c)).toBe('bundle:new');
  });
});
