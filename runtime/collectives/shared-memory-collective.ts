import { type BucketConsume, type BucketFill, type Collective, CollectiveAborted } from "./collective.js";
import { type Add2, type WasmMemory, createSharedMemory, simdAdder } from "./simd-add.js";

/** Control words in the Int32 control buffer. */
const COUNT = 0;
const GENERATION = 1;
const ABORT = 2;
const CONTROL_WORDS = 16;
/** allGather: each rank publishes its part's length in the control words after these. */
const LENGTHS = CONTROL_WORDS;
/** Partitions start on 64-byte boundaries so two ranks never write one cache line. */
const ALIGN = 16;
/** Spin briefly before sleeping: a step's barriers are microseconds apart when the ranks are balanced. */
const SPINS = 2000;
const WAIT_MS = 50;

/** The shared buffers of one group, created by the parent and handed to every worker. */
export interface SharedLayout {
  readonly size: number;
  /** Floats per rank per bucket. */
  readonly capacity: number;
  readonly control: SharedArrayBuffer;
  /** Slots then the result area; `memory`'s buffer when SIMD summing is available. */
  readonly data: SharedArrayBuffer;
  readonly memory: WasmMemory | null;
}

export function createSharedLayout(size: number, capacity = 1 << 20): SharedLayout {
  const { memory, buffer } = createSharedMemory(4 * capacity * (size + 1));
  return {
    size,
    capacity,
    control: new SharedArrayBuffer(4 * (CONTROL_WORDS + size)),
    data: buffer,
    memory,
  };
}

/** Marks the group aborted and wakes every waiter, so surviving replicas stop instead of waiting forever. */
export function abortShared(layout: SharedLayout): void {
  const control = new Int32Array(layout.control);
  Atomics.store(control, ABORT, 1);
  Atomics.add(control, GENERATION, 1);
  Atomics.notify(control, GENERATION);
}

/** The bounds of rank r's share of n elements. */
export function partition(n: number, size: number, r: number): [number, number] {
  const per = Math.ceil(n / size / ALIGN) * ALIGN;
  return [Math.min(n, r * per), Math.min(n, (r + 1) * per)];
}

/** The ranges of a `length`-long vector that rank r owns when it goes through buckets of `capacity` floats. */
export function bucketedRanges(
  length: number,
  capacity: number,
  size: number,
  r: number,
): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let start = 0; start < length; start += capacity) {
    const [lo, hi] = partition(Math.min(capacity, length - start), size, r);
    if (lo < hi) out.push([start + lo, start + hi]);
  }
  return out;
}

/**
 * Reduce-scatter then all-gather through shared memory: every rank copies its bucket into its own slot, rank r
 * sums partition r over all slots (in rank order, so every element is summed in one fixed order) into the
 * result area, and every rank copies the result back. The summing is spread evenly over the ranks.
 */
export class SharedMemoryCollective implements Collective {
  readonly size: number;
  private readonly control: Int32Array;
  private readonly slots: Float32Array[];
  private readonly result: Float32Array;
  private readonly capacity: number;
  private readonly add2: Add2 | null;

  constructor(
    layout: SharedLayout,
    readonly rank: number,
  ) {
    this.size = layout.size;
    this.capacity = layout.capacity;
    this.control = new Int32Array(layout.control);
    const data = layout.memory?.buffer ?? layout.data;
    this.slots = [];
    for (let r = 0; r < layout.size; r++) {
      this.slots.push(new Float32Array(data, 4 * r * layout.capacity, layout.capacity));
    }
    this.result = new Float32Array(data, 4 * layout.size * layout.capacity, layout.capacity);
    // The result area is scratch until the first barrier, which needs this rank too.
    this.add2 = simdAdder(layout.memory, this.result.byteOffset);
  }

  barrier(): void {
    const c = this.control;
    const generation = Atomics.load(c, GENERATION);
    if (Atomics.load(c, ABORT) !== 0) throw new CollectiveAborted();
    if (Atomics.add(c, COUNT, 1) === this.size - 1) {
      Atomics.store(c, COUNT, 0);
      Atomics.add(c, GENERATION, 1);
      Atomics.notify(c, GENERATION);
      return;
    }
    for (let i = 0; i < SPINS; i++) if (Atomics.load(c, GENERATION) !== generation) return this.checkAbort();
    while (Atomics.load(c, GENERATION) === generation) Atomics.wait(c, GENERATION, generation, WAIT_MS);
    this.checkAbort();
  }

  private checkAbort(): void {
    if (Atomics.load(this.control, ABORT) !== 0) throw new CollectiveAborted();
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
      if (this.size === 1) {
        consume(this.slots[this.rank]!.subarray(0, n), start);
        continue;
      }
      this.barrier();
      consume(this.result.subarray(0, n), start);
      // The next bucket may only overwrite the slots and the result once everyone has read this one.
      this.barrier();
    }
  }

  ownedRanges(length: number): Array<[number, number]> {
    return bucketedRanges(length, this.capacity, this.size, this.rank);
  }

  /** Two barriers a bucket: after every slot is filled, and before the slots and result are reused. */
  reduceScatterSumWith(length: number, fill: BucketFill, own: BucketConsume): void {
    for (let start = 0; start < length; start += this.capacity) {
      const n = Math.min(this.capacity, length - start);
      const [lo, hi] = this.reduceBucket(n, start, fill);
      const sums = this.size === 1 ? this.slots[this.rank]! : this.result;
      if (lo < hi) own(sums.subarray(lo, hi), start + lo);
      if (this.size > 1) this.barrier();
    }
  }

  /**
   * Fills this rank's slot with the bucket at `start` and, once every slot is filled, sums partition `rank` of
   * them into the result area; returns that partition. One rank's slot is its own sum (the whole bucket).
   */
  private reduceBucket(n: number, start: number, fill: BucketFill): [number, number] {
    fill(this.slots[this.rank]!.subarray(0, n), start);
    if (this.size === 1) return [0, n];
    this.barrier();
    const [lo, hi] = partition(n, this.size, this.rank);
    this.sumPartition(lo, hi);
    return [lo, hi];
  }

  /** Each rank writes its partition of the result area, then everyone reads all of it. */
  allGatherWith(length: number, produce: BucketFill, consume: BucketConsume): void {
    for (let start = 0; start < length; start += this.capacity) {
      const n = Math.min(this.capacity, length - start);
      const [lo, hi] = this.size === 1 ? [0, n] : partition(n, this.size, this.rank);
      if (lo < hi) produce(this.result.subarray(lo, hi), start + lo);
      if (this.size > 1) this.barrier();
      consume(this.result.subarray(0, n), start);
      if (this.size > 1) this.barrier();
    }
  }

  /** result[lo..hi) = Σ_r slot_r[lo..hi), in rank order. */
  private sumPartition(lo: number, hi: number): void {
    const out = this.result;
    const slots = this.slots;
    let done = lo;
    if (this.add2 !== null) {
      // Whole 16-float blocks by SIMD; partitions start 64-byte aligned (ALIGN), only the tail is left.
      done = lo + ((hi - lo) & ~15);
      const bytes = 4 * (done - lo);
      const at = (view: Float32Array) => view.byteOffset + 4 * lo;
      if (bytes > 0) {
        this.add2(at(out), at(slots[0]!), at(slots[1]!), bytes);
        for (let r = 2; r < this.size; r++) this.add2(at(out), at(out), at(slots[r]!), bytes);
      }
    }
    if (done < hi) {
      const a = slots[0]!;
      const b = slots[1]!;
      for (let i = done; i < hi; i++) out[i] = a[i]! + b[i]!;
      for (let r = 2; r < this.size; r++) {
        const slot = slots[r]!;
        for (let i = done; i < hi; i++) out[i]! += slot[i]!;
      }
    }
  }

  broadcast(data: Float32Array, root: number): void {
    if (this.size === 1) return;
    for (let start = 0; start < data.length; start += this.capacity) {
      const bucket = data.subarray(start, Math.min(data.length, start + this.capacity));
      if (this.rank === root) this.result.set(bucket);
      this.barrier();
      if (this.rank !== root) bucket.set(this.result.subarray(0, bucket.length));
      this.barrier();
    }
  }

  allGather(local: Float32Array, out: Float32Array): void {
    if (this.size === 1) {
      out.set(local);
      return;
    }
    if (local.length > this.capacity)
      throw new Error("allGather: local part larger than the bucket capacity");
    const lengths = this.control;
    Atomics.store(lengths, LENGTHS + this.rank, local.length);
    this.slots[this.rank]!.set(local);
    this.barrier();
    let offset = 0;
    for (let r = 0; r < this.size; r++) {
      const len = Atomics.load(lengths, LENGTHS + r);
      out.set(this.slots[r]!.subarray(0, len), offset);
      offset += len;
    }
    this.barrier();
  }
}
