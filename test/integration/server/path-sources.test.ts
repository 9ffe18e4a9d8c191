/**
 * Browser mode never reads the server machine's files on a client's word: every channel that takes a
 * file source refuses a path (and a desktop file handle) with FORBIDDEN, before anything is opened.
 *
 * "Nothing opened" is proved two ways: FIFOs (a reader that opens one blocks in open(), which the
 * test detects: opening the write end without blocking then succeeds instead of failing with ENXIO),
 * and regular files whose access time is older than their modification time (relatime then records
 * any read; a control file read by the test shows that this mount does).
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZodTypeAny } from 'zod';
import { channels, CHANNELS } from '../../../src/shared/contract';
import { importSourceSchema } from '../../../src/shared/schemas';
import { startBrowserHost, type BrowserHost } from '../../../src/main/server/browser-host';
import { AppServices } from '../../../src/main/services/app-services';
import { assertNoReader, makeFifo as fifo, makeTrap as trap, OLD_ATIME as OLD } from '../../helpers/fifo';
import { BUILT_IMPORT_WORKER, BUILT_TRAIN_WORKER, REPO, requireBuild, tempDir } from '../../helpers/paths';

let services: AppServices;
let host: BrowserHost;
let base: string;
let outside: string;

beforeAll(async () => {
  requireBuild();
  services = new AppServices({
    storeDir: tempDir(),
    mode: 'browser',
    importWorker: BUILT_IMPORT_WORKER,
    trainWorker: BUILT_TRAIN_WORKER,
    version: 'test',
  });
  host = await startBrowserHost({ services, rendererDir: join(REPO, 'out', 'renderer') });
  base = `http://127.0.0.1:${host.port}`;
  outside = tempDir('prognos-outside-');
});
afterAll(async () => {
  await host.close();
  await services.close();
});

const rpc = async (
  channel: string,
  body: unknown,
): Promise<{ ok: boolean; error?: { code: string; message: string } }> =>
  (await (
    await fetch(`${base}/api/rpc/${channel}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${host.token}` },
      body: JSON.stringify(body),
    })
  ).json()) as { ok: boolean; error?: { code: string; message: string } };

const upload = async (name: string, text: string): Promise<string> => {
  const r = (await (
    await fetch(`${base}/api/upload?name=${name}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${host.token}` },
      body: text,
    })
  ).json()) as {
    value: { uploadId: string };
  };
  return r.value.uploadId;
};

/** The fields of each channel's input that are file sources (found from the contract itself). */
function sourceFields(): string[] {
  const found: string[] = [];
  for (const c of CHANNELS) {
    const input = channels[c].input as unknown as { shape?: Record<string, ZodTypeAny> };
    for (const [key, schema] of Object.entries(input.shape ?? {})) {
      const inner = (schema as unknown as { unwrap?: () => ZodTypeAny }).unwrap?.() ?? schema;
      if (inner === importSourceSchema) found.push(`${c}.${key}`);
    }
  }
  return found.sort();
}

describe('browser mode refuses path sources on every channel', () => {
  it('the channels covered below are every channel that takes a file source', () => {
    expect(sourceFields()).toEqual(['bundles:import.source', 'datasets:import.rul', 'datasets:import.source']);
  });

  it('refuses a file outside the store and a folder, as data, RUL and bundle, without opening anything', async () => {
    const dataFifo = fifo(join(outside, 'train.txt'));
    const plain = trap(join(outside, 'secret.txt'), '1 1 0 0 0 ' + '1 '.repeat(21) + '\n');
    const folder = join(outside, 'bundle');
    mkdirSync(folder);
    const manifestFifo = fifo(join(folder, 'manifest.json'));
    const sumsFifo = fifo(join(folder, 'SHA256SUMS'));
    const control = trap(join(outside, 'control.txt'), 'x');
    const before = statSync(plain).atimeMs;

    const cases: [string, unknown][] = [
      ['datasets:import', { source: { kind: 'path', path: dataFifo } }],
      ['datasets:import', { source: { kind: 'path', path: plain } }],
      ['datasets:import', { source: { kind: 'path', path: folder } }],
      [
        'datasets:import',
        {
          source: { kind: 'upload', uploadId: await upload('a.txt', '1 1 0 0 0\n'), fileName: 'a.txt' },
          rul: { kind: 'path', path: dataFifo },
        },
      ],
      [
        'datasets:import',
        {
          source: { kind: 'upload', uploadId: await upload('b.txt', '1 1 0 0 0\n'), fileName: 'b.txt' },
          rul: { kind: 'path', path: plain },
        },
      ],
      ['bundles:import', { source: { kind: 'path', path: folder } }],
      ['bundles:import', { source: { kind: 'path', path: plain } }],
      ['bundles:import', { source: { kind: 'path', path: dataFifo } }],
      // a desktop file handle means nothing here either
      ['datasets:import', { source: { kind: 'grant', grant: 'gr_' + 'x'.repeat(32) } }],
      ['bundles:import', { source: { kind: 'grant', grant: 'gr_' + 'x'.repeat(32) } }],
    ];
    for (const [channel, body] of cases) {
      const r = await rpc(channel, body);
      expect(r, `${channel} ${JSON.stringify(body)}`).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(r.error!.message).not.toContain(outside);
    }
    // the dialog and the chunked upload of the desktop app are refused as well
    expect(await rpc('files:choose', { purpose: 'data' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    // give any job that might have started time to reach its open()
    await new Promise((r) => setTimeout(r, 1500));
    for (const f of [dataFifo, manifestFifo, sumsFifo]) assertNoReader(f);

    readFileSync(control);
    const controlMoved = statSync(control).atimeMs > OLD.getTime();
    if (controlMoved) expect(statSync(plain).atimeMs).toBe(before);
    else console.warn('this mount does not record access times; the FIFO checks stand alone');
  });

  it('errors name the uploaded file, never the uploads folder, and show no more than the offending cell', async () => {
    const store = services.store.dir;
    const bundle = await rpc('bundles:import', {
      source: { kind: 'upload', uploadId: await upload('mine.zip', 'not a zip at all'), fileName: 'mine.zip' },
    });
    expect(bundle).toMatchObject({ ok: false, error: { code: 'BAD_FILE' } });
    expect(bundle.error!.message).toContain('mine.zip');
    for (const leak of [store, 'uploads', 'up_']) expect(bundle.error!.message).not.toContain(leak);

    const good = (c: number): string =>
      `1 ${c} 0.5 0.25 100 ${Array.from({ length: 21 }, (_, k) => (k + 1) * 1.5).join(' ')}`;
    const row = `1 3 0.5 0.25 100 ${Array.from({ length: 21 }, (_, k) => (k === 4 ? 'oops' : String(987654.321 + k))).join(' ')}`;
    const text = [good(1), good(2), row].join('\n') + '\n';
    type Status = {
      state: string;
      error?: {
        code: string;
        message: string;
        details?: { issues?: { file: string; line?: number; reason: string }[] };
      };
    };
    const started = (await rpc('datasets:import', {
      source: { kind: 'upload', uploadId: await upload('fleet.txt', text), fileName: 'fleet.txt' },
    })) as unknown as {
      value: { jobId: string };
    };
    let status: Status;
    do {
      await new Promise((r) => setTimeout(r, 100));
      status = ((await rpc('jobs:get', { jobId: started.value.jobId })) as unknown as { value: Status }).value;
    } while (status.state === 'running');
    expect(status.state).toBe('failed');
    expect(status.error!.code).toBe('BAD_FILE');
    expect(status.error!.details!.issues![0]).toMatchObject({
      file: 'fleet.txt',
      line: 3,
      reason: '"oops" is not a number',
    });
    const shown = JSON.stringify(status.error);
    expect(shown).not.toContain('987654');
    for (const leak of [store, 'uploads', 'up_']) expect(shown).not.toContain(leak);
  });

  it('the FIFO check does catch a reader (so the test above can fail)', async () => {
    const f = fifo(join(outside, 'probe'));
    const { open } = await import('node:fs/promises');
    const opening = open(f, 'r'); // blocks in open() until a writer appears
    await new Promise((r) => setTimeout(r, 300));
    expect(() => assertNoReader(f)).toThrow(/was opened for reading/);
    await (await opening).close();
  });
});
