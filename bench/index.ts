/** `npm run bench [PREFIX...] [--json FILE]`: runs the benchmarks whose names start with a prefix. */
import { writeFileSync } from 'node:fs';
import { formatFigure, type Benchmark, type Figure } from './figures';
import { featuresFd001 } from './features-fd001';
import { import1m } from './import-1m';

const BENCHMARKS: Benchmark[] = [import1m, featuresFd001];

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
  const chosen = BENCHMARKS.filter((b) => prefixes.length === 0 || prefixes.some((p) => b.name.startsWith(p)));
  if (chosen.length === 0) {
    console.error(`No benchmark matches ${prefixes.join(', ')}. Known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
    process.exit(1);
  }
  const all: Figure[] = [];
  let failed = false;
  for (const b of chosen) {
    try {
      const figures = await b.run();
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
