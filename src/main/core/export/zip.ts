/**
 * A small ZIP writer and reader (no dependency): deflate (node:zlib) or store per entry, UTF-8
 * names, no ZIP64 (bundles are far below 4 GiB). The reader refuses what a bundle never contains:
 * encryption, ZIP64, methods other than store and deflate, unsafe or duplicate names, too many
 * entries, sizes beyond a limit or impossible for the compressed size, overlapping entries, and CRC
 * or size mismatches. `ZipFileReader` reads from a file: the central directory first, then one entry
 * at a time, inflated asynchronously in bounded chunks, hashed and size-checked as it streams.
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { deflateRawSync, inflateRawSync, createInflateRaw } from 'node:zlib';
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

/** CRC-32 of `data`, continuing from `previous` (the CRC of what came before). */
export function crc32(data: Uint8Array, previous = 0): number {
  let c = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

type Crc32 = (data: Uint8Array, value?: number) => number;
/** node:zlib's native CRC-32 where the runtime has it (Node ≥ 20.15), else the table above. */
const crc32Update: Crc32 = (zlib as unknown as { crc32?: Crc32 }).crc32 ?? crc32;

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
  /** Refuse any entry that declares more than this many bytes (default: maxTotalBytes). */
  readonly maxEntryBytes?: number;
  /** Refuse archives with more entries than this (default 10,000). */
  readonly maxEntries?: number;
}

/** One file in the central directory, checked (name, sizes, place in the archive). */
export interface ZipEntryInfo {
  readonly name: string;
  readonly method: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localOffset: number;
}

/** Deflate cannot expand data by more than about 1032:1; a larger declared ratio is a lie. */
const MAX_DEFLATE_RATIO = 1032;
const MAX_CD_BYTES = 64 * 1024 * 1024;

function findEnd(tail: Uint8Array, tailOffset: number, fileSize: number, opts: ReadZipOptions): { count: number; cdSize: number; cdOffset: number; eocd: number } {
  const v = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (v.getUint32(i, true) === SIG_END) {
      at = i;
      break;
    }
  }
  if (at < 0) throw new ZipError('not a ZIP archive (no end of central directory)');
  const count = v.getUint16(at + 10, true);
  const cdSize = v.getUint32(at + 12, true);
  const cdOffset = v.getUint32(at + 16, true);
  if (v.getUint16(at + 4, true) !== 0 || v.getUint16(at + 6, true) !== 0 || v.getUint16(at + 8, true) !== count) {
    throw new ZipError('multi-part archives are not supported');
  }
  if (count === 0xffff || cdOffset === MAX_U32 || cdSize === MAX_U32) throw new ZipError('ZIP64 archives are not supported');
  const maxEntries = opts.maxEntries ?? 10_000;
  if (count > maxEntries) throw new ZipError(`too many entries: ${count} (at most ${maxEntries})`);
  const eocd = tailOffset + at;
  if (cdOffset + cdSize > eocd || eocd > fileSize) throw new ZipError('central directory out of bounds');
  if (cdSize > MAX_CD_BYTES) throw new ZipError('central directory too large');
  return { count, cdSize, cdOffset, eocd };
}

function parseCentral(cd: Uint8Array, count: number, cdOffset: number, opts: ReadZipOptions): ZipEntryInfo[] {
  const maxTotal = opts.maxTotalBytes ?? 2 * 1024 ** 3;
  const maxEntry = opts.maxEntryBytes ?? maxTotal;
  const v = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const dec = new TextDecoder('utf-8', { fatal: true });
  const out: ZipEntryInfo[] = [];
  const names = new Set<string>();
  let total = 0;
  let p = 0;
  for (let k = 0; k < count; k++) {
    if (p + 46 > cd.length || v.getUint32(p, true) !== SIG_CENTRAL) throw new ZipError('corrupt central directory');
    const flags = v.getUint16(p + 8, true);
    const method = v.getUint16(p + 10, true);
    const crc = v.getUint32(p + 16, true);
    const compressedSize = v.getUint32(p + 20, true);
    const size = v.getUint32(p + 24, true);
    const nameLen = v.getUint16(p + 28, true);
    const extraLen = v.getUint16(p + 30, true);
    const commentLen = v.getUint16(p + 32, true);
    const localOffset = v.getUint32(p + 42, true);
    // a Unix-made entry carries its file type: only regular files and folders are taken (no symbolic links, devices, FIFOs)
    const unixType = v.getUint16(p + 4, true) >> 8 === 3 ? (v.getUint32(p + 38, true) >>> 16) & 0o170000 : 0;
    if (p + 46 + nameLen > cd.length) throw new ZipError('corrupt central directory');
    let name: string;
    try {
      name = dec.decode(cd.subarray(p + 46, p + 46 + nameLen));
    } catch {
      throw new ZipError('entry name is not UTF-8');
    }
    p += 46 + nameLen + extraLen + commentLen;
    const isDir = name.endsWith('/');
    if (!isPlainBundlePath(isDir ? name.slice(0, -1) : name)) throw new ZipError(`unsafe entry name ${JSON.stringify(name)}`);
    if (unixType === 0o120000) throw new ZipError(`${name}: symbolic links are not accepted`);
    if (unixType !== 0 && unixType !== 0o100000 && unixType !== 0o040000) throw new ZipError(`${name}: not a regular file (type ${unixType.toString(8)})`);
    if (names.has(name)) throw new ZipError(`duplicate entry ${name}`);
    names.add(name);
    if (isDir) continue;
    if ((flags & 0x0001) !== 0) throw new ZipError(`${name}: encrypted entries are not supported`);
    if (compressedSize === MAX_U32 || size === MAX_U32 || localOffset === MAX_U32) throw new ZipError(`${name}: ZIP64 entries are not supported`);
    if (method !== METHOD_STORE && method !== METHOD_DEFLATE) throw new ZipError(`${name}: compression method ${method} is not supported`);
    total += size;
    if (total > maxTotal) throw new ZipError(`archive expands beyond ${maxTotal} bytes (at ${name})`);
    if (size > maxEntry) throw new ZipError(`${name}: declares ${size} bytes, more than the ${maxEntry} a file may hold`);
    if (method === METHOD_STORE && size !== compressedSize) throw new ZipError(`${name}: stored entry of ${compressedSize} bytes declares ${size} bytes`);
    if (method === METHOD_DEFLATE && size > compressedSize * MAX_DEFLATE_RATIO + 1024) {
      throw new ZipError(`${name}: declares ${size} bytes from ${compressedSize} compressed bytes, more than deflate can expand`);
    }
    out.push({ name, method, crc, compressedSize, size, localOffset });
  }
  // entries must not share bytes: overlapping entries multiply one compressed stream (a zip bomb)
  const byOffset = [...out].sort((a, b) => a.localOffset - b.localOffset);
  for (let i = 0; i < byOffset.length; i++) {
    const e = byOffset[i]!;
    const next = i + 1 < byOffset.length ? byOffset[i + 1]!.localOffset : cdOffset;
    if (e.localOffset + 30 + e.compressedSize > next) {
      throw new ZipError(`${e.name}: overlaps ${i + 1 < byOffset.length ? byOffset[i + 1]!.name : 'the central directory'}`);
    }
  }
  return out;
}

function localDataStart(header: Uint8Array, e: ZipEntryInfo, limit: number): number {
  const v = new DataView(header.buffer, header.byteOffset, header.byteLength);
  if (header.length < 30 || v.getUint32(0, true) !== SIG_LOCAL) throw new ZipError(`${e.name}: bad local header`);
  const start = e.localOffset + 30 + v.getUint16(26, true) + v.getUint16(28, true);
  if (start + e.compressedSize > limit) throw new ZipError(`${e.name}: data out of bounds`);
  return start;
}

/** Entries of a ZIP archive held in memory (directories skipped), checked as described above. */
export function readZip(bytes: Uint8Array, opts: ReadZipOptions = {}): Map<string, Uint8Array> {
  const tailStart = Math.max(0, bytes.length - 22 - 0xffff);
  const end = findEnd(bytes.subarray(tailStart), tailStart, bytes.length, opts);
  const entries = parseCentral(bytes.subarray(end.cdOffset, end.cdOffset + end.cdSize), end.count, end.cdOffset, opts);
  const out = new Map<string, Uint8Array>();
  for (const e of entries) {
    const start = localDataStart(bytes.subarray(e.localOffset, e.localOffset + 30), e, end.cdOffset);
    const body = bytes.subarray(start, start + e.compressedSize);
    let data: Uint8Array;
    if (e.method === METHOD_STORE) data = body;
    else {
      try {
        const inflated = inflateRawSync(body, { maxOutputLength: Math.max(1, e.size) });
        data = new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.length);
      } catch (err) {
        throw new ZipError(`${e.name}: cannot inflate (${err instanceof Error ? err.message : String(err)})`);
      }
    }
    if (data.length !== e.size) throw new ZipError(`${e.name}: size ${data.length} differs from the recorded ${e.size}`);
    if (crc32Update(data, 0) !== e.crc) throw new ZipError(`${e.name}: CRC-32 mismatch`);
    out.set(e.name, data);
  }
  return out;
}

export interface ReadEntryOptions {
  /** keep the bytes (else they are only hashed and checked, in bounded memory) */
  readonly keep?: boolean;
}

export interface ReadEntryResult {
  readonly sha256: string;
  readonly size: number;
  readonly data?: Uint8Array;
}

const CHUNK = 64 * 1024;

/**
 * A ZIP archive on disk. `open` reads only the end record and the central directory and checks every
 * entry's header; `read` streams one entry: compressed bytes in 64 KiB reads, inflated asynchronously
 * (zlib's thread pool) in 64 KiB chunks, CRC-32 and SHA-256 computed as it goes, stopped as soon as it
 * inflates beyond its recorded size. Memory is bounded by the chunk size, plus the entry when kept.
 */
export class ZipFileReader {
  private constructor(
    private readonly fh: FileHandle,
    readonly entries: ReadonlyMap<string, ZipEntryInfo>,
    private readonly cdOffset: number,
  ) {}

  static async open(path: string, opts: ReadZipOptions = {}): Promise<ZipFileReader> {
    const fh = await open(path, 'r');
    try {
      const { size } = await fh.stat();
      const tailStart = Math.max(0, size - 22 - 0xffff);
      const tail = new Uint8Array(size - tailStart);
      await fh.read(tail, 0, tail.length, tailStart);
      const end = findEnd(tail, tailStart, size, opts);
      const cd = new Uint8Array(end.cdSize);
      await fh.read(cd, 0, cd.length, end.cdOffset);
      const entries = parseCentral(cd, end.count, end.cdOffset, opts);
      return new ZipFileReader(fh, new Map(entries.map((e) => [e.name, e])), end.cdOffset);
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  async read(name: string, opts: ReadEntryOptions = {}): Promise<ReadEntryResult> {
    const e = this.entries.get(name);
    if (e === undefined) throw new ZipError(`${name}: no such entry`);
    const header = new Uint8Array(30);
    await this.fh.read(header, 0, 30, e.localOffset);
    const start = localDataStart(header, e, this.cdOffset);
    const hash = createHash('sha256');
    let crc = 0;
    let got = 0;
    const kept = opts.keep === true ? new Uint8Array(e.size) : undefined;
    const take = (chunk: Uint8Array): void => {
      if (got + chunk.length > e.size) throw new ZipError(`${e.name}: inflates beyond its recorded size of ${e.size} bytes`);
      hash.update(chunk);
      crc = crc32Update(chunk, crc);
      kept?.set(chunk, got);
      got += chunk.length;
    };
    const compressed = this.compressed(e, start);
    if (e.method === METHOD_STORE) for await (const chunk of compressed) take(chunk);
    else {
      let refused: ZipError | undefined;
      try {
        await pipeline(Readable.from(compressed), createInflateRaw({ chunkSize: CHUNK }), async (inflated: AsyncIterable<Buffer>) => {
          try {
            for await (const chunk of inflated) take(chunk);
          } catch (err) {
            if (err instanceof ZipError) refused = err;
            throw err;
          }
        });
      } catch (err) {
        if (refused !== undefined) throw refused;
        if (err instanceof ZipError) throw err;
        throw new ZipError(`${e.name}: cannot inflate (${err instanceof Error ? err.message : String(err)})`);
      }
    }
    if (got !== e.size) throw new ZipError(`${e.name}: inflates to ${got} bytes, the header says ${e.size}`);
    if (crc !== e.crc) throw new ZipError(`${e.name}: CRC-32 mismatch`);
    return { sha256: hash.digest('hex'), size: got, ...(kept === undefined ? {} : { data: kept }) };
  }

  /** An entry's compressed bytes, in reads of at most 64 KiB. */
  private async *compressed(e: ZipEntryInfo, start: number): AsyncGenerator<Buffer> {
    for (let pos = 0; pos < e.compressedSize; ) {
      const n = Math.min(CHUNK, e.compressedSize - pos);
      const buf = Buffer.allocUnsafe(n);
      const { bytesRead } = await this.fh.read(buf, 0, n, start + pos);
      if (bytesRead === 0) throw new ZipError(`${e.name}: the archive ends inside the entry`);
      pos += bytesRead;
      yield buf.subarray(0, bytesRead);
    }
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
