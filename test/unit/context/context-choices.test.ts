import { describe, expect, it } from 'vitest';
import type { BundleEntry, DatasetRecord, RunSummary } from '../../../src/shared/schemas';
import type { DatasetRole } from '../../../src/shared/housekeeping';
import { bestRun, defaultBundle, parseStoredChoice, resolveContext, validChoice, EMPTY_CHOICE } from '../../../src/renderer/src/lib/context-choices';

function dataset(datasetId: string, role: DatasetRole, createdAt: string): DatasetRecord {
  return { datasetId, role, createdAt, name: datasetId } as unknown as DatasetRecord;
}
function run(runId: string, validationF2: number | null, createdAt: string, status: RunSummary['status'] = 'done'): RunSummary {
  return { runId, validationF2, createdAt, status, name: null } as unknown as RunSummary;
}
function bundle(bundleId: string, runId: string, created: string, origin: BundleEntry['origin'] = 'exported'): BundleEntry {
  return { bundleId, runId, created, origin } as unknown as BundleEntry;
}

const datasets = [
  dataset('ds_train_old', 'training', '2026-01-01T00:00:00.000Z'),
  dataset('ds_train_new', 'training', '2026-01-03T00:00:00.000Z'),
  dataset('ds_test', 'test', '2026-01-02T00:00:00.000Z'),
  dataset('ds_unlabeled', 'unlabeled', '2026-01-04T00:00:00.000Z'),
];

describe('preselection', () => {
  it('takes the best validation F2, not the newest run; a tie goes to the newest; unfinished runs never', () => {
    const older = run('run_a', 0.8, '2026-01-01T00:00:00.000Z');
    const newerWorse = run('run_b', 0.6, '2026-01-02T00:00:00.000Z');
    const running = run('run_c', null, '2026-01-03T00:00:00.000Z', 'running');
    expect(bestRun([newerWorse, older, running])?.runId).toBe('run_a');
    const tie = run('run_d', 0.8, '2026-01-04T00:00:00.000Z');
    expect(bestRun([older, newerWorse, tie])?.runId).toBe('run_d');
    expect(bestRun([run('run_x', null, '2026-01-05T00:00:00.000Z'), older])?.runId).toBe('run_a');
    expect(bestRun([running])).toBeNull();
  });

  it('fills each slot: latest training fleet, latest unlabeled or test fleet, best run, its bundle', () => {
    const runs = [run('run_a', 0.9, '2026-01-01T00:00:00.000Z'), run('run_b', 0.5, '2026-01-02T00:00:00.000Z')];
    const bundles = [bundle('store:b1', 'run_b', '2026-01-03T00:00:00.000Z'), bundle('store:a1', 'run_a', '2026-01-02T00:00:00.000Z'), bundle('shipped:demo', 'run_s', '2026-02-01T00:00:00.000Z', 'shipped')];
    expect(resolveContext(EMPTY_CHOICE, { datasets, runs, bundles })).toEqual({ dataset: 'ds_train_new', fleet: 'ds_unlabeled', run: 'run_a', bundle: 'store:a1' });
    expect(defaultBundle(bundles, 'run_none')?.bundleId).toBe('store:b1');
    expect(defaultBundle([bundles[2]!], null)?.bundleId).toBe('shipped:demo');
  });

  it('keeps a valid choice and drops one whose item was deleted', () => {
    const lists = { datasets, runs: [run('run_a', 0.9, '2026-01-01T00:00:00.000Z')], bundles: [] };
    const choice = { dataset: 'ds_test', fleet: 'ds_gone', run: 'run_gone', bundle: 'store:gone' };
    expect(validChoice(choice, lists)).toEqual({ dataset: 'ds_test', fleet: null, run: null, bundle: null });
    expect(resolveContext(choice, lists)).toEqual({ dataset: 'ds_test', fleet: 'ds_unlabeled', run: 'run_a', bundle: null });
    expect(resolveContext(EMPTY_CHOICE, { datasets: [], runs: [], bundles: [] })).toEqual(EMPTY_CHOICE);
  });

  it('reads a stored choice defensively: garbage is no choice', () => {
    expect(parseStoredChoice(null)).toEqual(EMPTY_CHOICE);
    expect(parseStoredChoice('{not json')).toEqual(EMPTY_CHOICE);
    expect(parseStoredChoice('[1,2]')).toEqual(EMPTY_CHOICE);
    expect(parseStoredChoice('{"dataset": 5, "run": "run_a", "fleet": "", "bundle": {"x": 1}}')).toEqual({ dataset: null, fleet: null, run: 'run_a', bundle: null });
  });
});
