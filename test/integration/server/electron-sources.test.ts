/**
 * The desktop app's file sources, through the same dispatch the IPC handler uses: a path is refused,
 * a file chosen in main's dialog is imported once by its handle, a dropped file arrives as chunks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppServices } from '../../../src/main/services/app-services';
import { dispatch } from '../../../src/main/services/dispatch';
import { assertNoReader, makeFifo } from '../../helpers/fifo';
import { BUILT_IMPORT_WORKER, BUILT_TRAIN_WORKER, CMAPSS, requireBuild, tempDir } from '../../helpers/paths';

let services: AppServices;
let chosen: string | undefined;
const outside = tempDir('prognos-outside-');

beforeAll(() => {
  requireBuild();
  services = new AppServices({
    storeDir: tempDir(),
    mode: 'electron',
    importWorker: BUILT_IMPORT_WORKER,
    trainWorker: BUILT_TRAIN_WORKER,
    version: 'test',
    chooseFile: () => Promise.resolve(chosen),
  });
});
afterAll(async () => {
  await services.close();
});

const call = (channel: string, input: unknown) => dispatch(services.handlers, channel, input);

async function finished(jobId: string): Promise<{ state: string; result?: unknown }> {
  return services.jobs.wait(jobId);
}

describe('desktop app file sources', () => {
  it('refuses a path from the page, without opening it', async () => {
    const fifo = makeFifo(join(outside, 'typed-in.txt'));
    for (const [channel, input] of [
      ['datasets:import', { source: { kind: 'path', path: fifo } }],
      ['bundles:import', { source: { kind: 'path', path: fifo } }],
      ['bundles:import', { source: { kind: 'path', path: outside } }],
    ] as const) {
      expect(await call(channel, input)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    await new Promise((r) => setTimeout(r, 500));
    assertNoReader(fifo);
  });

  it('imports a file chosen in the dialog once, by its handle; the handle cannot be reused', async () => {
    chosen = join(CMAPSS, 'test_FD001.txt');
    const r = (await call('files:choose', { purpose: 'data' })) as {
      ok: true;
      value: { grant: string; fileName: string };
    };
    expect(r.value.fileName).toBe('test_FD001.txt');
    expect(JSON.stringify(r.value)).not.toContain(CMAPSS);
    const started = (await call('datasets:import', { source: { kind: 'grant', grant: r.value.grant } })) as {
      ok: true;
      value: { jobId: string };
    };
    const done = await finished(started.value.jobId);
    expect(done.state).toBe('done');
    expect(done.result).toMatchObject({ dataset: { sourceFile: 'test_FD001.txt', units: 100 } });
    expect(await call('datasets:import', { source: { kind: 'grant', grant: r.value.grant } })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    chosen = undefined;
    expect(await call('files:choose', { purpose: 'data' })).toEqual({ ok: true, value: null });
  });

  it('imports a dropped file sent as bytes in chunks', async () => {
    const bytes = readFileSync(join(CMAPSS, 'RUL_FD001.txt'));
    const data = readFileSync(join(CMAPSS, 'test_FD001.txt'));
    const send = async (name: string, b: Buffer): Promise<string> => {
      let uploadId: string | undefined;
      const size = 64 * 1024;
      for (let off = 0; off === 0 || off < b.length; off += size) {
        const r = (await call('uploads:chunk', {
          ...(uploadId === undefined ? {} : { uploadId }),
          fileName: name,
          data: new Uint8Array(b.subarray(off, off + size)),
          done: off + size >= b.length,
        })) as { ok: true; value: { uploadId: string } };
        uploadId = r.value.uploadId;
      }
      return uploadId!;
    };
    const source = { kind: 'upload', uploadId: await send('test_FD001.txt', data), fileName: 'test_FD001.txt' };
    const rul = { kind: 'upload', uploadId: await send('RUL_FD001.txt', bytes), fileName: 'RUL_FD001.txt' };
    const started = (await call('datasets:import', { source, rul })) as { ok: true; value: { jobId: string } };
    const done = await finished(started.value.jobId);
    expect(done.result).toMatchObject({
      dataset: { sourceFile: 'test_FD001.txt', rulFile: 'RUL_FD001.txt', rows: 13096 },
    });
    // an unfinished upload cannot be imported
    const partial = (await call('uploads:chunk', { fileName: 'x.txt', data: new Uint8Array([49]), done: false })) as {
      ok: true;
      value: { uploadId: string };
    };
    expect(
      await call('datasets:import', {
        source: { kind: 'upload', uploadId: partial.value.uploadId, fileName: 'x.txt' },
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });
});
