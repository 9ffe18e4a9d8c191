/**
 * The workbench's local model server (src/main/services/model-server.ts) against real child
 * processes of the built CLI (`out/main/cli.js serve-model`): start → ready → a unit's history
 * predicted through the server → the recent predictions hold it → the metrics counted it → stop →
 * the port is closed; a bundle that fails verification is reported failed with the server's own
 * message; a second start for the same bundle is refused; when the workbench's process is killed
 * with SIGKILL, the server exits too.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppServices } from '../../../src/main/services/app-services';
import { ModelServerService } from '../../../src/main/services/model-server';
import { BUILT_IMPORT_WORKER, BUILT_TRAIN_WORKER, REPO, requireBuild, tempDir } from '../../helpers/paths';
import { DEMO_BUNDLE } from './serve-helpers';

let services: AppServices;
let datasetId: string;

/** whether a process is gone (or a zombie nobody reaped yet: it holds no port and runs no code) */
function gone(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return true;
  try {
    return /^\d+ \(.*\) Z /.test(readFileSync(stat, 'utf8'));
  } catch {
    return true;
  }
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const portClosed = (url: string): Promise<boolean> =>
  fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
    () => false,
    () => true,
  );

beforeAll(async () => {
  requireBuild();
  services = new AppServices({
    storeDir: tempDir('prognos-served-'),
    mode: 'browser',
    importWorker: BUILT_IMPORT_WORKER,
    trainWorker: BUILT_TRAIN_WORKER,
    version: 'test',
    shippedBundles: join(REPO, 'resources', 'models'),
  });
  const { jobId } = await services.handlers['datasets:synth']({ units: 4, seed: 7 });
  const done = await services.jobs.wait(jobId);
  datasetId = (done.result as { dataset: { datasetId: string } }).dataset.datasetId;
}, 120_000);

afterAll(async () => {
  await services?.close();
});

describe('a model server started from the workbench', () => {
  it('starts, predicts, lists the prediction, counts it, and stops with its port closed', async () => {
    const h = services.handlers;
    const started = await h['modelServer:start']({ bundleId: 'shipped:demo' });
    expect(started.state, started.error ?? '').toBe('ready');
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(started.port).toBeGreaterThan(0);
    expect(started.options).toEqual({ cacheTtlSeconds: 300, requireSigned: false, port: 0 });
    expect(started.log.some((l) => l.startsWith('Prognos model server on '))).toBe(true);
    const url = started.url!;
    const pid = started.pid!;

    // a second one for the same bundle is refused
    await expect(h['modelServer:start']({ bundleId: 'shipped:demo' })).rejects.toThrow(/running at http:\/\/127\.0\.0\.1/);

    const units = await h['datasets:units']({ datasetId });
    const unit = units[1]!;
    const tried = await h['modelServer:try']({ bundleId: 'shipped:demo', datasetId, unit: unit.unit });
    expect(tried.status).toBe(200);
    expect(tried.cache).toBe('miss');
    expect(tried.rows).toBe(unit.cycles);
    const answer = (tried.body as { units: { unit: number; cycle: number; probability: number; rul?: number; alert: boolean }[] }).units[0]!;
    expect(answer.unit).toBe(unit.unit);
    expect(answer.probability).toBeGreaterThanOrEqual(0);
    expect(answer.probability).toBeLessThanOrEqual(1);

    // the same request again is a cache hit
    const again = await h['modelServer:try']({ bundleId: 'shipped:demo', datasetId, unit: unit.unit });
    expect(again.cache).toBe('hit');
    expect(again.body).toEqual(tried.body);

    const status = await h['modelServer:status']({ bundleId: 'shipped:demo', recent: 10 });
    expect(status.state).toBe('ready');
    expect(status.recent.map((p) => [p.unit, p.cycle, p.probability, p.cacheHit])).toEqual([
      [unit.unit, answer.cycle, answer.probability, true],
      [unit.unit, answer.cycle, answer.probability, false],
    ]);
    expect(status.recent[0]!.rul).toBe(answer.rul ?? null);
    expect(status.recent[0]!.route).toBe('/predict');
    const m = status.metrics!;
    expect(m.predictions).toBe(2);
    expect(m.alerts).toBe(answer.alert ? 2 : 0);
    expect(m.cacheHits).toBe(1);
    expect(m.cacheMisses).toBe(1);
    expect(m.cacheHitRatio).toBe(0.5);
    // the two POST /predict; the GET /model of "Try it" and the panel's own polling are left out
    expect(m.requests).toBe(2);
    expect(m.byStatus).toEqual({ '2xx': 2 });
    expect(m.p50Ms).toBeGreaterThan(0);
    expect(m.p99Ms).toBeGreaterThanOrEqual(m.p50Ms!);

    const stopped = await h['modelServer:stop']({ bundleId: 'shipped:demo' });
    expect(stopped.state).toBe('stopped');
    expect(stopped.url).toBeNull();
    expect(stopped.error).toBeNull();
    expect(stopped.log.some((l) => /Stopped: every request answered/.test(l)), stopped.log.join('\n')).toBe(true);
    expect(await portClosed(url)).toBe(true);
    expect(gone(pid)).toBe(true);
    await expect(h['modelServer:try']({ bundleId: 'shipped:demo', datasetId, unit: unit.unit })).rejects.toThrow(/No model server is ready/);
  }, 180_000);

  it('reports a bundle that fails verification as failed, with the server’s own message', async () => {
    const dir = tempDir('prognos-tampered-');
    const bundle = join(dir, 'bundle');
    cpSync(DEMO_BUNDLE, bundle, { recursive: true });
    const model = join(bundle, 'models', 'gbdt.xgboost.json');
    writeFileSync(model, readFileSync(model, 'utf8').replace('"base_score"', ' "base_score"'));
    const service = new ModelServerService({
      cliScript: join(REPO, 'out', 'main', 'cli.js'),
      storeDir: services.store.dir,
      bundlePath: () => bundle,
      table: () => services.table(datasetId),
    });
    try {
      const s = await service.start({ bundleId: 'store:tampered' });
      expect(s.state).toBe('failed');
      expect(s.url).toBeNull();
      expect(s.error).toMatch(/models\/gbdt\.xgboost\.json: checksum mismatch: SHA256SUMS says [0-9a-f]{64}, the file has [0-9a-f]{64}/);
      expect(s.log.join('\n')).toContain('checksum mismatch');
      // the failure stays readable until the next start
      expect((await service.status('store:tampered')).state).toBe('failed');
    } finally {
      await service.close();
    }
  }, 120_000);

  it('reports a port in use as failed, naming the port', async () => {
    const first = await services.handlers['modelServer:start']({ bundleId: 'shipped:demo' });
    expect(first.state).toBe('ready');
    const service = new ModelServerService({
      cliScript: join(REPO, 'out', 'main', 'cli.js'),
      storeDir: services.store.dir,
      bundlePath: () => DEMO_BUNDLE,
      table: () => services.table(datasetId),
    });
    try {
      const s = await service.start({ bundleId: 'other', port: first.port! });
      expect(s.state).toBe('failed');
      expect(s.error).toBe(`--port ${first.port}: already in use by another program.`);
    } finally {
      await service.close();
      await services.handlers['modelServer:stop']({ bundleId: 'shipped:demo' });
    }
  }, 120_000);

  it('refuses an unsigned bundle when signed bundles are required', async () => {
    const s = await services.handlers['modelServer:start']({ bundleId: 'shipped:demo', requireSigned: true });
    expect(s.state).toBe('failed');
    expect(s.error).toMatch(/not signed by a trusted key \(unsigned\); the trust policy requires one/);
  }, 120_000);

  it('starts nothing where child servers cannot run, saying why', async () => {
    const service = new ModelServerService({
      cliScript: join(REPO, 'out', 'main', 'cli.js'),
      storeDir: services.store.dir,
      bundlePath: () => DEMO_BUNDLE,
      table: () => services.table(datasetId),
      unavailable: 'no child processes here',
    });
    await expect(service.start({ bundleId: 'shipped:demo' })).rejects.toThrow(/^no child processes here$/);
    expect((await service.status('shipped:demo')).state).toBe('stopped');
  });

  it('exits when the workbench’s process is killed with SIGKILL', async () => {
    const parent = spawn(process.execPath, [join(REPO, 'node_modules', 'vite-node', 'vite-node.mjs'), join(__dirname, 'workbench-server-parent.ts'), services.store.dir], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    parent.stdout.setEncoding('utf8');
    parent.stdout.on('data', (c: string) => (out += c));
    await until('the parent reports its server', () => /^(READY|FAILED) .*\n/m.test(out), 120_000);
    const m = /^READY (\S+) (\d+)$/m.exec(out);
    expect(m, out).not.toBeNull();
    const url = m![1]!;
    const pid = Number(m![2]);
    expect(await portClosed(url)).toBe(false);
    parent.kill('SIGKILL');
    await until('the server exits after its parent was killed', () => gone(pid), 20_000);
    expect(await portClosed(url)).toBe(true);
  }, 180_000);
});
