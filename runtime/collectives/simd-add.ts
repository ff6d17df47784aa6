/**
 * A vectorised `dst[i] = a[i] + b[i]` over shared memory: a 100-byte hand-assembled WebAssembly module
 * (f32x4.add) whose memory IS the collectives' shared buffer. A plain JS loop sums about 2 GB/s here, a third
 * of memcpy, and would cap the all-reduce; the SIMD loop runs near memory bandwidth. Falls back to JS (null)
 * where WebAssembly SIMD or shared memory is missing.
 */

/** The few WebAssembly APIs used (the project's TS lib has no WebAssembly types). */
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
}
interface WasmApi {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
const PAGE = 65536;

function section(id: number, content: number[]): number[] {
  return [id, ...leb(content.length), ...content];
}

function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/**
 * (func (export "add2") (param dst a b nbytes) ...): 64 bytes (four f32x4) per iteration, using the memarg
 * offsets 0/16/32/48; nbytes must be a multiple of 64.
 */
function moduleBytes(): Uint8Array {
  const get = (i: number) => [0x20, i];
  const lane = (offset: number) => [
    ...[...get(0), ...get(4), 0x6a], // dst + i
    ...[...get(1), ...get(4), 0x6a, 0xfd, 0x00, 0x00, offset], // v128.load a + i + offset
    ...[...get(2), ...get(4), 0x6a, 0xfd, 0x00, 0x00, offset], // v128.load b + i + offset
    ...[0xfd, 0xe4, 0x01], // f32x4.add
    ...[0xfd, 0x0b, 0x00, offset], // v128.store dst + i + offset
  ];
  const body = [
    ...[0x01, 0x01, 0x7f], // one i32 local: the byte index
    ...[0x02, 0x40, 0x03, 0x40], // block, loop
    ...[...get(4), ...get(3), 0x4f, 0x0d, 0x01], // if i >= n: break
    ...lane(0),
    ...lane(16),
    ...lane(32),
    ...lane(48),
    ...[...get(4), 0x41, 0xc0, 0x00, 0x6a, 0x21, 0x04], // i += 64
    ...[0x0c, 0x00, 0x0b, 0x0b, 0x0b], // br loop; end loop; end block; end func
  ];
  const name = (s: string) => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [0x01, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x00]),
    ...section(2, [0x01, ...name("env"), ...name("memory"), 0x02, 0x03, 0x01, ...leb(65536)]),
    ...section(3, [0x01, 0x00]),
    ...section(7, [0x01, ...name("add2"), 0x00, 0x00]),
    ...section(10, [0x01, ...leb(body.length), ...body]),
  ]);
}

/** Shared memory of at least `bytes` bytes: a shared WebAssembly memory when possible, else a plain SAB. */
export function createSharedMemory(bytes: number): { memory: WasmMemory | null; buffer: SharedArrayBuffer } {
  if (wasm !== undefined) {
    try {
      const pages = Math.max(1, Math.ceil(bytes / PAGE));
      const memory = new wasm.Memory({ initial: pages, maximum: pages, shared: true });
      return { memory, buffer: memory.buffer };
    } catch {
      // No shared wasm memory here: the plain buffer and the JS loop still work.
    }
  }
  return { memory: null, buffer: new SharedArrayBuffer(bytes) };
}

export type Add2 = (dst: number, a: number, b: number, bytes: number) => void;

/**
 * The SIMD adder over `memory` (byte offsets; lengths a multiple of 64 bytes), or null when WebAssembly SIMD is
 * unavailable. `scratch` (64 bytes nobody else uses yet) serves to warm it up: V8 first runs wasm in its
 * baseline compiler, and a few thousand small calls get the optimised code in place before the first real sum.
 */
export function simdAdder(memory: WasmMemory | null, scratch: number): Add2 | null {
  if (memory === null || wasm === undefined) return null;
  try {
    const instance = new wasm.Instance(new wasm.Module(moduleBytes()), { env: { memory } });
    const add2 = instance.exports["add2"];
    if (typeof add2 !== "function") return null;
    const typed = add2 as Add2;
    for (let i = 0; i < 5000; i++) typed(scratch, scratch, scratch, 64);
    return typed;
  } catch {
    return null;
  }
}
