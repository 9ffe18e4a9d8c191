/**
 * A name for another copy that nothing has yet: `NAME (2)`, `NAME (3)`, … (the rule of the services,
 * which save a report under a taken name as `NAME (2)`; `prognos import --as-new NAME` takes the name given).
 */
export function copyName(base: string, taken: ReadonlySet<string>): string {
  const stem = base.replace(/ \(\d+\)$/, '');
  for (let i = 2; ; i++) {
    const candidate = `${stem} (${i})`;
    if (!taken.has(candidate)) return candidate;
  }
}
