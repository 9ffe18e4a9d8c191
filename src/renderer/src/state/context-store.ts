/**
 * The working context's state, apart from React so that its order of events can be tested: the
 * analyst's choices (read back from storage, saved on every change), the store's lists (loaded on
 * `refresh`, the answer of an older request that lands late is dropped), and what each slot holds.
 *
 * The analyst's choice wins over a preselection that lands after it: a slot chosen on this page holds
 * the choice at once, also while the lists load (after a page reload the list of a view can be there
 * before the context's), and a choice is checked only against lists asked for after it was made. One
 * whose item is missing from lists asked for earlier is kept and the lists load again (the item is
 * newer than they are); one still missing then is gone and dropped (the slot falls back to its
 * preselection), never followed. A stored choice counts as made before the first request: it is
 * checked against the first lists and not followed before.
 */
import type { PrognosError } from '../../../shared/errors';
import { CONTEXT_SLOTS, EMPTY_CHOICE, resolveContext, validChoice, type ContextChoice, type ContextLists, type ContextSlot } from '../lib/context-choices';

export interface ContextSnapshot {
  /** null until the lists have loaded */
  readonly lists: ContextLists | null;
  readonly error: PrognosError | null;
  /** the analyst's own choices (null: preselected) */
  readonly chosen: ContextChoice;
  /** what each slot holds now: the analyst's choice, else the preselection */
  readonly current: ContextChoice;
}

export class ContextStore {
  private chosen: ContextChoice;
  private lists: ContextLists | null = null;
  private error: PrognosError | null = null;
  /** the number of the latest request for the lists; only its answer is taken */
  private requested = 0;
  /** the request the lists held are the answer to (0: none yet) */
  private landed = 0;
  /** per slot, the latest request made before the analyst chose it (0: a stored choice) */
  private readonly chosenAfter: Record<ContextSlot, number> = { dataset: 0, fleet: 0, run: 0, bundle: 0 };
  private snapshot: ContextSnapshot;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly load: () => Promise<ContextLists>,
    stored: ContextChoice,
    private readonly save: (choice: ContextChoice) => void,
    private readonly asError: (e: unknown) => PrognosError,
  ) {
    this.chosen = stored;
    this.snapshot = this.take();
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): ContextSnapshot => this.snapshot;

  /** Loads the lists again (after an import, a training run, a rename or a delete). */
  readonly refresh = (): void => {
    const n = ++this.requested;
    this.load().then(
      (lists) => {
        if (n !== this.requested) return;
        this.lists = lists;
        this.landed = n;
        this.error = null;
        this.check(lists, n);
        this.changed();
      },
      (e: unknown) => {
        if (n !== this.requested) return;
        this.error = this.asError(e);
        this.changed();
      },
    );
  };

  readonly choose = (slot: ContextSlot, id: string | null): void => {
    this.setChosen({ ...this.chosen, [slot]: id });
    this.chosenAfter[slot] = this.requested;
    const lists = this.lists;
    // an item the lists do not hold (just imported or trained): load them again, then check
    const known = lists === null || id === null || [...lists.datasets.map((d) => d.datasetId), ...lists.runs.map((r) => r.runId), ...lists.bundles.map((b) => b.bundleId)].includes(id);
    if (!known && this.landed === this.requested) this.refresh();
    this.changed();
  };

  /** Stops taking answers to the requests made so far (the provider is gone). */
  dispose(): void {
    this.requested++;
  }

  /**
   * The lists of request `n` against the choices: one made before the request whose item is missing
   * is gone, dropped (and the stored copy with it); one made after it waits for lists asked for later.
   */
  private check(lists: ContextLists, n: number): void {
    const c = this.chosen;
    const valid = validChoice(c, lists);
    const missing = CONTEXT_SLOTS.filter((slot) => valid[slot] !== c[slot]);
    const gone = missing.filter((slot) => this.chosenAfter[slot] < n);
    if (gone.length > 0) this.setChosen({ ...c, ...Object.fromEntries(gone.map((slot) => [slot, null])) });
    if (gone.length < missing.length) this.refresh();
  }

  private setChosen(choice: ContextChoice): void {
    this.chosen = choice;
    this.save(choice);
  }

  private take(): ContextSnapshot {
    const lists = this.lists;
    const resolved = lists === null ? EMPTY_CHOICE : resolveContext(this.chosen, lists);
    // a choice newer than the lists holds before they can confirm it
    const newer = CONTEXT_SLOTS.filter((slot) => this.chosen[slot] !== null && this.chosenAfter[slot] >= this.landed && this.chosenAfter[slot] > 0);
    const current = newer.length === 0 ? resolved : { ...resolved, ...Object.fromEntries(newer.map((slot) => [slot, this.chosen[slot]])) };
    return { lists, error: this.error, chosen: this.chosen, current };
  }

  private changed(): void {
    this.snapshot = this.take();
    for (const l of this.listeners) l();
  }
}
