import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFleetFile } from '../../../src/main/core/data/import-file';
import { summarizeFleet } from '../../../src/main/core/data/summary';
import { unitSpans, type FleetTable } from '../../../src/main/core/data/table';
import { cmapss, data } from './paths';

function textRows(path: string): string[][] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => l.split(/\s+/));
}

/** Every cell of the table equals Number() of the text token. */
function expectMatchesText(table: FleetTable, rows: string[][]): void {
  expect(table.rowCount).toBe(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const t = rows[r]!;
    if (table.unit[r] !== Number(t[0]) || table.cycle[r] !== Number(t[1])) {
      throw new Error(`row ${r + 1}: unit/cycle ${table.unit[r]}/${table.cycle[r]} vs ${t[0]}/${t[1]}`);
    }
    for (let c = 0; c < table.values.length; c++) {
      if (!Object.is(table.values[c]![r], Number(t[c + 2]))) {
        throw new Error(`row ${r + 1} column ${table.columns[c]!.name}: ${table.values[c]![r]} vs ${t[c + 2]}`);
      }
    }
  }
}

describe('parseFleetFile on the NASA C-MAPSS files', () => {
  it('imports train_FD001: 20,631 rows, 100 units, 128–362 cycles', async () => {
    const parsed = await parseFleetFile(cmapss('train_FD001.txt'));
    const { table } = parsed;
    expect(parsed.format).toBe('cmapss');
    expect(table.rowCount).toBe(20631);
    expect(table.rulAtEnd).toBeUndefined();
    const s = summarizeFleet(table);
    expect(s.units).toBe(100);
    expect(s.minCycles).toBe(128);
    expect(s.maxCycles).toBe(362);
    expect(s.hasRul).toBe(false);
    expect(table.columns.map((c) => c.name)).toEqual([
      'setting1',
      'setting2',
      'setting3',
      ...Array.from({ length: 21 }, (_, i) => `s${i + 1}`),
    ]);
    // first row: 1 1 -0.0007 -0.0004 100.0 518.67 641.82 1589.70 1400.60 … 39.06 23.4190
    expect(table.unit[0]).toBe(1);
    expect(table.cycle[0]).toBe(1);
    expect(table.values[0]![0]).toBe(-0.0007);
    expect(table.values[1]![0]).toBe(-0.0004);
    expect(table.values[2]![0]).toBe(100);
    expect(table.values[3]![0]).toBe(518.67);
    expect(table.values[4]![0]).toBe(641.82);
    expect(table.values[5]![0]).toBe(1589.7);
    expect(table.values[22]![0]).toBe(39.06);
    expect(table.values[23]![0]).toBe(23.419);
    // last row: unit 100, cycle 200
    expect(table.unit[20630]).toBe(100);
    expect(table.cycle[20630]).toBe(200);
    expect(parsed.sourceBytes).toBe(readFileSync(cmapss('train_FD001.txt')).length);
  });

  it('matches Number() of every token of train_FD001', async () => {
    const { table } = await parseFleetFile(cmapss('train_FD001.txt'));
    expectMatchesText(table, textRows(cmapss('train_FD001.txt')));
  });

  it('matches Number() on fuzzed value tokens: signs, exponents, bare points, long mantissas, tabs', async () => {
    // a seeded generator (xorshift) so a failure can be replayed
    let state = 0x9e3779b9;
    const rand = (): number => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 4294967296;
    };
    const digits = (n: number): string => Array.from({ length: n }, () => String(Math.floor(rand() * 10))).join('');
    const token = (): string => {
      const sign = ['', '', '-', '+'][Math.floor(rand() * 4)]!;
      const int = digits(Math.floor(rand() * 8));
      const frac = digits(Math.floor(rand() * (rand() < 0.1 ? 25 : 7)));
      const body = frac === '' ? (int === '' ? '0' : int) : rand() < 0.2 ? `${int}.` : `${int}.${frac}`;
      const exp = rand() < 0.15 ? `${rand() < 0.5 ? 'e' : 'E'}${['', '-', '+'][Math.floor(rand() * 3)]}${digits(1 + Math.floor(rand() * 2))}` : '';
      return `${sign}${body === '.' ? '0' : body}${exp}`;
    };
    const lines: string[] = [];
    for (let u = 1; u <= 40; u++) {
      for (let c = 1; c <= 50; c++) {
        const sep = (): string => (rand() < 0.1 ? '\t' : rand() < 0.1 ? '  ' : ' ');
        lines.push([String(u), String(c), ...Array.from({ length: 24 }, token)].join(sep()) + (rand() < 0.1 ? ' \r' : ''));
      }
    }
    const dir = mkdtempSync(join(tmpdir(), 'prognos-fuzz-'));
    try {
      const path = join(dir, 'fuzz.txt');
      writeFileSync(path, lines.join('\n') + '\n');
      for (const chunkBytes of [61, 8 * 1024 * 1024]) {
        const { table } = await parseFleetFile(path, { chunkBytes });
        expectMatchesText(table, textRows(path));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('imports test_FD001 with RUL_FD001 and fingerprints both files', async () => {
    const parsed = await parseFleetFile(cmapss('test_FD001.txt'), { rulPath: cmapss('RUL_FD001.txt') });
    const { table } = parsed;
    expect(table.rowCount).toBe(13096);
    expect(unitSpans(table)).toHaveLength(100);
    const rul = readFileSync(cmapss('RUL_FD001.txt'), 'utf8').trim().split(/\s+/).map(Number);
    expect(table.rulAtEnd?.size).toBe(100);
    expect(table.rulAtEnd?.get(1)).toBe(rul[0]);
    expect(table.rulAtEnd?.get(100)).toBe(rul[99]);
    expect(summarizeFleet(table).hasRul).toBe(true);
    const expected = createHash('sha256')
      .update(readFileSync(cmapss('test_FD001.txt')))
      .update(readFileSync(cmapss('RUL_FD001.txt')))
      .digest('hex');
    expect(parsed.fingerprint).toBe(expected);
    // unit 1 of test_FD001 ends at cycle 31
    const first = unitSpans(table)[0]!;
    expect(table.cycle[first.end - 1]).toBe(31);
  });

  it('imports test_FD003 (lines ending in spaces) with RUL_FD003', async () => {
    const path = cmapss('test_FD003.txt');
    expect(readFileSync(path, 'utf8').split('\n')[0]).toMatch(/ $/);
    const { table } = await parseFleetFile(path, { rulPath: cmapss('RUL_FD003.txt') });
    expect(table.rulAtEnd?.size).toBe(100);
    const rul = readFileSync(cmapss('RUL_FD003.txt'), 'utf8').trim().split(/\s+/).map(Number);
    expect([...table.rulAtEnd!.values()]).toEqual(rul);
    expectMatchesText(table, textRows(path));
  });

  it('gives the same table and fingerprint whatever the chunk size (lines cut across chunks)', async () => {
    const path = cmapss('test_FD001.txt');
    const big = await parseFleetFile(path, { rulPath: cmapss('RUL_FD001.txt') });
    for (const chunkBytes of [997, 65536]) {
      const small = await parseFleetFile(path, { rulPath: cmapss('RUL_FD001.txt'), chunkBytes });
      expect(small.fingerprint).toBe(big.fingerprint);
      expect(small.table.rowCount).toBe(big.table.rowCount);
      expect(small.table.unit).toEqual(big.table.unit);
      expect(small.table.cycle).toEqual(big.table.cycle);
      expect(small.table.values).toEqual(big.table.values);
      expect(small.table.rulAtEnd).toEqual(big.table.rulAtEnd);
    }
  });

  it('handles 16-byte chunks (every line cut) on a CRLF file', async () => {
    const big = await parseFleetFile(data('small-4units.txt'), { rulPath: data('small-4units-rul.txt') });
    const small = await parseFleetFile(data('small-4units.txt'), {
      rulPath: data('small-4units-rul.txt'),
      chunkBytes: 16,
    });
    expect(small.table).toEqual(big.table);
    expect(small.fingerprint).toBe(big.fingerprint);
  });

  it('returns arrays of exactly rowCount elements with their own buffers', async () => {
    const { table } = await parseFleetFile(cmapss('train_FD001.txt'));
    for (const a of [table.unit, table.cycle, ...table.values]) {
      expect(a.length).toBe(table.rowCount);
      expect(a.byteOffset).toBe(0);
      expect(a.buffer.byteLength).toBe(a.byteLength);
    }
  });

  it('tolerates CRLF, trailing spaces and blank trailing lines', async () => {
    const { table } = await parseFleetFile(data('small-4units.txt'), { rulPath: data('small-4units-rul.txt') });
    expect(table.rowCount).toBe(3 + 4 + 5 + 6);
    expect(unitSpans(table).map((s) => s.end - s.start)).toEqual([3, 4, 5, 6]);
    expect(table.values[4]![0]).toBe(641.93);
    expect([...table.rulAtEnd!.entries()]).toEqual([
      [1, 112],
      [2, 98],
      [3, 69],
      [4, 82],
    ]);
  });

  it('reports progress per chunk, ending at 1', async () => {
    const fractions: number[] = [];
    await parseFleetFile(cmapss('train_FD001.txt'), { chunkBytes: 256 * 1024, onProgress: (f) => fractions.push(f) });
    expect(fractions.length).toBeGreaterThan(10);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]!).toBeGreaterThanOrEqual(fractions[i - 1]!);
    expect(fractions[fractions.length - 1]).toBe(1);
  });
});
