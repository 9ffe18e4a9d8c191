/**
 * The second part of a large C-MAPSS file parsed on the real helper thread (the built
 * import-range-worker.js): the same table, fingerprint and errors as one pass; cancel stops it.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFleetFile, type ParseOptions } from '../../../src/main/core/data/import-file';
import { parseRangeInWorker } from '../../../src/main/workers/import-range';
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

  it('cancel stops the helper thread', async () => {
    const controller = new AbortController();
    const promise = parseRangeInWorker({ path: TRAIN, file: 'train_FD001.txt', start: 0, end: readFileSync(TRAIN).length, chunkBytes: 1024 }, controller.signal, RANGE_WORKER);
    controller.abort();
    await expect(promise).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
