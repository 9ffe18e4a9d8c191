/**
 * Protocol Buffers wire format, only what ONNX models need: varints (int32/int64/enum), 32- and
 * 64-bit fixed values, and length-delimited fields (strings, bytes, nested messages). Repeated
 * scalars are written unpacked, the canonical encoding of onnx.proto (proto2); the reader accepts
 * both packed and unpacked forms, as every protobuf parser must.
 */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH = 2;
export const WIRE_FIXED32 = 5;

const TWO_32 = 2 ** 32;
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** A growable byte buffer that encodes one message; nested messages are encoded separately. */
export class ProtoWriter {
  private buf = new Uint8Array(256);
  private len = 0;
  private readonly view8 = new DataView(new ArrayBuffer(8));

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  /** Unsigned varint of a non-negative safe integer. */
  private uvarint(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`varint out of range: ${n}`);
    let lo = n % TWO_32 >>> 0;
    let hi = Math.floor(n / TWO_32) >>> 0;
    while (hi > 0 || lo > 0x7f) {
      this.byte((lo & 0x7f) | 0x80);
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.byte(lo);
  }

  /** Signed 64-bit integer as a varint (two's complement, ten bytes when negative). */
  private int64Varint(n: number): void {
    if (!Number.isSafeInteger(n)) throw new RangeError(`int64 out of the safe integer range: ${n}`);
    if (n >= 0) {
      this.uvarint(n);
      return;
    }
    let v = BigInt.asUintN(64, BigInt(n));
    for (let i = 0; i < 9; i++) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v & 0x01n));
  }

  private tag(field: number, wire: number): void {
    this.uvarint(field * 8 + wire);
  }

  int64(field: number, n: number): this {
    this.tag(field, WIRE_VARINT);
    this.int64Varint(n);
    return this;
  }

  /** int32 and enum fields share the varint encoding of int64 (negative values take ten bytes). */
  int32(field: number, n: number): this {
    return this.int64(field, n);
  }

  float(field: number, x: number): this {
    this.tag(field, WIRE_FIXED32);
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 4).setFloat32(0, x, true);
    this.len += 4;
    return this;
  }

  double(field: number, x: number): this {
    this.tag(field, WIRE_FIXED64);
    this.view8.setFloat64(0, x, true);
    this.ensure(8);
    for (let i = 0; i < 8; i++) this.buf[this.len++] = this.view8.getUint8(i);
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.tag(field, WIRE_LENGTH);
    this.uvarint(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, textEncoder.encode(s));
  }

  message(field: number, encoded: Uint8Array): this {
    return this.bytes(field, encoded);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** One decoded field: varints as bigint (exact int64), fixed values as raw little-endian bytes. */
export type ProtoField =
  | { field: number; wire: typeof WIRE_VARINT; value: bigint }
  | { field: number; wire: typeof WIRE_FIXED64 | typeof WIRE_FIXED32 | typeof WIRE_LENGTH; value: Uint8Array };

export class ProtoDecodeError extends Error {}

function readUvarint(b: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= b.length) throw new ProtoDecodeError('truncated varint');
    const byte = b[pos++]!;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
  throw new ProtoDecodeError('varint longer than ten bytes');
}

/** Splits one encoded message into its fields, in order. Throws ProtoDecodeError on malformed input. */
export function decodeFields(b: Uint8Array): ProtoField[] {
  const out: ProtoField[] = [];
  let pos = 0;
  while (pos < b.length) {
    const [key, p1] = readUvarint(b, pos);
    pos = p1;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0) throw new ProtoDecodeError('field number 0');
    if (wire === WIRE_VARINT) {
      const [v, p2] = readUvarint(b, pos);
      pos = p2;
      out.push({ field, wire, value: v });
    } else if (wire === WIRE_FIXED64 || wire === WIRE_FIXED32) {
      const n = wire === WIRE_FIXED64 ? 8 : 4;
      if (pos + n > b.length) throw new ProtoDecodeError('truncated fixed-size field');
      out.push({ field, wire, value: b.subarray(pos, pos + n) });
      pos += n;
    } else if (wire === WIRE_LENGTH) {
      const [n, p2] = readUvarint(b, pos);
      pos = p2;
      const len = Number(n);
      if (pos + len > b.length) throw new ProtoDecodeError('truncated length-delimited field');
      out.push({ field, wire, value: b.subarray(pos, pos + len) });
      pos += len;
    } else {
      throw new ProtoDecodeError(`unsupported wire type ${wire}`);
    }
  }
  return out;
}

/** The signed value of an int64 varint. */
export function asInt64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/** Values of a repeated varint field whether written packed or unpacked. */
export function repeatedVarints(fields: readonly ProtoField[], field: number): bigint[] {
  const out: bigint[] = [];
  for (const f of fields) {
    if (f.field !== field) continue;
    if (f.wire === WIRE_VARINT) out.push(asInt64(f.value));
    else if (f.wire === WIRE_LENGTH) {
      let pos = 0;
      while (pos < f.value.length) {
        const [v, p] = readUvarint(f.value, pos);
        out.push(asInt64(v));
        pos = p;
      }
    }
  }
  return out;
}

export function utf8(b: Uint8Array): string {
  try {
    return textDecoder.decode(b);
  } catch {
    throw new ProtoDecodeError('string field is not UTF-8');
  }
}
