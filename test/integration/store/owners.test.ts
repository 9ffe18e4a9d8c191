/**
 * Runs whose process died are marked failed by a store that stays open (a periodic sweep, and when
 * listing runs), and a pid reused by another program does not keep a run running.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processStartOf } from '../../../src/main/core/store/owner';
import { ExperimentStore, INTERRUPTED_ERROR } from '../../../src/main/core/store/store';
import { makeTable, newDataset, rawConnection, tempDir } from './helpers';

const children: ChildProcess[] = [];
const stores: ExperimentStore[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of stores.splice(0)) s.close();
});

function open(dir: string, sweepIntervalMs: number): ExperimentStore {
  const store = ExperimentStore.open(dir, { sweepIntervalMs });
  stores.push(store);
  return store;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls without touching the sweep (getRun does not sweep) until the run leaves 'running'. */
async function waitForStatusChange(store: ExperimentStore, runId: string, limitMs: number): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < limitMs) {
    if (store.getRun(runId)?.status !== 'running') return performance.now() - t0;
    await sleep(20);
  }
  return Number.POSITIVE_INFINITY;
}

/** Starts run-owner-child.ts and resolves with its pid and the run id it created. */
function startOwner(dir: string, datasetId: string): Promise<{ child: ChildProcess; runId: string }> {
  const viteNode = join(process.cwd(), 'node_modules', '.bin', 'vite-node');
  const child = spawn(viteNode, [join(__dirname, 'run-owner-child.ts'), dir, datasetId], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(run_\S+)\n/.exec(out);
      if (m !== null) resolve({ child, runId: m[1]! });
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`the owner process exited (${code}) before starting a run: ${err}`)));
  });
}

describe('a run whose process died', () => {
  it('is marked failed by a store that stays open, within the sweep interval, without reopening', async () => {
    const dir = tempDir();
    const sweepMs = 500;
    const store = open(dir, sweepMs);
    const d = store.insertDataset(newDataset(makeTable([5, 6])));
    const { child, runId } = await startOwner(dir, d.datasetId);

    // while its owner lives, several sweeps leave the run alone
    await sleep(3 * sweepMs);
    expect(store.getRun(runId)?.status).toBe('running');
    expect(store.sweep()).toEqual([]);

    // the owner's pid is a different process whose start time the run recorded
    const recorded = rawConnection(store.dbPath);
    const owner = recorded
      .prepare('SELECT owner_pid, owner_start, heartbeat_at FROM runs WHERE run_id = ?')
      .get(runId) as {
      owner_pid: number;
      owner_start: string | null;
      heartbeat_at: string;
    };
    recorded.close();
    expect(owner.owner_pid).toBe(child.pid);
    if (process.platform === 'linux') expect(owner.owner_start).toBe(processStartOf(child.pid!));

    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const elapsed = await waitForStatusChange(store, runId, 10 * sweepMs);
    // the next tick of the sweep finds it (plus scheduling slack on a busy machine)
    expect(elapsed).toBeLessThan(sweepMs + 1000);
    const run = store.getRun(runId)!;
    expect(run.status).toBe('failed');
    expect(run.error).toBe(INTERRUPTED_ERROR);
    expect(run.finishedAt).not.toBeNull();
  });

  it('is marked failed when runs are listed, also with the periodic sweep off', async () => {
    const dir = tempDir();
    const store = open(dir, 0);
    const d = store.insertDataset(newDataset(makeTable([5, 6])));
    const { child, runId } = await startOwner(dir, d.datasetId);
    expect(store.listRuns().find((r) => r.runId === runId)?.status).toBe('running');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    await sleep(300);
    expect(store.getRun(runId)?.status).toBe('running'); // nothing swept yet
    expect(store.listRuns().find((r) => r.runId === runId)?.status).toBe('failed');
  });
});

describe('a pid that now belongs to another program', () => {
  function rewriteOwner(
    store: ExperimentStore,
    runId: string,
    pid: number,
    start: string | null,
    heartbeatAt?: string,
  ): void {
    const db = rawConnection(store.dbPath);
    db.prepare(
      'UPDATE runs SET owner_pid = ?, owner_start = ?, heartbeat_at = coalesce(?, heartbeat_at) WHERE run_id = ?',
    ).run(pid, start, heartbeatAt ?? null, runId);
    db.close();
  }

  it.runIf(process.platform === 'linux')(
    'does not keep a run running: a live `sleep` with another start time, or this process',
    async () => {
      const dir = tempDir();
      const store = open(dir, 0);
      const d = store.insertDataset(newDataset(makeTable([4])));
      const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
      children.push(sleeper);
      await sleep(100);
      const sleeperStart = processStartOf(sleeper.pid!);
      expect(sleeperStart).toMatch(/^linux:\d+$/);

      // a "previous owner" that had the sleeper's pid but started at another time
      const reusedBySleep = store.createRun({
        datasetId: d.datasetId,
        kind: 'train',
        config: {},
        seed: 1,
        datasetFingerprint: 'fp',
      });
      rewriteOwner(store, reusedBySleep, sleeper.pid!, 'linux:1');
      // the very owner (the sleeper itself, beating) is alive: the check is not "every other process is dead"
      const ownedBySleep = store.createRun({
        datasetId: d.datasetId,
        kind: 'train',
        config: {},
        seed: 2,
        datasetFingerprint: 'fp',
      });
      rewriteOwner(store, ownedBySleep, sleeper.pid!, sleeperStart, new Date().toISOString());
      // this test process under another start time: a pid that was reused by us
      const reusedByUs = store.createRun({
        datasetId: d.datasetId,
        kind: 'train',
        config: {},
        seed: 3,
        datasetFingerprint: 'fp',
      });
      rewriteOwner(store, reusedByUs, process.pid, 'linux:1');
      // the sleeper again, with its true start time but a heartbeat that stopped long ago
      const silent = store.createRun({
        datasetId: d.datasetId,
        kind: 'train',
        config: {},
        seed: 4,
        datasetFingerprint: 'fp',
      });
      rewriteOwner(store, silent, sleeper.pid!, sleeperStart, new Date(Date.now() - 10 * 60_000).toISOString());

      expect(store.sweep().sort()).toEqual([reusedBySleep, reusedByUs, silent].sort());
      expect(store.getRun(reusedBySleep)?.status).toBe('failed');
      expect(store.getRun(reusedByUs)?.status).toBe('failed');
      expect(store.getRun(silent)?.status).toBe('failed');
      expect(store.getRun(ownedBySleep)?.status).toBe('running');

      sleeper.kill('SIGKILL');
      await new Promise((r) => sleeper.once('exit', r));
      expect(store.sweep()).toEqual([ownedBySleep]);
    },
  );
});

describe('runs of this process', () => {
  it('stay running while an open store runs them, heartbeat, and are failed once no store here runs them', async () => {
    const dir = tempDir();
    const a = open(dir, 150);
    const d = a.insertDataset(newDataset(makeTable([4])));
    const runId = a.createRun({ datasetId: d.datasetId, kind: 'train', config: {}, seed: 1, datasetFingerprint: 'fp' });
    const heartbeatOf = (): string => {
      const db = rawConnection(a.dbPath);
      const row = db.prepare('SELECT heartbeat_at FROM runs WHERE run_id = ?').get(runId) as { heartbeat_at: string };
      db.close();
      return row.heartbeat_at;
    };
    const first = heartbeatOf();
    await sleep(600);
    expect(Date.parse(heartbeatOf())).toBeGreaterThan(Date.parse(first));

    // a second store in the same process (same pid, same start time) leaves it alone
    const b = open(dir, 150);
    await sleep(400);
    expect(b.getRun(runId)?.status).toBe('running');
    expect(b.sweep()).toEqual([]);

    // the store that ran it is closed: nothing in this process runs it any more
    a.close();
    const elapsed = await waitForStatusChange(b, runId, 5000);
    expect(elapsed).toBeLessThan(150 + 1000);
    expect(b.getRun(runId)?.status).toBe('failed');
  });

  it('a run that finished is never touched by the sweep', () => {
    const dir = tempDir();
    const s = open(dir, 0);
    const d = s.insertDataset(newDataset(makeTable([4])));
    const runId = s.createRun({ datasetId: d.datasetId, kind: 'train', config: {}, seed: 1, datasetFingerprint: 'fp' });
    s.setRunStatus(runId, 'done');
    const db = rawConnection(s.dbPath);
    db.prepare('UPDATE runs SET owner_pid = ? WHERE run_id = ?').run(
      spawnSync(process.execPath, ['-e', '']).pid,
      runId,
    );
    db.close();
    expect(s.sweep()).toEqual([]);
    expect(s.getRun(runId)?.status).toBe('done');
  });
});
