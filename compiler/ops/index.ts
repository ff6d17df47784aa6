/**
 * The op table's public face: the table itself (`op-table.ts`), each op's typed attrs and their accessor
 * (`op-attrs.ts`), the attrs read by role across ops (`layer-attrs.ts`), the schema and spec types.
 */
export { OPS, isOpName, type OpName } from "./op-table.js";
export { attrsOf, opDefault, type OpAttrs, type WithAttrs } from "./op-attrs.js";
export { activationOf, shardAttrs, shardedWidth, useBiasOf } from "./layer-attrs.js";
export type { OpSpec, InferInput, InferResult, ShapeError, Shape, ShardingRule } from "./op-spec.js";
export { isShapeError } from "./op-spec.js";
export type { ArgSchema, ArgType } from "./arg-schema.js";
export { ACTIVATIONS, describeType } from "./arg-schema.js";
export type { ArgValue, ArgValues, Padding2d } from "./arg-values.js";
export { product, showShape } from "./shape-utils.js";
