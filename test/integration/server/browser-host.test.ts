import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../../src/main/server/browser-host';
import { AppServices } from '../../../src/main/services/app-services';
import { BUILT_IMPORT_WORKER, BUILT_TRAIN_WORKER, CMAPSS, REPO, requireBuild, tempDir } from '../../helpers/paths';

let services: AppServices;
let host: BrowserHost;
let base: string;

beforeAll(async () => {
  requireBuild();
  services = new AppServices({ storeDir: tempDir(), mode: 'browser', importWorker: BUILT_IMPORT_WORKER, trainWorker: BUILT_TRAIN_WORKER, version: 'test' });
  host = await startBrowserHost({ services, rendererDir: join(REPO, 'out', 'renderer') });
  base = `http://127.0.0.1:${host.port}`;
});
afterAll(async () => {
  await host.close();
  await services.close();
});

const rpc = (channel: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/rpc/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${host.token}`, ...headers },
    body: JSON.stringify(body),
  });

describe('browser mode host', () => {
  it('listens on 127.0.0.1 only and prints a tokenised URL', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
  });

  it('serves the UI with a strict CSP', async () => {
    const r = await fetch(`${base}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await r.text()).toContain('<div id="root">');
  });

  it('answers 401 without the token and with a wrong one', async () => {
    const none = await fetch(`${base}/api/rpc/datasets:list`, { method: 'POST', body: '{}' });
    expect(none.status).toBe(401);
    const wrong = await rpc('datasets:list', {}, { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    const events = await fetch(`${base}/api/events?token=nope`);
    expect(events.status).toBe(401);
  });

  it('refuses another origin even with the token', async () => {
    const r = await rpc('datasets:list', {}, { origin: 'http://evil.example' });
    expect(r.status).toBe(403);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: host.port, path: '/', headers: { host: `evil.example:${host.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('returns errors as values: unknown channel, malformed input, unknown dataset', async () => {
    expect(await (await rpc('fs:read', {})).json()).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await (await rpc('datasets:get', { datasetId: 3 })).json()).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await (await rpc('datasets:get', { datasetId: 'ds_missing' })).json()).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('imports an uploaded file as a job, with progress and the result over SSE', async () => {
    const sse = await fetch(`${base}/api/events?token=${host.token}`);
    const reader = sse.body!.getReader();
    const body = readFileSync(join(CMAPSS, 'train_FD001.txt'));
    const up = (await (
      await fetch(`${base}/api/upload?name=train_FD001.txt`, { method: 'POST', headers: { authorization: `Bearer ${host.token}` }, body })
    ).json()) as { ok: true; value: { uploadId: string } };
    expect(up.ok).toBe(true);
    const started = (await (await rpc('datasets:import', { source: { kind: 'upload', uploadId: up.value.uploadId, fileName: 'train_FD001.txt' } })).json()) as {
      ok: true;
      value: { jobId: string };
    };
    let text = '';
    const decoder = new TextDecoder();
    while (!text.includes('event: job:finished')) {
      const chunk = (await reader.read()) as { done: boolean; value?: Uint8Array };
      if (chunk.done) break;
      text += decoder.decode(chunk.value);
    }
    await reader.cancel();
    expect(text).toContain('event: job:progress');
    const finished = JSON.parse(text.split('event: job:finished\ndata: ')[1]!.split('\n')[0]!) as {
      jobId: string;
      state: string;
      result: { dataset: { rows: number; units: number; minCycles: number; maxCycles: number; sourceFile: string } };
    };
    expect(finished.jobId).toBe(started.value.jobId);
    expect(finished.state).toBe('done');
    expect(finished.result.dataset).toMatchObject({ rows: 20631, units: 100, minCycles: 128, maxCycles: 362, sourceFile: 'train_FD001.txt' });
    const list = (await (await rpc('datasets:list', {})).json()) as { value: unknown[] };
    expect(list.value).toHaveLength(1);
  });
});
