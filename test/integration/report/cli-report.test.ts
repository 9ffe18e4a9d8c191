/**
 * `prognos report` through the CLI on a small synthetic run and its bundle: the JSON it promises and
 * the file it writes, the same bytes for the same creation time (--created-at or SOURCE_DATE_EPOCH),
 * and bad input — a fleet whose columns do not match the model, a RUL file short of values, a
 * template with an unknown key, --out in a missing folder, a bundle that fails verification, a
 * cancelled job — each a clear error, exit 1, and no file (whole or partial) left in the out folder.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportCliResultSchema, type ReportCliResult } from '../../../src/shared/report';
import { CLI, requireBuild, tempDir } from '../../helpers/paths';

let dir = '';
let store = '';
let outDir = '';
let runId = '';
let bundle = '';
let sensor = '';
const files = { train: '', test: '', rul: '', short: '', cut: '', template: '' };

function prognos(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args, '--store', store], { encoding: 'utf8', env: { ...process.env, PROGNOS_HOME: '', SOURCE_DATE_EPOCH: '', ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}
async function json<T>(...args: string[]): Promise<T> {
  const r = await prognos([...args, '--json']);
  if (r.code !== 0) throw new Error(`prognos ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** a refused report: exit 1, the message, and nothing written into the out folder */
async function refused(args: string[]): Promise<string> {
  const before = readdirSync(outDir).sort();
  const r = await prognos(['report', ...args]);
  expect(r.code, r.stdout).toBe(1);
  expect(readdirSync(outDir).sort()).toEqual(before);
  return r.stderr.trim();
}

beforeAll(async () => {
  requireBuild();
  dir = tempDir('prognos-report-cli-');
  store = join(dir, 'store');
  outDir = join(dir, 'out');
  mkdirSync(outDir);
  for (const k of Object.keys(files) as (keyof typeof files)[]) files[k] = join(dir, `${k}.txt`);
  await json('synth', '--units', '40', '--seed', '31', '--out', files.train);
  await json('synth', '--units', '20', '--seed', '32', '--out', files.test, '--rul-out', files.rul);
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ models: ['gbdt'], gbdt: { nEstimators: 40, maxDepth: 4 }, topK: 12 }));
  const t = await json<{ runId: string }>('train', '--dataset', files.train, '--config', join(dir, 'config.json'), '--seed', '3');
  runId = t.runId;
  bundle = (await json<{ path: string }>('export', '--run', runId, '--out', join(dir, 'bundle'))).path;
  const manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8')) as { features: { sensors: string[] } };
  sensor = manifest.features.sensors[0]!;
  // the RUL file without its last value
  const rul = readFileSync(files.rul, 'utf8').trim().split('\n');
  writeFileSync(files.short, rul.slice(0, -1).join('\n') + '\n');
  // the test fleet as CSV without the first sensor the model reads
  const names = ['unit', 'cycle', 'setting1', 'setting2', 'setting3', ...Array.from({ length: 21 }, (_, i) => `s${i + 1}`)];
  const drop = names.indexOf(sensor);
  const keep = (cells: string[]): string[] => cells.filter((_, i) => i !== drop);
  const rows = readFileSync(files.test, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => keep(l.trim().split(/\s+/)).join(','));
  files.cut = join(dir, 'cut.csv');
  writeFileSync(files.cut, [keep(names).join(','), ...rows].join('\n') + '\n');
  files.template = join(dir, 'template.json');
  writeFileSync(files.template, '{\n  "name": "Weekly",\n  "topN": 3,\n  "colour": "blue"\n}\n');
}, 600_000);

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('prognos report', () => {
  it('prints exactly { file, pages, units, atRisk, bytes, sha256 } and writes that PDF', async () => {
    const out = join(outDir, 'fleet.pdf');
    const r = await json<ReportCliResult>('report', '--run', runId, '--data', files.test, '--rul', files.rul, '--out', out, '--created-at', '2026-03-01T08:00:00Z');
    expect(Object.keys(r).sort()).toEqual(['atRisk', 'bytes', 'file', 'pages', 'sha256', 'units']);
    expect(reportCliResultSchema.parse(r)).toEqual(r);
    const pdf = readFileSync(out);
    expect(r.file).toBe(out);
    expect(r.bytes).toBe(pdf.byteLength);
    expect(r.sha256).toBe(sha(pdf));
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(r.units).toBe(20);
    const predicted = await json<{ units: { alert: boolean }[] }>('predict', '--run', runId, '--data', files.test);
    expect(r.atRisk).toBe(predicted.units.filter((u) => u.alert).length);
    expect(r.pages).toBeGreaterThan(3);
    expect(readdirSync(outDir)).toEqual(['fleet.pdf']);
    rmSync(out);
  });

  it('the same inputs and creation time give the same bytes; SOURCE_DATE_EPOCH stands for --created-at', async () => {
    const a = join(outDir, 'a.pdf');
    const b = join(outDir, 'b.pdf');
    const c = join(outDir, 'c.pdf');
    const args = ['report', '--bundle', bundle, '--data', files.test, '--title', 'March', '--notes', 'Two engines swapped.'];
    const ra = await json<ReportCliResult>(...args, '--out', a, '--created-at', '2026-03-01T08:00:00Z');
    const rb = await json<ReportCliResult>(...args, '--out', b, '--created-at', '2026-03-01T09:00:00+01:00');
    const rc = await prognos([...args, '--out', c, '--json'], { SOURCE_DATE_EPOCH: String(Date.parse('2026-03-01T08:00:00Z') / 1000) });
    expect(rc.code, rc.stderr).toBe(0);
    expect(rb.sha256).toBe(ra.sha256);
    expect(readFileSync(b).equals(readFileSync(a))).toBe(true);
    expect(readFileSync(c).equals(readFileSync(a))).toBe(true);
    // another time, other bytes
    const d = join(outDir, 'd.pdf');
    const rd = await json<ReportCliResult>(...args, '--out', d, '--created-at', '2026-03-02T08:00:00Z');
    expect(rd.sha256).not.toBe(ra.sha256);
    for (const f of [a, b, c, d]) rmSync(f);
  });
});

describe('prognos report: bad input', () => {
  const out = (): string => join(outDir, 'bad.pdf');

  it('a fleet whose columns do not match the model: the file and the missing column', async () => {
    const msg = await refused(['--run', runId, '--data', files.cut, '--out', out()]);
    expect(msg).toMatch(new RegExp(`cut\\.csv: the data has no column ${sensor}, which run ${runId} reads`));
  });

  it('a RUL file short of values: the file, the line and the unit without one', async () => {
    const msg = await refused(['--run', runId, '--data', files.test, '--rul', files.short, '--out', out()]);
    expect(msg).toContain('short.txt:20: RUL file has 19 values but the data has 20 units: no RUL value for unit 20');
  });

  it('a template with an unknown key: the file, line, column and the key', async () => {
    const msg = await refused(['--run', runId, '--data', files.test, '--template', files.template, '--out', out()]);
    expect(msg).toContain('template.json: not a valid report template: colour (line 4, column 3): unknown key "colour"');
  });

  it('--out in a folder that does not exist', async () => {
    const missing = join(dir, 'no-such-folder', 'r.pdf');
    const msg = await refused(['--run', runId, '--data', files.test, '--out', missing]);
    expect(msg).toContain(`--out ${missing}: the folder ${join(dir, 'no-such-folder')} does not exist.`);
    expect(existsSync(join(dir, 'no-such-folder'))).toBe(false);
  });

  it('a bundle that fails verification, and an unsigned one under --require-signed', async () => {
    const tampered = join(dir, 'tampered');
    await json('export', '--run', runId, '--out', tampered);
    const card = join(tampered, 'model_card.md');
    writeFileSync(card, readFileSync(card, 'utf8') + '\nedited\n');
    expect(await refused(['--bundle', tampered, '--data', files.test, '--out', out()])).toMatch(/model_card\.md/);
    expect(await refused(['--bundle', bundle, '--data', files.test, '--require-signed', '--out', out()])).toMatch(/unsigned|signed/i);
  });

  it('bad options name the option', async () => {
    expect(await refused(['--run', runId, '--data', files.test, '--out', out(), '--created-at', 'yesterday'])).toContain('--created-at must be an ISO 8601 time');
    expect(await refused(['--run', runId, '--data', files.test, '--out', out(), '--top', '-1'])).toContain('--top must be from 0 to 500');
    expect(await refused(['--run', runId, '--bundle', bundle, '--data', files.test, '--out', out()])).toContain('not both');
    expect(await refused(['--run', runId, '--data', files.test])).toContain('--out is required');
    const r = await prognos(['report', '--run', runId, '--data', files.test, '--out', out()], { SOURCE_DATE_EPOCH: 'soon' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SOURCE_DATE_EPOCH must be a whole number of seconds');
  });

  it('a cancelled job (Ctrl-C) leaves no file', async () => {
    const child = spawn(process.execPath, [CLI, 'report', '--run', runId, '--data', files.test, '--out', out(), '--store', store], { env: { ...process.env, PROGNOS_HOME: '' } });
    let stderr = '';
    let sent = false;
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
        // one Ctrl-C, a moment after the job started (as a person would)
        if (!sent && stderr.includes('Reporting on')) {
          sent = true;
          setTimeout(() => child.kill('SIGINT'), 300);
        }
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(code, stderr).toBe(1);
    expect(stderr).toMatch(/prognos report: (Report )?[Cc]ancelled\./);
    expect(readdirSync(outDir)).toEqual([]);
  });
});
