/**
 * A large C-MAPSS file is parsed in two parts at once (the second on another thread in the import
 * worker). Here the second part runs in-process through the same `parseCmapssRange`, with small
 * chunks so lines are cut by chunk borders in both parts: the table, the fingerprint and every error
 * must be exactly what one pass gives.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PrognosError } from '../../../src/shared/errors';
import { parseCmapssRange, parseFleetFile, type ParseOptions, type RangeRequest } from '../../../src/main/core/data/import-file';
import { cmapss } from './paths';

const dir = mkdtempSync(join(tmpdir(), 'prognos-import-parallel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TRAIN = readFileSync(cmapss('train_FD001.txt'), 'utf8');
const LINES = TRAIN.split('\n').filter((l) => l.trim() !== '');

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Parses in two parts, recording the ranges handed to the other part. */
function twoParts(chunkBytes: number): { opts: ParseOptions; ranges: RangeRequest[] } {
  const ranges: RangeRequest[] = [];
  return {
    ranges,
    opts: {
      chunkBytes,
      parallelMinBytes: 0,
      parseRange: (request, signal) => {
        ranges.push(request);
        return parseCmapssRange(request, signal);
      },
    },
  };
}

type Outcome = { ok: true; rows: number; fingerprint: string; tableSha256: string } | { ok: false; code: string; message: string; details: unknown };

/** SHA-256 of every column's bytes (unit, cycle, then the values), to compare tables cheaply. */
function tableSha256(t: { unit: Int32Array; cycle: Int32Array; values: readonly Float64Array[] }): string {
  const h = createHash('sha256');
  for (const a of [t.unit, t.cycle, ...t.values]) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return h.digest('hex');
}

async function outcome(path: string, opts: ParseOptions): Promise<Outcome> {
  try {
    const p = await parseFleetFile(path, opts);
    return {
      ok: true,
      rows: p.table.rowCount,
      fingerprint: p.fingerprint,
      tableSha256: tableSha256(p.table),
    };
  } catch (e) {
    if (!(e instanceof PrognosError)) throw e;
    return { ok: false, code: e.code, message: e.message, details: e.details };
  }
}

/**
 * The two-part parse gives exactly what one pass gives, and the second part did run apart. `joined`:
 * whether the two parts' answers were joined (else the join found a problem at the split and the
 * file was read again in one pass, which shows as progress starting over).
 */
async function expectSameAsOnePass(path: string, chunkBytes = 997, joined = true): Promise<Outcome> {
  const one = await outcome(path, { chunkBytes });
  const { opts, ranges } = twoParts(chunkBytes);
  const fractions: number[] = [];
  const two = await outcome(path, { ...opts, onProgress: (f) => fractions.push(f) });
  expect(ranges).toHaveLength(1);
  const monotonic = fractions.every((f, i) => i === 0 || f >= fractions[i - 1]!);
  expect(monotonic).toBe(joined);
  const size = readFileSync(path).length;
  expect(ranges[0]!.start).toBeGreaterThan(0);
  expect(ranges[0]!.end).toBe(size);
  // the second part starts at a line start
  expect(readFileSync(path)[ranges[0]!.start - 1]).toBe(10);
  expect(two).toEqual(one);
  return two;
}

/** train_FD001 with `edit` applied to its lines (0-based). */
function fd001With(name: string, edit: (lines: string[]) => void, eol = '\n'): string {
  const lines = [...LINES];
  edit(lines);
  return write(name, lines.join(eol) + eol);
}

describe('parseFleetFile in two parts', () => {
  it('parses train_FD001 to the same table and fingerprint as one pass', async () => {
    const r = await expectSameAsOnePass(cmapss('train_FD001.txt'));
    expect(r.ok && r.rows).toBe(20631);
  });

  it('the same with CRLF line ends, without a final line end, and with blank lines', async () => {
    await expectSameAsOnePass(write('crlf.txt', LINES.join('\r\n') + '\r\n'));
    await expectSameAsOnePass(write('no-final-eol.txt', LINES.join('\n')));
    await expectSameAsOnePass(fd001With('blank-lines.txt', (l) => l.splice(15000, 0, '', '   ', '')));
  });

  it('lines cut by chunk borders in both parts: every chunk size gives the same table', async () => {
    const small = write('first-2000.txt', `${LINES.slice(0, 2000).join('\n')}\n`);
    for (const chunkBytes of [61, 4093]) await expectSameAsOnePass(small, chunkBytes);
    await expectSameAsOnePass(cmapss('train_FD001.txt'), 65536);
  });

  it('an error in the second part names its line in the whole file', async () => {
    // line 15,001 of the file lies in the second part (the first ends near 47 % of the bytes)
    const path = fd001With('bad-second.txt', (l) => {
      l[15000] = l[15000]!.replace(/^(\S+ \S+ \S+ \S+ \S+ \S+ \S+ )\S+/, '$1abc');
    });
    const r = await expectSameAsOnePass(path);
    expect(r).toMatchObject({ ok: false, code: 'BAD_FILE', message: 'bad-second.txt:15001: column s3: "abc" is not a number' });
  });

  it('errors in both parts: the first 20 in file order and the total, as one pass reports them', async () => {
    const path = fd001With('bad-both.txt', (l) => {
      for (const i of [100, 200, 9000]) l[i] = l[i]!.split(' ').slice(0, 20).join(' ');
      for (let i = 14000; i < 14030; i++) l[i] = l[i]!.replace(/ \S+$/, ' x');
    }, '\r\n');
    const r = await expectSameAsOnePass(path);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      const details = r.details as { issues: { line: number }[]; totalIssues: number };
      expect(details.totalIssues).toBe(33);
      expect(details.issues.map((i) => i.line)).toEqual([101, 201, 9001, ...Array.from({ length: 17 }, (_, k) => 14001 + k)]);
    }
  });

  it('a unit that runs across the split keeps its rows and is counted once', async () => {
    const path = cmapss('train_FD001.txt');
    const { opts } = twoParts(4093);
    const p = await parseFleetFile(path, opts);
    const split = readFileSync(path).subarray(0, (await firstRange(path)).start).toString('latin1').split('\n').length - 1;
    // the unit of the last line of the first part continues on the first line of the second
    expect(p.table.unit[split - 1]).toBe(p.table.unit[split]);
    const units = new Set(p.table.unit);
    expect(units.size).toBe(100);
    // joined columns are arrays of exactly rowCount elements with their own buffers, as one pass gives
    for (const a of [p.table.unit, p.table.cycle, ...p.table.values]) {
      expect(a.length).toBe(p.table.rowCount);
      expect(a.byteOffset).toBe(0);
      expect(a.buffer.byteLength).toBe(a.byteLength);
    }
  });

  it('every line a row: both parts are parsed into one set of shared columns, which become the table uncopied; blank lines make it gather the rows', async () => {
    const clean = await parseFleetFile(cmapss('train_FD001.txt'), twoParts(4093).opts);
    for (const a of [clean.table.unit, clean.table.cycle, ...clean.table.values]) expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    const blank = fd001With('blank-for-shared.txt', (l) => l.splice(3000, 0, ''));
    const gathered = await parseFleetFile(blank, twoParts(4093).opts);
    expect(gathered.table.rowCount).toBe(20631);
    for (const a of [gathered.table.unit, gathered.table.cycle, ...gathered.table.values]) {
      expect(a.buffer).toBeInstanceOf(ArrayBuffer);
      expect(a.buffer.byteLength).toBe(a.byteLength);
    }
    expect(tableSha256(gathered.table)).toBe(tableSha256(clean.table));
  });

  it('a cycle out of order right at the split, and a unit coming back after the split, are reported as one pass reports them', async () => {
    const path = cmapss('train_FD001.txt');
    const start = (await firstRange(path)).start;
    const lineAtSplit = TRAIN.slice(0, start).split('\n').length - 1; // 0-based index of the second part's first line
    // the second part's first row repeats the first part's last row (same unit, same cycle)
    const dup = fd001With('dup-at-split.txt', (l) => {
      l[lineAtSplit] = l[lineAtSplit - 1]!;
    });
    const r1 = await expectSameAsOnePass(dup, 997, false);
    expect(r1).toMatchObject({ ok: false, message: expect.stringMatching(/duplicate row/) as unknown });
    // unit 1 (all in the first part) appears again well inside the second part
    const back = fd001With('unit-back.txt', (l) => {
      l[18000] = l[18000]!.replace(/^\S+/, '1');
    });
    const r2 = await expectSameAsOnePass(back, 997, false);
    expect(r2).toMatchObject({ ok: false, message: expect.stringMatching(/unit 1 appears again/) as unknown });
  });

  it('a file the size test says is small, or CSV, is parsed in one pass', async () => {
    const ranges: RangeRequest[] = [];
    const parseRange = (request: RangeRequest, signal: AbortSignal): ReturnType<typeof parseCmapssRange> => {
      ranges.push(request);
      return parseCmapssRange(request, signal);
    };
    await parseFleetFile(cmapss('train_FD001.txt'), { parseRange });
    const csv = write('fleet.csv', `unit,cycle,s1\n${LINES.slice(0, 3000).map((l) => l.split(' ').slice(0, 3).join(',')).join('\n')}\n`);
    await parseFleetFile(csv, { parseRange, chunkBytes: 1024, parallelMinBytes: 0 });
    expect(ranges).toEqual([]);
  });

  it('cancelling stops both parts', async () => {
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const promise = parseFleetFile(cmapss('train_FD001.txt'), {
      chunkBytes: 4096,
      parallelMinBytes: 0,
      signal: controller.signal,
      parseRange: (request, signal) => {
        seen = signal;
        controller.abort();
        return parseCmapssRange(request, signal);
      },
    });
    await expect(promise).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(seen?.aborted).toBe(true);
  });
});

async function firstRange(path: string): Promise<RangeRequest> {
  const { opts, ranges } = twoParts(4093);
  await parseFleetFile(path, opts);
  return ranges[0]!;
}
