/**
 * The working context's state, apart from React so that its order of events can be tested: the
 * analyst's choices (read back from storage, saved on every change), the store's lists (loaded on
 * `refresh`, the answer of an older request that lands late is dropped), and what each slot holds.
 *
 * A choice is checked against the lists only once they have landed: one whose item is gone is dropped
 * (the slot falls back to its preselection), never followed.
 */
import type { PrognosError } from '../../../shared/errors';
import { EMPTY_CHOICE, resolveContext, validChoice, type ContextChoice, type ContextLists, type ContextSlot } from '../lib/context-choices';

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
  /** while lists reload, choices are not checked against the old ones (a new item is not in them yet) */
  private reloading = false;
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
    this.reloading = true;
    this.load().then(
      (lists) => {
        if (n !== this.requested) return;
        this.lists = lists;
        this.error = null;
        this.reloading = false;
        this.check();
        this.changed();
      },
      (e: unknown) => {
        if (n !== this.requested) return;
        this.error = this.asError(e);
        this.reloading = false;
        this.check();
        this.changed();
      },
    );
  };

  readonly choose = (slot: ContextSlot, id: string | null): void => {
    this.setChosen({ ...this.chosen, [slot]: id });
    const lists = this.lists;
    // an item the lists do not hold yet (just imported or trained): load them again before checking
    const known = lists === null || id === null || [...lists.datasets.map((d) => d.datasetId), ...lists.runs.map((r) => r.runId), ...lists.bundles.map((b) => b.bundleId)].includes(id);
    if (!known) this.refresh();
    else this.check();
    this.changed();
  };

  /** Stops taking answers to the requests made so far (the provider is gone). */
  dispose(): void {
    this.requested++;
  }

  /** a stored choice whose item is gone is dropped, and the stored copy with it */
  private check(): void {
    if (this.lists === null || this.reloading) return;
    const c = this.chosen;
    const valid = validChoice(c, this.lists);
    if (valid.dataset !== c.dataset || valid.fleet !== c.fleet || valid.run !== c.run || valid.bundle !== c.bundle) this.setChosen(valid);
  }

  private setChosen(choice: ContextChoice): void {
    this.chosen = choice;
    this.save(choice);
  }

  private take(): ContextSnapshot {
    const lists = this.lists;
    return { lists, error: this.error, chosen: this.chosen, current: lists === null ? EMPTY_CHOICE : resolveContext(this.chosen, lists) };
  }

  private changed(): void {
    this.snapshot = this.take();
    for (const l of this.listeners) l();
  }
}
