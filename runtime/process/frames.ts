/**
 * Control frames between the parent and a device process: `[u32 header bytes][u32 body bytes][JSON header]
 * [binary body]`, little-endian. The header is a small JSON control message; tensor data (batch indices,
 * weights, optimizer state) only ever travels in the binary body (`message-codec.ts` puts it there).
 */
export interface Frame {
  readonly header: unknown;
  readonly body: Uint8Array;
}

export function encodeFrame(header: unknown, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  return frameOf(JSON.stringify(header), body);
}

/** A frame whose header is JSON text already. */
export function frameOf(header: string, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length, true);
  view.setUint32(4, body.length, true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}

/**
 * Collects stream chunks and yields each complete frame, its header read by `parse` (which may read the body
 * too: `decodeMessage`), plain JSON by default.
 */
export class FrameReader {
  private chunks: Uint8Array[] = [];
  private buffered = 0;

  constructor(
    private readonly parse: (json: string, body: Uint8Array) => unknown = (json) => JSON.parse(json),
  ) {}

  push(chunk: Uint8Array): Frame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.buffered < 8) break;
      const head = this.peek(8);
      const view = new DataView(head.buffer, head.byteOffset, 8);
      const jsonLength = view.getUint32(0, true);
      const bodyLength = view.getUint32(4, true);
      const total = 8 + jsonLength + bodyLength;
      if (this.buffered < total) break;
      const all = this.take(total);
      // A fresh, aligned copy (a Node Buffer's slice is a view into a shared pool at any offset): bodies are
      // viewed as Float32Array / Uint32Array.
      const body = new Uint8Array(bodyLength);
      body.set(all.subarray(8 + jsonLength));
      const header = this.parse(new TextDecoder().decode(all.subarray(8, 8 + jsonLength)), body);
      frames.push({ header, body });
    }
    return frames;
  }

  private peek(n: number): Uint8Array {
    const first = this.chunks[0]!;
    if (first.length >= n) return first.subarray(0, n);
    return this.joined().subarray(0, n);
  }

  private joined(): Uint8Array {
    if (this.chunks.length === 1) return this.chunks[0]!;
    const all = new Uint8Array(this.buffered);
    let at = 0;
    for (const c of this.chunks) {
      all.set(c, at);
      at += c.length;
    }
    this.chunks = [all];
    return all;
  }

  private take(n: number): Uint8Array {
    const all = this.joined();
    const out = all.subarray(0, n);
    this.chunks = n < all.length ? [all.subarray(n)] : [];
    this.buffered -= n;
    return out;
  }
}
