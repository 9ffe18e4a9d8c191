/** Backup with the SQLite online backup API, and validated, atomic restore. */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { PrognosError } from '../../../src/shared/errors';
import { migrate } from '../../../src/main/core/store/migrate';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../../src/main/core/store/migrations';
import { validateStoreFile } from '../../../src/main/core/store/store-file';
import { ExperimentStore } from '../../../src/main/core/store/store';
import { expectSameTable, makeTable, newDataset, rawConnection, snapshot, tempDir } from './helpers';

function expectBadFile(fn: () => unknown, file: string, reason: RegExp): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(PrognosError);
  const pe = error as PrognosError;
  expect(pe.code).toBe('BAD_FILE');
  expect(pe.message).toContain(file);
  expect(pe.message).toMatch(reason);
  expect(pe.details?.issues?.[0]?.file).toBe(file);
}

/** A store with two datasets and a finished run with an artifact. */
function populated(dir = tempDir()) {
  const store = ExperimentStore.open(dir);
  const train = makeTable([9, 4, 11]);
  const test = makeTable([3, 6], {
    seed: 5,
    rulAtEnd: new Map([
      [1, 20],
      [2, 31],
    ]),
  });
  const a = store.insertDataset(newDataset(train, { name: 'train' }));
  const b = store.insertDataset(newDataset(test, { name: 'test', rulFile: '/data/RUL.txt', fingerprint: 'fp-test' }));
  const runId = store.createRun({
    datasetId: a.datasetId,
    kind: 'train',
    config: { w: 0.6 },
    seed: 1,
    datasetFingerprint: a.fingerprint,
  });
  store.logMetric(runId, 'val_loss', 0.3, 1);
  store.addArtifact(runId, { name: 'gbdt.onnx', kind: 'model', data: new Uint8Array([9, 8, 7]) });
  store.setRunStatus(runId, 'done');
  return { store, dir, train, test, a, b, runId };
}

describe('backup and restore', () => {
  it('restoring a backup into another folder gives the same datasets and runs', async () => {
    const { store, train, test, a, b, runId } = populated();
    const backupFile = join(tempDir(), 'backups', 'prognos-backup.db');
    await store.backup(backupFile);
    expect(existsSync(backupFile)).toBe(true);
    expect(readdirSync(join(backupFile, '..'))).toEqual(['prognos-backup.db']);
    expect(() => validateStoreFile(backupFile)).not.toThrow();

    const target = tempDir();
    ExperimentStore.restore(target, backupFile);
    const restored = ExperimentStore.open(target);
    expect(restored.listDatasets()).toEqual(store.listDatasets());
    expectSameTable(restored.loadTable(a.datasetId), train);
    expectSameTable(restored.loadTable(b.datasetId), test);
    expect(restored.getRun(runId)).toEqual(store.getRun(runId));
    expect(restored.metricsOf(runId)).toEqual(store.metricsOf(runId));
    expect(restored.getArtifact(runId, 'gbdt.onnx')?.data).toEqual(Buffer.from([9, 8, 7]));
    expect(restored.connectionSettings().journalMode).toBe('wal');
    restored.close();
    store.close();
  });

  it('restore replaces an existing (closed) store atomically and removes its stale -wal/-shm', async () => {
    const source = populated();
    const backupFile = join(tempDir(), 'b.db');
    await source.store.backup(backupFile);
    source.store.close();

    const target = tempDir();
    const old = ExperimentStore.open(target);
    old.insertDataset(newDataset(makeTable([2]), { name: 'old data' }));
    old.close();
    // leftovers of a crashed process
    writeFileSync(join(target, 'prognos.db-shm'), Buffer.alloc(32 * 1024));

    ExperimentStore.restore(target, backupFile);
    expect(readdirSync(target).sort()).toEqual(['prognos.db']);
    const restored = ExperimentStore.open(target);
    expect(restored.listDatasets().map((d) => d.name)).toEqual(['test', 'train']);
    restored.close();
  });

  it('refuses a non-SQLite file, naming it, and leaves the existing store intact', () => {
    const { store, dir } = populated();
    store.close();
    const before = snapshot(join(dir, 'prognos.db'));
    const filesBefore = readdirSync(dir).sort();

    const textFile = join(tempDir(), 'train_FD001.txt');
    writeFileSync(textFile, '1 1 -0.0007 -0.0004 100.0 518.67 641.82\n'.repeat(200));
    expectBadFile(() => ExperimentStore.restore(dir, textFile), textFile, /not a SQLite database/);

    const missing = join(tempDir(), 'nope.db');
    expectBadFile(() => ExperimentStore.restore(dir, missing), missing, /file not found/);

    // starts like SQLite but is garbage after the header
    const fake = join(tempDir(), 'fake.db');
    writeFileSync(fake, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4096, 0xab)]));
    expectBadFile(() => ExperimentStore.restore(dir, fake), fake, /unreadable database|integrity/);

    expect(snapshot(join(dir, 'prognos.db'))).toEqual(before);
    expect(readdirSync(dir).sort()).toEqual(filesBefore);
  });

  it('refuses a SQLite database that is not a Prognos store, or is from a newer build', () => {
    const { store, dir } = populated();
    store.close();
    const before = snapshot(join(dir, 'prognos.db'));

    const random = join(tempDir(), 'random.sqlite');
    const db = new Database(random);
    db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('hello')");
    db.close();
    expectBadFile(() => ExperimentStore.restore(dir, random), random, /not a Prognos store/);

    const newer = join(tempDir(), 'newer.db');
    const n = new Database(newer);
    migrate(n, MIGRATIONS);
    n.prepare("INSERT INTO schema_migrations VALUES (?, 'from-the-future', '2030-01-01T00:00:00.000Z')").run(LATEST_SCHEMA_VERSION + 1);
    n.close();
    expectBadFile(() => ExperimentStore.restore(dir, newer), newer, new RegExp(`newer Prognos \\(schema version ${LATEST_SCHEMA_VERSION + 1}`));

    const foreign = join(tempDir(), 'foreign.db');
    const f = new Database(foreign);
    f.exec(
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT); INSERT INTO schema_migrations VALUES (1, 'users', 'x')",
    );
    f.close();
    expectBadFile(() => ExperimentStore.restore(dir, foreign), foreign, /unknown schema history/);

    expect(snapshot(join(dir, 'prognos.db'))).toEqual(before);
    expect(readdirSync(dir).filter((name) => name.includes('restore'))).toEqual([]);
  });

  it('an older backup is upgraded when the restored store opens', () => {
    const file = join(tempDir(), 'v2.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    migrate(db, MIGRATIONS.slice(0, 2));
    db.close();
    const dir = tempDir();
    ExperimentStore.restore(dir, file);
    const store = ExperimentStore.open(dir);
    expect(store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    store.close();
  });

  it('refuses to restore over a store that is still open', async () => {
    const { store, dir } = populated();
    const backupFile = join(tempDir(), 'b.db');
    await store.backup(backupFile);
    let error: unknown;
    try {
      ExperimentStore.restore(dir, backupFile);
    } catch (e) {
      error = e;
    }
    expect((error as PrognosError).code).toBe('CONFLICT');
    // the open store still works
    expect(store.listDatasets()).toHaveLength(2);
    const other = rawConnection(store.dbPath);
    expect(other.prepare('SELECT count(*) AS n FROM datasets').get()).toEqual({ n: 2 });
    other.close();
    store.close();
  });
});
