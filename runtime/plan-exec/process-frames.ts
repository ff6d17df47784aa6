import { readFileSync } from "node:fs";
import { encodeFrame, packFloats, unpackFloats } from "../process/index.js";
import type { NamedArray } from "../train/optimizer.js";
import { packShared, unpackShared } from "../train/shared-arrays.js";
import type { SlotShard } from "./optimizer-shards.js";
import type { ReplicaInit } from "./plan-replica.js";
import type { FromPlanWorker, LayerShard, PlanInit, ToPlanWorker } from "./protocol.js";
import type { SharedDataset } from "./rows.js";

/**
 * The plan executor's messages as frames between the parent and a device process: JSON headers for control,
 * every float in the binary body. The training set is written once to a file all devices read.
 */
export type FileDataset = Omit<SharedDataset, "x" | "y"> & {
  readonly file: string;
  readonly xBytes: number;
  readonly yBytes: number;
};

type InitHeader = Omit<ReplicaInit, "weights" | "optimizerData" | "train"> & {
  readonly type: "init";
  /** Every device of the plan in mesh-rank order. */
  readonly devices: readonly number[];
  readonly weights: readonly number[];
  readonly optimizerData: readonly number[];
  readonly train: FileDataset;
};

export type PlanChildMessage = InitHeader | { type: "step"; step: number } | { type: "shards" | "held" };

type Sized<T> = Omit<T, "data" | "weights"> & { readonly lengths: readonly number[] };

interface ShardsHeader {
  readonly type: "shards";
  readonly shards: readonly Sized<LayerShard>[];
  readonly iterations: Sized<NamedArray> | null;
  readonly slots: readonly Sized<SlotShard>[];
}

/** Parent side: one device's message as a frame (`train` already written to `dataset.file`). */
export function encodeToChild(
  message: ToPlanWorker,
  devices: readonly number[],
  dataset: FileDataset,
): Uint8Array {
  switch (message.type) {
    case "init": {
      const { stageLayout: _s, mailbox: _m, weights, optimizerData, train: _t, ...rest } = message;
      const header: InitHeader = {
        ...rest,
        devices,
        weights: weights.lengths,
        optimizerData: optimizerData.lengths,
        train: dataset,
      };
      return encodeFrame(header, packFloats([...unpackShared(weights), ...unpackShared(optimizerData)]));
    }
    case "step": {
      const i = message.indices;
      return encodeFrame(
        { type: "step", step: message.step },
        new Uint8Array(i.buffer, i.byteOffset, i.byteLength),
      );
    }
    default:
      return encodeFrame(message);
  }
}

/** Child side: the init frame back as the replica's init (plain memory: one process). */
export function decodeInit(header: InitHeader, body: Uint8Array): ReplicaInit {
  const arrays = unpackFloats(body, [...header.weights, ...header.optimizerData]);
  const { devices: _d, type: _t, train, ...rest } = header;
  const file = readFileSync(train.file);
  const copy = (from: number, bytes: number): SharedArrayBuffer => {
    const buffer = new SharedArrayBuffer(bytes);
    new Uint8Array(buffer).set(file.subarray(from, from + bytes));
    return buffer;
  };
  const { file: _f, xBytes, yBytes, ...shape } = train;
  return {
    ...rest,
    weights: packShared(arrays.slice(0, header.weights.length)),
    optimizerData: packShared(arrays.slice(header.weights.length)),
    train: { ...shape, x: copy(0, xBytes), y: copy(xBytes, yBytes) },
  } satisfies Omit<PlanInit, "type" | "stageLayout" | "mailbox">;
}

/** Child side: the `shards` reply with its floats in the body. */
export function encodeShards(
  shards: readonly LayerShard[],
  iterations: NamedArray | null,
  slots: readonly SlotShard[],
): Uint8Array {
  const header: ShardsHeader = {
    type: "shards",
    shards: shards.map(({ weights, ...s }) => ({ ...s, lengths: weights.map((w) => w.length) })),
    iterations: iterations === null ? null : { ...dropData(iterations), lengths: [iterations.data.length] },
    slots: slots.map((s) => ({ ...dropData(s), lengths: [s.data.length] })),
  };
  const arrays = [
    ...shards.flatMap((s) => s.weights),
    ...(iterations === null ? [] : [iterations.data]),
    ...slots.map((s) => s.data),
  ];
  return encodeFrame(header, packFloats(arrays));
}

function dropData<T extends { data: Float32Array }>(value: T): Omit<T, "data"> {
  const { data: _data, ...rest } = value;
  return rest;
}

/** Parent side: a device's reply frame as the worker thread's reply. */
export function decodeFromChild(header: unknown, body: Uint8Array): FromPlanWorker {
  const h = header as FromPlanWorker | ShardsHeader;
  if (h.type !== "shards") return h;
  const s = h as ShardsHeader;
  const lengths = [
    ...s.shards.flatMap((x) => x.lengths),
    ...(s.iterations?.lengths ?? []),
    ...s.slots.flatMap((x) => x.lengths),
  ];
  const arrays = unpackFloats(body, lengths);
  let at = 0;
  const take = (n: number): Float32Array[] => arrays.slice(at, (at += n));
  const shards = s.shards.map(({ lengths: l, ...rest }) => ({ ...rest, weights: take(l.length) }));
  const iterations = s.iterations === null ? null : { ...dropLengths(s.iterations), data: take(1)[0]! };
  const slots = s.slots.map((x) => ({ ...dropLengths(x), data: take(1)[0]! }));
  return { type: "shards", shards, iterations, slots };
}

function dropLengths<T extends { lengths: readonly number[] }>(value: T): Omit<T, "lengths"> {
  const { lengths: _lengths, ...rest } = value;
  return rest;
}
