import { describe, expect, it } from 'vitest';
import { parseFleetFile, resolveCsvLayout, splitCsvHeader } from '../../../src/main/core/data/import-file';
import { PrognosError } from '../../../src/shared/errors';
import { bad, data } from './paths';

describe('CSV import', () => {
  it('detects CSV, maps default roles and keeps the original header names', async () => {
    const parsed = await parseFleetFile(data('small.csv'), { map: { 'Engine No': 'unit', note: 'ignore' } });
    const { table } = parsed;
    expect(parsed.format).toBe('csv');
    expect(table.rowCount).toBe(5);
    expect([...table.unit]).toEqual([1, 1, 1, 2, 2]);
    expect([...table.cycle]).toEqual([1, 2, 3, 1, 2]);
    expect(table.columns).toEqual([
      { name: 'op_setting_1', original: 'op_setting_1', role: 'setting' },
      { name: 'Setting_2', original: 'Setting 2', role: 'setting' },
      { name: 'T24_R', original: 'T24 (R)', role: 'sensor' },
      { name: 'P30', original: 'P30', role: 'sensor' },
    ]);
    expect([...table.values[0]!]).toEqual([0.0023, -0.0027, 0.0003, 0.0042, 0.0014]);
    expect([...table.values[2]!]).toEqual([641.82, 642.15, 642.35, 642.35, 642.37]);
    expect([...table.values[3]!]).toEqual([554.36, 553.75, 554.26, 554.45, 554.0]);
  });

  it('accepts map keys by sanitized name and can turn a column into a setting', async () => {
    const { table } = await parseFleetFile(data('small.csv'), {
      map: { Engine_No: 'unit', T24_R: 'setting', note: 'sensor' },
    });
    expect(table.columns.map((c) => `${c.name}:${c.role}`)).toEqual([
      'op_setting_1:setting',
      'Setting_2:setting',
      'T24_R:setting',
      'P30:sensor',
      'note:sensor',
    ]);
    expect([...table.values[4]!]).toEqual([0, 0, 1, 0, 0]);
  });

  it('names the unmapped unit column problem and a map key that is not in the header', async () => {
    const e = await parseFleetFile(data('small.csv'), { map: { nope: 'ignore' } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PrognosError);
    const err = e as PrognosError;
    expect(err.code).toBe('BAD_FILE');
    expect(err.message).toContain('small.csv:1: the column map names "nope", which is not in the header');
    expect(err.message).toContain('small.csv:1: no unit column');
  });

  it('honours an explicit format', async () => {
    const e = await parseFleetFile(bad('missing-value.csv'), { format: 'cmapss' }).catch((x: unknown) => x);
    expect((e as PrognosError).message).toContain('missing-value.csv:1: expected 26 values, found 1');
  });

  it('parses the same with tiny chunks (cells and lines cut across chunks)', async () => {
    const opts = { map: { 'Engine No': 'unit', note: 'ignore' } } as const;
    const big = await parseFleetFile(data('small.csv'), opts);
    const small = await parseFleetFile(data('small.csv'), { ...opts, chunkBytes: 16 });
    expect(small.table).toEqual(big.table);
    expect(small.fingerprint).toBe(big.fingerprint);
  });

  it('skips a UTF-8 byte order mark', async () => {
    const { table, format } = await parseFleetFile(data('bom.csv'));
    expect(format).toBe('csv');
    expect(table.columns).toEqual([{ name: 's1', original: 's1', role: 'sensor' }]);
    expect([...table.values[0]!]).toEqual([0.5, 0.25]);
  });

  it('splits quoted headers', () => {
    expect(splitCsvHeader('"a, b",c , "d ""x"""')).toEqual(['a, b', 'c', 'd "x"']);
    expect(splitCsvHeader('unit,cycle,')).toEqual(['unit', 'cycle', '']);
  });

  it('resolves default roles', () => {
    const layout = resolveCsvLayout(['id', 'time_cycles', 'setting1', 'op_setting_2', 'sensor 1', 'Fan speed']);
    expect(layout.problems).toEqual([]);
    expect([...layout.targets]).toEqual([-2, -3, 0, 1, 2, 3]);
    expect(layout.columns.map((c) => c.name)).toEqual(['setting1', 'op_setting_2', 'sensor_1', 'Fan_speed']);
    const two = resolveCsvLayout(['unit', 'engine', 'cycle', 'x']);
    expect(two.problems).toEqual(['2 columns map to unit: unit, engine']);
    // a header cell is shown cut to 60 characters, never whole
    const long = `unit ${'x'.repeat(5000)}`;
    const cut = resolveCsvLayout(['unit', long, 'cycle'], { unit: 'unit', [long]: 'unit' });
    expect(cut.problems.length).toBeGreaterThan(0);
    for (const p of cut.problems) expect(p.length).toBeLessThan(200);
    const fixed = resolveCsvLayout(['unit', 'engine', 'cycle', 'x'], { engine: 'unit' });
    expect(fixed.problems).toEqual([]);
    expect(fixed.columns.map((c) => c.original)).toEqual(['unit', 'x']);
    expect(fixed.columns[0]!.name).toBe('unit_2');
  });
});
