/**
 * A large dataset insert takes a rollback journal only when its connection has the store to itself
 * (src/main/core/store/bulk-journal.ts): beside another connection it goes through the WAL, and that
 * connection reads meanwhile; a process opening the store during a journaled insert waits for it,
 * then finds the store in WAL mode with the dataset in it.
 */
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExperimentStore } from '../../../src/main/core/store/store';
import { largeTable } from '../import/large-table';
import { summarizeFleet } from '../../../src/main/core/data/summary';
import { expectSameTable, makeTable, newDataset, tempDir } from './helpers';

const stores: ExperimentStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function open(dir: string): ExperimentStore {
  const s = ExperimentStore.open(dir, { recoverInterruptedRuns: false });
  stores.push(s);
  return s;
}

const about = (table: ReturnType<typeof largeTable>) => ({ name: 'large', format: 'cmapss' as const, sourceFile: 'large.txt', rulFile: null, fingerprint: 'fp-large', summary: summarizeFleet(table) });

/** Starts open-store-child.ts on `dir`; resolves once it says it is opening the store, with its result to come. */
async function openingChild(dir: string): Promise<{ result: Promise<{ ms: number; journalMode: string; names: string[] }> }> {
  const viteNode = join(process.cwd(), 'node_modules', '.bin', 'vite-node');
  const child = spawn(viteNode, [join(__dirname, 'open-store-child.ts'), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  for (let i = 0; i < 600 && !out.includes('opening\n'); i++) await new Promise((r) => setTimeout(r, 50));
  expect(out, err).toContain('opening\n');
  return {
    result: exited.then((code) => {
      expect(code, err).toBe(0);
      return JSON.parse(out.trim().split('\n').at(-1)!) as { ms: number; journalMode: string; names: string[] };
    }),
  };
}

describe('a large insert', () => {
  it('beside another connection goes through the WAL; the other connection reads meanwhile and sees it once committed', () => {
    const dir = tempDir();
    const a = open(dir);
    a.insertDataset(newDataset(makeTable([4, 5]), { name: 'small', fingerprint: 'fp-small' }));
    const b = open(dir);
    expect(b.listDatasets().map((d) => d.name)).toEqual(['small']);
    const table = largeTable();
    const pending = a.beginDatasetInsert(table, { name: 'large' });
    expect(existsSync(join(dir, 'prognos.db-journal'))).toBe(false);
    expect(a.connectionSettings().journalMode).toBe('wal');
    expect(b.listDatasets().map((d) => d.name)).toEqual(['small']); // not blocked, and nothing uncommitted
    const rec = pending.finish(about(table));
    expect(b.listDatasets().map((d) => d.name).sort()).toEqual(['large', 'small']);
    expectSameTable(b.loadTable(rec.datasetId), table);
  }, 120_000);

  it('alone takes a rollback journal; a process opening the store meanwhile waits, then finds it in WAL mode with the dataset', async () => {
    const dir = tempDir();
    const a = open(dir);
    const table = largeTable();
    const pending = a.beginDatasetInsert(table, { name: 'large' });
    // the columns went into the database file through a journal (no WAL frames)
    expect(a.connectionSettings().journalMode).toBe('delete');
    expect(existsSync(join(dir, 'prognos.db-journal'))).toBe(true);
    // the child is about to open the store: it waits for as long as the insert still takes (0.5 s here)
    const child = await openingChild(dir);
    await new Promise((r) => setTimeout(r, 500));
    const rec = pending.finish(about(table));
    expect(a.connectionSettings().journalMode).toBe('wal');
    expect(existsSync(join(dir, 'prognos.db-journal'))).toBe(false);
    const seen = await child.result;
    expect(seen.journalMode).toBe('wal');
    expect(seen.names).toEqual(['large']);
    expectSameTable(a.loadTable(rec.datasetId), table);
    // the child's open waited for the insert, within the busy timeout (5 s)
    expect(seen.ms).toBeGreaterThanOrEqual(400);
    expect(seen.ms).toBeLessThan(5000);
  }, 120_000);

  it('a process opening the store while another holds its write lock with a rollback journal retries WAL mode until it is free', async () => {
    const dir = tempDir();
    open(dir).insertDataset(newDataset(makeTable([4, 5]), { name: 'small', fingerprint: 'fp-small' }));
    stores.pop()!.close();
    // the lock a journaled insert holds before its pages spill: RESERVED (readers may still read, but
    // no one may leave the journal mode, and SQLite's busy handler does not wait for that)
    const raw = new Database(join(dir, 'prognos.db'));
    try {
      expect(raw.pragma('journal_mode = DELETE', { simple: true })).toBe('delete');
      raw.exec('BEGIN IMMEDIATE');
      raw.exec("UPDATE datasets SET name = 'renamed'");
      const child = await openingChild(dir);
      await new Promise((r) => setTimeout(r, 500));
      raw.exec('COMMIT');
      raw.close();
      const seen = await child.result;
      expect(seen.journalMode).toBe('wal');
      expect(seen.names).toEqual(['renamed']);
      expect(seen.ms).toBeGreaterThanOrEqual(400);
    } finally {
      if (raw.open) raw.close();
    }
  }, 120_000);
});
