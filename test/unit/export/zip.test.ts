/** The ZIP writer and reader: round trips, determinism, interoperability and refusal of bad archives. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc32, readZip, writeZip, ZipError } from '../../../src/main/core/export/zip';
import { itWith, PYTHON3 } from '../../helpers/tools';

const enc = new TextEncoder();
const entries = [
  { name: 'manifest.json', data: enc.encode(`{"a": ${'1, '.repeat(200)}1}`) },
  { name: 'models/gbdt.onnx', data: Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251) },
  { name: 'empty.txt', data: new Uint8Array(0) },
  { name: 'tiny', data: Uint8Array.from([1]) },
];

describe('zip', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(enc.encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('round-trips stored and deflated entries, byte for byte', () => {
    const zip = writeZip(entries, new Date('2025-03-04T05:06:08Z'));
    const back = readZip(zip);
    expect([...back.keys()]).toEqual(entries.map((e) => e.name));
    for (const e of entries) expect(Buffer.from(back.get(e.name)!).equals(Buffer.from(e.data))).toBe(true);
  });

  it('is deterministic for the same entries and time', () => {
    const when = new Date('2025-03-04T05:06:08Z');
    expect(Buffer.from(writeZip(entries, when)).equals(Buffer.from(writeZip(entries, when)))).toBe(true);
  });

  itWith(PYTHON3)('is read by an independent implementation (python zipfile)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prognos-zip-'));
    try {
      const path = join(dir, 'b.zip');
      writeFileSync(path, writeZip(entries));
      const r = spawnSync('/usr/bin/python3', ['-c', 'import sys, zipfile, json; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(json.dumps({i.filename: len(z.read(i)) for i in z.infolist()}))', path], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(Object.fromEntries(entries.map((e) => [e.name, e.data.length])));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('detects a corrupted entry', () => {
    // incompressible bytes are stored, so byte 10 of the entry is at a known offset
    const data = Uint8Array.from({ length: 100 }, (_, i) => (i * 193 + 71) % 256);
    const zip = writeZip([{ name: 'a.bin', data }]);
    const bad = zip.slice();
    const at = 30 + 'a.bin'.length + 10;
    bad[at] = bad[at]! ^ 0xff;
    expect(() => readZip(bad)).toThrow(ZipError);
    expect(() => readZip(bad)).toThrow(/a.bin/);
  });

  it('refuses unsafe names, duplicates, non-zip input and oversized archives', () => {
    expect(() => writeZip([{ name: '../evil', data: new Uint8Array(1) }])).toThrow(/unsafe/);
    expect(() => writeZip([{ name: '/abs', data: new Uint8Array(1) }])).toThrow(/unsafe/);
    expect(() => writeZip([{ name: 'a', data: new Uint8Array(1) }, { name: 'a', data: new Uint8Array(1) }])).toThrow(/duplicate/);
    expect(() => readZip(enc.encode('not a zip at all, just text'))).toThrow(/not a ZIP/);
    const zip = writeZip([{ name: 'big', data: new Uint8Array(10_000) }]);
    expect(() => readZip(zip, { maxTotalBytes: 5000 })).toThrow(/expands beyond/);
    // rename the entry to an unsafe path in both headers: the reader refuses it
    const evil = writeZip([{ name: 'xx/evil', data: enc.encode('x') }]);
    const s = Buffer.from(evil).toString('latin1').split('xx/evil').join('../evil');
    expect(() => readZip(Uint8Array.from(Buffer.from(s, 'latin1')))).toThrow(/unsafe/);
  });
});
