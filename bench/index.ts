/** `npm run bench [PREFIX...] [--json FILE]`: runs the benchmarks whose names start with a prefix. */
import { writeFileSync } from 'node:fs';
import { formatFigure, type Benchmark, type Figure } from './figures';
import { featuresFd001 } from './features-fd001';
import { scoreBenchmarks } from './score';
import { lstmBenchmark } from './lstm/lstm';
import { import1m } from './import-1m';
import { benchGbdtTrain } from './gbdt/gbdt-train';
import { fd001GbdtMatrix } from './gbdt/fd001-matrix';
import { mainLoopLag } from './main-loop-lag';
import { soakMemory } from './soak-memory';

const gbdtTrain: Benchmark = {
  name: 'gbdt-train',
  run: async () => benchGbdtTrain({ data: await fd001GbdtMatrix(), label: 'FD001 training units, top-40 features' }),
};

const BENCHMARKS: Benchmark[] = [import1m, featuresFd001, gbdtTrain, lstmBenchmark, scoreBenchmarks, mainLoopLag, soakMemory];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const prefixes: string[] = [];
  let jsonFile: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--json') jsonFile = args[i + 1]?.endsWith('.json') === true ? args[++i] : 'bench-results.json';
    else if (a.startsWith('--json=')) jsonFile = a.slice('--json='.length);
    else prefixes.push(a);
  }
  // a prefix picks the benchmarks it starts; a figure's name (lstm-epoch, score-latency) picks the benchmark that prints it
  const chosen = BENCHMARKS.filter((b) => prefixes.length === 0 || prefixes.some((p) => b.name.startsWith(p) || p.startsWith(`${b.name}-`)));
  if (chosen.length === 0) {
    console.error(`No benchmark matches ${prefixes.join(', ')}. Known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
    process.exit(1);
  }
  const all: Figure[] = [];
  let failed = false;
  for (const b of chosen) {
    try {
      // ours / reference wherever a reference in the same unit ran and the benchmark gave no ratio itself
      const figures = (await b.run()).map((f) =>
        f.ratio === undefined && f.reference !== undefined && f.reference.unit === f.unit && f.reference.value > 0 ? { ...f, ratio: f.value / f.reference.value } : f,
      );
      for (const f of figures) console.log(formatFigure(f));
      all.push(...figures);
    } catch (e) {
      failed = true;
      console.error(`bench ${b.name}: failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (jsonFile !== undefined) writeFileSync(jsonFile, JSON.stringify(all, null, 2));
  if (failed) process.exit(1);
}

void main();
