import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { PrognosError } from '../../../shared/errors';
import type { BundleEntry, DatasetRecord, RunSummary } from '../../../shared/schemas';
import { useApi } from '../api/context';
import { asPrognosError } from '../lib/errors';
import {
  EMPTY_CHOICE,
  parseStoredChoice,
  resolveContext,
  validChoice,
  type ContextChoice,
  type ContextLists,
  type ContextSlot,
} from '../lib/context-choices';

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
 * Holds the working context, persisted in localStorage and checked against the store's lists on
 * load and after every change: a choice whose item was deleted is dropped (the slot falls back to
 * its preselection), never followed. The lists reload when a job finishes (import, training,
 * export) and when a view calls `refresh`.
 */
export function WorkingContextProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const [chosen, setChosen] = useState<ContextChoice>(loadChoice);
  const [lists, setLists] = useState<ContextLists | null>(null);
  const [error, setError] = useState<PrognosError | null>(null);
  const [generation, setGeneration] = useState(0);
  // while lists reload, choices are not checked against the old ones (a new item is not in them yet)
  const [reloading, setReloading] = useState(true);
  const refresh = useCallback(() => {
    setReloading(true);
    setGeneration((g) => g + 1);
  }, []);

  useEffect(() => {
    let current = true;
    Promise.all([api.datasetsList({}), api.runsList({}), api.bundlesList({})]).then(
      ([datasets, runs, bundles]) => {
        if (!current) return;
        setLists({ datasets, runs, bundles });
        setError(null);
        setReloading(false);
      },
      (e: unknown) => {
        if (!current) return;
        setError(asPrognosError(e));
        setReloading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [api, generation]);

  useEffect(() => api.on('job:finished', () => refresh()), [api, refresh]);

  // a stored choice whose item is gone is dropped, and the stored copy with it
  useEffect(() => {
    if (lists === null || reloading) return;
    const valid = validChoice(chosen, lists);
    if (valid.dataset !== chosen.dataset || valid.fleet !== chosen.fleet || valid.run !== chosen.run || valid.bundle !== chosen.bundle) setChosen(valid);
  }, [lists, chosen, reloading]);

  useEffect(() => saveChoice(chosen), [chosen]);

  const choose = useCallback(
    (slot: ContextSlot, id: string | null) => {
      setChosen((c) => ({ ...c, [slot]: id }));
      // an item the lists do not hold yet (just imported or trained): load them again before checking
      const known = lists === null || id === null || [...lists.datasets.map((d) => d.datasetId), ...lists.runs.map((r) => r.runId), ...lists.bundles.map((b) => b.bundleId)].includes(id);
      if (!known) refresh();
    },
    [lists, refresh],
  );
  const current = useMemo(() => (lists === null ? EMPTY_CHOICE : resolveContext(chosen, lists)), [chosen, lists]);
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
