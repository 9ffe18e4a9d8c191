/**
 * A small ZIP writer and reader (no dependency): deflate (node:zlib) or store per entry, UTF-8
 * names, no ZIP64 (bundles are far below 4 GiB). The reader refuses what a bundle never contains:
 * encryption, ZIP64, methods other than store and deflate, unsafe or duplicate names, CRC or size
 * mismatches, and archives that would expand beyond a size limit.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { isPlainBundlePath } from './checksums';

export class ZipError extends Error {}

export interface ZipEntry {
  readonly name: string;
  readonly data: Uint8Array;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = 0x06054b50;
const FLAG_UTF8 = 0x0800;
const METHOD_STORE = 0;
const METHOD_DEFLATE = 8;
const MAX_U32 = 0xffffffff;

function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.min(Math.max(d.getUTCFullYear(), 1980), 2107);
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

/** Builds a ZIP archive; every entry gets the time `modified` (UTC), so the same input gives the same bytes. */
export function writeZip(entries: readonly ZipEntry[], modified: Date = new Date()): Uint8Array {
  const { time, date } = dosDateTime(modified);
  const enc = new TextEncoder();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  const names = new Set<string>();
  for (const e of entries) {
    if (!isPlainBundlePath(e.name)) throw new ZipError(`unsafe entry name ${JSON.stringify(e.name)}`);
    if (names.has(e.name)) throw new ZipError(`duplicate entry ${e.name}`);
    names.add(e.name);
    const name = enc.encode(e.name);
    const deflated = deflateRawSync(e.data, { level: 9 });
    const useDeflate = deflated.length < e.data.length;
    const body = useDeflate ? new Uint8Array(deflated.buffer, deflated.byteOffset, deflated.length) : e.data;
    const crc = crc32(e.data);
    if (body.length >= MAX_U32 || e.data.length >= MAX_U32 || offset >= MAX_U32) throw new ZipError('archive too large (ZIP64 is not written)');
    const method = useDeflate ? METHOD_DEFLATE : METHOD_STORE;

    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, SIG_LOCAL, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, FLAG_UTF8, true);
    lv.setUint16(8, method, true);
    lv.setUint16(10, time, true);
    lv.setUint16(12, date, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, e.data.length, true);
    lv.setUint16(26, name.length, true);
    lv.setUint16(28, 0, true);
    local.set(name, 30);

    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, SIG_CENTRAL, true);
    cv.setUint16(4, (3 << 8) | 20, true); // made by: Unix, spec 2.0
    cv.setUint16(6, 20, true);
    cv.setUint16(8, FLAG_UTF8, true);
    cv.setUint16(10, method, true);
    cv.setUint16(12, time, true);
    cv.setUint16(14, date, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, e.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(38, (0o100644 << 16) >>> 0, true); // regular file, rw-r--r--
    cv.setUint32(42, offset, true);
    central.set(name, 46);

    locals.push(local, body);
    centrals.push(central);
    offset += local.length + body.length;
  }
  const cdSize = centrals.reduce((a, c) => a + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, SIG_END, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + 22);
  let p = 0;
  for (const part of [...locals, ...centrals, end]) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

export interface ReadZipOptions {
  /** Refuse archives whose entries expand to more than this many bytes in total (default 2 GiB). */
  readonly maxTotalBytes?: number;
}

/** Entries of a ZIP archive (directories skipped), checked as described above. */
export function readZip(bytes: Uint8Array, opts: ReadZipOptions = {}): Map<string, Uint8Array> {
  const maxTotal = opts.maxTotalBytes ?? 2 * 1024 ** 3;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (v.getUint32(i, true) === SIG_END) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError('not a ZIP archive (no end of central directory)');
  const count = v.getUint16(eocd + 10, true);
  const cdSize = v.getUint32(eocd + 12, true);
  const cdOffset = v.getUint32(eocd + 16, true);
  if (v.getUint16(eocd + 4, true) !== 0 || v.getUint16(eocd + 6, true) !== 0 || v.getUint16(eocd + 8, true) !== count) {
    throw new ZipError('multi-part archives are not supported');
  }
  if (count === 0xffff || cdOffset === MAX_U32 || cdSize === MAX_U32) throw new ZipError('ZIP64 archives are not supported');
  if (cdOffset + cdSize > eocd) throw new ZipError('central directory out of bounds');
  const dec = new TextDecoder('utf-8', { fatal: true });
  const out = new Map<string, Uint8Array>();
  let total = 0;
  let p = cdOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > eocd || v.getUint32(p, true) !== SIG_CENTRAL) throw new ZipError('corrupt central directory');
    const flags = v.getUint16(p + 8, true);
    const method = v.getUint16(p + 10, true);
    const crc = v.getUint32(p + 16, true);
    const compSize = v.getUint32(p + 20, true);
    const size = v.getUint32(p + 24, true);
    const nameLen = v.getUint16(p + 28, true);
    const extraLen = v.getUint16(p + 30, true);
    const commentLen = v.getUint16(p + 32, true);
    const localOffset = v.getUint32(p + 42, true);
    let name: string;
    try {
      name = dec.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    } catch {
      throw new ZipError('entry name is not UTF-8');
    }
    p += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith('/')) continue;
    if ((flags & 0x0001) !== 0) throw new ZipError(`${name}: encrypted entries are not supported`);
    if (compSize === MAX_U32 || size === MAX_U32 || localOffset === MAX_U32) throw new ZipError(`${name}: ZIP64 entries are not supported`);
    if (!isPlainBundlePath(name)) throw new ZipError(`unsafe entry name ${JSON.stringify(name)}`);
    if (out.has(name)) throw new ZipError(`duplicate entry ${name}`);
    total += size;
    if (total > maxTotal) throw new ZipError(`archive expands beyond ${maxTotal} bytes`);
    if (localOffset + 30 > bytes.length || v.getUint32(localOffset, true) !== SIG_LOCAL) throw new ZipError(`${name}: bad local header`);
    const start = localOffset + 30 + v.getUint16(localOffset + 26, true) + v.getUint16(localOffset + 28, true);
    if (start + compSize > bytes.length) throw new ZipError(`${name}: data out of bounds`);
    const body = bytes.subarray(start, start + compSize);
    let data: Uint8Array;
    if (method === METHOD_STORE) data = body;
    else if (method === METHOD_DEFLATE) {
      try {
        const inflated = inflateRawSync(body, { maxOutputLength: Math.max(1, size) });
        data = new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.length);
      } catch (e) {
        throw new ZipError(`${name}: cannot inflate (${e instanceof Error ? e.message : String(e)})`);
      }
    } else throw new ZipError(`${name}: compression method ${method} is not supported`);
    if (data.length !== size) throw new ZipError(`${name}: size ${data.length} differs from the recorded ${size}`);
    if (crc32(data) !== crc) throw new ZipError(`${name}: CRC-32 mismatch`);
    out.set(name, data);
  }
  return out;
}
