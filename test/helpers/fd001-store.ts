/**
 * One store holding train_FD001 and a run trained on it with the default config (seed 1), shared by
 * the test files that need a real FD001 run (drift, performance estimation, …) instead of each
 * training its own. Built through the CLI once and kept in the temp folder under a key made of the
 * built code (out/main) and the data's checksum, so a change to either trains afresh.
 *
 * Tests must treat the store as read-only input: copy it (`copyFd001Store`) before writing to it.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, CMAPSS, REPO, requireBuild } from './paths';

export interface Fd001Store {
  /** the store folder (read-only: copy it before writing) */
  store: string;
  datasetId: string;
  runId: string;
  trainFile: string;
  testFile: string;
  rulFile: string;
}

function buildKey(): string {
  const h = createHash('sha256');
  const out = join(REPO, 'out', 'main');
  for (const f of readdirSync(out).sort()) if (f.endsWith('.js')) h.update(f).update(readFileSync(join(out, f)));
  h.update(readFileSync(join(CMAPSS, 'train_FD001.txt')));
  return h.digest('hex').slice(0, 16);
}

/** Runs the CLI without blocking the test process (a synchronous child would stall the runner's own messages for minutes). */
function cli(store: string, args: string[]): Promise<unknown> {
  return new Promise((resolveJson, reject) => {
    execFile(process.execPath, [CLI, ...args, '--store', store, '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`prognos ${args.join(' ')} failed (${err.message}): ${stderr}`));
      else resolveJson(JSON.parse(stdout) as unknown);
    });
  });
}

let cached: Fd001Store | undefined;

/** The shared FD001 store with its default run, trained on first use (minutes) and reused afterwards. */
export async function fd001Store(): Promise<Fd001Store> {
  if (cached !== undefined) return cached;
  requireBuild();
  const files = { trainFile: join(CMAPSS, 'train_FD001.txt'), testFile: join(CMAPSS, 'test_FD001.txt'), rulFile: join(CMAPSS, 'RUL_FD001.txt') };
  const root = join(tmpdir(), `prognos-fd001-store-${buildKey()}`);
  const done = join(root, 'fixture.json');
  if (!existsSync(done)) {
    // built in a private folder and renamed into place, so a concurrent test never sees half a store
    const work = `${root}.${process.pid}.${Date.now()}`;
    mkdirSync(work, { recursive: true });
    const store = join(work, 'store');
    const imported = (await cli(store, ['import', files.trainFile, '--name', 'train_FD001'])) as { datasetId: string };
    const trained = (await cli(store, ['train', '--dataset', imported.datasetId, '--seed', '1'])) as { runId: string };
    writeFileSync(join(work, 'fixture.json'), JSON.stringify({ datasetId: imported.datasetId, runId: trained.runId }));
    try {
      renameSync(work, root);
    } catch {
      rmSync(work, { recursive: true, force: true }); // another process finished first
    }
  }
  const ids = JSON.parse(readFileSync(done, 'utf8')) as { datasetId: string; runId: string };
  cached = { store: join(root, 'store'), ...ids, ...files };
  return cached;
}

/** A private, writable copy of the shared FD001 store. */
export async function copyFd001Store(to: string): Promise<Fd001Store> {
  const s = await fd001Store();
  cpSync(s.store, to, { recursive: true });
  return { ...s, store: to };
}
