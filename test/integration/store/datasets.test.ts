/** Datasets: columnar round trip, listing, partial loads, cascading delete, all-or-nothing inserts. */
import { describe, expect, it } from 'vitest';
import { CMAPSS_VALUE_COLUMNS, type FleetTable } from '../../../src/main/core/data/table';
import { PrognosError } from '../../../src/shared/errors';
import { float64FromBlob, int32FromBlob } from '../../../src/main/core/store/blobs';
import { ExperimentStore } from '../../../src/main/core/store/store';
import { expectSameTable, makeTable, newDataset, rawConnection, snapshot, tempDir } from './helpers';

function openStore(): ExperimentStore {
  return ExperimentStore.open(tempDir());
}

function expectPrognosError(fn: () => unknown, code: string, message?: RegExp): PrognosError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(PrognosError);
  const pe = error as PrognosError;
  expect(pe.code).toBe(code);
  if (message !== undefined) expect(pe.message).toMatch(message);
  return pe;
}

function expectOwnedBuffers(t: Pick<FleetTable, 'unit' | 'cycle' | 'values'>): void {
  for (const a of [t.unit, t.cycle, ...t.values]) {
    expect(a.byteOffset).toBe(0);
    expect(a.buffer.byteLength).toBe(a.byteLength);
  }
}

describe('dataset round trip', () => {
  it('loads back exactly what was inserted, rulAtEnd included (odd row counts, NaN, -0)', () => {
    const store = openStore();
    const rul = new Map([
      [1, 112],
      [2, 98],
      [3, 0],
    ]);
    const table = makeTable([7, 1, 13], { rulAtEnd: rul, specials: true });
    expect(table.rowCount).toBe(21);
    const rec = store.insertDataset(newDataset(table, { name: 'FD001 test', rulFile: '/data/RUL_FD001.txt' }));

    expect(rec.datasetId).toMatch(/^ds_[0-9a-z]{18}$/);
    expect(new Date(rec.createdAt).toISOString()).toBe(rec.createdAt);
    expect(rec).toMatchObject({
      name: 'FD001 test',
      rows: 21,
      units: 3,
      minCycles: 1,
      maxCycles: 13,
      rulFile: '/data/RUL_FD001.txt',
    });

    const back = store.loadTable(rec.datasetId);
    expect(back).toEqual(table);
    expectSameTable(back, table);
    expect(back.rulAtEnd).toEqual(rul);
    expect(Object.is(back.values[0]![1], -0)).toBe(true);
    expect(Number.isNaN(back.values[0]![0])).toBe(true);
    expect(back.unit).toBeInstanceOf(Int32Array);
    expect(back.values[3]).toBeInstanceOf(Float64Array);
    expectOwnedBuffers(back);
    store.close();
  });

  it('keeps "no RUL file" apart from "an empty RUL map", and stores a table without rows', () => {
    const store = openStore();
    const plain = makeTable([5, 3]);
    const emptyRul = makeTable([2], { rulAtEnd: new Map() });
    const empty = makeTable([]);
    const a = store.insertDataset(newDataset(plain));
    const b = store.insertDataset(newDataset(emptyRul));
    const c = store.insertDataset(newDataset(empty));
    expect('rulAtEnd' in store.loadTable(a.datasetId)).toBe(false);
    expect(store.loadTable(b.datasetId).rulAtEnd).toEqual(new Map());
    const back = store.loadTable(c.datasetId);
    expect(back).toEqual(empty);
    expect(back.rowCount).toBe(0);
    store.close();
  });

  it('round-trips CSV datasets with original headers and a large table', () => {
    const store = openStore();
    const columns = [
      { name: 'T24', original: 'Total temperature at LPC outlet', role: 'sensor' as const },
      { name: 'alt', original: 'Altitude (ft)', role: 'setting' as const },
    ];
    const csv = makeTable([4, 9, 2], { columns });
    const big = makeTable(
      Array.from({ length: 501 }, (_, i) => 150 + (i % 97)),
      { seed: 3 },
    );
    const a = store.insertDataset(newDataset(csv, { format: 'csv', sourceFile: '/data/fleet.csv' }));
    const b = store.insertDataset(newDataset(big));
    expect(store.loadTable(a.datasetId)).toEqual(csv);
    expect(store.getDataset(a.datasetId)?.format).toBe('csv');
    expect(big.rowCount).toBeGreaterThan(90_000);
    expectSameTable(store.loadTable(b.datasetId), big);
    store.close();
  });
});

describe('listing and lookup', () => {
  it('lists newest first, gets by id and finds by fingerprint', () => {
    const store = openStore();
    const t = makeTable([3]);
    const first = store.insertDataset(newDataset(t, { name: 'one', fingerprint: 'fp-1' }));
    const second = store.insertDataset(newDataset(t, { name: 'two', fingerprint: 'fp-2' }));
    const third = store.insertDataset(newDataset(t, { name: 'three', fingerprint: 'fp-1' }));

    expect(store.listDatasets().map((d) => d.name)).toEqual(['three', 'two', 'one']);
    expect(store.getDataset(second.datasetId)).toEqual(second);
    expect(store.getDataset('ds_nope')).toBeUndefined();
    expect(store.findByFingerprint('fp-1').map((d) => d.datasetId)).toEqual([third.datasetId, first.datasetId]);
    expect(store.findByFingerprint('fp-x')).toEqual([]);
    // ids sort in creation order
    expect([first.datasetId, second.datasetId, third.datasetId]).toEqual(
      [third.datasetId, first.datasetId, second.datasetId].sort(),
    );
    store.close();
  });

  it('the record survives reopening unchanged', () => {
    const dir = tempDir();
    const store = ExperimentStore.open(dir);
    const rec = store.insertDataset(newDataset(makeTable([4, 6])));
    store.close();
    const again = ExperimentStore.open(dir);
    expect(again.listDatasets()).toEqual([rec]);
    again.close();
  });

  it('NOT_FOUND for an unknown dataset', () => {
    const store = openStore();
    expectPrognosError(() => store.loadTable('ds_missing'), 'NOT_FOUND', /ds_missing/);
    expectPrognosError(() => store.loadColumns('ds_missing', ['s1']), 'NOT_FOUND');
    expect(store.deleteDataset('ds_missing')).toBe(false);
    store.close();
  });
});

describe('partial loads', () => {
  it('loadColumns returns unit, cycle and only the named columns', () => {
    const store = openStore();
    const table = makeTable([5, 8]);
    const { datasetId } = store.insertDataset(newDataset(table));
    const sel = store.loadColumns(datasetId, ['s4', 'setting2', 's4']);
    expect(sel.unit).toEqual(table.unit);
    expect(sel.cycle).toEqual(table.cycle);
    expect(Object.keys(sel.values)).toEqual(['s4', 'setting2']);
    const idx = (name: string) => CMAPSS_VALUE_COLUMNS.findIndex((c) => c.name === name);
    expect(sel.values.s4).toEqual(table.values[idx('s4')]);
    expect(sel.values.setting2).toEqual(table.values[idx('setting2')]);
    expect(store.loadColumns(datasetId, []).values).toEqual({});

    const err = expectPrognosError(
      () => store.loadColumns(datasetId, ['s1', 'bogus', 'unit']),
      'NOT_FOUND',
      /"bogus", "unit"/,
    );
    expect(err.details?.missing).toEqual(['bogus', 'unit']);
    store.close();
  });

  it('loadRows slices a row range out of every column', () => {
    const store = openStore();
    const table = makeTable([5, 8, 3]);
    const { datasetId } = store.insertDataset(newDataset(table));
    const r = store.loadRows(datasetId, 4, 6);
    expect(r.offset).toBe(4);
    expect(r.totalRows).toBe(16);
    expect(r.unit).toEqual(table.unit.slice(4, 10));
    expect(r.cycle).toEqual(table.cycle.slice(4, 10));
    expect(r.columns).toEqual(table.columns);
    r.values.forEach((v, j) => expect(v).toEqual(table.values[j]!.slice(4, 10)));
    const tail = store.loadRows(datasetId, 14, 100);
    expect(tail.unit).toEqual(table.unit.slice(14));
    expect(store.loadRows(datasetId, 99, 10).unit.length).toBe(0);
    expectPrognosError(() => store.loadRows(datasetId, -1, 10), 'INVALID_INPUT');
    store.close();
  });
});

describe('typed arrays from BLOBs', () => {
  it('copies bytes at an unaligned offset into an aligned, owned buffer', () => {
    const values = new Float64Array([1.5, -2, Number.NaN, 1e300]);
    const pool = Buffer.alloc(values.byteLength + 3);
    Buffer.from(values.buffer).copy(pool, 3);
    const unaligned = pool.subarray(3);
    expect(unaligned.byteOffset % 8).toBe(3);
    const f = float64FromBlob(unaligned, 4);
    expect(f).toEqual(values);
    expect(f.byteOffset).toBe(0);
    expect(f.buffer.byteLength).toBe(32);

    const ints = new Int32Array([7, -1, 2 ** 31 - 1]);
    const pool2 = Buffer.alloc(ints.byteLength + 2);
    Buffer.from(ints.buffer).copy(pool2, 2);
    expect(int32FromBlob(pool2.subarray(2), 3)).toEqual(ints);
  });

  it('rejects a blob whose size does not fit the column', () => {
    expect(() => float64FromBlob(Buffer.alloc(12), undefined, 'col x')).toThrow(/col x: 12 bytes/);
    expect(() => int32FromBlob(Buffer.alloc(8), 3, 'col y')).toThrow(/holds 2 values, expected 3/);
  });
});

describe('delete cascades', () => {
  it('removes columns, RUL values and runs with everything they hold', () => {
    const store = openStore();
    const keep = store.insertDataset(newDataset(makeTable([2, 2])));
    const gone = store.insertDataset(
      newDataset(
        makeTable([3, 4], {
          rulAtEnd: new Map([
            [1, 5],
            [2, 9],
          ]),
        }),
      ),
    );
    const runId = store.createRun({
      datasetId: gone.datasetId,
      kind: 'train',
      config: {},
      seed: 1,
      datasetFingerprint: gone.fingerprint,
    });
    store.logParams(runId, { lr: 0.1 });
    store.logMetric(runId, 'loss', 0.4, 1);
    store.addArtifact(runId, { name: 'gbdt.onnx', kind: 'model', data: new Uint8Array([1, 2, 3]) });
    store.registerModel(runId, { kind: 'gbdt', artifactName: 'gbdt.onnx' });
    store.addReport(runId, { title: 'r', artifactData: new Uint8Array([4]) });

    expect(store.deleteDataset(gone.datasetId)).toBe(true);
    expect(store.deleteDataset(gone.datasetId)).toBe(false);
    expect(store.getDataset(gone.datasetId)).toBeUndefined();
    expect(store.getRun(runId)).toBeUndefined();

    const { counts } = snapshot(store.dbPath);
    expect(counts).toMatchObject({
      datasets: 1,
      dataset_columns: 2 + CMAPSS_VALUE_COLUMNS.length,
      rul_at_end: 0,
      runs: 0,
      params: 0,
      metrics: 0,
      artifacts: 0,
      models: 0,
      reports: 0,
    });
    expect(store.loadTable(keep.datasetId).rowCount).toBe(4);
    store.close();
  });
});

describe('all-or-nothing inserts', () => {
  function storeWithData(): ExperimentStore {
    const store = openStore();
    const d = store.insertDataset(
      newDataset(
        makeTable([3, 5], {
          rulAtEnd: new Map([
            [1, 4],
            [2, 8],
          ]),
        }),
      ),
    );
    store.createRun({
      datasetId: d.datasetId,
      kind: 'train',
      config: { a: 1 },
      seed: 3,
      datasetFingerprint: d.fingerprint,
    });
    return store;
  }

  it('a duplicate column name failing halfway through the columns leaves the store unchanged', () => {
    const store = storeWithData();
    const before = snapshot(store.dbPath);
    const columns = CMAPSS_VALUE_COLUMNS.map((c, i) => (i === 20 ? { ...c, name: 's1' } : c));
    const table = makeTable([6, 7], { columns });
    expectPrognosError(() => store.insertDataset(newDataset(table, { name: 'dup' })), 'INVALID_INPUT', /dup.*UNIQUE/);
    expect(snapshot(store.dbPath)).toEqual(before);
    expect(store.listDatasets()).toHaveLength(1);
    store.close();
  });

  it('a bad RUL value failing after all columns were written leaves the store unchanged', () => {
    const store = storeWithData();
    const before = snapshot(store.dbPath);
    const table = makeTable([6, 7], {
      rulAtEnd: new Map([
        [1, 10],
        [2, 12.5],
      ]),
    });
    expectPrognosError(() => store.insertDataset(newDataset(table)), 'INVALID_INPUT', /cannot be stored/);
    expect(snapshot(store.dbPath)).toEqual(before);
    store.close();
  });

  it('an invalid summary or inconsistent table is refused before anything is written', () => {
    const store = storeWithData();
    const before = snapshot(store.dbPath);
    const table = makeTable([6, 7]);
    const good = newDataset(table);
    expectPrognosError(
      () => store.insertDataset({ ...good, summary: { ...good.summary, minCycles: 1.5 } }),
      'INVALID_INPUT',
      /invalid summary/,
    );
    expectPrognosError(
      () => store.insertDataset({ ...good, summary: { ...good.summary, rows: 99 } }),
      'INVALID_INPUT',
      /99 rows/,
    );
    expectPrognosError(
      () => store.insertDataset({ ...good, table: { ...table, values: table.values.slice(1) } }),
      'INVALID_INPUT',
      /24 columns but 23/,
    );
    expectPrognosError(
      () => store.insertDataset({ ...good, table: { ...table, cycle: new Int32Array(3) } }),
      'INVALID_INPUT',
      /cycle must be/,
    );
    expect(snapshot(store.dbPath)).toEqual(before);
    store.close();
  });

  it('the snapshot notices a change (guards the tests above)', () => {
    const store = storeWithData();
    const before = snapshot(store.dbPath);
    const db = rawConnection(store.dbPath);
    db.prepare("UPDATE datasets SET name = 'renamed'").run();
    db.close();
    const after = snapshot(store.dbPath);
    expect(after.counts).toEqual(before.counts);
    expect(after.hash).not.toBe(before.hash);
    store.close();
  });
});

describe('an insert left open while the table is summarised (beginDatasetInsert)', () => {
  const about = (table: FleetTable, over: Partial<ReturnType<typeof newDataset>> = {}) => {
    const { table: _t, columnSha256: _h, ...rest } = newDataset(table, over);
    return rest;
  };

  it('finish stores what a one-step insert stores; nothing is visible to another connection before', () => {
    const one = openStore();
    const two = openStore();
    const table = makeTable([7, 1, 13], { rulAtEnd: new Map([[1, 5], [2, 9], [3, 0]]), specials: true });
    const whole = one.insertDataset(newDataset(table));
    const pending = two.beginDatasetInsert(table, { name: 'FD001 train' });
    const other = rawConnection(two.dbPath);
    try {
      // the columns are written, not committed: a reader sees none of them
      for (const t of ['datasets', 'dataset_columns', 'rul_at_end']) {
        expect(other.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${t}`).get()!.n).toBe(0);
      }
      const rec = pending.finish(about(table));
      expect(rec.datasetId).toBe(pending.datasetId);
      expect({ ...rec, datasetId: undefined, createdAt: undefined }).toEqual({ ...whole, datasetId: undefined, createdAt: undefined });
      expect(other.prepare<[], { n: number }>('SELECT count(*) AS n FROM dataset_columns').get()!.n).toBe(table.columns.length + 2);
      // loadTable checks every column against the SHA-256 hashed on the way in
      expectSameTable(two.loadTable(rec.datasetId), table);
      expect(two.getDataset(rec.datasetId)).toEqual(rec);
      // finished: a second finish or an abort changes nothing
      expect(() => pending.finish(about(table))).toThrow(/already ended/);
      pending.abort();
      expect(two.listDatasets()).toHaveLength(1);
    } finally {
      other.close();
      one.close();
      two.close();
    }
  });

  it('abort, or a record that does not fit its table, leaves the store as it was and usable', () => {
    const store = openStore();
    store.insertDataset(newDataset(makeTable([4, 6]), { name: 'kept', fingerprint: 'fp-kept' }));
    const before = snapshot(store.dbPath);
    const table = makeTable([5, 8]);
    store.beginDatasetInsert(table, { name: 'dropped' }).abort();
    expect(snapshot(store.dbPath)).toEqual(before);
    const wrong = store.beginDatasetInsert(table, { name: 'wrong' });
    expectPrognosError(() => wrong.finish(about(makeTable([5, 9]), { name: 'wrong' })), 'INVALID_INPUT', /dataset "wrong" cannot be stored: the summary counts 14 rows, the table has 13/);
    expect(snapshot(store.dbPath)).toEqual(before);
    // a record the database refuses (a CHECK constraint), after the columns: rolled back whole
    const refused = store.beginDatasetInsert(table, { name: 'refused' });
    expectPrognosError(() => refused.finish(about(table, { name: 'refused', role: 'spare' as never })), 'INVALID_INPUT', /dataset "refused" cannot be stored: CHECK constraint failed/);
    expect(snapshot(store.dbPath)).toEqual(before);
    const rec = store.insertDataset(newDataset(table, { name: 'after' }));
    expectSameTable(store.loadTable(rec.datasetId), table);
    store.close();
  });

  it('refuses a table that cannot be stored before writing, and to start inside a transaction', () => {
    const store = openStore();
    const before = snapshot(store.dbPath);
    const t = makeTable([3]);
    expectPrognosError(() => store.beginDatasetInsert({ ...t, cycle: new Int32Array(2) }, { name: 'short' }), 'INVALID_INPUT', /dataset "short" cannot be stored: cycle must be an Int32Array of 3 values/);
    expect(snapshot(store.dbPath)).toEqual(before);
    store.atomically(() => {
      expectPrognosError(() => store.beginDatasetInsert(t, { name: 'nested' }), 'INTERNAL', /outside any transaction/);
      // the one-step insert still nests, as a savepoint
      store.insertDataset(newDataset(t, { name: 'nested' }));
    });
    expect(store.listDatasets().map((d) => d.name)).toEqual(['nested']);
    store.close();
  });
});
