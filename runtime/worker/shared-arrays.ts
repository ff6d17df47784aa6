/**
 * Float32Arrays packed into one SharedArrayBuffer, so the initial weights and optimizer state reach every worker
 * without a copy per worker (never JSON, never a structured clone of tensor data).
 */
export interface SharedArrays {
  readonly buffer: SharedArrayBuffer;
  readonly lengths: readonly number[];
}

export function packShared(arrays: readonly Float32Array[]): SharedArrays {
  const lengths = arrays.map((a) => a.length);
  const buffer = new SharedArrayBuffer(4 * lengths.reduce((a, b) => a + b, 0));
  const all = new Float32Array(buffer);
  let offset = 0;
  for (const a of arrays) {
    all.set(a, offset);
    offset += a.length;
  }
  return { buffer, lengths };
}

/** Views (no copies) of the packed arrays. */
export function unpackShared(shared: SharedArrays): Float32Array[] {
  let offset = 0;
  return shared.lengths.map((length) => {
    const view = new Float32Array(shared.buffer, 4 * offset, length);
    offset += length;
    return view;
  });
}
