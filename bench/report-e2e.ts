/**
 * report-e2e: `prognos report` end to end on a 1,000-unit synthetic fleet with a small run (GBDT +
 * RUL, trained first on 60 synthetic units), top 50 panels: the command's wall time (services opened,
 * the fleet parsed and scored, 50 panels explained, the PDF drawn, stored and written) and the peak
 * RSS of its process (worker threads included). Joins the report bench through REPORT_FIGURE_SOURCES.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Figure } from './figures';
import { REPORT_FIGURE_SOURCES } from './report';

const ROOT = resolve(__dirname, '..');
const CLI = join(ROOT, 'bin', 'prognos.js');
const UNITS = 1000;
const TOP_N = 50;

function measure(): Figure[] {
  const dir = mkdtempSync(join(tmpdir(), 'prognos-bench-report-'));
  try {
    const store = join(dir, 'store');
    const cli = (args: string[], preload?: string): string =>
      execFileSync(process.execPath, [...(preload === undefined ? [] : ['--require', preload]), CLI, ...args, '--store', store, '--json'], {
        encoding: 'utf8',
        env: { ...process.env, PROGNOS_HOME: '', SOURCE_DATE_EPOCH: '' },
        maxBuffer: 64 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    const train = join(dir, 'train.txt');
    const fleet = join(dir, 'fleet.txt');
    const rul = join(dir, 'fleet-rul.txt');
    cli(['synth', '--units', '60', '--seed', '1', '--out', train]);
    cli(['synth', '--units', String(UNITS), '--seed', '2', '--out', fleet, '--rul-out', rul]);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ models: ['gbdt'], gbdt: { nEstimators: 60, maxDepth: 4 }, topK: 20 }));
    const runId = (JSON.parse(cli(['train', '--dataset', train, '--config', join(dir, 'config.json'), '--seed', '1'])) as { runId: string }).runId;
    // the process's high-water mark (KiB on Linux), written as it exits
    const rssFile = join(dir, 'rss.txt');
    const preload = join(dir, 'rss.cjs');
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`);
    const out = join(dir, 'report.pdf');
    const t = performance.now();
    const r = JSON.parse(cli(['report', '--run', runId, '--data', fleet, '--rul', rul, '--top', String(TOP_N), '--out', out, '--created-at', '2026-03-01T08:00:00Z'], preload)) as { pages: number; bytes: number; units: number; atRisk: number };
    const seconds = (performance.now() - t) / 1000;
    const rssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
    const what = `${r.units} units (${UNITS} asked), top ${TOP_N} panels, ${r.atRisk} at risk, ${r.pages} pages, ${(r.bytes / 2 ** 20).toFixed(2)} MiB`;
    return [
      { name: 'report-e2e', value: seconds, unit: 's', note: `prognos report end to end: ${what}; one run, the CLI process started included` },
      { name: 'report-e2e-rss', value: rssMiB, unit: 'MiB', note: `peak RSS of the prognos report process (worker threads included): ${what}` },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The figures, measured off the current tick (the benchmark runner awaits them). */
export const reportEndToEnd = (): Promise<Figure[]> => Promise.resolve().then(measure);

REPORT_FIGURE_SOURCES.push(reportEndToEnd);
