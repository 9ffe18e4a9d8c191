/**
 * Ctrl-C for commands that stop cleanly. The terminal signals the whole foreground process group, and
 * bin/prognos.js, which may have started the command again in a second process, forwards the signal
 * too: a relaunched command gets every Ctrl-C twice, about a millisecond apart.
 */

/** Two stop signals this close together are one interrupt. */
export const SAME_INTERRUPT_MS = 250;

/**
 * Calls `first` on the first of `signals`. Another within SAME_INTERRUPT_MS is the same interrupt and
 * is ignored; a later one ends the process at once, as the signal would without a handler. The
 * returned `release` stops listening (a copy of an interrupt still on its way is ignored all the same).
 */
export function onInterrupt(signals: readonly NodeJS.Signals[], first: () => void): () => void {
  let at: number | undefined;
  let released = false;
  const listener = (signal: NodeJS.Signals): void => {
    if (at === undefined) {
      at = Date.now();
      first();
    } else if (Date.now() - at > SAME_INTERRUPT_MS) {
      release();
      process.kill(process.pid, signal);
    }
  };
  const release = (): void => {
    if (released) return;
    released = true;
    if (at !== undefined && Date.now() - at <= SAME_INTERRUPT_MS) {
      // listening on before letting go: without a listener the copy would end the process
      const same = (): void => undefined;
      for (const s of signals) process.on(s, same);
      setTimeout(() => {
        for (const s of signals) process.off(s, same);
      }, SAME_INTERRUPT_MS).unref();
    }
    for (const s of signals) process.off(s, listener);
  };
  for (const s of signals) process.on(s, listener);
  return release;
}
