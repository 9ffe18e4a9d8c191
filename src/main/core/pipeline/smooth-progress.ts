/**
 * Progress that does not jump when early stopping ends a model. Each stage of training has a planned
 * share of the bar (the GBDT's up to its maximum trees, the LSTM's up to its maximum epochs); when a
 * model stops early, the next stage would start far ahead of where the bar is. Instead, the rest of
 * the plan is squeezed into what is left: the next stage starts where the bar stands, and 1 stays 1.
 */
export class SmoothProgress {
  /** planned fractions from `from` on are mapped onto [to, 1] */
  private from = 0;
  private to = 0;
  private last = 0;

  /** the shown fraction for a planned one (never below what was shown before) */
  at(planned: number): number {
    const p = Math.max(0, Math.min(1, planned));
    const mapped = p <= this.from || this.from >= 1 ? Math.min(p, this.to) : this.to + ((p - this.from) * (1 - this.to)) / (1 - this.from);
    this.last = Math.max(this.last, mapped);
    return this.last;
  }

  /** A stage ended before its share was used up: the next stage, planned to start at `nextPlanned`, starts at the bar's place. */
  endedEarly(nextPlanned: number): void {
    if (nextPlanned >= 1 || nextPlanned <= this.from) return;
    const mapped = this.to + ((nextPlanned - this.from) * (1 - this.to)) / (1 - this.from);
    if (mapped <= this.last) return;
    this.from = nextPlanned;
    this.to = this.last;
  }
}
