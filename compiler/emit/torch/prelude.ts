import { DATA_PIECES } from "../python/prelude-data.js";
import { feature, piecesOf, type Piece } from "../python/prelude.js";
import { SETTINGS_PIECES } from "../python/settings-pieces.js";
import { CHECKPOINT_PRELUDE } from "./prelude-checkpoint.js";
import { DIST_PRELUDE } from "./prelude-dist.js";
import { LAYERS_PRELUDE } from "./prelude-layers.js";
import { TRAIN_PRELUDE } from "./prelude-train.js";
import { wrapDataParallel } from "./wrap-data-parallel.js";

/**
 * What each definition of the torch preludes uses of the others. A program starts from its ops' pieces
 * (`TORCH_LAYERS`), its settings' (`settingsNeeds`) and its plan's (`PLAN_PIECES`), and carries those and what
 * they need, in the order below, which is the program's.
 */
const DIST = piecesOf(
  DIST_PRELUDE,
  {
    Runtime: {},
    setup_distributed: { needs: ["Runtime"] },
    _GROUPS: {},
    model_parallel_groups: { needs: ["_GROUPS", "Runtime"] },
    _GatherCat: {},
    _AllReduceSum: {},
    all_reduce_sum: { needs: ["_AllReduceSum", "Runtime"] },
    gather_dim: { needs: ["_GatherCat"] },
    gather_rows: { needs: ["gather_dim"] },
    ShardedLogits: { needs: ["gather_rows", "_AllReduceSum"] },
    SHARD_CUTS: {},
    ModelParallel: {
      needs: [
        "model_parallel_groups",
        "gather_rows",
        "shard_of",
        "_GatherCat",
        "_AllReduceSum",
        "SHARD_CUTS",
        "Batch",
      ],
    },
    shard_of: {},
    sharded_parameters: { needs: ["ModelParallel"] },
    model_parallel: { needs: ["Runtime", "ModelParallel"] },
    split_model_parallel: { needs: ["model_parallel", "MODEL_PARALLEL"] },
  },
  "compiler/emit/torch/prelude-dist.ts",
);

const LAYERS = [
  ...piecesOf(
    LAYERS_PRELUDE,
    {
      ACTIVATIONS: {},
      glorot_uniform: {},
      LinearCore: { needs: ["glorot_uniform"] },
      ConvCore: { needs: ["glorot_uniform"] },
      Layer: { needs: ["ACTIVATIONS"] },
      dense: { needs: ["Layer", "LinearCore"] },
      conv2d: { needs: ["Layer", "ConvCore"] },
      depthwise_conv2d: { needs: ["Layer", "ConvCore"] },
      Pool2d: {},
      BatchNorm: { needs: ["all_reduce_sum"] },
      Dropout: { needs: ["Batch"] },
      MultiHeadAttention: { needs: ["glorot_uniform", "Dropout"] },
      PositionEmbedding: { needs: ["glorot_uniform"] },
      embedding: {},
      Batch: {},
    },
    "compiler/emit/torch/prelude-layers.ts",
  ),
  // torch's own class: no code of its own; layernorm's row asks for it as every op with a module asks for one.
  feature("nn.LayerNorm"),
];

/**
 * Written with the `Model` class by the emitter: the plan's model-parallel table and the layers with weights,
 * by checkpoint name and op (./checkpoint-weights.ts).
 */
const MODEL_TABLES = [feature("MODEL_PARALLEL"), feature("CHECKPOINT_LAYERS")];

const CHECKPOINT = [
  // Written by the emitter at the head of the section: the checkpoint weights of the model's ops.
  feature("CHECKPOINT_WEIGHTS"),
  ...piecesOf(
    CHECKPOINT_PRELUDE,
    {
      keras_weights: { needs: ["CHECKPOINT_LAYERS", "CHECKPOINT_WEIGHTS"], imports: ["operator"] },
      read_checkpoint: { needs: ["fail"] },
      load_keras_weights: { needs: ["read_checkpoint", "keras_weights", "fail"] },
    },
    "compiler/emit/torch/prelude-checkpoint.ts",
  ),
];

const TRAIN = piecesOf(
  TRAIN_PRELUDE,
  {
    mix32: {},
    counter_keys: { needs: ["mix32"] },
    epoch_order: { needs: ["mix32", "counter_keys"] },
    one_hot_ids: {},
    per_sample_loss: { needs: ["one_hot_ids"] },
    correct_count: { needs: ["one_hot_ids"] },
    make_optimizer: {},
    make_sharded_optimizer: {
      needs: ["make_optimizer", "Runtime"],
      imports: ["from torch.distributed.optim import ZeroRedundancyOptimizer"],
    },
    first_output: {},
    run_batches: { needs: ["Runtime", "first_output", "per_sample_loss", "correct_count"] },
    reduce_model_parallel_grads: { needs: ["sharded_parameters", "Runtime"] },
    weights_l2: {},
    whole_tensor: { needs: ["gather_dim"] },
    write_weights: { needs: ["keras_weights", "fail", "Runtime"] },
    Clock: {},
    train: {
      needs: [
        "fail",
        "setup_distributed",
        "Runtime",
        "load_keras_weights",
        "load_training_data",
        "wrap_data_parallel",
        "make_optimizer",
        "Clock",
        "epoch_order",
        "run_batches",
        "with_full_weights",
        "weights_l2",
        "write_weights",
      ],
    },
    parse_args: {},
    __main__: { needs: ["train", "parse_args"] },
  },
  "compiler/emit/torch/prelude-train.ts",
);

/** The torch program's sections of prelude, in program order (the `Model` class comes after `layers`). */
export interface TorchPrelude {
  readonly dist: readonly Piece[];
  readonly layers: readonly Piece[];
  readonly wrap: readonly Piece[];
  readonly checkpoint: readonly Piece[];
  readonly data: readonly Piece[];
  readonly train: readonly Piece[];
  /** Every section, in order, and the features: what `PieceSelection` resolves over. */
  readonly catalog: readonly Piece[];
}

export function torchPrelude(fsdp: boolean): TorchPrelude {
  const wrap = wrapDataParallel(fsdp);
  const sections = {
    dist: DIST,
    layers: LAYERS,
    wrap,
    checkpoint: CHECKPOINT,
    data: DATA_PIECES,
    train: TRAIN,
  };
  return {
    ...sections,
    catalog: [
      ...DIST,
      ...LAYERS,
      ...MODEL_TABLES,
      ...wrap,
      ...CHECKPOINT,
      ...DATA_PIECES,
      ...TRAIN,
      ...SETTINGS_PIECES,
    ],
  };
}

/** What the plan adds: every program trains; one with model-parallel layers splits them and reduces their grads. */
export const PLAN_PIECES = {
  always: ["__main__"],
  /** The plan's `schedule.optimizerSharding: "zero-1"`. */
  zeroOne: ["make_sharded_optimizer"],
  modelParallel: ["split_model_parallel", "reduce_model_parallel_grads", "whole_tensor"],
} as const;
