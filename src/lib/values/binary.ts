/**
 * Little-endian byte writing and reading for the value codec: a writer that batches small fields in a
 * scratch buffer and streams large payloads to a sink untouched, and a bounds-checked reader.
 * Client-safe.
 */

/** Where encoded bytes go. `transient` chunks are reused by the writer after the call and must be copied. */
export interface ByteSink {
  write(bytes: Uint8Array, transient: boolean): void;
}

export class ValueCodecError extends Error {
  readonly code = "VALUE_CODEC";
  constructor(message: string) {
    super(message);
    this.name = "ValueCodecError";
  }
}

export const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

/** The bytes of a typed array in little-endian order: a view on LE hosts, a swapped copy elsewhere. */
export function leBytes(a: ArrayBufferView & { BYTES_PER_ELEMENT: number }): Uint8Array {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return LITTLE_ENDIAN_HOST || a.BYTES_PER_ELEMENT === 1 ? bytes : swapped(bytes, a.BYTES_PER_ELEMENT);
}

export function swapped(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += size)
    for (let j = 0; j < size; j++) out[i + j] = bytes[i + size - 1 - j]!;
  return out;
}

/** Buffers small fields and streams large payloads straight to the sink. */
export class ByteWriter {
  private readonly scratch = new Uint8Array(4096);
  private readonly view = new DataView(this.scratch.buffer);
  private pos = 0;
  constructor(private readonly sink: ByteSink) {}

  private room(n: number): void {
    if (this.pos + n > this.scratch.length) this.flush();
  }
  flush(): void {
    if (this.pos > 0) this.sink.write(this.scratch.subarray(0, this.pos), true);
    this.pos = 0;
  }
  u8(n: number): void {
    this.room(1);
    this.view.setUint8(this.pos, n);
    this.pos += 1;
  }
  u32(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new ValueCodecError(`not a u32: ${n}`);
    this.room(4);
    this.view.setUint32(this.pos, n, true);
    this.pos += 4;
  }
  i32(n: number): void {
    this.room(4);
    this.view.setInt32(this.pos, n, true);
    this.pos += 4;
  }
  f64(n: number): void {
    this.room(8);
    this.view.setFloat64(this.pos, n, true);
    this.pos += 8;
  }
  str(s: string): void {
    const b = utf8.encode(s);
    this.u32(b.length);
    this.bytes(b, false);
  }
  /** Payload bytes; small ones go through the scratch buffer to keep sink calls few. */
  bytes(b: Uint8Array, transient: boolean): void {
    if (b.length <= 256) {
      this.room(b.length);
      this.scratch.set(b, this.pos);
      this.pos += b.length;
      return;
    }
    this.flush();
    this.sink.write(b, transient);
  }
  typed(a: ArrayBufferView & { BYTES_PER_ELEMENT: number }): void {
    // Values are immutable once produced, so their data is not transient: sinks may keep the view.
    this.bytes(leBytes(a), false);
  }
}

export class ByteReader {
  private readonly view: DataView;
  pos = 0;
  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new ValueCodecError("truncated value");
  }
  u8(): number {
    this.need(1);
    return this.view.getUint8(this.pos++);
  }
  u32(): number {
    this.need(4);
    const n = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return n;
  }
  i32(): number {
    this.need(4);
    const n = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return n;
  }
  f64(): number {
    this.need(8);
    const n = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return n;
  }
  /** A fresh, aligned copy, so typed arrays can be built over it. */
  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  str(): string {
    const n = this.u32();
    this.need(n);
    const s = utf8Decoder.decode(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
}
