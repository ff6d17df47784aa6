import { closeSync, openSync, readSync, writeSync } from "node:fs";
import { frameOf } from "./frames.js";

/**
 * Any engine's messages as frames, so the process transport carries what the thread transport carries
 * without knowing the messages: the header is the message as JSON, except that every typed array is replaced
 * by its place in the frame's binary body, and every SharedArrayBuffer (a data set, packed weights: what
 * threads share) by its extent in a file of the pool's folder, written once however many devices or
 * messages name it. Tensor data never travels as JSON. Keys begin with NUL: no user-chosen name can.
 */
const TYPED = "\u0000typed";
const SHARED = "\u0000shared";
/** Body segments start on 8-byte boundaries, so every typed array is viewed in place. */
const ALIGN = 8;

const ARRAYS = {
  Float32Array,
  Float64Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
} as const;
type ArrayName = keyof typeof ARRAYS;

/** Where one shared buffer lies in the pool's file. */
export interface Extent {
  readonly file: string;
  readonly offset: number;
  readonly bytes: number;
}

/** The parent's file of shared buffers: each buffer written the first time a message names it. */
export class SharedFile {
  private readonly extents = new WeakMap<SharedArrayBuffer, Extent>();
  private fd = -1;
  private size = 0;

  constructor(readonly path: string) {}

  put(buffer: SharedArrayBuffer): Extent {
    const known = this.extents.get(buffer);
    if (known !== undefined) return known;
    if (this.fd < 0) this.fd = openSync(this.path, "w", 0o600);
    const bytes = new Uint8Array(buffer);
    for (let at = 0; at < bytes.length;)
      at += writeSync(this.fd, bytes, at, bytes.length - at, this.size + at);
    const extent = { file: this.path, offset: this.size, bytes: bytes.length };
    this.size += bytes.length;
    this.extents.set(buffer, extent);
    return extent;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/** `message` as one frame; SharedArrayBuffers go to `shared` (a device's replies have none). */
export function encodeMessage(message: unknown, shared?: SharedFile): Uint8Array {
  const parts: { at: number; bytes: Uint8Array }[] = [];
  let length = 0;
  const json = JSON.stringify(message, (_key, value: unknown) => {
    if (ArrayBuffer.isView(value)) {
      const name = value.constructor.name;
      if (!(name in ARRAYS)) throw new Error(`device message: cannot send a ${name}`);
      const at = length;
      parts.push({ at, bytes: new Uint8Array(value.buffer, value.byteOffset, value.byteLength) });
      length += Math.ceil(value.byteLength / ALIGN) * ALIGN;
      return { [TYPED]: [name, at, (value as unknown as { length: number }).length] };
    }
    if (value instanceof SharedArrayBuffer) {
      if (shared === undefined) throw new Error("device message: a device process cannot share memory");
      return { [SHARED]: shared.put(value) };
    }
    if (
      value instanceof ArrayBuffer ||
      Object.prototype.toString.call(value) === "[object WebAssembly.Memory]"
    )
      throw new Error("device message: an ArrayBuffer or a wasm Memory cannot cross processes");
    return value;
  });
  const body = new Uint8Array(length);
  for (const { at, bytes } of parts) body.set(bytes, at);
  return frameOf(json, body);
}

/** A frame's header back as the message: typed arrays viewed in `body`, shared buffers read from their file. */
export function decodeMessage(json: string, body: Uint8Array): unknown {
  return JSON.parse(json, (_key, value: unknown) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
    const typed = (value as Record<string, unknown>)[TYPED] as [ArrayName, number, number] | undefined;
    if (typed !== undefined) {
      const [name, at, n] = typed;
      return new ARRAYS[name](body.buffer as ArrayBuffer, body.byteOffset + at, n);
    }
    const extent = (value as Record<string, unknown>)[SHARED] as Extent | undefined;
    return extent === undefined ? value : readShared(extent);
  });
}

/** Within one process memory is not shared, but the code that reads it expects a SharedArrayBuffer. */
function readShared({ file, offset, bytes }: Extent): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(bytes);
  const into = new Uint8Array(buffer);
  const fd = openSync(file, "r");
  try {
    for (let at = 0; at < bytes;) {
      const n = readSync(fd, into, at, bytes - at, offset + at);
      if (n === 0) throw new Error(`device message: ${file} ends before byte ${offset + bytes}`);
      at += n;
    }
  } finally {
    closeSync(fd);
  }
  return buffer;
}
