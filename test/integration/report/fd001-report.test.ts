/**
 * The FD001 test fleet's report with the shared default run (test_FD001 + RUL_FD001), checked with
 * Debian's poppler-utils: pdfinfo (pages, metadata, creation date), pdffonts (every font embedded),
 * pdftotext (each at-risk unit with the probability `prognos predict --json` gives it, rounded the
 * same; the action table lists all 100 units in ranked order), pdftoppm (pages as PNG in
 * test-results/report/ to look at). Also a bundle report: the shipped demo bundle on a small
 * synthetic fleet, showing the manifest's SHA-256 and the signature verdict.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { ReportCliResult } from '../../../src/shared/report';
import { copyFd001Store, type Fd001Store } from '../../helpers/fd001-store';
import { CLI, REPO, requireBuild, tempDir } from '../../helpers/paths';
import { describeWith, itWith, POPPLER } from '../../helpers/tools';

const RESULTS = join(REPO, 'test-results', 'report');
const CREATED = '2026-03-01T08:00:00Z';

let dir = '';
let fd: Fd001Store;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8', env: { ...process.env, PROGNOS_HOME: '', SOURCE_DATE_EPOCH: '', ...env }, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}
async function prognos<T>(...args: string[]): Promise<T> {
  const r = await run(process.execPath, [CLI, ...args, '--store', fd.store, '--json']);
  if (r.code !== 0) throw new Error(`prognos ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
async function tool(cmd: string, ...args: string[]): Promise<string> {
  const r = await run(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

interface PredictUnit { unit: number; probability: number; alert: boolean }

/** pdfinfo's "Key: value" lines */
function info(text: string): Record<string, string> {
  return Object.fromEntries(text.split('\n').flatMap((l) => {
    const m = /^([A-Za-z ]+):\s+(.*)$/.exec(l);
    return m === null ? [] : [[m[1]!.trim(), m[2]!.trim()]];
  }));
}

/** The action table's rows as pdftotext -layout lays them out: rank, unit, probability (3 decimals). */
function actionTable(text: string): { rank: number; unit: number; probability: string }[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.replace('\f', '').trim() === 'Action table');
  const end = lines.findIndex((l, i) => i > start && l.replace('\f', '').trim() === 'Units at risk');
  expect(start).toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  return lines.slice(start, end).flatMap((l) => {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d\.\d{3})\s/.exec(l);
    return m === null ? [] : [{ rank: Number(m[1]), unit: Number(m[2]), probability: m[3]! }];
  });
}

beforeAll(async () => {
  requireBuild();
  dir = tempDir('prognos-report-fd001-');
  fd = await copyFd001Store(join(dir, 'store'));
  rmSync(RESULTS, { recursive: true, force: true });
  mkdirSync(RESULTS, { recursive: true });
}, 1_800_000);

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describeWith(POPPLER)('the FD001 test fleet report', () => {
  const pdf = (): string => join(RESULTS, 'fd001.pdf');
  let r: ReportCliResult;
  let predicted: PredictUnit[];

  itWith(POPPLER)('is written, and pdfinfo reads its pages and metadata', async () => {
    predicted = (await prognos<{ units: PredictUnit[] }>('predict', '--run', fd.runId, '--data', fd.testFile, '--rul', fd.rulFile)).units;
    const t0 = Date.now();
    r = await prognos<ReportCliResult>('report', '--run', fd.runId, '--data', fd.testFile, '--rul', fd.rulFile, '--title', 'FD001 test fleet', '--out', pdf(), '--created-at', CREATED);
    console.info(`FD001 report: ${r.pages} pages, ${r.bytes} bytes, ${r.units} units, ${r.atRisk} at risk, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect(r.units).toBe(100);
    expect(r.atRisk).toBe(predicted.filter((u) => u.alert).length);
    expect(r.sha256).toBe(createHash('sha256').update(readFileSync(pdf())).digest('hex'));
    const i = info(await tool('pdfinfo', '-isodates', pdf()));
    expect(Number(i.Pages)).toBe(r.pages);
    expect(i.Title).toBe('FD001 test fleet');
    expect(i.Subject).toContain('test_FD001');
    expect(i.Subject).toContain(`run ${fd.runId}`);
    expect(i.Keywords).toContain('test_FD001');
    expect(i.CreationDate).toBe('2026-03-01T08:00:00Z');
    expect(i['Page size']).toContain('A4');
  });

  itWith(POPPLER)('pdffonts: every font embedded (subsets)', async () => {
    const rows = (await tool('pdffonts', pdf())).split('\n').slice(2).filter((l) => l.trim() !== '');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      // name type encoding emb sub uni object ID
      const cells = row.trim().split(/\s+/);
      expect(cells.slice(-5, -3), row).toEqual(['yes', 'yes']);
    }
  });

  itWith(POPPLER)('pdftotext: every unit ranked, each at-risk unit with its predict probability (toFixed(3))', async () => {
    const text = await tool('pdftotext', '-layout', pdf(), '-');
    const rows = actionTable(text);
    const ranked = [...predicted].sort((a, b) => b.probability - a.probability || a.unit - b.unit);
    expect(rows.map((x) => x.unit)).toEqual(ranked.map((u) => u.unit));
    expect(rows.map((x) => x.rank)).toEqual(ranked.map((_, k) => k + 1));
    expect(rows.map((x) => x.probability)).toEqual(ranked.map((u) => u.probability.toFixed(3)));
    const atRisk = ranked.filter((u) => u.alert);
    expect(atRisk.length).toBeGreaterThan(0);
    for (const u of atRisk) {
      // its panel (the first template.topN of them) or its row names the unit with that probability
      expect(rows.find((x) => x.unit === u.unit)?.probability).toBe(u.probability.toFixed(3));
    }
    for (const u of atRisk.slice(0, 10)) expect(text).toMatch(new RegExp(`Unit ${u.unit} \\(rank \\d+\\)`));
    expect(text).toContain(fd.runId);
  });

  itWith(POPPLER)('pdftoppm renders every page to PNG', async () => {
    await tool('pdftoppm', '-r', '60', '-png', pdf(), join(RESULTS, 'fd001-page'));
    const pngs = readdirSync(RESULTS).filter((f) => /^fd001-page-\d+\.png$/.test(f));
    expect(pngs).toHaveLength(r.pages);
    for (const p of pngs) expect(readFileSync(join(RESULTS, p)).subarray(1, 4).toString('latin1')).toBe('PNG');
  });
});

describeWith(POPPLER)('a bundle report', () => {
  itWith(POPPLER)('the shipped demo bundle on a synthetic fleet: the manifest’s SHA-256 and the signature verdict', async () => {
    const data = join(dir, 'fleet.txt');
    await prognos('synth', '--units', '15', '--seed', '5', '--out', data);
    const bundle = join(REPO, 'resources', 'models', 'demo');
    const out = join(RESULTS, 'demo-bundle.pdf');
    const r = await prognos<ReportCliResult>('report', '--bundle', bundle, '--data', data, '--out', out, '--created-at', CREATED);
    expect(r.units).toBe(15);
    const sha = createHash('sha256').update(readFileSync(join(bundle, 'manifest.json'))).digest('hex');
    const text = (await tool('pdftotext', '-layout', out, '-')).replace(/\s+/g, ' ');
    expect(text).toContain(`Bundle SHA-256 ${sha}`);
    expect(text).toMatch(/Signature\s+unsigned\b/);
    expect(text).not.toMatch(/unsigned: unsigned/);
    await tool('pdftoppm', '-r', '60', '-png', '-f', '1', '-l', '1', out, join(RESULTS, 'demo-bundle-page'));
  });
});
