import type { Graph, IRNode } from "../../ir/graph.js";
import { tfjsLayerName } from "../../ir/tfjs-layer-names.js";
import { isOpName, useBiasOf, type OpName } from "../../ops/index.js";
import { pyString } from "../python/literals.js";

/**
 * How a weight's array in an mgpuc checkpoint (Keras's layout) becomes the torch program's tensor: numpy's
 * `transpose(axes)`, then, when `grouped`, the first two axes merged and an axis of 1 put after them (torch's
 * grouped-convolution weight). No `axes`: the same array.
 */
export interface Layout {
  readonly axes?: readonly number[];
  readonly grouped?: boolean;
  /** Keras's layout -> torch's, for the reader of the emitted table. */
  readonly note?: string;
}

export const LAYOUTS = {
  same: {},
  dense: { axes: [1, 0], note: "[in, out] -> [out, in]" },
  conv: { axes: [3, 2, 0, 1], note: "[kh, kw, in, out] -> [out, in, kh, kw]" },
  depthwise: {
    axes: [2, 3, 0, 1],
    grouped: true,
    note: "[kh, kw, in, multiplier] -> [in * multiplier, 1, kh, kw]",
  },
} as const satisfies Record<string, Layout>;

export type LayoutName = keyof typeof LAYOUTS;

/** One weight a checkpoint holds for a layer. */
export interface CheckpointWeight {
  /** Its name after the layer's (`dense/kernel` → `kernel`), as tfjs and Keras name it. */
  readonly keras: string;
  /** The attribute of the torch program's module that holds it (a dotted path: `core.weight`). */
  readonly torch: string;
  readonly layout: LayoutName;
  /** The bool attr (Keras default true) without which the layer has no such weight; the module's attribute is then None. */
  readonly when?: "use_bias";
}

const kernelAndBias = (keras: string, layout: LayoutName): readonly CheckpointWeight[] => [
  { keras, torch: "core.weight", layout },
  { keras: "bias", torch: "core.bias", layout: "same", when: "use_bias" },
];

const gammaBeta: readonly CheckpointWeight[] = [
  { keras: "gamma", torch: "weight", layout: "same" },
  { keras: "beta", torch: "bias", layout: "same" },
];

/** Keras MultiHeadAttention's weights, in its order; the torch module keeps Keras's layout. */
const attentionWeights: readonly CheckpointWeight[] = [
  ...(["query", "key", "value"] as const).flatMap((part): CheckpointWeight[] => [
    { keras: `${part}/kernel`, torch: `${part}_kernel`, layout: "same" },
    { keras: `${part}/bias`, torch: `${part}_bias`, layout: "same", when: "use_bias" },
  ]),
  { keras: "attention_output/kernel", torch: "output_kernel", layout: "same" },
  { keras: "attention_output/bias", torch: "output_bias", layout: "same", when: "use_bias" },
];

/**
 * The weights an mgpuc checkpoint (tfjs LayersModel, Keras names and layouts) holds for each op, in the
 * order tfjs saves them, and where the torch program keeps each. Ops without weights have none.
 */
export const CHECKPOINT_WEIGHTS = {
  dense: kernelAndBias("kernel", "dense"),
  conv2d: kernelAndBias("kernel", "conv"),
  depthwise_conv2d: kernelAndBias("depthwise_kernel", "depthwise"),
  maxpool2d: [],
  avgpool2d: [],
  global_avg_pool2d: [],
  global_max_pool2d: [],
  zeropad2d: [],
  batchnorm: [
    ...gammaBeta,
    { keras: "moving_mean", torch: "moving_mean", layout: "same" },
    { keras: "moving_variance", torch: "moving_variance", layout: "same" },
  ],
  layernorm: gammaBeta,
  dropout: [],
  flatten: [],
  reshape: [],
  relu: [],
  sigmoid: [],
  tanh: [],
  softmax: [],
  gelu: [],
  add: [],
  multiply: [],
  concat: [],
  embedding: [{ keras: "embeddings", torch: "weight", layout: "same" }],
  attention: attentionWeights,
  position_embedding: [{ keras: "position_embeddings", torch: "weight", layout: "same" }],
} satisfies Record<OpName, readonly CheckpointWeight[]>;

/** Every weight of an op, present or not (`input` has none). */
export function opCheckpointWeights(op: string): readonly CheckpointWeight[] {
  if (op === "input") return [];
  if (!isOpName(op)) throw new Error(`checkpoint weights: no row for op '${op}'`);
  return CHECKPOINT_WEIGHTS[op];
}

/** The weights a checkpoint holds for one layer, in order: its op's, less the biases `use_bias: false` leaves out. */
export function checkpointWeights(node: IRNode): readonly CheckpointWeight[] {
  const useBias = useBiasOf(node) !== false;
  return opCheckpointWeights(node.op).filter((w) => w.when === undefined || useBias);
}

/** `lambda k: ...`: a layout as the torch program applies it to a numpy array. */
export function pythonLayout(layout: Layout): string {
  if (layout.axes === undefined) return "lambda k: k";
  const transposed = `k.transpose(${layout.axes.join(", ")})`;
  if (!layout.grouped) return `lambda k: ${transposed}`;
  const rest = layout.axes.slice(2).map((a) => `k.shape[${a}]`);
  return `lambda k: ${transposed}.reshape(-1, 1, ${rest.join(", ")})`;
}

/**
 * The program's `CHECKPOINT_WEIGHTS`: the rows of `CHECKPOINT_WEIGHTS` for the ops among `ops` that have
 * weights, each weight as (name after the layer's, torch attribute, Keras array -> torch layout).
 */
export function checkpointWeightsTable(ops: Iterable<string>): string {
  const used = new Set(ops);
  const rows = (Object.keys(CHECKPOINT_WEIGHTS) as OpName[]).flatMap((op) => {
    const weights: readonly CheckpointWeight[] = CHECKPOINT_WEIGHTS[op];
    if (!used.has(op) || weights.length === 0) return [];
    const lines = weights.flatMap((w) => {
      const layout: Layout = LAYOUTS[w.layout];
      return [
        ...(layout.note !== undefined ? [`        # ${layout.note}`] : []),
        `        (${pyString(w.keras)}, ${pyString(w.torch)}, ${pythonLayout(layout)}),`,
      ];
    });
    return [`    ${pyString(op)}: (`, ...lines, "    ),"];
  });
  return [
    "# The weights of each op in an mgpuc checkpoint, in order: (name after the layer's, the torch attribute that",
    "# holds it, Keras's array -> torch's layout). A weight whose attribute is None (no bias) is not there.",
    rows.length > 0 ? `CHECKPOINT_WEIGHTS = {\n${rows.join("\n")}\n}` : "CHECKPOINT_WEIGHTS = {}",
  ].join("\n");
}

/**
 * The program's `CHECKPOINT_LAYERS`: each layer with weights, module attribute -> (its name in an mgpuc
 * checkpoint, the weights' prefix: tfjs's layer name, `decoder/attention` is `decoder__attention` there; its op).
 */
export function checkpointLayersTable(graph: Graph, ids: ReadonlyMap<number, string>): string {
  const rows = graph.nodes
    .filter((n) => opCheckpointWeights(n.op).length > 0)
    .map((n) => `    ${pyString(ids.get(n.id)!)}: (${pyString(tfjsLayerName(n.name))}, ${pyString(n.op)}),`);
  return [
    "# Each layer with weights: module attribute -> (its name in mgpuc checkpoints, its op in CHECKPOINT_WEIGHTS).",
    rows.length > 0 ? `CHECKPOINT_LAYERS = {\n${rows.join("\n")}\n}` : "CHECKPOINT_LAYERS = {}",
  ].join("\n");
}
