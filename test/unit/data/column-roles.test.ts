import { describe, expect, it } from 'vitest';
import { CMAPSS_HEADERS, guessColumnRoles, readFileHead, roleFromName, roleProblems, splitCsvLine } from '../../../src/shared/column-roles';

describe('guessColumnRoles', () => {
  it('reads common names: unit/engine/id, cycle/time/t, setting/op/alt/mach/tra, else sensor', () => {
    const headers = ['engine_id', 't', 'alt', 'mach', 'tra', 'T24', 'P30', 'fan speed'];
    expect(guessColumnRoles(headers)).toEqual(['unit', 'cycle', 'setting', 'setting', 'setting', 'sensor', 'sensor', 'sensor']);
    expect(guessColumnRoles(['Unit Number', 'Time (cycles)', 'op_setting_1', 'Operational Setting 2', 'setting3', 's1'])).toEqual(['unit', 'cycle', 'setting', 'setting', 'setting', 'sensor']);
    expect(guessColumnRoles(['id', 'cycle', 'OP1', 'x'])).toEqual(['unit', 'cycle', 'setting', 'sensor']);
    for (const n of ['unit', 'engine', 'ID', 'unit_nr', 'Engine-No']) expect(roleFromName(n)).toBe('unit');
    for (const n of ['cycle', 'time', 'T', 'time_in_cycles', 'time cycles']) expect(roleFromName(n)).toBe('cycle');
    for (const n of ['Altitude', 'Mach', 'TRA', 'throttle', 'op_cond']) expect(roleFromName(n)).toBe('setting');
    // a name that only contains a keyword is a sensor
    for (const n of ['temperature', 'engine_temp', 'mach_error', 'tra_sensor', 'identity']) expect(roleFromName(n)).toBe('sensor');
  });

  it('gives the unit and cycle roles once; later candidates are ignored, not treated as sensors', () => {
    expect(guessColumnRoles(['engine', 'id', 'time', 'cycle', 's1'])).toEqual(['unit', 'ignore', 'cycle', 'ignore', 'sensor']);
  });

  it('takes the C-MAPSS positions for 26 columns with its own names or no names', () => {
    const expected = ['unit', 'cycle', 'setting', 'setting', 'setting', ...Array<string>(21).fill('sensor')];
    expect(guessColumnRoles(CMAPSS_HEADERS)).toEqual(expected);
    expect(guessColumnRoles(Array.from({ length: 26 }, (_, i) => String(i)))).toEqual(expected);
    expect(guessColumnRoles(Array.from({ length: 26 }, (_, i) => `col${i + 1}`))).toEqual(expected);
    // 26 named columns of another layout are read by name
    const named = ['a', 'b', ...Array.from({ length: 24 }, (_, i) => `x${i}`)];
    expect(guessColumnRoles(named).every((r) => r === 'sensor')).toBe(true);
  });

  it('says what keeps a mapping from importing', () => {
    expect(roleProblems(['a', 'b', 'c'], ['unit', 'cycle', 'sensor'])).toEqual([]);
    expect(roleProblems(['a', 'b', 'c'], ['unit', 'sensor', 'sensor'])).toEqual(['no column is the cycle']);
    expect(roleProblems(['a', 'b', 'c', 'd'], ['unit', 'unit', 'cycle', 'setting'])).toEqual(['2 columns are the unit (a, b); choose one', 'no column is a sensor']);
  });
});

describe('readFileHead', () => {
  it('reads a CSV header (quotes optional) and the first rows', () => {
    const head = readFileHead('\uFEFFengine_id,"t",alt\r\n1,1,0.5\r\n1,2,0.6\r\n', 8);
    expect(head).toEqual({ format: 'csv', headers: ['engine_id', 't', 'alt'], rows: [['1', '1', '0.5'], ['1', '2', '0.6']] });
    expect(splitCsvLine('"a ""b""", c ,d')).toEqual(['a "b"', 'c', 'd']);
  });

  it('reads C-MAPSS text by position', () => {
    const head = readFileHead('1 1 -0.0007 -0.0004 100.0 518.67 641.82\n1 2 0.0019 -0.0003 100.0 518.67 642.15\n', 1);
    expect(head.format).toBe('cmapss');
    expect(head.headers).toEqual(CMAPSS_HEADERS);
    expect(head.rows).toEqual([['1', '1', '-0.0007', '-0.0004', '100.0', '518.67', '641.82']]);
  });
});

describe('jsonErrorOffset (mapping files)', () => {
  it('points at the first character that is not JSON', async () => {
    const { jsonErrorOffset } = await import('../../../src/main/cli/import-map');
    const bad = '{\n  "columns": {\n    "alt": setting\n  }\n}\n';
    expect(jsonErrorOffset(bad)).toBe(bad.indexOf('setting'));
    expect(jsonErrorOffset('{"a": [1, 2,]}')).toBe(12);
    expect(jsonErrorOffset('{"a": 1')).toBe(7);
    expect(jsonErrorOffset('{"a": 1} x')).toBe(9);
  });
});
