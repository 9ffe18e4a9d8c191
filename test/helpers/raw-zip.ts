/**
 * Builds ZIP archives byte by byte, including the ones a careful writer never makes: any name, any
 * declared size or CRC, entries that share data. For tests of the reader's refusals.
 */
import { deflateRawSync } from 'node:zlib';
import { crc32 } from '../../src/main/core/export/zip';

export interface RawEntry {
  readonly name: string;
  /** the bytes stored in the archive (already compressed for method 8) */
  readonly body: Uint8Array;
  readonly method: 0 | 8;
  readonly crc: number;
  /** the uncompressed size written in both headers */
  readonly size: number;
  /** point this entry's central record at another entry's local header (index) */
  readonly sameDataAs?: number;
  /** a Unix file mode for the central record (e.g. 0o120777, a symbolic link); none by default */
  readonly unixMode?: number;
}

/** An honest entry: deflated (or stored) with its real CRC and size. */
export function entry(name: string, data: Uint8Array, method: 0 | 8 = 8): RawEntry {
  return { name, body: method === 8 ? deflateRawSync(data) : data, method, crc: crc32(data), size: data.length };
}

export function rawZip(entries: readonly RawEntry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  const offsets: number[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(e.method, 8);
    local.writeUInt32LE(e.crc >>> 0, 14);
    local.writeUInt32LE(e.body.length, 18);
    local.writeUInt32LE(e.size >>> 0, 22);
    local.writeUInt16LE(name.length, 26);
    const at = e.sameDataAs === undefined ? offset : offsets[e.sameDataAs]!;
    offsets.push(at);
    if (e.sameDataAs === undefined) {
      parts.push(local, name, Buffer.from(e.body));
      offset += 30 + name.length + e.body.length;
    }
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(e.unixMode === undefined ? 20 : (3 << 8) | 20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(0x0800, 8);
    c.writeUInt16LE(e.method, 10);
    c.writeUInt32LE(e.crc >>> 0, 16);
    c.writeUInt32LE(e.body.length, 20);
    c.writeUInt32LE(e.size >>> 0, 24);
    c.writeUInt16LE(name.length, 28);
    if (e.unixMode !== undefined) c.writeUInt32LE((e.unixMode << 16) >>> 0, 38);
    c.writeUInt32LE(at, 42);
    central.push(c, name);
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cd, end]);
}
