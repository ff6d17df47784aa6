import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from "node:fs";
import type { InitMessage, SharedDataset } from "../train/protocol.js";
import type { SharedArrays } from "../train/shared-arrays.js";

/** Where one buffer lies in the init file. */
interface Extent {
  readonly offset: number;
  readonly bytes: number;
}

type FileDataset = Omit<SharedDataset, "x" | "y"> & { readonly x: Extent; readonly y: Extent };

/** The init message as a device process receives it: JSON, every buffer replaced by its extent in the file. */
export interface FileInit extends Omit<
  InitMessage,
  "layout" | "weights" | "optimizerData" | "train" | "validation"
> {
  readonly file: string;
  readonly weights: { readonly data: Extent; readonly lengths: readonly number[] };
  readonly optimizerData: { readonly data: Extent; readonly lengths: readonly number[] };
  readonly train: FileDataset;
  readonly validation: FileDataset | null;
}

/**
 * Writes the data sets, initial weights and optimizer state of `init` to `file` once, for every device process
 * to read (no SharedArrayBuffer between processes; nothing per step); returns the message without its buffers.
 */
export function writeInitFile(init: InitMessage, file: string): Omit<FileInit, "rank"> {
  const fd = openSync(file, "w", 0o600);
  let offset = 0;
  const put = (buffer: ArrayBufferLike): Extent => {
    const bytes = new Uint8Array(buffer);
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
    const extent = { offset, bytes: bytes.length };
    offset += bytes.length;
    return extent;
  };
  const dataset = (ds: SharedDataset): FileDataset => ({ ...ds, x: put(ds.x), y: put(ds.y) });
  try {
    const { layout: _layout, rank: _rank, ...rest } = init;
    const result = {
      ...rest,
      file,
      train: dataset(init.train),
      validation: init.validation === null ? null : dataset(init.validation),
      weights: { data: put(init.weights.buffer), lengths: init.weights.lengths },
      optimizerData: { data: put(init.optimizerData.buffer), lengths: init.optimizerData.lengths },
    };
    fsyncSync(fd);
    return result;
  } finally {
    closeSync(fd);
  }
}

/** The child side: the init message with its buffers read back from the file. */
export function readInitFile(init: FileInit): Omit<InitMessage, "layout"> {
  const all = readFileSync(init.file);
  // Replica views these as SharedArrayBuffers (what threads share); within one process it is plain memory.
  const get = ({ offset, bytes }: Extent): SharedArrayBuffer => {
    const buffer = new SharedArrayBuffer(bytes);
    new Uint8Array(buffer).set(all.subarray(offset, offset + bytes));
    return buffer;
  };
  const dataset = (ds: FileDataset): SharedDataset => ({ ...ds, x: get(ds.x), y: get(ds.y) });
  const arrays = (a: FileInit["weights"]): SharedArrays => ({ buffer: get(a.data), lengths: a.lengths });
  const { file: _file, ...rest } = init;
  return {
    ...rest,
    train: dataset(init.train),
    validation: init.validation === null ? null : dataset(init.validation),
    weights: arrays(init.weights),
    optimizerData: arrays(init.optimizerData),
  };
}
