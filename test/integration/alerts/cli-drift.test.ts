/**
 * `prognos drift` with alerts: the report's notifications are stored by the command, and with the
 * webhook on, the command lets the delivery finish (here after a retry) before it exits, so a nightly
 * job's message is not left behind. A receiver on 127.0.0.1 in the test.
 */
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriftReport } from '../../../src/shared/drift';
import { ExperimentStore } from '../../../src/main/core/store/store';
import { CLI, requireBuild, tempDir } from '../../helpers/paths';

let dir = '';
let store = '';
let runId = '';
let server: Server | undefined;

function prognos(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args, '--store', store], { encoding: 'utf8', env: { ...process.env, PROGNOS_HOME: '' }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}
async function json<T>(...args: string[]): Promise<T> {
  const r = await prognos(...args, '--json');
  if (r.code !== 0) throw new Error(`prognos ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

beforeAll(async () => {
  requireBuild();
  dir = tempDir('prognos-alerts-cli-');
  store = join(dir, 'store');
  await json('synth', '--units', '30', '--seed', '21', '--out', join(dir, 'train.txt'));
  await json('synth', '--units', '20', '--seed', '22', '--out', join(dir, 'new.txt'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ models: ['gbdt'], gbdt: { nEstimators: 30, maxDepth: 4 }, topK: 10, rul: { enabled: false } }));
  runId = (await json<{ runId: string }>('train', '--dataset', join(dir, 'train.txt'), '--config', join(dir, 'config.json'), '--seed', '3')).runId;
});

afterAll(async () => {
  if (server !== undefined) await new Promise((r) => server!.close(r));
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('prognos drift with alerts', () => {
  it('stores the notifications of its report and, with the webhook on, exits only after the delivery finished', async () => {
    const received: { at: number; body: { text: string } }[] = [];
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ at: Date.now(), body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text: string } });
        // the first request of all fails: its notification is delivered on its second attempt
        res.writeHead(received.length === 1 ? 503 : 200);
        res.end();
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    // every report raises this rule's notification
    const s = ExperimentStore.open(store, { sweepIntervalMs: 0 });
    s.alerts().setWebhook({ enabled: true, url });
    s.alerts().saveRule({ name: 'Every report', enabled: true, metric: 'driftedShare', when: 'above', value: 0, severity: 'info' });
    s.close();

    const report = await json<DriftReport>('drift', '--run', runId, '--data', join(dir, 'new.txt'));
    const exited = Date.now();
    const after = ExperimentStore.open(store, { sweepIntervalMs: 0 });
    const list = after.alerts().listNotifications();
    after.close();
    const mine = list.notifications.filter((n) => n.reportId === report.reportId);
    expect(mine.map((n) => n.title)).toContain(`Every report: share of features drifting ${Number(report.driftedShare.toFixed(3))} ≥ 0`);
    // every notification's delivery was finished before the command exited: none left pending
    expect(mine.every((n) => n.delivery !== undefined && n.delivery.state === 'delivered')).toBe(true);
    expect(received).toHaveLength(mine.length + 1);
    expect(received.every((r) => r.at <= exited)).toBe(true);
    const retried = mine.filter((n) => n.attempts.length === 2);
    expect(retried).toHaveLength(1);
    expect(retried[0]!.attempts.map((a) => a.status)).toEqual([503, 200]);
    process.stdout.write(`alerts cli: ${mine.length} notifications, ${received.length} POSTs (one retried), all answered before the command exited\n`);
  });
});
