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

/**
 * Every layer's name. Each backend translates ops through a table declared `satisfies Record<OpName, ...>`, so
 * an op added here that some backend lacks does not type-check, and the error names the backend's table.
 */
export type OpName = (typeof ALL)[number]["name"];

/** The op table: every layer of LANGUAGE.md, by name. Adding a layer = one file in this folder + one row here. */
export const OPS: ReadonlyMap<string, OpSpec> = new Map<string, OpSpec>(ALL.map((op) => [op.name, op]));

/**
 * The Keras default of an op's argument, from its spec: backends that leave defaults out of the code they write
 * (or fill them for attrs from an older plan) read them here, never as literals of their own.
 */
export function opDefault(op: OpName, arg: string): number {
  const value = OPS.get(op)?.args.find((a) => a.name === arg)?.default;
  if (typeof value !== "number") throw new Error(`op '${op}' has no numeric default for '${arg}'`);
  return value;
}

/** Whether an IR node's `op` is a layer of the table (not `input`). */
export function isOpName(op: string): op is OpName {
  return OPS.has(op);
}

export type { OpSpec, InferInput, InferResult, ShapeError, Shape, ShardingRule } from "./op-spec.js";
export { isShapeError } from "./op-spec.js";
export type { ArgSchema, ArgType } from "./arg-schema.js";
export { ACTIVATIONS, describeType } from "./arg-schema.js";
export { product, showShape } from "./shape-utils.js";
