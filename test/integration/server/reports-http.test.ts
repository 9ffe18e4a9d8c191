/**
 * Reports over browser mode's HTTP transport: a report of a few MB comes back byte for byte as
 * base64 JSON, a template with a logo fits the request body limit, and the desktop-only channels
 * refuse. The report worker is a stand-in here (its "PDF" is pseudo-random bytes of the same size
 * as a report with embedded fonts); the real one is checked in test/integration/cli/report-bytes.test.ts.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../../src/main/server/browser-host';
import { AppServices } from '../../../src/main/services/app-services';
import { makeTable, newDataset } from '../store/helpers';
import { REPO, tempDir } from '../../helpers/paths';

let services: AppServices;
let host: BrowserHost;

beforeAll(async () => {
  services = new AppServices({
    storeDir: tempDir(),
    mode: 'browser',
    importWorker: 'unused',
    trainWorker: join(REPO, 'out', 'main', 'train-worker.js'),
    version: 'test',
    shippedBundles: join(REPO, 'resources', 'models'),
    reportWorker: join(REPO, 'test', 'fixtures', 'workers', 'report-stand-in.mjs'),
  });
  host = await startBrowserHost({ services, rendererDir: join(REPO, 'out', 'renderer') });
});
afterAll(async () => {
  await host.close();
  await services.close();
});

async function rpc(channel: string, body: unknown): Promise<{ status: number; json: { ok: boolean; value?: unknown; error?: { code: string; message: string } } }> {
  const r = await fetch(`http://127.0.0.1:${host.port}/api/rpc/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${host.token}` },
    body: JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as { ok: boolean; value?: unknown; error?: { code: string; message: string } } };
}

async function finished(jobId: string): Promise<{ state: string; result?: { reportId: string } }> {
  for (;;) {
    const { json } = await rpc('jobs:get', { jobId });
    const v = json.value as { state: string; result?: { reportId: string } };
    if (v.state !== 'running') return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('reports in browser mode', () => {
  it('serves a 4 MB PDF through reports:file byte for byte', async () => {
    const datasetId = services.store.insertDataset(newDataset(makeTable([40, 35]), { name: 'fleet.txt' })).datasetId;
    const start = await rpc('reports:start', { datasetId, scorer: { kind: 'bundle', bundleId: 'shipped:demo' }, notes: 'big', createdAt: '2026-06-01T12:00:00Z' });
    expect(start.json.ok).toBe(true);
    const done = await finished((start.json.value as { jobId: string }).jobId);
    expect(done.state).toBe('done');
    const reportId = done.result!.reportId;

    const file = await rpc('reports:file', { reportId });
    expect(file.status).toBe(200);
    const { fileName, base64 } = file.json.value as { fileName: string; base64: string };
    expect(fileName).toBe('fleet-20260601-1200.pdf');
    const got = Buffer.from(base64, 'base64');
    const stored = services.reports.pdf(reportId).data;
    expect(got.byteLength).toBeGreaterThan(4 * 1024 * 1024);
    expect(got.equals(stored)).toBe(true);

    const listed = await rpc('reports:list', {});
    expect((listed.json.value as { reportId: string; bytes: number }[]).map((r) => [r.reportId, r.bytes])).toEqual([[reportId, got.byteLength]]);
    // desktop-only: refused (FORBIDDEN answers 404, as every refused channel does)
    for (const channel of ['reports:save', 'reports:reveal']) {
      const r = await rpc(channel, { reportId });
      expect(r.status).toBe(404);
      expect(r.json.error?.code).toBe('FORBIDDEN');
    }
  });

  it('takes a template with a logo of the largest size the schema allows', async () => {
    const logo = `data:image/png;base64,${'A'.repeat(699_000)}`;
    const text = JSON.stringify({ name: 'With logo', logo: { dataUrl: logo, widthMm: 40 } }, null, 2);
    const saved = await rpc('templates:save', { text });
    expect(saved.json.ok).toBe(true);
    expect((saved.json.value as { template: { logo: { dataUrl: string } } }).template.logo.dataUrl).toBe(logo);
    const listed = await rpc('templates:list', {});
    expect((listed.json.value as { template: { name: string } }[]).map((t) => t.template.name)).toEqual(['Standard', 'With logo']);
  });
});
