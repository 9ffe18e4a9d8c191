/**
 * One engine everywhere: the same data, model, template and creation time give byte-identical PDFs
 * from the CLI (`prognos report … --created-at T --out a.pdf`) and from browser mode (`prognos
 * serve` on a copy of the same store: the data uploaded and imported as a dataset through the HTTP
 * API, `reports:start` with the same time, the PDF fetched with `reports:file`).
 *
 * Two models: the shipped demo bundle (GBDT, LSTM, RUL: the ONNX path) and a GBDT run trained here
 * on a small synthetic fleet (the run path: the store's artifacts handed to the worker). The fleet
 * is a small synthetic test fleet with its RUL file.
 *
 * It needs the report worker and `prognos report` in the build (out/main/report-worker.js); a build
 * without them skips it, saying why.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, requireBuild, tempDir } from '../../helpers/paths';


const CREATED_AT = '2026-04-01T06:30:00.000Z';
const BUNDLE = 'shipped:demo';

function cli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`prognos ${args.join(' ')} failed (${err.message}): ${stderr}`));
      else resolve(stdout);
    });
  });
}

let dir: string;
let storeCli: string;
let storeServe: string;
let server: ChildProcess | undefined;
let base = '';
let token = '';
let runId = '';
/** the test fleet imported in browser mode (once) */
let fleetDataset: string | undefined;

beforeAll(async () => {
  requireBuild();
  dir = tempDir();
  storeCli = join(dir, 'store-cli');
  storeServe = join(dir, 'store-serve');
  await cli(['synth', '--units', '12', '--seed', '5', '--out', join(dir, 'fleet.txt'), '--rul-out', join(dir, 'fleet_rul.txt')]);
  await cli(['synth', '--units', '30', '--seed', '6', '--out', join(dir, 'train.txt')]);
  const imported = JSON.parse(await cli(['import', join(dir, 'train.txt'), '--store', storeCli, '--json'])) as { datasetId: string };
  runId = (JSON.parse(await cli(['train', '--dataset', imported.datasetId, '--models', 'gbdt', '--seed', '1', '--store', storeCli, '--json'])) as { runId: string }).runId;
  // browser mode works on a copy of the store as it was before the CLI's report
  cpSync(storeCli, storeServe, { recursive: true });
  server = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--store', storeServe], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  server.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  server.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 120_000;
  let m: RegExpExecArray | null = null;
  while ((m = /serving on (http:\/\/127\.0\.0\.1:\d+)\/\?token=([\w-]+)/.exec(out)) === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (m === null) throw new Error(`prognos serve did not start: ${out}`);
  base = m[1]!;
  token = m[2]!;
}, 600_000);

afterAll(async () => {
  if (server !== undefined && server.exitCode === null) {
    const exited = new Promise((r) => server!.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
});

async function rpc<T>(channel: string, body: unknown): Promise<T> {
  const r = await fetch(`${base}/api/rpc/${channel}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  const json = (await r.json()) as { ok: boolean; value?: T; error?: { code: string; message: string } };
  if (!json.ok) throw new Error(`${channel}: ${json.error?.code}: ${json.error?.message}`);
  return json.value!;
}

async function upload(file: string, name: string): Promise<string> {
  const r = await fetch(`${base}/api/upload?name=${encodeURIComponent(name)}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: readFileSync(file) });
  const json = (await r.json()) as { ok: boolean; value: { uploadId: string } };
  expect(json.ok).toBe(true);
  return json.value.uploadId;
}

async function job<T>(jobId: string): Promise<T> {
  for (;;) {
    const s = await rpc<{ state: string; result?: T; error?: { message: string } }>('jobs:get', { jobId });
    if (s.state === 'done') return s.result!;
    if (s.state !== 'running') throw new Error(`job ${jobId} ${s.state}: ${s.error?.message}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function browserFleet(): Promise<string> {
  if (fleetDataset !== undefined) return fleetDataset;
  const data = await upload(join(dir, 'fleet.txt'), 'fleet.txt');
  const rul = await upload(join(dir, 'fleet_rul.txt'), 'fleet_rul.txt');
  const imported = await rpc<{ jobId: string }>('datasets:import', { source: { kind: 'upload', uploadId: data, fileName: 'fleet.txt' }, rul: { kind: 'upload', uploadId: rul, fileName: 'fleet_rul.txt' } });
  fleetDataset = (await job<{ dataset: { datasetId: string } }>(imported.jobId)).dataset.datasetId;
  return fleetDataset;
}

async function browserReport(scorer: { kind: 'bundle'; bundleId: string } | { kind: 'run'; runId: string }, createdAt: string): Promise<{ reportId: string; fileName: string; bytes: Buffer }> {
  const started = await rpc<{ jobId: string }>('reports:start', { datasetId: await browserFleet(), scorer, createdAt });
  const { reportId } = await job<{ reportId: string }>(started.jobId);
  const file = await rpc<{ fileName: string; base64: string }>('reports:file', { reportId });
  return { reportId, fileName: file.fileName, bytes: Buffer.from(file.base64, 'base64') };
}

async function compare(model: string[], scorer: { kind: 'bundle'; bundleId: string } | { kind: 'run'; runId: string }, name: string): Promise<void> {
  const pdfA = join(dir, `${name}.pdf`);
  const printed = JSON.parse(
    await cli(['report', ...model, '--data', join(dir, 'fleet.txt'), '--rul', join(dir, 'fleet_rul.txt'), '--created-at', CREATED_AT, '--out', pdfA, '--store', storeCli, '--json']),
  ) as { file: string; pages: number; units: number; bytes: number; sha256: string };
  const fromCli = readFileSync(pdfA);
  expect(printed).toMatchObject({ units: 12, bytes: fromCli.byteLength });

  const b = await browserReport(scorer, CREATED_AT);
  expect(b.fileName).toBe('fleet-20260401-0630.pdf');
  expect(b.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  expect(b.bytes.byteLength).toBe(fromCli.byteLength);
  // the first differing byte, if any, says where to look
  expect(b.bytes.findIndex((x, i) => x !== fromCli[i])).toBe(-1);
  expect(b.bytes.equals(fromCli)).toBe(true);
  const record = await rpc<{ sha256: string; fleet: string; createdAt: string; pages: number }>('reports:get', { reportId: b.reportId });
  expect(record).toMatchObject({ sha256: printed.sha256, fleet: 'fleet', createdAt: CREATED_AT, pages: printed.pages });
  console.log(`byte-identity ${name}: CLI and browser mode ${fromCli.byteLength} bytes, ${printed.pages} pages, sha256 ${printed.sha256}`);

  // the comparison can tell: a minute later is another document (its CreationDate and ID)
  const later = await browserReport(scorer, '2026-04-01T06:31:00.000Z');
  expect(later.bytes.equals(fromCli)).toBe(false);
}

describe('the same report from the CLI and from browser mode', () => {
  it('is byte-identical for the same data, bundle and creation time', async () => {
    await compare(['--bundle', BUNDLE], { kind: 'bundle', bundleId: BUNDLE }, 'bundle');
  }, 600_000);

  it('is byte-identical for the same data, run and creation time', async () => {
    await compare(['--run', runId], { kind: 'run', runId }, 'run');
  }, 600_000);
});
