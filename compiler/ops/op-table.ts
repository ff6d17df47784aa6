import { relu, sigmoid, tanh, softmax, gelu } from "./activations.js";
import { attention, positionEmbedding } from "./attention.js";
import { conv2d, depthwiseConv2d } from "./conv2d.js";
import { dense } from "./dense.js";
import { dropout } from "./dropout.js";
import { embedding } from "./embedding.js";
import { add, concat, multiply } from "./merging.js";
import { batchnorm, layernorm } from "./normalization.js";
import type { OpSpec } from "./op-spec.js";
import { avgpool2d, globalAvgPool2d, globalMaxPool2d, maxpool2d, zeropad2d } from "./pooling.js";
import { flatten, reshape } from "./reshaping.js";

const ALL = [
  dense,
  conv2d,
  depthwiseConv2d,
  maxpool2d,
  avgpool2d,
  globalAvgPool2d,
  globalMaxPool2d,
  zeropad2d,
  batchnorm,
  layernorm,
  dropout,
  flatten,
  reshape,
  relu,
  sigmoid,
  tanh,
  softmax,
  gelu,
  add,
  multiply,
  concat,
  embedding,
  attention,
  positionEmbedding,
] as const;

/** Every spec, each with its literal name and argument schema (what `OpAttrs` is derived from). */
export type AnyOpSpec = (typeof ALL)[number];

/**
 * Every layer's name. Each backend translates ops through a table declared `satisfies Record<OpName, ...>`, so
 * an op added here that some backend lacks does not type-check, and the error names the backend's table.
 */
export type OpName = AnyOpSpec["name"];

/** The op table: every layer of LANGUAGE.md, by name. Adding a layer = one file in this folder + one row here. */
export const OPS: ReadonlyMap<string, OpSpec> = new Map<string, OpSpec>(ALL.map((op) => [op.name, op]));

/** Whether an IR node's `op` is a layer of the table (not `input`). */
export function isOpName(op: string): op is OpName {
  return OPS.has(op);
}
