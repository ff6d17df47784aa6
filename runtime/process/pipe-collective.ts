import { readSync, writeSync } from "node:fs";
import {
  type BucketConsume,
  type BucketFill,
  type Collective,
  CollectiveAborted,
} from "../collectives/collective.js";
import { bucketedRanges, partition } from "../collectives/shared-memory-collective.js";
import type { MeshEnds } from "./fifo-mesh.js";

/**
 * Bytes per blocking write. A Linux pipe holds 64 KiB; a rank writes piece k only after reading piece k-1 from
 * its own source, so with pieces of half that, a writer blocked on a full pipe means its reader is at least two
 * pieces behind, which cannot hold all the way round a cycle of ranks: the exchange never deadlocks.
 */
const PIECE = 32768;

function bytesOf(data: Float32Array | Int32Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function aborted(error: unknown): never {
  const code = (error as { code?: string }).code;
  throw new CollectiveAborted(`collective aborted: a peer process is gone (${code ?? String(error)})`);
}

function writePiece(fd: number, bytes: Uint8Array, from: number, to: number): void {
  let at = from;
  try {
    while (at < to) at += writeSync(fd, bytes, at, to - at);
  } catch (error) {
    aborted(error);
  }
}

function readPiece(fd: number, bytes: Uint8Array, from: number, to: number): void {
  let at = from;
  while (at < to) {
    let n: number;
    try {
      n = readSync(fd, bytes, at, to - at, null);
    } catch (error) {
      aborted(error);
    }
    if (n === 0) throw new CollectiveAborted("collective aborted: a peer process closed its pipe");
    at += n;
  }
}

/** Sends `out` on `sendFd` while receiving `into` from `recvFd`, piece by piece, so neither side blocks forever. */
function exchange(sendFd: number, out: Uint8Array, recvFd: number, into: Uint8Array): void {
  let sent = 0;
  let got = 0;
  while (sent < out.length || got < into.length) {
    if (sent < out.length) {
      const next = Math.min(out.length, sent + PIECE);
      writePiece(sendFd, out, sent, next);
      sent = next;
    }
    if (got < into.length) {
      const next = Math.min(into.length, got + PIECE);
      readPiece(recvFd, into, got, next);
      got = next;
    }
  }
}

/**
 * The `Collective` of one process over a full mesh of named pipes, with blocking reads and writes (so it can be
 * called inside a tfjs pass like the shared-memory one). All-reduce is reduce-scatter + all-gather, bucket by
 * bucket, with the partitions of `SharedMemoryCollective`: rank r receives partition r from every peer and
 * sums it in rank order, so each element is summed in the same order as by the thread transport (bitwise the
 * same result on every rank, and as the threads). Round s pairs rank r with r+s (send) and r-s (receive).
 */
export class PipeCollective implements Collective {
  private readonly mine: Float32Array;
  private readonly result: Float32Array;
  /** One receive slot per rank (this rank's is unused), sized for the largest partition. */
  private readonly slots: Float32Array[];
  private readonly word = new Int32Array(1);
  private readonly peerWord = new Int32Array(1);

  constructor(
    private readonly ends: MeshEnds,
    readonly rank: number,
    readonly size: number,
    private readonly capacity = 1 << 20,
  ) {
    this.mine = new Float32Array(capacity);
    this.result = new Float32Array(capacity);
    const [lo, hi] = partition(capacity, size, 0);
    this.slots = Array.from({ length: size }, (_, r) => new Float32Array(r === rank ? 0 : hi - lo));
  }

  private to(s: number): number {
    return (this.rank + s) % this.size;
  }

  private from(s: number): number {
    return (this.rank - s + this.size) % this.size;
  }

  private swap(s: number, out: Uint8Array, into: Uint8Array): void {
    exchange(this.ends.send[this.to(s)]!, out, this.ends.recv[this.from(s)]!, into);
  }

  barrier(): void {
    for (let s = 1; s < this.size; s++) this.swap(s, bytesOf(this.word), bytesOf(this.peerWord));
  }

  allReduceSum(data: Float32Array): void {
    if (this.size === 1) return;
    this.allReduceSumWith(
      data.length,
      (slot, start) => slot.set(data.subarray(start, start + slot.length)),
      (sum, start) => data.set(sum, start),
    );
  }

  allReduceSumWith(length: number, fill: BucketFill, consume: BucketConsume): void {
    for (let start = 0; start < length; start += this.capacity) {
      const n = Math.min(this.capacity, length - start);
      this.reduceBucket(n, start, fill);
      if (this.size > 1) this.gatherBucket(n);
      consume(this.result.subarray(0, n), start);
    }
  }

  ownedRanges(length: number): Array<[number, number]> {
    return bucketedRanges(length, this.capacity, this.size, this.rank);
  }

  reduceScatterSumWith(length: number, fill: BucketFill, own: BucketConsume): void {
    for (let start = 0; start < length; start += this.capacity) {
      const n = Math.min(this.capacity, length - start);
      this.reduceBucket(n, start, fill);
      const [lo, hi] = partition(n, this.size, this.rank);
      if (lo < hi) own(this.result.subarray(lo, hi), start + lo);
    }
  }

  allGatherWith(length: number, produce: BucketFill, consume: BucketConsume): void {
    for (let start = 0; start < length; start += this.capacity) {
      const n = Math.min(this.capacity, length - start);
      const [lo, hi] = partition(n, this.size, this.rank);
      if (lo < hi) produce(this.result.subarray(lo, hi), start + lo);
      if (this.size > 1) this.gatherBucket(n);
      consume(this.result.subarray(0, n), start);
    }
  }

  /** Fills this rank's bucket and leaves partition `rank` of the sum in `result` (the whole sum on one rank). */
  private reduceBucket(n: number, start: number, fill: BucketFill): void {
    const mine = this.mine.subarray(0, n);
    fill(mine, start);
    if (this.size === 1) {
      this.result.set(mine);
      return;
    }
    const [lo, hi] = partition(n, this.size, this.rank);
    for (let s = 1; s < this.size; s++) {
      const [tlo, thi] = partition(n, this.size, this.to(s));
      this.swap(s, bytesOf(mine.subarray(tlo, thi)), bytesOf(this.slots[this.from(s)]!.subarray(0, hi - lo)));
    }
    this.sumPartition(lo, hi);
  }

  /** Sends partition `rank` of `result` to every peer and receives theirs into place. */
  private gatherBucket(n: number): void {
    const [lo, hi] = partition(n, this.size, this.rank);
    for (let s = 1; s < this.size; s++) {
      const [flo, fhi] = partition(n, this.size, this.from(s));
      this.swap(s, bytesOf(this.result.subarray(lo, hi)), bytesOf(this.result.subarray(flo, fhi)));
    }
  }

  /** result[lo..hi) = Σ_r part_r, in rank order (the order SharedMemoryCollective sums in). */
  private sumPartition(lo: number, hi: number): void {
    const out = this.result;
    const part = (r: number): Float32Array =>
      r === this.rank ? this.mine.subarray(lo, hi) : this.slots[r]!.subarray(0, hi - lo);
    const a = part(0);
    const b = part(1);
    const n = hi - lo;
    for (let i = 0; i < n; i++) out[lo + i] = a[i]! + b[i]!;
    for (let r = 2; r < this.size; r++) {
      const p = part(r);
      for (let i = 0; i < n; i++) out[lo + i]! += p[i]!;
    }
  }

  broadcast(data: Float32Array, root: number): void {
    if (this.size === 1) return;
    const bytes = bytesOf(data);
    if (this.rank === root) {
      for (let s = 1; s < this.size; s++) {
        const fd = this.ends.send[this.to(s)]!;
        for (let at = 0; at < bytes.length; at += PIECE)
          writePiece(fd, bytes, at, Math.min(bytes.length, at + PIECE));
      }
    } else readPiece(this.ends.recv[root]!, bytes, 0, bytes.length);
  }

  allGather(local: Float32Array, out: Float32Array): void {
    if (this.size === 1) {
      out.set(local);
      return;
    }
    const lengths = new Int32Array(this.size);
    lengths[this.rank] = local.length;
    for (let s = 1; s < this.size; s++) {
      const f = this.from(s);
      this.swap(s, bytesOf(lengths.subarray(this.rank, this.rank + 1)), bytesOf(lengths.subarray(f, f + 1)));
    }
    const offsets = new Int32Array(this.size);
    for (let r = 1; r < this.size; r++) offsets[r] = offsets[r - 1]! + lengths[r - 1]!;
    out.set(local, offsets[this.rank]!);
    for (let s = 1; s < this.size; s++) {
      const f = this.from(s);
      this.swap(s, bytesOf(local), bytesOf(out.subarray(offsets[f]!, offsets[f]! + lengths[f]!)));
    }
  }
}
