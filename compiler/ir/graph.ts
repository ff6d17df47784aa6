import type { Span } from "../diagnostics/span.js";
import type { Hint } from "./expanded.js";

/**
 * A normalised attribute value. `lower` fills every Keras default and normalises `int | [h, w]` arguments
 * (`kernel`, `strides`, `pool`, `dilation`) to `[h, w]` pairs, so later passes and emitters never re-derive
 * defaults. Enums are strings (`"same"`, `"relu"`).
 */
export type AttrValue = number | string | boolean | null | readonly AttrValue[];
export type Attrs = Readonly<Record<string, AttrValue>>;

export type DType = "float32" | "int32";

export interface ParamCount {
  readonly trainable: number;
  readonly nonTrainable: number;
}

/** One layer of the model. Shapes are per sample (no batch axis), channels-last. */
export interface IRNode {
  readonly id: number;
  /** Unique within the graph, Keras-style (`dense`, `dense_1`, `residual/conv2d`). */
  readonly name: string;
  /** The layer's name in LANGUAGE.md (`dense`, `conv2d`, `add`, ...) or `input`. */
  readonly op: string;
  readonly attrs: Attrs;
  /** Ids of producer nodes, in argument order. */
  readonly inputs: readonly number[];
  /** Known after `infer-shapes`; `undefined` before. */
  readonly outputShape?: readonly number[];
  readonly dtype: DType;
  /** Known after `infer-shapes`. */
  readonly params?: ParamCount;
  /** Forward FLOPs per sample (multiply-add = 2), known after `infer-shapes`. */
  readonly flops?: number;
  /** Bytes of this node's output per sample, known after `infer-shapes`. */
  readonly activationBytes?: number;
  /** Bytes per sample kept for the backward pass when more than the output (attention's scores); filled by infer-shapes. */
  readonly savedBytes?: number;
  readonly hints: readonly Hint[];
  readonly span: Span;
  /** Block call sites containing this layer, innermost first. */
  readonly callSites: readonly Span[];
}

/** The IR: a DAG of layers in topological order (`nodes[i].id === i`). Passes return new graphs. */
export interface Graph {
  readonly model: string;
  readonly span: Span;
  readonly nodes: readonly IRNode[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
}

/** Nodes that consume each node's output, computed once for passes that walk forward. */
export function consumers(graph: Graph): number[][] {
  const out: number[][] = graph.nodes.map(() => []);
  for (const node of graph.nodes) for (const input of node.inputs) out[input]!.push(node.id);
  return out;
}
