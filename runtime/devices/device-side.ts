import type { MeshEnds } from "../process/fifo-mesh.js";

/**
 * Where an entry module runs: a worker thread of the trainer's process (collectives and stage links over the
 * shared memory its messages carry), or a device process (over the named pipes of its mesh, open already).
 */
export type DeviceSide =
  | { readonly kind: "thread" }
  | {
      readonly kind: "process";
      /** This process's rank in the mesh: its position in the pool's `devices`. */
      readonly rank: number;
      readonly size: number;
      readonly mesh: MeshEnds;
      /** Floats per all-reduce bucket. */
      readonly bucket: number;
    };

/** A reply, and the buffers a worker thread may hand over instead of copying (ignored by processes). */
export interface Answer<Reply> {
  readonly reply: Reply;
  readonly transfer?: readonly ArrayBuffer[];
}

/**
 * An engine's device: what it does with each message. Messages are handled strictly in order (every device
 * must call the collectives in the same order); a throw becomes the `error` reply.
 */
export type DeviceHandler<Message, Reply> = (message: Message, side: DeviceSide) => Promise<Answer<Reply>>;
