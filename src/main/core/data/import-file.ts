/**
 * Streaming importer for fleet data: C-MAPSS text or CSV, with an optional RUL file.
 *
 * The file is read in large chunks and parsed straight from the bytes into growable typed arrays (no
 * per-line strings). Every problem found is collected (details for the first 20, a count for all) and
 * reported at the end as one BAD_FILE error naming file, line, column and reason.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { PrognosError, badFile, type FileIssue } from '../../../shared/errors';
import { bomLength, detectFormat, isBlank } from './format-sniff';
import { EXACT_MANTISSA_LIMIT, POW10, looksDecimal, parseDecimal } from './number';
import { PARALLEL_MIN_BYTES } from './parallel';
import { CMAPSS_VALUE_COLUMNS, type ColumnInfo, type FleetTable } from './table';
import { findNonText, lineOfOffset } from './text-check';

export type ColumnMapRole = 'unit' | 'cycle' | 'setting' | 'sensor' | 'ignore';

export interface ParseOptions {
  /** auto-detected when absent: a first line with commas means CSV, else C-MAPSS text */
  format?: 'cmapss' | 'csv';
  /** optional RUL file for a test set */
  rulPath?: string;
  /**
   * CSV header → role. Defaults: unit/unit_id/engine/id → unit, cycle/time/time_cycles → cycle,
   * setting*, op_setting* → setting, everything else → sensor. Keys match the header as written or
   * its sanitized name.
   */
  map?: Record<string, ColumnMapRole>;
  /** name used in messages instead of the path (uploads pass the original file name) */
  displayName?: string;
  rulDisplayName?: string;
  /** cancel: the parse rejects with a CANCELLED PrognosError at the next chunk boundary */
  signal?: AbortSignal;
  /** called once per chunk with the fraction of bytes read; the caller throttles */
  onProgress?: (fraction: number, message: string) => void;
  /** read size in bytes (default 8 MiB); small values exist for tests of chunk boundaries */
  chunkBytes?: number;
  /**
   * Parses a later byte range of a C-MAPSS file on another thread (see `parseCmapssRange`). When
   * given and the file is at least `parallelMinBytes` long, this thread parses the first part and
   * `parseRange` the rest at the same time; the result, and every error message, is the same as
   * parsing the whole file here.
   */
  parseRange?: (request: RangeRequest, signal: AbortSignal) => Promise<RangeResult>;
  /**
   * Counts the lines of that later range on the other thread (see `countFileLines`), at the same time
   * as this thread counts the first part's; absent or failing, this thread counts both.
   */
  countRange?: (request: CountRequest, signal: AbortSignal) => Promise<number>;
  /** smallest file parsed in two parts when `parseRange` is given (default 32 MiB) */
  parallelMinBytes?: number;
}

export interface ParsedFleet {
  table: FleetTable;
  /** SHA-256 (hex) of the data file bytes followed by the RUL file bytes, if any */
  fingerprint: string;
  format: 'cmapss' | 'csv';
  /** bytes read: data file plus RUL file */
  sourceBytes: number;
}

const DEFAULT_CHUNK = 8 * 1024 * 1024;
const MIN_CHUNK = 16;
const MAX_LINE = 64 * 1024 * 1024;
/** Bytes a read buffer holds beyond a chunk, for the unfinished line carried over from the last one. */
const CARRY_ROOM = 64 * 1024;

/**
 * Read buffers of this thread between the passes over one file: a large file's format is peeked, its
 * lines counted, then it is parsed and (a part parsed on the other thread) hashed, each pass with
 * buffers of a chunk. A fresh 8 MiB buffer costs 2,048 page faults the first time it is filled; the
 * passes one after the other take the buffer the last one gave back instead (the 1M-row bench file:
 * four buffers fewer, about 8,000 faults). A pass gives its buffers back once its reads have
 * returned (the sinks keep no view of the bytes). Emptied when a parse ends, so a thread keeps none
 * between files.
 */
const idleBuffers: Buffer[] = [];

/** A buffer of at least `bytes` bytes: an idle one, else a new one (a chunk's with room for a carried line). */
function takeBuffer(bytes: number, chunkBytes: number): Buffer {
  const i = idleBuffers.findIndex((b) => b.length >= bytes);
  if (i >= 0) return idleBuffers.splice(i, 1)[0]!;
  return Buffer.allocUnsafe(bytes === chunkBytes ? chunkBytes + CARRY_ROOM : bytes);
}

function giveBack(buffer: Buffer): void {
  if (idleBuffers.length < 2) idleBuffers.push(buffer);
}
const MAX_SHOWN = 20;
const CMAPSS_COLUMNS = 26;
const MAX_INT32 = 2147483647;
/**
 * Where the first part ends, as a share of the file: the thread that parses it also hashes the whole
 * file (SHA-256 runs in order), so it takes less. Measured on the 1M-row bench file: parsing costs
 * about 11 ns a byte, hashing about 1.5, so the two threads finish together at (11 − 1.5) / 22 ≈ 0.43.
 */
const FIRST_PART_SHARE = 0.43;

export { PARALLEL_MIN_BYTES };

/** C-MAPSS column names by position: unit, cycle, setting1..3, s1..s21. */
const CMAPSS_NAMES: readonly string[] = ['unit', 'cycle', ...CMAPSS_VALUE_COLUMNS.map((c) => c.name)];

export async function parseFleetFile(path: string, opts: ParseOptions = {}): Promise<ParsedFleet> {
  try {
    return await parseFleet(path, opts);
  } finally {
    idleBuffers.length = 0;
  }
}

async function parseFleet(path: string, opts: ParseOptions): Promise<ParsedFleet> {
  const file = opts.displayName ?? basename(path);
  const rulFile = opts.rulPath === undefined ? undefined : (opts.rulDisplayName ?? basename(opts.rulPath));
  throwIfAborted(opts.signal);

  const dataSize = await sizeOf(path, file);
  const rulSize = opts.rulPath === undefined || rulFile === undefined ? 0 : await sizeOf(opts.rulPath, rulFile);
  const totalSize = Math.max(1, dataSize + rulSize);
  const issues = new IssueLog();
  let hash = createHash('sha256');
  const chunkBytes = Math.max(MIN_CHUNK, Math.floor(opts.chunkBytes ?? DEFAULT_CHUNK));
  const progress = (done: number): void => {
    opts.onProgress?.(Math.min(1, done / totalSize), `Read ${formatMiB(done)} of ${formatMiB(totalSize)}`);
  };

  let format: 'cmapss' | 'csv' = opts.format ?? 'cmapss';
  const parallel =
    opts.parseRange !== undefined && dataSize >= Math.max(opts.parallelMinBytes ?? PARALLEL_MIN_BYTES, 4 * chunkBytes)
      ? await parallelParse(path, file, dataSize, { chunkBytes, signal: opts.signal, progress }, issues, opts.format, opts.parseRange, opts.countRange)
      : undefined;
  let data: StreamResult<FleetSink>;
  if (parallel !== undefined) {
    ({ data, hash } = parallel);
  } else {
    issues.clear();
    data = await streamFile(
      path,
      file,
      { hash, chunkBytes, signal: opts.signal, progress },
      (bytes, s, e, size) => {
        format = opts.format ?? detectFormat(bytes, s, e);
        const capacity = estimateRows(bytes, s, e, size);
        return format === 'csv' ? new CsvSink(file, issues, capacity, opts.map) : new CmapssSink(file, issues, capacity);
      },
    );
  }
  if (data.nonText !== undefined) {
    issues.add({ file, line: data.nonText.line, reason: data.nonText.reason });
    throw badFile(issues.shown, issues.total);
  }
  const sink = data.sink;
  sink.finish();

  let rulValues: number[] | undefined;
  if (opts.rulPath !== undefined && rulFile !== undefined) {
    const done = data.bytes;
    const rul = await streamFile(
      opts.rulPath,
      rulFile,
      { hash, chunkBytes, signal: opts.signal, progress: (n) => progress(done + n) },
      () => new RulSink(rulFile, issues),
    );
    if (rul.nonText !== undefined) {
      issues.add({ file: rulFile, line: rul.nonText.line, reason: rul.nonText.reason });
    } else {
      rulValues = rul.sink.values;
      const units = sink.order.units.length;
      if (rul.sink.lineIssues === 0 && issues.total === 0 && rulValues.length !== units) {
        const counts = `RUL file has ${rulValues.length} value${rulValues.length === 1 ? '' : 's'} but the data has ${units} unit${units === 1 ? '' : 's'}`;
        // too few: the line where the next value was due, and the units left without one
        const missing = sink.order.units.slice(rulValues.length);
        const shown = missing.slice(0, 10).join(', ') + (missing.length > 10 ? `, … (${missing.length} units)` : '');
        issues.add(
          rulValues.length < units
            ? { file: rulFile, line: rul.sink.lineCount + 1, reason: `${counts}: no RUL value for unit${missing.length === 1 ? '' : 's'} ${shown}` }
            : { file: rulFile, reason: counts },
        );
      }
    }
    data.bytes += rul.bytes;
  }

  if (issues.total > 0) throw badFile(issues.shown, issues.total);

  const cols = sink.cols.finish();
  let rulAtEnd: Map<number, number> | undefined;
  if (rulValues !== undefined) {
    rulAtEnd = new Map();
    const units = sink.order.units;
    for (let k = 0; k < units.length; k++) rulAtEnd.set(units[k]!, rulValues[k]!);
  }
  const table: FleetTable = {
    rowCount: sink.cols.rows,
    unit: cols.unit,
    cycle: cols.cycle,
    columns: sink.columns(),
    values: cols.values,
    ...(rulAtEnd === undefined ? {} : { rulAtEnd }),
  };
  opts.onProgress?.(1, 'Done');
  return { table, fingerprint: hash.digest('hex'), format, sourceBytes: data.bytes };
}

// ---------------------------------------------------------------------------------------------------
// Parsing a C-MAPSS file in two parts at once

/** A later part of a C-MAPSS file, `[start, end)` in bytes, starting at a line start. */
export interface RangeRequest {
  path: string;
  /** name used in messages */
  file: string;
  start: number;
  end: number;
  chunkBytes: number;
  /**
   * Where the part's rows go: rows `[offset, offset + rows)` of the whole file's shared columns, so
   * the two parts join without copying. A part with more rows than that (the file grew since its
   * lines were counted) moves its rows to columns of its own.
   */
  into?: SharedColumnsPart;
}

/** Columns of `rows` rows in shared memory, one buffer per column (unit, cycle, then the values). */
export interface SharedColumns {
  rows: number;
  unit: SharedArrayBuffer;
  cycle: SharedArrayBuffer;
  values: SharedArrayBuffer[];
}

/** Rows `[offset, offset + rows)` of shared columns. */
export interface SharedColumnsPart {
  columns: SharedColumns;
  offset: number;
  rows: number;
}

/** What a part holds: its rows, its issues (line numbers counted from the part's start) and its units. */
export interface RangeResult {
  /** a problem only the whole file can name exactly (a line over the limit): parse it whole instead */
  wholeFile: boolean;
  rows: number;
  lineCount: number;
  nonBlank: number;
  /** true when the rows are where the request's `into` put them (then the arrays below view them there) */
  inPlace: boolean;
  /** columns with room for at least `rows` rows */
  unit: Int32Array;
  cycle: Int32Array;
  values: Float64Array[];
  issues: FileIssue[];
  issueTotal: number;
  /** the first row whose unit and cycle were checked */
  first: { unit: number; cycle: number } | null;
  /** units in order of their first row in this part */
  units: number[];
}

/** Parses `[start, end)` of a C-MAPSS file (no hashing): the other thread's half of `parseFleetFile`. */
export async function parseCmapssRange(request: RangeRequest, signal?: AbortSignal): Promise<RangeResult> {
  const issues = new IssueLog();
  const result = await streamFile(
    request.path,
    request.file,
    { chunkBytes: Math.max(MIN_CHUNK, Math.floor(request.chunkBytes)), signal, progress: () => undefined },
    (bytes, s, e, size) =>
      new CmapssSink(request.file, issues, request.into === undefined ? estimateRows(bytes, s, e, size) : request.into.rows, viewsOf(request.into)),
    { start: request.start, end: request.end },
  ).finally(() => {
    idleBuffers.length = 0;
  });
  const sink = result.sink;
  return {
    wholeFile: result.nonText !== undefined,
    rows: sink.cols.rows,
    lineCount: sink.lineCount,
    nonBlank: sink.nonBlank,
    inPlace: sink.cols.inPlace,
    unit: sink.cols.unit,
    cycle: sink.cols.cycle,
    values: sink.cols.values,
    issues: issues.shown,
    issueTotal: issues.total,
    first: sink.order.first,
    units: sink.order.units,
  };
}

/** Where to split a file: just after the first line end at or after `target` (none: don't split). */
async function splitPoint(path: string, file: string, target: number, size: number): Promise<number | undefined> {
  const fh = await openFile(path, file);
  try {
    const window = Buffer.allocUnsafe(64 * 1024);
    for (let at = target; at < size && at - target < MAX_LINE; at += window.length) {
      const { bytesRead } = await fh.read(window, 0, window.length, at);
      if (bytesRead === 0) return undefined;
      const nl = window.subarray(0, bytesRead).indexOf(10);
      if (nl >= 0) return at + nl + 1 < size ? at + nl + 1 : undefined;
    }
    return undefined;
  } finally {
    await fh.close();
  }
}

/** Hashes `[start, end)` of a file and reports progress (`done` bytes before `start`). */
async function hashRange(path: string, file: string, start: number, end: number, ctx: StreamContext, done: number): Promise<void> {
  const fh = await openFile(path, file);
  const buffer = takeBuffer(ctx.chunkBytes, ctx.chunkBytes);
  try {
    for (let at = start; at < end; ) {
      const { bytesRead } = await fh.read(buffer, 0, Math.min(ctx.chunkBytes, end - at), at);
      if (bytesRead === 0) break;
      ctx.hash?.update(buffer.subarray(0, bytesRead));
      at += bytesRead;
      ctx.progress(done + at - start);
      throwIfAborted(ctx.signal);
    }
  } finally {
    await fh.close();
    giveBack(buffer);
  }
}

/**
 * Parses a large C-MAPSS file in two parts at once: this thread the first part (and hashes the whole
 * file: SHA-256 runs in order), `parseRange` the rest on another thread. The first part's issues go
 * to `issues` as they would in one pass; the second part's follow with their line numbers shifted by
 * the first part's line count. The second part's first row is checked against the first part's last
 * unit and cycle, and its units against the first part's. When that join finds a problem, or either
 * part meets something only a whole-file read names exactly, the answer is undefined (and `issues`
 * must be cleared) and the caller parses the file in one pass, so every message stays as it was.
 *
 * Both parts write into one set of shared columns sized from the lines each part holds (counted
 * first, a quick pass over the bytes): the first part's rows at the start, the second's right after
 * the first part's lines. When every line is a row — any clean file without blank lines — the
 * columns are then the table as they stand, with nothing copied; otherwise the rows are gathered into
 * columns of exactly the row count.
 */
async function parallelParse(
  path: string,
  file: string,
  size: number,
  ctx: StreamContext,
  issues: IssueLog,
  format: 'cmapss' | 'csv' | undefined,
  parseRange: (request: RangeRequest, signal: AbortSignal) => Promise<RangeResult>,
  countRange: ((request: CountRequest, signal: AbortSignal) => Promise<number>) | undefined,
): Promise<{ data: StreamResult<FleetSink>; hash: Hash } | undefined> {
  if (format === 'csv' || (format === undefined && (await peekFormat(path, file, ctx.chunkBytes)) === 'csv')) return undefined;
  const split = await splitPoint(path, file, Math.floor(size * FIRST_PART_SHARE), size);
  if (split === undefined || split < ctx.chunkBytes) return undefined;
  // room for a row on every line (and no more rows than the bytes can hold, whatever the line count);
  // the two parts are counted at once: the second on the other thread when offered (it is idle until
  // its part is known), else here, one part's reads overlapping the other's counting
  const countSecond = (): Promise<number> => countLines(path, file, split, size, ctx);
  const request: CountRequest = { path, file, start: split, end: size, chunkBytes: ctx.chunkBytes };
  const [firstLines, secondLines] = await Promise.all([
    countLines(path, file, 0, split, ctx),
    countRange === undefined ? countSecond() : countRange(request, ctx.signal ?? new AbortController().signal).catch(countSecond),
  ]);
  throwIfAborted(ctx.signal);
  const firstRows = Math.min(firstLines, maxRows(split));
  const secondRows = Math.min(secondLines, maxRows(size - split));
  const columns = sharedColumns(CMAPSS_COLUMNS - 2, firstRows + secondRows);
  const hash = createHash('sha256');
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  ctx.signal?.addEventListener('abort', onAbort);
  try {
    // the other part starts now; its failure is looked at once this part is done
    const into = { columns, offset: firstRows, rows: secondRows };
    const second = parseRange({ path, file, start: split, end: size, chunkBytes: ctx.chunkBytes, into }, stop.signal).then(
      (r) => ({ ok: true as const, r }),
      (e: unknown) => ({ ok: false as const, e }),
    );
    const firstPart = viewsOf({ columns, offset: 0, rows: firstRows });
    const part = await streamFile(path, file, { ...ctx, hash }, () => new CmapssSink(file, issues, firstRows, firstPart), {
      start: 0,
      end: split,
    });
    if (part.nonText !== undefined) return undefined;
    await hashRange(path, file, split, size, { ...ctx, hash }, split);
    const other = await second;
    throwIfAborted(ctx.signal);
    // the other thread failed: one pass here says what is wrong, if anything
    if (!other.ok || other.r.wholeFile) return undefined;
    const r = other.r;
    const sink = part.sink;
    // the second part's first row continues the first part's last unit, or starts a unit not seen before
    const state = sink.order.state;
    const continues = r.first !== null && state !== null && r.first.unit === state.unit;
    if (continues && r.first!.cycle <= state.cycle) return undefined;
    for (let k = continues ? 1 : 0; k < r.units.length; k++) if (sink.order.has(r.units[k]!)) return undefined;
    if (sink.cols.inPlace && r.inPlace && sink.cols.rows === firstRows && r.rows === secondRows) {
      // every line a row, each part where it was put: the shared columns are the table
      sink.cols.adopt(viewsOf({ columns, offset: 0, rows: columns.rows })!);
    } else {
      sink.cols.append(r.rows, r);
    }
    sink.order.extend(continues ? r.units.slice(1) : r.units);
    issues.merge({ shown: r.issues, total: r.issueTotal }, sink.lineCount);
    sink.lineCount += r.lineCount;
    sink.nonBlank += r.nonBlank;
    return { data: { sink, bytes: size }, hash };
  } finally {
    ctx.signal?.removeEventListener('abort', onAbort);
    stop.abort(); // nothing left to do for the other thread when this part ends early
  }
}

/** A range of a file whose lines to count. */
export interface CountRequest {
  path: string;
  /** name used in messages */
  file: string;
  start: number;
  end: number;
  chunkBytes: number;
}

/** Lines in a range of a file (see `countLines`): the other thread's share of `parallelParse`'s counting. */
export function countFileLines(request: CountRequest, signal?: AbortSignal): Promise<number> {
  const chunkBytes = Math.max(MIN_CHUNK, Math.floor(request.chunkBytes));
  return countLines(request.path, request.file, request.start, request.end, { chunkBytes, signal, progress: () => undefined });
}

/** Lines in `[start, end)` of a file: its line ends, plus one for a last line without one. */
async function countLines(path: string, file: string, start: number, end: number, ctx: StreamContext): Promise<number> {
  const fh = await openFile(path, file);
  const read = Math.min(ctx.chunkBytes, Math.max(1, end - start));
  const buffer = takeBuffer(read, ctx.chunkBytes);
  try {
    let lines = 0;
    let last = 10;
    for (let at = start; at < end; ) {
      const { bytesRead } = await fh.read(buffer, 0, Math.min(read, end - at), at);
      if (bytesRead === 0) break;
      for (let i = buffer.indexOf(10); i >= 0 && i < bytesRead; i = buffer.indexOf(10, i + 1)) lines++;
      last = buffer[bytesRead - 1]!;
      at += bytesRead;
      throwIfAborted(ctx.signal);
    }
    return last === 10 ? lines : lines + 1;
  } finally {
    await fh.close();
    giveBack(buffer);
  }
}

/** The most C-MAPSS rows `bytes` bytes can hold: 26 values of one digit each and their separators. */
function maxRows(bytes: number): number {
  return Math.floor(bytes / (2 * CMAPSS_COLUMNS - 1)) + 1;
}

/** Zeroed shared columns of `rows` rows: unit and cycle, and `width` value columns. */
function sharedColumns(width: number, rows: number): SharedColumns {
  return {
    rows,
    unit: new SharedArrayBuffer(rows * Int32Array.BYTES_PER_ELEMENT),
    cycle: new SharedArrayBuffer(rows * Int32Array.BYTES_PER_ELEMENT),
    values: Array.from({ length: width }, () => new SharedArrayBuffer(rows * Float64Array.BYTES_PER_ELEMENT)),
  };
}

/** Typed-array views of a part of shared columns (undefined: none given). */
function viewsOf(part: SharedColumnsPart | undefined): ColumnViews | undefined {
  if (part === undefined) return undefined;
  const { columns: c, offset, rows } = part;
  return {
    unit: new Int32Array(c.unit, offset * Int32Array.BYTES_PER_ELEMENT, rows),
    cycle: new Int32Array(c.cycle, offset * Int32Array.BYTES_PER_ELEMENT, rows),
    values: c.values.map((v) => new Float64Array(v, offset * Float64Array.BYTES_PER_ELEMENT, rows)),
  };
}

/** The format the first chunk of a file says (as `parseFleetFile` detects it). */
async function peekFormat(path: string, file: string, chunkBytes: number): Promise<'cmapss' | 'csv'> {
  const fh = await openFile(path, file);
  const bytes = takeBuffer(chunkBytes, chunkBytes);
  try {
    const { bytesRead } = await fh.read(bytes, 0, chunkBytes, 0);
    return detectFormat(bytes, bomLength(bytes, bytesRead), bytesRead);
  } finally {
    await fh.close();
    giveBack(bytes);
  }
}

// ---------------------------------------------------------------------------------------------------
// Chunked reading

interface LineSink {
  /** Complete lines in `bytes[start, end)`; the last one lacks its '\n' only at the end of the file. */
  lines(bytes: Buffer, start: number, end: number): void;
  /** lines seen so far */
  readonly lineCount: number;
}

interface StreamContext {
  /** absent: the bytes are not hashed (a later part of a file parsed on another thread) */
  hash?: Hash;
  chunkBytes: number;
  signal: AbortSignal | undefined;
  progress: (bytesDone: number) => void;
}

interface StreamResult<S> {
  sink: S;
  bytes: number;
  nonText?: { line: number; reason: string };
}

/**
 * Reads `path` chunk by chunk, hashing every byte, and hands complete lines to the sink created by
 * `begin` from the first chunk. A partial line at a chunk end is carried to the next chunk.
 */
async function streamFile<S extends LineSink>(
  path: string,
  file: string,
  ctx: StreamContext,
  begin: (bytes: Buffer, start: number, end: number, fileSize: number) => S,
  range?: Readonly<{ start: number; end: number }>,
): Promise<StreamResult<S>> {
  const fh = await openFile(path, file);
  const chunk = ctx.chunkBytes;
  // room for the carried line beside each read: a buffer a few bytes short of it would be replaced by
  // a fresh one, its pages faulted in afresh, at about every other chunk
  let cur = takeBuffer(chunk + CARRY_ROOM, chunk);
  let spare = takeBuffer(chunk + CARRY_ROOM, chunk);
  let pending: Promise<unknown> | undefined;
  try {
    // a range starts at a line start; only the file's own start is checked for a BOM and for binary bytes
    const fromStart = range === undefined || range.start === 0;
    let position = range?.start ?? 0;
    const limit = range?.end ?? Infinity;
    const size = range === undefined ? (await fh.stat()).size : range.end - range.start;
    let carry = 0;
    let total = 0;
    let sink: S | undefined;
    const readInto = (buffer: Buffer, offset: number): Promise<{ bytesRead: number }> => {
      const length = Math.min(chunk, limit - position);
      if (length <= 0) return Promise.resolve({ bytesRead: 0 });
      const at = position;
      position += length;
      return fh.read(buffer, offset, length, at);
    };
    let read = readInto(cur, 0);
    pending = read;
    for (;;) {
      const { bytesRead } = await read;
      pending = undefined;
      throwIfAborted(ctx.signal);
      if (bytesRead > 0) ctx.hash?.update(cur.subarray(carry, carry + bytesRead));
      total += bytesRead;
      const end = carry + bytesRead;
      const final = bytesRead === 0;
      let start = 0;
      if (sink === undefined && !fromStart) sink = begin(cur, start, end, size);
      if (sink === undefined) {
        start = bomLength(cur, end); // UTF-8 BOM
        const bad = findNonText(cur, start, end, final);
        if (bad !== null) {
          const reason = `not a text file (${bad.what} at byte ${bad.offset + 1})`;
          return {
            sink: begin(cur, start, start, size),
            bytes: total,
            nonText: { line: lineOfOffset(cur, start, bad.offset), reason },
          };
        }
        sink = begin(cur, start, end, size);
      }
      if (final) {
        if (end > start) sink.lines(cur, start, end);
        break;
      }
      const lastNl = cur.lastIndexOf(10, end - 1);
      if (lastNl < start && end - start > MAX_LINE) {
        return {
          sink,
          bytes: total,
          nonText: {
            line: sink.lineCount + 1,
            reason: `not a text file (a line longer than ${MAX_LINE / 1048576} MiB)`,
          },
        };
      }
      // carry the unfinished last line into the other buffer and read ahead while parsing this one
      const keepFrom = lastNl < start ? start : lastNl + 1;
      const nextCarry = end - keepFrom;
      if (spare.length < nextCarry + chunk) spare = takeBuffer(nextCarry + chunk + CARRY_ROOM, chunk);
      cur.copy(spare, 0, keepFrom, end);
      read = readInto(spare, nextCarry);
      pending = read;
      if (lastNl >= start) sink.lines(cur, start, lastNl + 1);
      ctx.progress(total);
      throwIfAborted(ctx.signal);
      const t = cur;
      cur = spare;
      spare = t;
      carry = nextCarry;
    }
    ctx.progress(total);
    return { sink, bytes: total };
  } finally {
    if (pending !== undefined) await pending.catch(() => undefined);
    await fh.close();
    giveBack(cur);
    giveBack(spare);
  }
}

function countNewlines(bytes: Buffer, start: number, end: number): number {
  let n = 0;
  let i = bytes.indexOf(10, start);
  while (i >= 0 && i < end) {
    n++;
    i = bytes.indexOf(10, i + 1);
  }
  return n;
}

async function openFile(path: string, file: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (e) {
    throw fileAccessError(e, file);
  }
}

async function sizeOf(path: string, file: string): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw badFile([{ file, reason: 'not a regular file' }]);
    return s.size;
  } catch (e) {
    if (e instanceof PrognosError) throw e;
    throw fileAccessError(e, file);
  }
}

function fileAccessError(e: unknown, file: string): PrognosError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new PrognosError('NOT_FOUND', `${file}: file not found`);
  return badFile([{ file, reason: `cannot be read (${code ?? (e instanceof Error ? e.message : String(e))})` }]);
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new PrognosError('CANCELLED', 'Import cancelled');
}

function formatMiB(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

// ---------------------------------------------------------------------------------------------------
// Sizing (format detection is in format-sniff.ts)

/** Row capacity from the line density of the first chunk, so the arrays rarely grow. */
function estimateRows(bytes: Buffer, start: number, end: number, fileSize: number): number {
  const lines = countNewlines(bytes, start, end);
  if (end - start >= fileSize) return lines + 2;
  if (lines === 0) return 1024;
  const perLine = (end - start) / lines;
  return Math.max(1024, Math.ceil((fileSize / perLine) * 1.02) + 16);
}

// ---------------------------------------------------------------------------------------------------
// Issues, columns, order checks

class IssueLog {
  readonly shown: FileIssue[] = [];
  total = 0;
  add(issue: FileIssue): void {
    this.total++;
    if (this.shown.length < MAX_SHOWN) this.shown.push(issue);
  }
  clear(): void {
    this.shown.length = 0;
    this.total = 0;
  }
  /** Adds the issues of a later part of the file, whose line numbers start after `lineOffset` lines. */
  merge(other: Readonly<{ shown: readonly FileIssue[]; total: number }>, lineOffset: number): void {
    for (const issue of other.shown) this.add(issue.line === undefined ? issue : { ...issue, line: issue.line + lineOffset });
    this.total += other.total - other.shown.length;
  }
}

/** Column arrays of equal length: unit, cycle and the values. */
interface ColumnViews {
  unit: Int32Array;
  cycle: Int32Array;
  values: Float64Array[];
}

class ColumnStore {
  rows = 0;
  cap: number;
  unit: Int32Array;
  cycle: Int32Array;
  values: Float64Array[];
  /** true while the rows are in the arrays given at construction (they never grew) */
  inPlace: boolean;
  /** `into`: arrays to fill (their length is the capacity); else arrays of `capacity` rows of its own */
  constructor(
    readonly width: number,
    capacity: number,
    into?: ColumnViews,
  ) {
    this.inPlace = into !== undefined;
    if (into !== undefined) {
      this.cap = into.unit.length;
      this.unit = into.unit;
      this.cycle = into.cycle;
      this.values = into.values;
      return;
    }
    this.cap = Math.max(16, capacity);
    this.unit = new Int32Array(this.cap);
    this.cycle = new Int32Array(this.cap);
    this.values = Array.from({ length: width }, () => new Float64Array(this.cap));
  }
  /** Takes `full` (already holding every row) as the columns: exactly `full.unit.length` rows. */
  adopt(full: ColumnViews): void {
    this.unit = full.unit;
    this.cycle = full.cycle;
    this.values = full.values;
    this.rows = full.unit.length;
    this.cap = this.rows;
  }
  grow(): void {
    this.inPlace = false;
    const cap = Math.ceil(this.cap * 1.5) + 16;
    const unit = new Int32Array(cap);
    unit.set(this.unit.subarray(0, this.rows));
    const cycle = new Int32Array(cap);
    cycle.set(this.cycle.subarray(0, this.rows));
    this.unit = unit;
    this.cycle = cycle;
    this.values = this.values.map((v) => {
      const next = new Float64Array(cap);
      next.set(v.subarray(0, this.rows));
      return next;
    });
    this.cap = cap;
  }
  /**
   * Appends the first `rows` rows of other columns (a later part of the file): every column becomes
   * one of exactly the rows in all, built one column at a time so that the parts' columns can go as
   * soon as they are copied.
   */
  append(rows: number, other: { unit: Int32Array; cycle: Int32Array; values: Float64Array[] }): void {
    const n = this.rows;
    const total = n + rows;
    const join = <A extends Int32Array | Float64Array>(a: A, b: A, make: (length: number) => A): A => {
      const out = make(total);
      out.set(a.subarray(0, n));
      out.set(b.subarray(0, rows), n);
      return out;
    };
    this.unit = join(this.unit, other.unit, (k) => new Int32Array(k));
    other.unit = new Int32Array(0);
    this.cycle = join(this.cycle, other.cycle, (k) => new Int32Array(k));
    other.cycle = new Int32Array(0);
    for (let k = 0; k < this.values.length; k++) {
      this.values[k] = join(this.values[k]!, other.values[k]!, (m) => new Float64Array(m));
      other.values[k] = new Float64Array(0);
    }
    this.rows = total;
    this.cap = total;
  }
  /** Arrays of exactly `rows` elements (copied when the capacity was larger). */
  finish(): { unit: Int32Array; cycle: Int32Array; values: Float64Array[] } {
    const n = this.rows;
    if (n === this.cap) return { unit: this.unit, cycle: this.cycle, values: this.values };
    const out = { unit: this.unit.slice(0, n), cycle: this.cycle.slice(0, n), values: [] as Float64Array[] };
    for (let k = 0; k < this.values.length; k++) {
      out.values.push(this.values[k]!.slice(0, n));
      this.values[k] = out.values[k]!; // let the large array go early
    }
    return out;
  }
}

/** Checks that each unit's rows are contiguous and its cycles strictly increasing. */
class OrderCheck {
  readonly units: number[] = [];
  private readonly seen = new Set<number>();
  private current = -1;
  private last = 0;
  /** the first row checked, and the state after the last one (to join parts of a file parsed apart) */
  first: { unit: number; cycle: number } | null = null;
  get state(): { unit: number; cycle: number } | null {
    return this.current === -1 ? null : { unit: this.current, cycle: this.last };
  }
  has(unit: number): boolean {
    return this.seen.has(unit);
  }
  /** Continues with the units of a later part already checked apart (see `parallelParse`). */
  extend(units: readonly number[]): void {
    for (const u of units) {
      this.seen.add(u);
      this.units.push(u);
    }
  }
  constructor(
    private readonly file: string,
    private readonly issues: IssueLog,
    private readonly unitColumn: string,
    private readonly cycleColumn: string,
  ) {}
  /** true when the row keeps the order */
  check(unit: number, cycle: number, line: number): boolean {
    this.first ??= { unit, cycle };
    if (unit !== this.current) {
      this.current = unit;
      this.last = cycle;
      if (this.seen.has(unit)) {
        this.issues.add({
          file: this.file,
          line,
          column: this.unitColumn,
          reason: `unit ${unit} appears again after other units (the rows of a unit must be contiguous)`,
        });
        return false;
      }
      this.seen.add(unit);
      this.units.push(unit);
      return true;
    }
    if (cycle > this.last) {
      this.last = cycle;
      return true;
    }
    const reason =
      cycle === this.last
        ? `duplicate row: unit ${unit} already has cycle ${cycle}`
        : `cycle ${cycle} follows cycle ${this.last} of unit ${unit}`;
    this.issues.add({ file: this.file, line, column: this.cycleColumn, reason });
    return false;
  }
}

/** A header cell as messages show it: at most 60 characters. */
function cellText(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function tokenText(bytes: Buffer, start: number, end: number): string {
  const text = bytes.toString('utf8', start, Math.min(end, start + 60));
  return end - start > 60 ? `${text}…` : text;
}

const MISSING = /^(nan|na|n\/a|null|none|-)$/i;

function badCellReason(text: string): string {
  if (MISSING.test(text)) return `missing value ("${text}")`;
  if (looksDecimal(text)) return `"${text}" is out of range`;
  return `"${text}" is not a number`;
}

function keyReason(role: 'unit' | 'cycle', v: number): string | null {
  if (Number.isInteger(v) && v >= 1 && v <= MAX_INT32) return null;
  return `${role} must be a positive integer, found ${v}`;
}

interface FleetSink extends LineSink {
  readonly cols: ColumnStore;
  readonly order: OrderCheck;
  columns(): readonly ColumnInfo[];
  /** adds the end-of-file issues (empty file, no data rows) */
  finish(): void;
}

// ---------------------------------------------------------------------------------------------------
// C-MAPSS text

class CmapssSink implements FleetSink {
  readonly cols: ColumnStore;
  readonly order: OrderCheck;
  lineCount = 0;
  nonBlank = 0;
  private readonly cellIssues: FileIssue[] = [];
  constructor(
    private readonly file: string,
    private readonly issues: IssueLog,
    capacity: number,
    into?: ColumnViews,
  ) {
    this.cols = new ColumnStore(CMAPSS_COLUMNS - 2, capacity, into);
    this.order = new OrderCheck(file, issues, 'unit', 'cycle');
  }

  columns(): readonly ColumnInfo[] {
    return CMAPSS_VALUE_COLUMNS;
  }

  finish(): void {
    if (this.nonBlank === 0) this.issues.add({ file: this.file, reason: 'file is empty' });
  }

  lines(buffer: Buffer, start: number, end: number): void {
    const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
    const cols = this.cols;
    const cellIssues = this.cellIssues;
    let line = this.lineCount;
    let i = start;
    while (i < end) {
      let eol = buffer.indexOf(10, i);
      if (eol < 0 || eol > end) eol = end;
      line++;
      if (cols.rows >= cols.cap) cols.grow();
      const r = cols.rows;
      const values = cols.values;
      let n = 0;
      let unit = 0;
      let cycle = 0;
      let j = i;
      while (j < eol) {
        let b = bytes[j]!;
        if (b === 32 || b === 9 || b === 13) {
          j++;
          continue;
        }
        // one pass: scan the token and parse it on the fast path (see number.ts), else fall back:
        // [sign] digits [. digits], ending at a separator or the line end
        const s = j;
        let neg = false;
        if (b === 45) {
          neg = true;
          j++;
        } else if (b === 43) j++;
        let m = 0;
        const intStart = j;
        for (; j < eol; j++) {
          const d = bytes[j]! - 48;
          if (d < 0 || d > 9) break;
          m = m * 10 + d;
        }
        let digits = j - intStart;
        let frac = 0;
        if (j < eol && bytes[j] === 46) {
          const fracStart = ++j;
          for (; j < eol; j++) {
            const d = bytes[j]! - 48;
            if (d < 0 || d > 9) break;
            m = m * 10 + d;
          }
          frac = j - fracStart;
          digits += frac;
        }
        let v: number;
        if ((j === eol || (b = bytes[j]!) === 32 || b === 9 || b === 13) && digits > 0 && m < EXACT_MANTISSA_LIMIT && frac <= 22) {
          v = frac === 0 ? m : m / POW10[frac]!;
          if (neg) v = -v;
        } else {
          while (j < eol && (b = bytes[j]!) !== 32 && b !== 9 && b !== 13) j++;
          v = parseDecimal(bytes, s, j);
        }
        if (n < CMAPSS_COLUMNS) {
          if (v !== v) {
            cellIssues.push({
              file: this.file,
              line,
              column: CMAPSS_NAMES[n]!,
              reason: badCellReason(tokenText(buffer, s, j)),
            });
          } else if (n >= 2) values[n - 2]![r] = v;
          else if (n === 0) unit = v;
          else cycle = v;
        }
        n++;
      }
      i = eol + 1;
      if (n === 0) continue;
      this.nonBlank++;
      if (n !== CMAPSS_COLUMNS) {
        this.issues.add({ file: this.file, line, reason: `expected ${CMAPSS_COLUMNS} values, found ${n}` });
        cellIssues.length = 0;
        continue;
      }
      this.row(unit, cycle, line, r, cellIssues);
    }
    this.lineCount = line;
  }

  private row(unit: number, cycle: number, line: number, r: number, cellIssues: FileIssue[]): void {
    let keyOk = true;
    let ok = cellIssues.length === 0;
    if (!ok) {
      for (const issue of cellIssues) {
        this.issues.add(issue);
        if (issue.column === 'unit' || issue.column === 'cycle') keyOk = false;
      }
      cellIssues.length = 0;
    }
    if (keyOk) {
      const ur = keyReason('unit', unit);
      const cr = keyReason('cycle', cycle);
      if (ur !== null) this.issues.add({ file: this.file, line, column: 'unit', reason: ur });
      if (cr !== null) this.issues.add({ file: this.file, line, column: 'cycle', reason: cr });
      if (ur !== null || cr !== null) return;
      if (!this.order.check(unit, cycle, line)) ok = false;
    }
    if (!ok) return;
    this.cols.unit[r] = unit;
    this.cols.cycle[r] = cycle;
    this.cols.rows = r + 1;
  }
}

// ---------------------------------------------------------------------------------------------------
// CSV

const TARGET_IGNORE = -1;
const TARGET_UNIT = -2;
const TARGET_CYCLE = -3;

const UNIT_HEADERS = new Set(['unit', 'unit_id', 'unit_nr', 'unit_number', 'engine', 'engine_id', 'id']);
const CYCLE_HEADERS = new Set(['cycle', 'cycles', 'time', 'time_cycles', 'time_in_cycles']);

/** Splits one CSV header line into fields; quotes are optional and `""` escapes a quote. */
export function splitCsvHeader(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) {
          field += line.slice(i);
          i = line.length;
          break;
        }
        field += line.slice(i, q);
        i = q + 1;
        if (line[i] === '"') {
          field += '"';
          i++;
        } else break;
      }
      const comma = line.indexOf(',', i);
      i = comma < 0 ? line.length : comma;
    } else {
      const comma = line.indexOf(',', i);
      const stop = comma < 0 ? line.length : comma;
      field = line.slice(i, stop).trim();
      i = stop;
    }
    out.push(field.trim());
    if (i >= line.length) break;
    i++; // skip the comma
  }
  return out;
}

/** Name used inside Prognos for a CSV header: letters, digits and underscores. */
export function sanitizeColumnName(header: string, index: number): string {
  const name = header
    .trim()
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return name === '' ? `col${index + 1}` : name;
}

function defaultRole(header: string): Exclude<ColumnMapRole, 'ignore'> {
  const key = header
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (UNIT_HEADERS.has(key)) return 'unit';
  if (CYCLE_HEADERS.has(key)) return 'cycle';
  if (/^(op_|operational_)?setting/.test(key)) return 'setting';
  return 'sensor';
}

export interface CsvLayout {
  /** per header position: value column index, or -1 ignore, -2 unit, -3 cycle */
  readonly targets: Int32Array;
  /** value columns: settings first, then sensors, each in file order */
  readonly columns: ColumnInfo[];
  readonly unitHeader: string;
  readonly cycleHeader: string;
  readonly problems: string[];
}

/** Assigns roles to CSV headers from the defaults and the explicit map. */
export function resolveCsvLayout(headers: readonly string[], map: Record<string, ColumnMapRole> = {}): CsvLayout {
  const problems: string[] = [];
  const sanitized = headers.map((h, i) => sanitizeColumnName(h, i));
  const roles: ColumnMapRole[] = headers.map((h) => defaultRole(h));
  const explicit = new Set<number>();
  for (const [key, role] of Object.entries(map)) {
    let idx = headers.indexOf(key);
    if (idx < 0) idx = sanitized.indexOf(key);
    if (idx < 0) idx = headers.findIndex((h) => h.toLowerCase() === key.toLowerCase());
    if (idx < 0) {
      problems.push(`the column map names "${key}", which is not in the header`);
      continue;
    }
    roles[idx] = role;
    explicit.add(idx);
  }
  // an explicit unit/cycle replaces the default guess for that role
  for (const role of ['unit', 'cycle'] as const) {
    if (![...explicit].some((k) => roles[k] === role)) continue;
    roles.forEach((r, k) => {
      if (r === role && !explicit.has(k)) roles[k] = 'sensor';
    });
  }
  const targets = new Int32Array(headers.length).fill(TARGET_IGNORE);
  const pick = (role: 'unit' | 'cycle'): string => {
    const idx = roles.flatMap((r, k) => (r === role ? [k] : []));
    if (idx.length === 0)
      problems.push(
        `no ${role} column (name one in the column map, e.g. "${role === 'unit' ? 'engine' : 'time'}=${role}")`,
      );
    if (idx.length > 1) problems.push(`${idx.length} columns map to ${role}: ${idx.map((k) => cellText(headers[k]!)).join(', ')}`);
    return idx.length === 0 ? role : headers[idx[0]!]!;
  };
  const unitHeader = pick('unit');
  const cycleHeader = pick('cycle');
  const used = new Set<string>(['unit', 'cycle']);
  const columns: ColumnInfo[] = [];
  for (const role of ['setting', 'sensor'] as const) {
    roles.forEach((r, k) => {
      if (r !== role) return;
      let name = sanitized[k]!;
      for (let n = 2; used.has(name); n++) name = `${sanitized[k]}_${n}`;
      used.add(name);
      targets[k] = columns.length;
      columns.push({ name, original: headers[k]!, role });
    });
  }
  roles.forEach((r, k) => {
    if (r === 'unit') targets[k] = TARGET_UNIT;
    if (r === 'cycle') targets[k] = TARGET_CYCLE;
  });
  if (columns.length === 0 && problems.length === 0) problems.push('no setting or sensor columns');
  return { targets, columns, unitHeader, cycleHeader, problems };
}

class CsvSink implements FleetSink {
  cols: ColumnStore;
  order: OrderCheck;
  private layout: CsvLayout | undefined;
  private broken = false;
  lineCount = 0;
  private readonly cellIssues: FileIssue[] = [];
  constructor(
    private readonly file: string,
    private readonly issues: IssueLog,
    private readonly capacity: number,
    private readonly map: Record<string, ColumnMapRole> | undefined,
  ) {
    this.cols = new ColumnStore(0, 16);
    this.order = new OrderCheck(file, issues, 'unit', 'cycle');
  }

  columns(): readonly ColumnInfo[] {
    return this.layout?.columns ?? [];
  }

  finish(): void {
    if (this.layout === undefined) this.issues.add({ file: this.file, reason: 'file is empty' });
    else if (!this.broken && this.cols.rows === 0 && this.issues.total === 0) {
      this.issues.add({ file: this.file, line: this.lineCount + 1, reason: 'no data rows after the header' });
    }
  }

  private header(bytes: Buffer, start: number, end: number, line: number): void {
    const headers = splitCsvHeader(bytes.toString('utf8', start, end).replace(/\r$/, ''));
    const layout = resolveCsvLayout(headers, this.map);
    this.layout = layout;
    for (const reason of layout.problems) this.issues.add({ file: this.file, line, reason });
    this.broken = layout.problems.length > 0;
    this.cols = new ColumnStore(layout.columns.length, this.capacity);
    this.order = new OrderCheck(this.file, this.issues, layout.unitHeader, layout.cycleHeader);
  }

  lines(bytes: Buffer, start: number, end: number): void {
    let line = this.lineCount;
    let i = start;
    while (i < end) {
      let eol = bytes.indexOf(10, i);
      if (eol < 0 || eol > end) eol = end;
      line++;
      const lineStart = i;
      i = eol + 1;
      if (isBlank(bytes, lineStart, eol)) continue;
      if (this.layout === undefined) {
        this.header(bytes, lineStart, eol, line);
        continue;
      }
      if (this.broken) continue;
      this.row(bytes, lineStart, eol, line, this.layout);
    }
    this.lineCount = line;
  }

  private row(bytes: Buffer, start: number, eol: number, line: number, layout: CsvLayout): void {
    const cols = this.cols;
    if (cols.rows >= cols.cap) cols.grow();
    const r = cols.rows;
    const values = cols.values;
    const targets = layout.targets;
    const width = targets.length;
    const cellIssues = this.cellIssues;
    let unit = NaN;
    let cycle = NaN;
    let n = 0;
    let j = start;
    for (;;) {
      let s = j;
      while (j < eol && bytes[j] !== 44) j++;
      let e = j;
      while (s < e && (bytes[s] === 32 || bytes[s] === 9)) s++;
      while (e > s && (bytes[e - 1] === 32 || bytes[e - 1] === 9 || bytes[e - 1] === 13)) e--;
      if (e - s >= 2 && bytes[s] === 34 && bytes[e - 1] === 34) {
        s++;
        e--;
      }
      if (n < width) {
        const t = targets[n]!;
        if (t !== TARGET_IGNORE) {
          const column =
            t === TARGET_UNIT
              ? layout.unitHeader
              : t === TARGET_CYCLE
                ? layout.cycleHeader
                : layout.columns[t]!.original;
          if (e === s) {
            cellIssues.push({ file: this.file, line, column, reason: 'missing value' });
          } else {
            const v = parseDecimal(bytes, s, e);
            if (v !== v)
              cellIssues.push({ file: this.file, line, column, reason: badCellReason(tokenText(bytes, s, e)) });
            else if (t >= 0) values[t]![r] = v;
            else if (t === TARGET_UNIT) unit = v;
            else cycle = v;
          }
        }
      }
      n++;
      if (j >= eol) break;
      j++; // past the comma
    }
    if (n !== width) {
      this.issues.add({ file: this.file, line, reason: `expected ${width} values, found ${n}` });
      cellIssues.length = 0;
      return;
    }
    let ok = cellIssues.length === 0;
    if (!ok) {
      for (const issue of cellIssues) this.issues.add(issue);
      cellIssues.length = 0;
    }
    if (unit !== unit || cycle !== cycle) return;
    const ur = keyReason('unit', unit);
    const cr = keyReason('cycle', cycle);
    if (ur !== null) this.issues.add({ file: this.file, line, column: layout.unitHeader, reason: ur });
    if (cr !== null) this.issues.add({ file: this.file, line, column: layout.cycleHeader, reason: cr });
    if (ur !== null || cr !== null) return;
    if (!this.order.check(unit, cycle, line)) ok = false;
    if (!ok) return;
    cols.unit[r] = unit;
    cols.cycle[r] = cycle;
    cols.rows = r + 1;
  }
}

// ---------------------------------------------------------------------------------------------------
// RUL file

class RulSink implements LineSink {
  readonly values: number[] = [];
  lineIssues = 0;
  lineCount = 0;
  constructor(
    private readonly file: string,
    private readonly issues: IssueLog,
  ) {}

  private add(line: number, reason: string): void {
    this.lineIssues++;
    this.issues.add({ file: this.file, line, reason });
  }

  lines(bytes: Buffer, start: number, end: number): void {
    let i = start;
    while (i < end) {
      let eol = bytes.indexOf(10, i);
      if (eol < 0 || eol > end) eol = end;
      const line = ++this.lineCount;
      const tokens = bytes
        .toString('utf8', i, eol)
        .trim()
        .split(/[\s,]+/);
      i = eol + 1;
      if (tokens.length === 1 && tokens[0] === '') continue;
      if (tokens.length !== 1) {
        this.add(line, `expected 1 value, found ${tokens.length}`);
        continue;
      }
      const text = tokens[0]!;
      const v = parseDecimal(Buffer.from(text, 'latin1'), 0, text.length);
      if (v !== v) this.add(line, badCellReason(text.length > 60 ? `${text.slice(0, 60)}…` : text));
      else if (!Number.isInteger(v) || v < 0) this.add(line, `RUL must be a non-negative integer, found ${text}`);
      else this.values.push(v);
    }
  }
}
