/**
 * The store is honest about itself: column blobs checked against their SHA-256 on every read and by
 * restore, backups that never overwrite or land inside the store, and stale partial files removed.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PrognosError } from '../../../src/shared/errors';
import { PENDING_DIR } from '../../../src/main/core/store/partials';
import { validateStoreFile } from '../../../src/main/core/store/store-file';
import { ExperimentStore } from '../../../src/main/core/store/store';
import { makeTable, newDataset, rawConnection, snapshot, tempDir } from './helpers';

function caught(fn: () => unknown): PrognosError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(PrognosError);
  return error as PrognosError;
}

async function caughtAsync(fn: () => Promise<unknown>): Promise<PrognosError> {
  let error: unknown;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(PrognosError);
  return error as PrognosError;
}

/** Flips one bit of byte `at` of a column's blob, through SQL on a second connection of the file. */
function flipColumnByte(dbPath: string, datasetId: string, column: string, at: number): void {
  const db = rawConnection(dbPath);
  const row = db
    .prepare('SELECT data FROM dataset_columns WHERE dataset_id = ? AND name = ?')
    .get(datasetId, column) as {
    data: Buffer;
  };
  const data = Buffer.from(row.data);
  data[at] = data[at]! ^ 0x01;
  db.prepare('UPDATE dataset_columns SET data = ? WHERE dataset_id = ? AND name = ?').run(data, datasetId, column);
  db.close();
}

function fileHash(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

describe('column checksums', () => {
  it('records the SHA-256 of each column blob at insert', () => {
    const store = ExperimentStore.open(tempDir());
    const table = makeTable([7, 3]);
    const d = store.insertDataset(newDataset(table));
    const db = rawConnection(store.dbPath);
    const rows = db.prepare('SELECT name, data, sha256 FROM dataset_columns WHERE dataset_id = ?').all(d.datasetId) as {
      name: string;
      data: Buffer;
      sha256: string;
    }[];
    db.close();
    expect(rows).toHaveLength(2 + table.columns.length);
    const s3 = table.values[table.columns.findIndex((c) => c.name === 's3')]!;
    expect(rows.find((r) => r.name === 's3')!.sha256).toBe(
      createHash('sha256')
        .update(Buffer.from(s3.buffer, s3.byteOffset, s3.byteLength))
        .digest('hex'),
    );
    for (const r of rows) expect(r.sha256).toBe(createHash('sha256').update(r.data).digest('hex'));
    store.close();
  });

  it('a flipped byte in a stored column is refused by loadTable, loadColumns and loadRows, naming dataset and column', () => {
    const store = ExperimentStore.open(tempDir());
    const d = store.insertDataset(newDataset(makeTable([40, 30])));
    const other = store.insertDataset(newDataset(makeTable([5]), { name: 'other' }));
    // a preview before the damage is fine (and remembered as checked)
    expect(store.loadRows(d.datasetId, 0, 5).values[0]).toHaveLength(5);

    // flip a bit in row 60 of sensor s7: the preview of rows 0..5 does not even contain it
    flipColumnByte(store.dbPath, d.datasetId, 's7', 60 * 8 + 3);
    const expectRefused = (e: PrognosError): void => {
      expect(e.code).toBe('BAD_FILE');
      expect(e.message).toContain(`dataset ${d.datasetId}, column s7`);
      expect(e.message).toMatch(/do not match their SHA-256/);
      expect(e.details).toMatchObject({ datasetId: d.datasetId, column: 's7' });
    };
    expectRefused(caught(() => store.loadRows(d.datasetId, 0, 5)));
    expectRefused(caught(() => store.loadTable(d.datasetId)));
    expectRefused(caught(() => store.loadColumns(d.datasetId, ['s7'])));
    // columns that were not damaged still load alone; the other dataset is fine
    expect(store.loadColumns(d.datasetId, ['s2']).values.s2).toHaveLength(70);
    expect(store.loadTable(other.datasetId).rowCount).toBe(5);
    store.close();

    // a fresh connection (no memory of earlier checks) refuses it too, and so does the unit column
    const again = ExperimentStore.open(store.dir);
    expectRefused(caught(() => again.loadRows(d.datasetId, 0, 1)));
    flipColumnByte(again.dbPath, other.datasetId, 'unit', 0);
    const unitError = caught(() => again.loadRows(other.datasetId, 0, 1));
    expect(unitError.message).toContain(`dataset ${other.datasetId}, column unit`);
    again.close();
  });

  it('a column changed to other valid numbers with a recomputed length still fails its hash', () => {
    const store = ExperimentStore.open(tempDir());
    const d = store.insertDataset(newDataset(makeTable([10])));
    const db = rawConnection(store.dbPath);
    // whole new values of the right size: nothing but the hash can tell
    db.prepare("UPDATE dataset_columns SET data = zeroblob(80) WHERE dataset_id = ? AND name = 's1'").run(d.datasetId);
    db.close();
    expect(caught(() => store.loadTable(d.datasetId)).message).toContain('column s1');
    store.close();
  });
});

describe('restore checks every hash', () => {
  it('a backup with flipped bytes in a column blob is refused, naming dataset and column; the store is untouched', async () => {
    const source = ExperimentStore.open(tempDir());
    const d = source.insertDataset(newDataset(makeTable([12, 9])));
    const backupFile = join(tempDir(), 'backup.db');
    await source.backup(backupFile);
    source.close();
    expect(() => validateStoreFile(backupFile)).not.toThrow();
    flipColumnByte(backupFile, d.datasetId, 's11', 17);

    // the store being restored over holds other content
    const target = ExperimentStore.open(tempDir());
    target.insertDataset(newDataset(makeTable([3]), { name: 'current' }));
    const dir = target.dir;
    target.close();
    const before = snapshot(join(dir, 'prognos.db'));
    const filesBefore = readdirSync(dir).sort();

    const e = caught(() => ExperimentStore.restore(dir, backupFile));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toContain(backupFile);
    expect(e.message).toContain(`dataset ${d.datasetId}, column s11`);
    expect(snapshot(join(dir, 'prognos.db'))).toEqual(before);
    expect(readdirSync(dir).sort()).toEqual(filesBefore);
    const reopened = ExperimentStore.open(dir);
    expect(reopened.listDatasets().map((x) => x.name)).toEqual(['current']);
    reopened.close();
  });

  it('a backup with a tampered artifact is refused too', async () => {
    const source = ExperimentStore.open(tempDir());
    const d = source.insertDataset(newDataset(makeTable([4])));
    const runId = source.createRun({
      datasetId: d.datasetId,
      kind: 'train',
      config: {},
      seed: 1,
      datasetFingerprint: 'fp',
    });
    source.addArtifact(runId, { name: 'gbdt.onnx', kind: 'model', data: new Uint8Array([1, 2, 3, 4]) });
    source.setRunStatus(runId, 'done');
    const backupFile = join(tempDir(), 'backup.db');
    await source.backup(backupFile);
    source.close();
    const db = rawConnection(backupFile);
    db.prepare("UPDATE artifacts SET data = x'01020305'").run();
    db.close();
    const e = caught(() => ExperimentStore.restore(tempDir(), backupFile));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toContain(`artifact "gbdt.onnx" of run ${runId}`);
  });
});

describe('backup refuses to overwrite or to write inside the store', () => {
  it('an existing file is refused without force and left as it was; with force it is replaced', async () => {
    const store = ExperimentStore.open(tempDir());
    store.insertDataset(newDataset(makeTable([6])));
    const file = join(tempDir(), 'precious.db');
    writeFileSync(file, 'last month’s backup, keep it\n');
    const hash = fileHash(file);
    const e = await caughtAsync(() => store.backup(file));
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toContain(file);
    expect(e.message).toMatch(/--force/);
    expect(fileHash(file)).toBe(hash);
    expect(readdirSync(join(file, '..'))).toEqual(['precious.db']);

    await store.backup(file, { force: true });
    expect(fileHash(file)).not.toBe(hash);
    expect(() => validateStoreFile(file)).not.toThrow();
    store.close();
  });

  it('any path inside the store folder is refused: plain, through `..`, through a symlink, the db itself', async () => {
    const store = ExperimentStore.open(tempDir());
    store.insertDataset(newDataset(makeTable([6])));
    const dir = store.dir;
    const outside = tempDir();
    symlinkSync(dir, join(outside, 'link-to-store'));
    symlinkSync(store.dbPath, join(outside, 'link-to-db'));
    symlinkSync(join(dir, 'not-yet.db'), join(outside, 'dangling-into-store'));
    const before = snapshot(store.dbPath);
    const filesBefore = readdirSync(dir).sort();
    const attempts = [
      join(dir, 'backup.db'),
      join(dir, 'sub', 'backup.db'),
      store.dbPath,
      `${store.dbPath}-wal`,
      join(outside, '..', basename(dir), 'backup.db'),
      join(outside, 'link-to-store', 'backup.db'),
      join(outside, 'link-to-store'),
      join(outside, 'link-to-db'),
      join(outside, 'dangling-into-store'),
    ];
    for (const target of attempts) {
      for (const force of [false, true]) {
        const e = await caughtAsync(() => store.backup(target, { force }));
        expect(e.code, target).toBe('INVALID_INPUT');
        expect(e.message).toContain(target);
        expect(e.message).toMatch(/inside the store folder/);
      }
    }
    expect(existsSync(join(dir, 'sub'))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(filesBefore);
    expect(snapshot(store.dbPath)).toEqual(before);
    // a hard link to the store's file, outside the folder, is the store too
    const hard = join(outside, 'hard.db');
    spawnSync('ln', [store.dbPath, hard]);
    if (existsSync(hard)) {
      const e = await caughtAsync(() => store.backup(hard, { force: true }));
      expect(e.message).toMatch(/inside the store folder/);
    }
    // a folder is not a backup file
    const folder = join(outside, 'folder');
    mkdirSync(folder);
    expect((await caughtAsync(() => store.backup(folder, { force: true }))).message).toMatch(/is a folder/);
    store.close();
  });
});

describe('stale partial files are removed when the store opens', () => {
  it('removes what interrupted backups, restores and exports left, keeps live writes and other files', () => {
    const dir = tempDir();
    ExperimentStore.open(dir).close();
    const old = new Date(Date.now() - 60 * 60_000);
    const aged = (path: string): string => {
      utimesSync(path, old, old);
      return path;
    };
    // restore temp in the store folder, an export's partial folder in the bundle library
    const file = (path: string, content: string): string => {
      writeFileSync(path, content);
      return aged(path);
    };
    const restoreTemp = file(join(dir, '.prognos.db.restore-0123456789ab'), 'x');
    file(join(dir, '.prognos.db.restore-0123456789ab-wal'), 'x');
    mkdirSync(join(dir, 'bundles', '.run_1.partial-aaaaaaaaaaaa', 'models'), { recursive: true });
    writeFileSync(join(dir, 'bundles', '.run_1.partial-aaaaaaaaaaaa', 'models', 'gbdt.onnx'), 'half');
    const exportPartial = aged(join(dir, 'bundles', '.run_1.partial-aaaaaaaaaaaa'));
    const zipPartial = file(join(dir, 'bundles', '.run_2.zip.partial-bbbbbbbbbbbb'), 'half a zip');
    // an export being written right now (touched a moment ago) and ordinary files stay
    const liveExport = join(dir, 'bundles', '.run_3.partial-cccccccccccc');
    mkdirSync(liveExport);
    const bundle = join(dir, 'bundles', 'run_4');
    mkdirSync(bundle);
    aged(bundle);
    const notes = file(join(dir, 'notes.partial'), 'mine');

    // uploads of a browser-mode server that died a day ago go; one from an hour ago may still be imported
    mkdirSync(join(dir, 'uploads'));
    const oldUpload = file(join(dir, 'uploads', 'up_0123456789abcdef'), 'unit cycle');
    utimesSync(oldUpload, new Date(Date.now() - 25 * 3600_000), new Date(Date.now() - 25 * 3600_000));
    const recentUpload = file(join(dir, 'uploads', 'up_fedcba9876543210'), 'unit cycle');

    // a backup written elsewhere by a process that died, one by a process still alive
    const elsewhere = tempDir();
    const deadPartial = join(elsewhere, 'b.db.dddddddddddd.partial');
    writeFileSync(deadPartial, 'half a backup');
    const livePartial = join(elsewhere, 'c.db.eeeeeeeeeeee.partial');
    writeFileSync(livePartial, 'a backup being written');
    const precious = join(elsewhere, 'precious.txt');
    writeFileSync(precious, 'not a partial file');
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    mkdirSync(join(dir, PENDING_DIR));
    writeFileSync(join(dir, PENDING_DIR, '1.json'), JSON.stringify({ path: deadPartial, pid: deadPid, start: null }));
    writeFileSync(
      join(dir, PENDING_DIR, '2.json'),
      JSON.stringify({ path: livePartial, pid: process.pid, start: null }),
    );
    // a marker naming a file that is not a partial one never deletes it
    writeFileSync(join(dir, PENDING_DIR, '3.json'), JSON.stringify({ path: precious, pid: deadPid, start: null }));
    writeFileSync(join(dir, PENDING_DIR, '4.json'), 'not json');

    ExperimentStore.open(dir).close();

    expect(existsSync(restoreTemp)).toBe(false);
    expect(existsSync(join(dir, '.prognos.db.restore-0123456789ab-wal'))).toBe(false);
    expect(existsSync(exportPartial)).toBe(false);
    expect(existsSync(zipPartial)).toBe(false);
    expect(existsSync(deadPartial)).toBe(false);
    expect(existsSync(oldUpload)).toBe(false);
    expect(existsSync(recentUpload)).toBe(true);
    expect(existsSync(liveExport)).toBe(true);
    expect(existsSync(bundle)).toBe(true);
    expect(existsSync(notes)).toBe(true);
    expect(existsSync(livePartial)).toBe(true);
    expect(readFileSync(precious, 'utf8')).toBe('not a partial file');
    expect(readdirSync(join(dir, PENDING_DIR))).toEqual(['2.json']);
  });

  it('a backup leaves no partial file and no pending record behind', async () => {
    const store = ExperimentStore.open(tempDir());
    const out = tempDir();
    await store.backup(join(out, 'a.db'));
    expect(readdirSync(out)).toEqual(['a.db']);
    expect(readdirSync(join(store.dir, PENDING_DIR))).toEqual([]);
    store.close();
  });
});
