/**
 * The collectives every replica calls in the same order. Synchronous on purpose: a worker can call them in the
 * middle of a tfjs forward or backward pass (SyncBatchNormalization does), where no promise could be awaited.
 * Implementations: shared memory between threads (`SharedMemoryCollective`), one rank (`LocalCollective`); a
 * process transport over binary frames can implement the same interface.
 */
export type BucketFill = (slot: Float32Array, start: number) => void;
export type BucketConsume = (sum: Float32Array, start: number) => void;

export interface Collective {
  readonly rank: number;
  readonly size: number;
  /** Replaces `data` on every rank by the elementwise sum over ranks; every rank gets bitwise the same result. */
  allReduceSum(data: Float32Array): void;
  /**
   * The same sum without staging copies, bucket by bucket: `fill(slot, start)` writes this rank's elements
   * [start, start + slot.length) into `slot`; `consume(sum, start)` reads the summed elements, valid only
   * during the call.
   */
  allReduceSumWith(length: number, fill: BucketFill, consume: BucketConsume): void;
  /**
   * The elements of a `length`-long vector this rank owns in `reduceScatterSumWith` and `allGatherWith`:
   * disjoint `[start, end)` ranges, ascending; every element is owned by exactly one rank.
   */
  ownedRanges(length: number): Array<[number, number]>;
  /**
   * The all-reduce's first half: `fill` as in `allReduceSumWith`, then `own(sum, start)` once per owned range
   * with the summed elements [start, start + sum.length) (valid only during the call). The same sums, bit for
   * bit, as `allReduceSumWith` gives.
   */
  reduceScatterSumWith(length: number, fill: BucketFill, own: BucketConsume): void;
  /**
   * The all-reduce's second half: `produce(part, start)` writes this rank's owned elements
   * [start, start + part.length) into `part`; `consume(all, start)` then reads every rank's, bucket by bucket.
   */
  allGatherWith(length: number, produce: BucketFill, consume: BucketConsume): void;
  /** Copies `data` of rank `root` into `data` on every rank. */
  broadcast(data: Float32Array, root: number): void;
  /** Concatenates every rank's `local` (lengths may differ) into `out`, in rank order, on every rank. */
  allGather(local: Float32Array, out: Float32Array): void;
  barrier(): void;
}

/** Thrown inside a replica when another one died and the run was aborted. */
export class CollectiveAborted extends Error {
  constructor(message = "collective aborted: another device failed") {
    super(message);
    this.name = "CollectiveAborted";
  }
}

/** A single replica: every collective is the identity. */
export class LocalCollective implements Collective {
  readonly rank = 0;
  readonly size = 1;
  allReduceSum(): void {}
  allReduceSumWith(length: number, fill: BucketFill, consume: BucketConsume): void {
    const all = new Float32Array(length);
    fill(all, 0);
    consume(all, 0);
  }
  ownedRanges(length: number): Array<[number, number]> {
    return length > 0 ? [[0, length]] : [];
  }
  reduceScatterSumWith(length: number, fill: BucketFill, own: BucketConsume): void {
    this.allReduceSumWith(length, fill, own);
  }
  allGatherWith(length: number, produce: BucketFill, consume: BucketConsume): void {
    this.allReduceSumWith(length, produce, consume);
  }
  broadcast(): void {}
  allGather(local: Float32Array, out: Float32Array): void {
    out.set(local);
  }
  barrier(): void {}
}
