import type { MessageCode } from "../diagnostics/messages.js";
import type { Attrs, ParamCount } from "../ir/graph.js";
import type { ArgSchema } from "./arg-schema.js";

export type Shape = readonly number[];

/** What a shape rule sees: its inputs' per-sample shapes and the node's normalised attrs. */
export interface InferInput {
  readonly shapes: readonly Shape[];
  readonly attrs: Attrs;
  /** The input declaration's name when the (first) tensor comes straight from `input`, for fixes. */
  readonly fromInput?: string;
}

/** A shape mistake, as a message-table entry; `infer-shapes` puts it at the layer's span. */
export interface ShapeError {
  readonly code: MessageCode;
  readonly args: readonly (string | number)[];
  readonly hint?: string;
}

export interface InferResult {
  readonly shape: Shape;
  readonly params: ParamCount;
  /** Forward FLOPs per sample, multiply-add = 2. */
  readonly flops: number;
}

/**
 * Which dimension the placement pass may shard under model parallelism: dense `units`, conv2d output channels,
 * `channels` (reserved for depthwise, run replicated today); `elementwise` layers follow their input's split;
 * `none` must be gathered.
 */
export type SplitDim = "units" | "output_channels" | "channels" | "elementwise" | "none";

/**
 * What the compiler knows about one layer: the single source every pass and emitter reads. Each layer family
 * lives in its own file in this folder and is registered in `index.ts`'s table.
 */
export interface OpSpec<N extends string = string> {
  /** The layer's name in LANGUAGE.md. */
  readonly name: N;
  /** The Keras layer class it matches (`Conv2D`), for summaries and the Keras emitter. */
  readonly keras: string;
  /**
   * `one`: the input comes only through `_` or `->`. `many`: tensors are the leading positional arguments,
   * written out (`add(h, x)`), as for `add`, `multiply`, `concat`.
   */
  readonly tensorInputs: "one" | "many";
  /** Non-tensor arguments, in positional order, with Keras defaults. */
  readonly args: readonly ArgSchema[];
  /** Output shape, Keras-exact parameter counts and FLOPs, or the shape mistake. */
  readonly infer: (input: InferInput) => InferResult | ShapeError;
  readonly split: SplitDim;
  /**
   * The attr whose width model-parallel shards divide (dense `units`, conv2d `filters`): present exactly for the
   * layers whose weights the runtime and the emitted programs split when their model degree is > 1.
   */
  readonly shardedAttr?: string;
  /** Each output row depends on other rows of the batch (batch statistics): data parallelism keeps it whole. */
  readonly wholeBatch?: boolean;
  /** The output keeps the input's dtype (flatten of int32 ids stays int32); otherwise float32. */
  readonly keepsDtype?: boolean;
}

export function isShapeError(r: InferResult | ShapeError): r is ShapeError {
  return "code" in r;
}
