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
  /**
   * Attrs whose default depends on the input's shape (attention's `key_dim` = width ÷ heads), which `lower`
   * cannot fill: `infer-shapes` adds them to the node, so later passes and backends read them like any other.
   */
  readonly attrs?: Attrs;
  /**
   * Elements per sample that the backward pass keeps, when more than the output: attention keeps its
   * projections and its [heads, T, T] scores and probabilities, which the memory model must count.
   */
  readonly saved?: number;
}

/**
 * How a shard cuts one of a layer's weights, by the end of the weight's name (`kernel`, `query/bias`): along
 * axis `n`, or `first` — not cut, held and added by model rank 0 alone (a row-parallel layer's bias, added once
 * to the partial sums that the all-reduce then adds up).
 */
export type WeightCut = number | "first";
export type WeightCuts = Readonly<Record<string, WeightCut>>;

/**
 * How model parallelism (model degree m > 1) may cut a layer: the one rule that the cost model, the placement
 * and schedule passes, the tfjs runtime and the torch emitter read (through `compiler/plan/layer-layout.ts`).
 * In Megatron-LM's terms:
 * - `column`: the weights are cut along their last (output) axis into m near-equal shards, `attr` (dense
 *   `units`, conv2d `filters`) giving the full width. The layer needs its whole input and writes a block of
 *   its output channels; the block is all-gathered where a later layer needs the whole tensor, and backward
 *   all-reduces the input gradient's partial sums over the m devices. With `rows`, the layer runs
 *   row-parallel instead where its input arrives as a channel block (from a column-parallel layer, directly
 *   or through channelwise ones: Megatron's MLP pair): it reads that block, its weights cut as `rows` says,
 *   and writes partial sums that one all-reduce adds up — no gather between the pair.
 * - `heads`: attention split by heads (Megatron's self-attention): Q/K/V cut column-wise so each device holds
 *   whole heads, the output projection row-wise; needs its whole input and writes partial sums (one
 *   all-reduce forward, the input gradient's one backward). `attr` holds the head count, which m must divide
 *   (otherwise the layer runs replicated).
 * - `vocabulary`: an embedding's table cut by rows (Megatron's vocabulary-parallel embedding): each device
 *   looks up the ids in its block of `attr` rows (zeros for the others), writing partial sums that one
 *   all-reduce adds up; token ids have no gradient, so nothing is reduced backward.
 * - `channelwise`: each output channel depends only on the same channel of the inputs (activations but softmax,
 *   pooling, dropout, batchnorm, add, multiply): it takes and writes a channel block, its per-channel weights
 *   (batchnorm) cut the same way, with no collective of its own — where some input arrives as a block;
 *   otherwise replicated inside the model group (dropout and residual adds after attention, as Megatron-LM).
 * - `replicated`: not cut; with m > 1 each device runs the whole layer on the whole (gathered) input.
 */
export type ShardingRule =
  | {
      readonly kind: "column";
      readonly attr: string;
      readonly axis: "units" | "channels";
      readonly rows?: WeightCuts;
    }
  | { readonly kind: "heads"; readonly attr: string; readonly cuts: WeightCuts }
  | { readonly kind: "vocabulary"; readonly attr: string; readonly cuts: WeightCuts }
  | { readonly kind: "channelwise" }
  | { readonly kind: "replicated" };

export const REPLICATED: ShardingRule = { kind: "replicated" };
export const CHANNELWISE: ShardingRule = { kind: "channelwise" };

/**
 * What the compiler knows about one layer: the single source every pass and emitter reads. Each layer family
 * lives in its own file in this folder and is registered in `op-table.ts`. `A` is the spec's own argument
 * schema, kept literal (each op file writes `satisfies OpSpec<"name">`) so that `OpAttrs` derives the op's
 * attribute types from it.
 */
export interface OpSpec<N extends string = string, A extends readonly ArgSchema[] = readonly ArgSchema[]> {
  /** The layer's name in LANGUAGE.md. */
  readonly name: N;
  /** The Keras layer class it matches (`Conv2D`), for summaries and the Keras emitter. */
  readonly keras: string;
  /**
   * `one`: the input comes only through `_` or `->`. `many`: tensors are the leading positional arguments,
   * written out (`add(h, x)`), as for `add`, `multiply`, `concat`.
   */
  readonly tensorInputs: "one" | "many";
  /** Non-tensor arguments, in positional order, with Keras defaults: the source of the op's attribute types. */
  readonly args: A;
  /** Output shape, Keras-exact parameter counts and FLOPs, or the shape mistake. */
  readonly infer: (input: InferInput) => InferResult | ShapeError;
  /** How model parallelism may cut the layer (see `ShardingRule`). */
  readonly sharding: ShardingRule;
  /** Each output row depends on other rows of the batch (batch statistics): data parallelism keeps it whole. */
  readonly wholeBatch?: boolean;
  /** The output keeps the input's dtype (flatten of int32 ids stays int32); otherwise float32. */
  readonly keepsDtype?: boolean;
}

export function isShapeError(r: InferResult | ShapeError): r is ShapeError {
  return "code" in r;
}
