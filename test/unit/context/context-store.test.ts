/**
 * The working context's order of events, with the lists' request answered by hand: a choice the
 * analyst makes while the lists load (after a page reload) holds at once and wins over the
 * preselection that lands later; a stored choice waits for the check; a late answer to an older
 * request is dropped.
 */
import { describe, expect, it } from 'vitest';
import type { DatasetRecord, RunSummary } from '../../../src/shared/schemas';
import type { DatasetRole } from '../../../src/shared/housekeeping';
import { PrognosError } from '../../../src/shared/errors';
import { EMPTY_CHOICE, type ContextChoice, type ContextLists } from '../../../src/renderer/src/lib/context-choices';
import { ContextStore } from '../../../src/renderer/src/state/context-store';

function dataset(datasetId: string, role: DatasetRole, createdAt: string): DatasetRecord {
  return { datasetId, role, createdAt, name: datasetId } as unknown as DatasetRecord;
}
function run(runId: string, validationF2: number, createdAt: string): RunSummary {
  return { runId, validationF2, createdAt, status: 'done', name: null } as unknown as RunSummary;
}

// the preselection: ds_train_new (the latest training fleet), run_best (the best validation F2)
const LISTS: ContextLists = {
  datasets: [dataset('ds_train_old', 'training', '2026-01-01T00:00:00.000Z'), dataset('ds_train_new', 'training', '2026-01-03T00:00:00.000Z'), dataset('ds_test', 'test', '2026-01-02T00:00:00.000Z')],
  runs: [run('run_best', 0.9, '2026-01-01T00:00:00.000Z'), run('run_other', 0.5, '2026-01-02T00:00:00.000Z')],
  bundles: [],
};

/** A store whose requests for the lists wait until the test answers them, in any order. */
function harness(stored: ContextChoice = EMPTY_CHOICE) {
  const pending: { resolve: (l: ContextLists) => void; reject: (e: unknown) => void }[] = [];
  const saved: ContextChoice[] = [];
  const store = new ContextStore(
    () => new Promise<ContextLists>((resolve, reject) => pending.push({ resolve, reject })),
    stored,
    (c) => saved.push(c),
    (e) => (e instanceof PrognosError ? e : new PrognosError('INTERNAL', String(e))),
  );
  let notified = 0;
  store.subscribe(() => notified++);
  // a settled promise's callbacks run on the microtask queue
  const answer = async (i: number, lists: ContextLists): Promise<void> => {
    pending[i]!.resolve(lists);
    await Promise.resolve();
    await Promise.resolve();
  };
  return { store, pending, saved, answer, notified: () => notified };
}

describe('the working context while its lists load', () => {
  it('a dataset picked before the lists land holds at once and wins over the preselection', async () => {
    const h = harness();
    h.store.refresh();
    expect(h.store.getSnapshot().lists).toBeNull();
    h.store.choose('dataset', 'ds_train_old');
    // the view follows the click now, not when the bar has loaded
    expect(h.store.getSnapshot().current.dataset).toBe('ds_train_old');
    expect(h.store.getSnapshot().current.run).toBeNull();
    await h.answer(0, LISTS);
    const s = h.store.getSnapshot();
    expect(s.lists).toBe(LISTS);
    expect(s.current).toMatchObject({ dataset: 'ds_train_old', run: 'run_best' });
    expect(s.chosen.dataset).toBe('ds_train_old');
    expect(h.saved.at(-1)?.dataset).toBe('ds_train_old');
  });

  it('a choice of an item the lists in flight cannot hold yet is kept, and the lists load again before it is checked', async () => {
    const h = harness();
    h.store.refresh();
    h.store.choose('run', 'run_new');
    await h.answer(0, LISTS);
    expect(h.store.getSnapshot().chosen.run).toBe('run_new');
    expect(h.store.getSnapshot().current.run).toBe('run_new');
    expect(h.pending).toHaveLength(2);
    await h.answer(1, { ...LISTS, runs: [...LISTS.runs, run('run_new', 0.1, '2026-01-05T00:00:00.000Z')] });
    expect(h.store.getSnapshot().current.run).toBe('run_new');
    expect(h.pending).toHaveLength(2);
  });

  it('a choice still missing from lists asked for after it is dropped: the slot falls back to its preselection', async () => {
    const h = harness();
    h.store.refresh();
    h.store.choose('run', 'run_gone');
    await h.answer(0, LISTS);
    await h.answer(1, LISTS);
    expect(h.store.getSnapshot().chosen.run).toBeNull();
    expect(h.store.getSnapshot().current.run).toBe('run_best');
    expect(h.pending).toHaveLength(2);
  });

  it('a stored choice is not followed before the check, and one whose item was deleted is dropped, in storage too', async () => {
    const h = harness({ dataset: 'ds_deleted', fleet: 'ds_test', run: null, bundle: null });
    h.store.refresh();
    expect(h.store.getSnapshot().current).toEqual(EMPTY_CHOICE);
    await h.answer(0, LISTS);
    expect(h.store.getSnapshot().chosen).toEqual({ dataset: null, fleet: 'ds_test', run: null, bundle: null });
    expect(h.store.getSnapshot().current).toMatchObject({ dataset: 'ds_train_new', fleet: 'ds_test' });
    expect(h.saved.at(-1)?.dataset).toBeNull();
  });

  it('the late answer to an older request is dropped; the newest one counts', async () => {
    const h = harness();
    h.store.refresh();
    h.store.refresh();
    await h.answer(1, LISTS);
    await h.answer(0, { datasets: [], runs: [], bundles: [] });
    expect(h.store.getSnapshot().lists).toBe(LISTS);
    expect(h.notified()).toBeGreaterThan(0);
  });
});
