import { createContext, useCallback, useContext, useEffect, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import type { PrognosError } from '../../../shared/errors';
import type { BundleEntry, DatasetRecord, RunSummary } from '../../../shared/schemas';
import { useApi } from '../api/context';
import { asPrognosError } from '../lib/errors';
import { EMPTY_CHOICE, parseStoredChoice, type ContextChoice, type ContextLists, type ContextSlot } from '../lib/context-choices';
import { ContextStore } from './context-store';

/** The analyst's working context: one dataset, fleet, run and bundle shared by every view. */
export interface WorkingContext {
  /** null until the lists have loaded */
  readonly lists: ContextLists | null;
  readonly error: PrognosError | null;
  /** what each slot holds now: the analyst's choice, else the preselection */
  readonly current: ContextChoice;
  /** the analyst's own choices (null: preselected) */
  readonly chosen: ContextChoice;
  readonly choose: (slot: ContextSlot, id: string | null) => void;
  /** reloads the lists (after an import, a training run, a rename or a delete) */
  readonly refresh: () => void;
  readonly dataset: (id: string | null) => DatasetRecord | null;
  readonly run: (id: string | null) => RunSummary | null;
  readonly bundle: (id: string | null) => BundleEntry | null;
}

export const CONTEXT_STORAGE_KEY = 'prognos.context';

function loadChoice(): ContextChoice {
  try {
    return parseStoredChoice(window.localStorage.getItem(CONTEXT_STORAGE_KEY));
  } catch {
    return EMPTY_CHOICE;
  }
}

function saveChoice(choice: ContextChoice): void {
  try {
    window.localStorage.setItem(CONTEXT_STORAGE_KEY, JSON.stringify(choice));
  } catch {
    // storage may be unavailable; the choice still lives for this page
  }
}

const Ctx = createContext<WorkingContext | null>(null);

/**
 * Holds the working context (see ContextStore), persisted in localStorage. The lists reload when a
 * job finishes (import, training, export) and when a view calls `refresh`.
 */
export function WorkingContextProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const store = useMemo(
    () => new ContextStore(() => Promise.all([api.datasetsList({}), api.runsList({}), api.bundlesList({})]).then(([datasets, runs, bundles]) => ({ datasets, runs, bundles })), loadChoice(), saveChoice, asPrognosError),
    [api],
  );
  useEffect(() => {
    store.refresh();
    return () => store.dispose();
  }, [store]);
  useEffect(() => api.on('job:finished', () => store.refresh()), [api, store]);

  const { lists, error, chosen, current } = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const { choose, refresh } = store;
  const dataset = useCallback((id: string | null) => lists?.datasets.find((d) => d.datasetId === id) ?? null, [lists]);
  const run = useCallback((id: string | null) => lists?.runs.find((r) => r.runId === id) ?? null, [lists]);
  const bundle = useCallback((id: string | null) => lists?.bundles.find((b) => b.bundleId === id) ?? null, [lists]);

  const value = useMemo<WorkingContext>(
    () => ({ lists, error, current, chosen, choose, refresh, dataset, run, bundle }),
    [lists, error, current, chosen, choose, refresh, dataset, run, bundle],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useWorkingContext(): WorkingContext {
  const value = useContext(Ctx);
  if (value === null) throw new Error('WorkingContextProvider is missing above this component.');
  return value;
}
