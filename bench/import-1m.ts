/**
 * import-1m: a 1,000,000-row synthetic fleet file imported through the CLI (parse in a worker,
 * validate, summarise, commit to a fresh store): wall time, rows/s and peak RSS, beside
 * pandas.read_csv of the same file (parse only) in the same run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Benchmark, Figure } from './figures';
import { pythonHas, runPythonJson } from './python';

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

/** Runs a command under GNU time; returns wall seconds and peak RSS in MiB. */
function timed(cmd: string, args: string[]): { seconds: number; rssMiB: number; stdout: string } {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  const last = r.stderr.trim().split('\n').at(-1)!.split(' ');
  return { seconds: Number(last[0]), rssMiB: Number(last[1]) / 1024, stdout: r.stdout };
}

export const import1m: Benchmark = {
  name: 'import-1m',
  run(): Promise<Figure[]> {
    const { file, rows } = synthFile();
    const store = mkdtempSync(join(tmpdir(), 'prognos-bench-store-'));
    try {
      // the CLI's own timing is wall time of the whole process: start-up, parse, summary and commit
      const started = performance.now();
      const ours = timed(process.execPath, [CLI, 'import', file, '--store', store, '--json']);
      const wall = (performance.now() - started) / 1000;
      const imported = JSON.parse(ours.stdout) as { rows: number };
      if (imported.rows !== rows) throw new Error(`imported ${imported.rows} rows, file has ${rows}`);
      const figures: Figure[] = [];
      let pandas: { seconds: number; rssMiB: number } | undefined;
      if (pythonHas('pandas')) {
        const code = [
          'import sys, time, json, resource, pandas as pd',
          't = time.perf_counter()',
          "df = pd.read_csv(sys.argv[1], sep=r'\\s+', header=None, engine='c')",
          'dt = time.perf_counter() - t',
          'assert len(df) > 0',
          "print(json.dumps({'seconds': dt, 'rows': len(df), 'rssMiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))",
        ].join('\n');
        pandas = runPythonJson<{ seconds: number; rows: number; rssMiB: number }>(code, [file]);
      }
      const mb = statSync(file).size / 1024 ** 2;
      figures.push({
        name: 'import-1m wall',
        value: wall,
        unit: 's',
        note: `${rows.toLocaleString('en-US')} rows, ${mb.toFixed(0)} MiB, parse + validate + summary + commit`,
        ...(pandas === undefined ? {} : { reference: { name: 'pandas.read_csv (parse only)', value: pandas.seconds, unit: 's' }, ratio: wall / pandas.seconds }),
      });
      figures.push({ name: 'import-1m rows-per-second', value: rows / wall, unit: 'rows/s' });
      figures.push({
        name: 'import-1m peak-rss',
        value: ours.rssMiB,
        unit: 'MiB',
        ...(pandas === undefined ? {} : { reference: { name: 'pandas.read_csv', value: pandas.rssMiB, unit: 'MiB' }, ratio: ours.rssMiB / pandas.rssMiB }),
      });
      return Promise.resolve(figures);
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
  },
};
