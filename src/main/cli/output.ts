/** Output discipline: with --json stdout holds exactly one JSON document; messages go to stderr. */
export interface Output {
  readonly json: boolean;
  /** the command's result: JSON on stdout with --json, else the human text */
  result(value: unknown, human: () => string): void;
  /** a message for the person at the terminal (stderr) */
  note(message: string): void;
  /** a progress line, drawn in place on a terminal, silent otherwise */
  progress(fraction: number, message: string): void;
}

export function createOutput(json: boolean): Output {
  const tty = process.stderr.isTTY;
  let progressShown = false;
  const clearProgress = (): void => {
    if (progressShown) process.stderr.write('\r\x1b[2K');
    progressShown = false;
  };
  return {
    json,
    result(value, human) {
      clearProgress();
      process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
    },
    note(message) {
      clearProgress();
      process.stderr.write(`${message}\n`);
    },
    progress(fraction, message) {
      if (!tty) return;
      const pct = `${Math.round(fraction * 100)}`.padStart(3);
      process.stderr.write(`\r\x1b[2K${pct}% ${message}`.slice(0, (process.stderr.columns ?? 100) + 8));
      progressShown = true;
    },
  };
}

export function table(rows: (string | number)[][], header: string[]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? c.toLocaleString('en-US') : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  return cells
    .map((r, ri) => {
      const line = r.map((c, i) => (ri > 0 && /^-?[\d.,]+$/.test(String(c)) ? String(c).padStart(widths[i]!) : String(c).padEnd(widths[i]!))).join('  ');
      return ri === 0 ? `${line}\n${widths.map((w) => '─'.repeat(w)).join('  ')}` : line;
    })
    .join('\n')
    .trimEnd();
}
