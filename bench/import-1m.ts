/**
 * import-1m: a 1,000,000-row synthetic fleet file imported through the CLI (process start, parse in
 * the import worker and its helper thread, validate, summarise, commit to a fresh store): wall time,
 * rows/s and peak RSS, beside pandas.read_csv of the same file (parse only, timed inside Python) in
 * the same run. pandas runs with its C engine and default options twice — sep=r'\s+' (what C-MAPSS
 * text needs: runs of spaces, trailing spaces) and sep=' ' (enough for this file's single spaces,
 * and faster) — and the faster is the reference. Each side's best time of three rounds (in turn, one
 * of each per round; PROGNOS_BENCH_IMPORT_ROUNDS) is compared, with the least CPU and the largest peak
 * memory of each side's rounds. Also the CLI's start-up: `prognos --help` and
 * `prognos --version`, median of several runs, beside `python3 -c pass`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Benchmark, Figure } from './figures';
import { PYTHON, pythonHas, runPythonJson } from './python';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'bin', 'prognos.js');

function synthFile(): { file: string; rows: number } {
  // ~5,000 units of ~200 cycles; cached between runs (deterministic for the seed)
  const file = join(tmpdir(), 'prognos-bench-synth-5000-seed7.txt');
  if (!existsSync(file)) {
    const r = spawnSync(process.execPath, [CLI, 'synth', '--units', '5000', '--seed', '7', '--out', file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`synth failed: ${r.stderr}`);
  }
  const r = spawnSync('wc', ['-l', file], { encoding: 'utf8' });
  return { file, rows: Number(r.stdout.trim().split(/\s+/)[0]) };
}

/** The process and all its descendants (Linux /proc). */
function processTree(root: number): number[] {
  const out = [root];
  for (let i = 0; i < out.length; i++) {
    try {
      for (const task of readdirSync(`/proc/${out[i]}/task`)) {
        const children = readFileSync(`/proc/${out[i]}/task/${task}/children`, 'utf8').trim();
        if (children !== '') out.push(...children.split(' ').map(Number));
      }
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

/** Resident memory of a process in KiB (0 once it has ended). */
function rssKiB(pid: number): number {
  try {
    return Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Runs a command under GNU time; returns wall seconds, peak RSS in MiB and CPU seconds (user + system,
 * its descendants included). GNU time's peak is that of the largest single process; `prognos import` of
 * a large file is two (bin/prognos.js starts it again: bulk-env.cjs), so the peak reported is the larger
 * of that and the whole tree's resident memory sampled every 20 ms (which counts the pages the two
 * share, node's own code among them, twice).
 */
async function timed(cmd: string, args: string[]): Promise<{ seconds: number; rssMiB: number; cpuSeconds: number; stdout: string }> {
  const child = spawn('/usr/bin/time', ['-f', '%e %M %U %S', cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let treeKiB = 0;
  const sampler = setInterval(() => {
    if (child.pid === undefined) return;
    // the tree below GNU time itself
    const tree = processTree(child.pid).slice(1);
    treeKiB = Math.max(treeKiB, tree.reduce((sum, pid) => sum + rssKiB(pid), 0));
  }, 20);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  }).finally(() => clearInterval(sampler));
  if (code !== 0) throw new Error(`${cmd} failed: ${stderr}`);
  const last = stderr.trim().split('\n').at(-1)!.split(' ');
  return { seconds: Number(last[0]), rssMiB: Math.max(Number(last[1]), treeKiB) / 1024, cpuSeconds: Number(last[2]) + Number(last[3]), stdout };
}

/** Median wall time in ms of `runs` runs of a command (after one warm-up run). */
function medianMs(cmd: string, args: string[], runs: number): number {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    const ms = performance.now() - started;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
    if (i > 0) times.push(ms);
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  return times.length % 2 === 1 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
}

/** `prognos --help` and `--version` (the whole process, as a shell starts it) beside `python3 -c pass`. */
function startUp(): Figure[] {
  const RUNS = 15;
  const python = medianMs(PYTHON, ['-c', 'pass'], RUNS);
  const reference = { name: 'python3 -c pass', value: python, unit: 'ms' };
  const note = `median of ${RUNS} runs, node ${process.version}; target ≤ 150 ms`;
  return [
    { name: 'import-1m cli-help', value: medianMs(process.execPath, [CLI, '--help'], RUNS), unit: 'ms', reference, note },
    { name: 'import-1m cli-version', value: medianMs(process.execPath, [CLI, '--version'], RUNS), unit: 'ms', reference, note },
  ];
}

export const import1m: Benchmark = {
  name: 'import-1m',
  async run(): Promise<Figure[]> {
    const { file, rows } = synthFile();
    {
      // Rounds of our import and pandas side by side (each once per round, in turn), and the best of each
      // compared: one run of either moves by ±20 % on a shared machine. Our time is the wall time of the
      // whole process (start-up, parse, summary and commit into a fresh store).
      const rounds = Number(process.env.PROGNOS_BENCH_IMPORT_ROUNDS ?? 3);
      if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`PROGNOS_BENCH_IMPORT_ROUNDS must be a whole number of rounds, 1 or more: got "${process.env.PROGNOS_BENCH_IMPORT_ROUNDS}"`);
      const ours: Awaited<ReturnType<typeof timed>>[] = [];
      type PandasRun = { seconds: number; rows: number; rssMiB: number; cpuSeconds: number };
      const pandasRuns: Record<string, PandasRun[]> = { "r'\\s+'": [], "' '": [] };
      const havePandas = pythonHas('pandas');
      const read = (sep: string): PandasRun => {
        const code = [
          'import sys, time, json, resource, pandas as pd',
          't = time.perf_counter()',
          `df = pd.read_csv(sys.argv[1], sep=${sep}, header=None, engine='c')`,
          'dt = time.perf_counter() - t',
          'assert len(df) > 0 and len(df.columns) == 26',
          'u = resource.getrusage(resource.RUSAGE_SELF)',
          "print(json.dumps({'seconds': dt, 'rows': len(df), 'rssMiB': u.ru_maxrss / 1024, 'cpuSeconds': u.ru_utime + u.ru_stime}))",
        ].join('\n');
        const r = runPythonJson<PandasRun>(code, [file]);
        if (r.rows !== rows) throw new Error(`pandas read ${r.rows} rows, the file has ${rows}`);
        return r;
      };
      for (let round = 0; round < rounds; round++) {
        const store = mkdtempSync(join(tmpdir(), 'prognos-bench-store-'));
        try {
          const run = await timed(process.execPath, [CLI, 'import', file, '--store', store, '--json']);
          const imported = JSON.parse(run.stdout) as { rows: number };
          if (imported.rows !== rows) throw new Error(`imported ${imported.rows} rows, file has ${rows}`);
          ours.push(run);
        } finally {
          rmSync(store, { recursive: true, force: true });
        }
        if (havePandas) for (const [sep, runs] of Object.entries(pandasRuns)) runs.push(read(sep));
      }
      const best = <T extends { seconds: number }>(runs: T[]): T => runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
      const wall = best(ours).seconds;
      const samples = (runs: { seconds: number }[]): string => runs.map((r) => r.seconds.toFixed(2)).join(', ');
      const figures: Figure[] = [];
      let pandas: { seconds: number; rssMiB: number; cpuSeconds: number; sep: string; other: string; samples: string } | undefined;
      if (havePandas) {
        const bySep = Object.entries(pandasRuns)
          .map(([sep, runs]) => ({ sep, runs, best: best(runs) }))
          .sort((a, b) => a.best.seconds - b.best.seconds);
        const [fast, slow] = bySep as [(typeof bySep)[number], (typeof bySep)[number]];
        pandas = {
          seconds: fast.best.seconds,
          rssMiB: Math.max(...fast.runs.map((r) => r.rssMiB)),
          cpuSeconds: Math.min(...fast.runs.map((r) => r.cpuSeconds)),
          sep: fast.sep,
          other: `sep=${slow.sep}: ${slow.best.seconds.toFixed(2)} s, ${Math.max(...slow.runs.map((r) => r.rssMiB)).toFixed(0)} MiB`,
          samples: samples(fast.runs),
        };
      }
      const mb = statSync(file).size / 1024 ** 2;
      figures.push({
        name: 'import-1m wall',
        value: wall,
        unit: 's',
        note: `${rows.toLocaleString('en-US')} rows, ${mb.toFixed(0)} MiB, parse + validate + summary + commit; best of ${rounds} rounds (ours ${samples(ours)} s${pandas === undefined ? '' : `; pandas ${pandas.samples} s`})`,
        ...(pandas === undefined
          ? {}
          : { reference: { name: `pandas.read_csv (C engine, sep=${pandas.sep}, parse only)`, value: pandas.seconds, unit: 's' }, ratio: wall / pandas.seconds }),
      });
      if (pandas !== undefined) figures[figures.length - 1]!.note += `; pandas with ${pandas.other}`;
      figures.push({ name: 'import-1m rows-per-second', value: rows / wall, unit: 'rows/s' });
      // CPU time moves less than wall time on a busy machine; ours runs two threads, so on a quiet one it exceeds the wall time
      figures.push({
        name: 'import-1m cpu',
        value: Math.min(...ours.map((r) => r.cpuSeconds)),
        unit: 's',
        note: 'user + system CPU of the whole command, all its processes and threads (least of the rounds, each side)',
        ...(pandas === undefined ? {} : { reference: { name: 'python3 + import pandas + read_csv process', value: pandas.cpuSeconds, unit: 's' } }),
      });
      // each side at its largest over the rounds
      const rss = Math.max(...ours.map((r) => r.rssMiB));
      figures.push({
        name: 'import-1m peak-rss',
        value: rss,
        unit: 'MiB',
        ...(pandas === undefined ? {} : { reference: { name: 'pandas.read_csv', value: pandas.rssMiB, unit: 'MiB' }, ratio: rss / pandas.rssMiB }),
      });
      figures.push(...startUp());
      return figures;
    }
  },
};
