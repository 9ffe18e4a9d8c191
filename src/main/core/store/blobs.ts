/**
 * Typed arrays ↔ SQLite BLOBs. Bytes are stored in the host's order, which is little-endian on
 * every platform Prognos ships on (x64, arm64).
 */
import { createHash } from 'node:crypto';
import { PrognosError } from '../../../shared/errors';

export type ColumnType = 'int32' | 'float64';

/** A zero-copy Buffer view of a typed array's bytes, for binding as a BLOB. */
export function blobOf(array: ArrayBufferView): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

/**
 * The blob's bytes in an ArrayBuffer the caller owns alone. better-sqlite3 may hand back a Buffer
 * that is a slice of a larger (pooled) ArrayBuffer, possibly at an offset that is not a multiple of
 * the element size; a typed array cannot view such bytes, and a view of a shared pool would expose
 * (and, when transferred to a worker, detach) unrelated memory. Copy in both cases.
 */
function ownedBytes(blob: Uint8Array): ArrayBuffer {
  const backing = blob.buffer;
  if (backing instanceof ArrayBuffer && blob.byteOffset === 0 && blob.byteLength === backing.byteLength) {
    return backing;
  }
  const copy = new ArrayBuffer(blob.byteLength);
  new Uint8Array(copy).set(blob);
  return copy;
}

function checkLength(blob: Uint8Array, bytesPerElement: number, expected: number | undefined, what: string): number {
  if (blob.byteLength % bytesPerElement !== 0) {
    throw new PrognosError(
      'BAD_FILE',
      `${what}: ${blob.byteLength} bytes is not a whole number of ${bytesPerElement}-byte values`,
    );
  }
  const n = blob.byteLength / bytesPerElement;
  if (expected !== undefined && n !== expected) {
    throw new PrognosError('BAD_FILE', `${what}: holds ${n} values, expected ${expected}`);
  }
  return n;
}

/** An Int32Array of the blob's values; `expected` checks the value count; `what` names it in errors. */
export function int32FromBlob(blob: Uint8Array, expected?: number, what = 'column'): Int32Array {
  checkLength(blob, Int32Array.BYTES_PER_ELEMENT, expected, what);
  return new Int32Array(ownedBytes(blob));
}

/** A Float64Array of the blob's values; `expected` checks the value count; `what` names it in errors. */
export function float64FromBlob(blob: Uint8Array, expected?: number, what = 'column'): Float64Array {
  checkLength(blob, Float64Array.BYTES_PER_ELEMENT, expected, what);
  return new Float64Array(ownedBytes(blob));
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
