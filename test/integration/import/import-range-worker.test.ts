/**
 * The second part of a large C-MAPSS file parsed on the real helper thread (the built
 * import-range-worker.js): the same table, fingerprint and errors as one pass; cancel stops it.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFleetFile, type ParseOptions } from '../../../src/main/core/data/import-file';
import { columnSha256 } from '../../../src/main/core/data/column-hash';
import { summarizeFleet } from '../../../src/main/core/data/summary';
import { parseRangeInWorker, RangeWorker } from '../../../src/main/workers/import-range';
import { PrognosError } from '../../../src/shared/errors';
import { CMAPSS, REPO, requireBuild, tempDir } from '../../helpers/paths';

const RANGE_WORKER = join(REPO, 'out', 'main', 'import-range-worker.js');
const TRAIN = join(CMAPSS, 'train_FD001.txt');
let dir: string;

beforeAll(() => {
  requireBuild();
  dir = tempDir('prognos-range-worker-');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let calls = 0;
const twoParts: ParseOptions = {
  chunkBytes: 65536,
  parallelMinBytes: 0,
  parseRange: (request, signal) => {
    calls++;
    return parseRangeInWorker(request, signal, RANGE_WORKER);
  },
};

async function failure(path: string, opts: ParseOptions): Promise<PrognosError> {
  try {
    await parseFleetFile(path, opts);
  } catch (e) {
    if (e instanceof PrognosError) return e;
    throw e;
  }
  throw new Error(`${path} was accepted`);
}

describe('import-range-worker', () => {
  it('parses the second part of train_FD001 on its own thread: same table and fingerprint as one pass', async () => {
    calls = 0;
    const two = await parseFleetFile(TRAIN, twoParts);
    const one = await parseFleetFile(TRAIN);
    expect(calls).toBe(1);
    expect(two.fingerprint).toBe(one.fingerprint);
    expect(two.table.rowCount).toBe(20631);
    for (const [a, b] of [[two.table.unit, one.table.unit], [two.table.cycle, one.table.cycle], ...two.table.values.map((v, k) => [v, one.table.values[k]!])] as const) {
      expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))).toBe(true);
    }
  });

  it('an error in the second part names its line in the whole file', async () => {
    const lines = readFileSync(TRAIN, 'utf8').split('\n');
    lines[17000] = lines[17000]!.replace(/ \S+ *$/, ' 1e999');
    const path = join(dir, 'bad.txt');
    writeFileSync(path, lines.join('\n'));
    const two = await failure(path, twoParts);
    const one = await failure(path, {});
    expect(two.message).toBe('bad.txt:17001: column s21: "1e999" is out of range');
    expect(two.details).toEqual(one.details);
  });

  it('counts the lines of a range, parses it, then hashes and summarises a table on the same thread', async () => {
    const bytes = readFileSync(TRAIN);
    const start = bytes.indexOf(10, 1_000_000) + 1;
    const lines = bytes.subarray(start).toString('latin1').split('\n').filter((l, i, all) => i < all.length - 1 || l !== '').length;
    const helper = new RangeWorker(RANGE_WORKER);
    try {
      const signal = new AbortController().signal;
      expect(await helper.count({ path: TRAIN, file: 'train_FD001.txt', start, end: bytes.length, chunkBytes: 4096 }, signal)).toBe(lines);
      const part = await helper.parse({ path: TRAIN, file: 'train_FD001.txt', start, end: bytes.length, chunkBytes: 4096 }, signal);
      expect(part.rows).toBe(lines);
      const whole = (await parseFleetFile(TRAIN)).table;
      const shared = <T extends Int32Array | Float64Array>(a: T, make: (b: SharedArrayBuffer) => T): T => {
        const out = make(new SharedArrayBuffer(a.byteLength));
        out.set(a);
        return out;
      };
      const table = { ...whole, unit: shared(whole.unit, (b) => new Int32Array(b)), cycle: shared(whole.cycle, (b) => new Int32Array(b)), values: whole.values.map((v) => shared(v, (b) => new Float64Array(b))) };
      const { summary, columnSha256: hashes } = await helper.summarise(table, signal);
      expect(summary).toEqual(summarizeFleet(whole));
      expect(hashes).toEqual(columnSha256(whole));
    } finally {
      helper.stop();
    }
  });

  it('cancel stops the helper thread', async () => {
    const controller = new AbortController();
    const promise = parseRangeInWorker({ path: TRAIN, file: 'train_FD001.txt', start: 0, end: readFileSync(TRAIN).length, chunkBytes: 1024 }, controller.signal, RANGE_WORKER);
    controller.abort();
    await expect(promise).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
