/** `npm run bench [PREFIX...] [--json FILE]`: runs the benchmarks whose names start with a prefix. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatFigure, type Benchmark, type Figure } from './figures';
import { featuresFd001 } from './features-fd001';
import { scoreBenchmarks } from './score';
import { lstmBenchmark } from './lstm/lstm';
import { import1m } from './import-1m';
import { benchGbdtTrain } from './gbdt/gbdt-train';
import { fd001GbdtMatrix } from './gbdt/fd001-matrix';
import { mainLoopLag } from './main-loop-lag';
import { soakMemory } from './soak-memory';
import { rulFd001 } from './rul-fd001';
import { driftBench } from './drift';
import { serveBenchmark } from './serve';
import { serveCpuBenchmark } from './serve-cpu';
import { reportBench } from './report';
import { trainFd001 } from './train-fd001';
import './report-e2e';

const gbdtTrain: Benchmark = {
  name: 'gbdt-train',
  run: async () => benchGbdtTrain({ data: await fd001GbdtMatrix(), label: 'FD001 training units, top-40 features' }),
};

/** benchmarks of the serving process: run in a child started as `prognos serve` starts (bin/serving-env.cjs) */
const SERVING_PROCESS = new Set(['main-loop-lag', 'soak-memory']);
const servingEnv = createRequire(__filename)('../bin/serving-env.cjs') as {
  withServingEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  hasServingEnv(env?: NodeJS.ProcessEnv): boolean;
};

/** Runs one benchmark in a child process with the serving environment and returns its figures. */
function runAsServingProcess(b: Benchmark): Figure[] {
  const file = join(mkdtempSync(join(tmpdir(), 'prognos-bench-')), 'figures.json');
  const r = spawnSync('npx', ['vite-node', resolve(__dirname, 'index.ts'), b.name, '--json', file], {
    cwd: resolve(__dirname, '..'),
    stdio: ['ignore', 'ignore', 'inherit'],
    env: servingEnv.withServingEnv(process.env),
  });
  if (r.status !== 0) throw new Error(`the serving-process run exited with ${r.status ?? r.signal}`);
  const env = Object.entries(servingEnv.withServingEnv({}))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return (JSON.parse(readFileSync(file, 'utf8')) as Figure[]).map((f) => ({ ...f, note: `${f.note ?? ''}${f.note === undefined ? '' : '; '}run as prognos serve runs (${env})` }));
}

const BENCHMARKS: Benchmark[] = [import1m, featuresFd001, gbdtTrain, lstmBenchmark, scoreBenchmarks, mainLoopLag, soakMemory, rulFd001, driftBench, reportBench, serveBenchmark, serveCpuBenchmark, trainFd001];

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
      const raw = SERVING_PROCESS.has(b.name) && !servingEnv.hasServingEnv() ? runAsServingProcess(b) : await b.run();
      const figures = raw.map((f) =>
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
