/** One measured figure; `reference` is the named reference tool measured in the same run. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  reference?: { name: string; value: number; unit: string };
  /** ours / reference; lower is better for times and memory, higher for throughput */
  ratio?: number;
  note?: string;
}

export interface Benchmark {
  /** figures' names start with this (`import-1m`, `gbdt-train`, …) */
  name: string;
  run(): Promise<Figure[]>;
}

export function formatFigure(f: Figure): string {
  const num = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3));
  let line = `bench ${f.name}: ${num(f.value)} ${f.unit}`;
  if (f.reference !== undefined) {
    line += ` | ${f.reference.name} ${num(f.reference.value)} ${f.reference.unit}`;
    if (f.ratio !== undefined) line += ` | ratio ${f.ratio.toFixed(2)}`;
  }
  if (f.note !== undefined) line += `  (${f.note})`;
  return line;
}
