/** The streaming ZIP reader refuses hostile archives, naming the entry and the reason. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, readZip, ZipFileReader, type ReadZipOptions } from '../../../src/main/core/export/zip';
import { sha256Hex } from '../../../src/main/core/export/checksums';
import { entry, rawZip, type RawEntry } from '../../helpers/raw-zip';
import { tempDir } from '../../helpers/paths';

const dir = tempDir('prognos-zip-hostile-');
let n = 0;
function file(entries: readonly RawEntry[]): string {
  const p = join(dir, `z${n++}.zip`);
  writeFileSync(p, rawZip(entries));
  return p;
}

/** Opens and reads every entry; returns the refusal message (or throws if nothing was refused). */
async function refusal(path: string, opts: ReadZipOptions = {}): Promise<string> {
  let z: ZipFileReader | undefined;
  try {
    z = await ZipFileReader.open(path, opts);
    for (const name of z.entries.keys()) await z.read(name, { keep: true });
  } catch (e) {
    return (e as Error).message;
  } finally {
    await z?.close();
  }
  throw new Error('the archive was accepted');
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('streaming zip reader', () => {
  it('reads honest entries, with their SHA-256 computed while streaming', async () => {
    const big = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 31) % 253);
    const p = file([
      entry('manifest.json', text('{"a":1}')),
      entry('models/big.bin', big),
      entry('stored.bin', big.subarray(0, 1000), 0),
    ]);
    const z = await ZipFileReader.open(p);
    try {
      const r = await z.read('models/big.bin', { keep: true });
      expect(r.size).toBe(big.length);
      expect(r.sha256).toBe(sha256Hex(big));
      expect(Buffer.from(r.data!).equals(Buffer.from(big))).toBe(true);
      const s = await z.read('stored.bin');
      expect(s.data).toBeUndefined();
      expect(s.sha256).toBe(sha256Hex(big.subarray(0, 1000)));
    } finally {
      await z.close();
    }
  });

  it('refuses zip-slip and absolute names, naming them', async () => {
    for (const name of [
      '../evil.txt',
      'models/../../evil.txt',
      '/etc/cron.d/x',
      'C:/Windows/x',
      'a\\..\\..\\b',
      './manifest.json',
      'a//b',
    ]) {
      const msg = await refusal(file([entry('manifest.json', text('{}')), entry(name, text('x'))]));
      expect(msg, name).toContain(`unsafe entry name ${JSON.stringify(name)}`);
    }
    expect(await refusal(file([entry('../', new Uint8Array(0))]))).toContain('unsafe entry name "../"');
  });

  it('refuses duplicate names', async () => {
    expect(await refusal(file([entry('SHA256SUMS', text('a')), entry('SHA256SUMS', text('b'))]))).toBe(
      'duplicate entry SHA256SUMS',
    );
  });

  it('refuses an entry that inflates beyond its header, stopping at the recorded size', async () => {
    const data = new Uint8Array(4 * 1024 * 1024); // 4 MiB of zeros, header says 1 KiB
    const e = entry('models/gbdt.onnx', data);
    const msg = await refusal(file([{ ...e, size: 1024, crc: crc32(data.subarray(0, 1024)) }]));
    expect(msg).toBe('models/gbdt.onnx: inflates beyond its recorded size of 1024 bytes');
  });

  it('refuses an entry that inflates to less than its header says', async () => {
    const data = text('x'.repeat(1000));
    const e = entry('model_card.md', data);
    expect(await refusal(file([{ ...e, size: 2000 }]))).toBe(
      'model_card.md: inflates to 1000 bytes, the header says 2000',
    );
  });

  it('refuses a CRC mismatch', async () => {
    const e = entry('openapi.json', text('{"openapi":"3.0.3"}'));
    expect(await refusal(file([{ ...e, crc: e.crc ^ 1 }]))).toBe('openapi.json: CRC-32 mismatch');
  });

  it('refuses sizes no deflate stream can reach and stored entries whose sizes disagree', async () => {
    const e = entry('models/lstm.onnx', new Uint8Array(1000));
    expect(await refusal(file([{ ...e, size: 1024 ** 3 }]))).toMatch(
      /^models\/lstm\.onnx: declares 1073741824 bytes from \d+ compressed bytes, more than deflate can expand$/,
    );
    const s = entry('x.bin', new Uint8Array(10), 0);
    expect(await refusal(file([{ ...s, size: 1024 ** 3 }]))).toBe(
      'x.bin: stored entry of 10 bytes declares 1073741824 bytes',
    );
  });

  it('refuses an entry declaring more than a file may hold, and archives beyond their total', async () => {
    const e = entry('big.bin', new Uint8Array(100_000));
    expect(await refusal(file([e]), { maxEntryBytes: 50_000 })).toBe(
      'big.bin: declares 100000 bytes, more than the 50000 a file may hold',
    );
    expect(await refusal(file([e, entry('big2.bin', new Uint8Array(100_000))]), { maxTotalBytes: 150_000 })).toBe(
      'archive expands beyond 150000 bytes (at big2.bin)',
    );
  });

  it('refuses too many entries before reading any', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => entry(`f${i}`, text('x'), 0));
    expect(await refusal(file(many), { maxEntries: 1000 })).toBe('too many entries: 1001 (at most 1000)');
  });

  it('refuses entries that share compressed data (overlapping, the non-recursive zip bomb)', async () => {
    const bomb = entry('a.bin', new Uint8Array(1_000_000));
    const msg = await refusal(
      file([bomb, { ...bomb, name: 'b.bin', sameDataAs: 0 }, { ...bomb, name: 'c.bin', sameDataAs: 0 }]),
    );
    expect(msg).toMatch(/^[abc]\.bin: overlaps [abc]\.bin$/);
  });

  it('refuses encryption and unknown methods', async () => {
    const e = entry('m.bin', text('abc'));
    const buf = rawZip([e]);
    buf.writeUInt16LE(0x0801, buf.length - 22 - 46 - 5 + 8); // central flags: encrypted
    const p = join(dir, 'enc.zip');
    writeFileSync(p, buf);
    expect(await refusal(p)).toBe('m.bin: encrypted entries are not supported');
    expect(await refusal(file([{ ...e, method: 12 as 8 }]))).toBe('m.bin: compression method 12 is not supported');
  });

  it('the in-memory reader applies the same header checks', () => {
    const bomb = entry('a.bin', new Uint8Array(1_000_000));
    expect(() => readZip(rawZip([bomb, { ...bomb, name: 'b.bin', sameDataAs: 0 }]))).toThrow(/overlaps/);
    expect(() => readZip(rawZip([entry('../x', text('x'))]))).toThrow(/unsafe entry name/);
    expect(() =>
      readZip(
        rawZip([{ ...entry('y', new Uint8Array(10)), body: deflateRawSync(new Uint8Array(10)), size: 1024 ** 3 }]),
      ),
    ).toThrow(/more than deflate can expand/);
  });
});
