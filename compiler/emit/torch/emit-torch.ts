import type { Graph } from "../../ir/graph.js";
import type { EmitResult, PythonEmitInput } from "../python/emit-input.js";
import { importBlock } from "../python/imports.js";
import { launchHeader, pyComment } from "../python/header.js";
import { uniqueIdentifiers } from "../python/identifiers.js";
import { programFiles } from "../python/program-files.js";
import { modelDegrees, needsParameterSharding, planLines } from "../python/plan-summary.js";
import { DATA_PRELUDE } from "../python/prelude-data.js";
import { settingsBlock } from "../python/settings.js";
import { torchLayer } from "./layer-code.js";
import { kerasNamesTable, modelParallelLines, modelParallelTable } from "./model-parallel.js";
import { CHECKPOINT_PRELUDE } from "./prelude-checkpoint.js";
import { wrapCall } from "../python/wrap-call.js";
import { DIST_PRELUDE } from "./prelude-dist.js";
import { LAYERS_PRELUDE } from "./prelude-layers.js";
import { TRAIN_PRELUDE } from "./prelude-train.js";
import { torchTrain } from "./train-target.js";
import { wrapDataParallel } from "./wrap-data-parallel.js";

/**
 * `--emit torch`: one PyTorch program that builds the model with Keras-equivalent `torch.nn` layers and trains
 * it under `torch.distributed` as the plan says. For the built-in `mnist`, the digits are written beside it.
 * Pure and deterministic: the same input gives the same files, byte for byte.
 */
export function emitTorch(input: PythonEmitInput): EmitResult {
  const { graph, training, plan, modelFile } = input;
  const fsdp = needsParameterSharding(graph, plan);
  const degrees = modelDegrees(graph, plan);
  const imports = importBlock(
    ["argparse", "csv", "gzip", "json", "math", "os", "struct", "sys", "time"],
    [
      "import numpy as np",
      "import torch",
      "import torch.distributed as dist",
      "import torch.nn as nn",
      "import torch.nn.functional as F",
      "from torch.nn.parallel import DistributedDataParallel as DDP",
      // Imported only when used: Debian's torch 1.13 cannot import it.
      ...(fsdp ? ["from torch.distributed.fsdp import FullyShardedDataParallel as FSDP"] : []),
    ],
  );
  return programFiles(
    modelFile,
    [
      launchHeader({
        modelName: graph.model,
        modelFile,
        target: "torch",
        devices: plan.devices.count,
        planLines: [...planLines(graph, plan, "torch"), ...modelParallelLines(graph, degrees)],
      }),
      imports,
      "HERE = os.path.dirname(os.path.abspath(__file__))",
      "# The file's training settings; --epochs, --steps and --seed override them.\n" +
        settingsBlock(graph, training, modelFile),
      "\n" + DIST_PRELUDE.trim(),
      "\n" + LAYERS_PRELUDE.trim(),
      "\n" + modelClass(graph, degrees),
      "\n" + wrapDataParallel(fsdp),
      "\n" + CHECKPOINT_PRELUDE.trim(),
      "\n" + DATA_PRELUDE.trim(),
      "\n" + torchTrain(TRAIN_PRELUDE.trim(), training.target),
    ],
    training,
  );
}

function modelClass(graph: Graph, degrees: ReadonlyMap<string, number>): string {
  const names = uniqueIdentifiers(graph.nodes.map((n) => n.name));
  const ids = new Map(graph.nodes.map((n) => [n.id, names.get(n.name) ?? `layer_${n.id}`]));
  const init: string[] = [];
  const forward: string[] = [];
  for (const node of graph.nodes) {
    if (node.op === "input") continue;
    const code = torchLayer(node, { graph, ids });
    const id = ids.get(node.id)!;
    if (code.module) init.push(wrapCall("        ", `self.${id} = ${code.module.head}`, code.module.args));
    forward.push(`        ${id} = ${code.forward}`);
  }
  const outputs = graph.outputs.map((o) => ids.get(o)!);
  const inputs = graph.inputs.map((i) => ids.get(i)!);
  return [
    "class Model(nn.Module):",
    `    """${pyComment(graph.model).replace(/\\|"/g, "_")}, layer by layer as in the .model file (channels-last, as Keras)."""`,
    "",
    "    def __init__(self):",
    "        super().__init__()",
    ...(init.length > 0 ? init : ["        pass"]),
    "",
    `    def forward(self, ${inputs.join(", ")}):`,
    ...forward,
    `        return ${outputs.length === 1 ? outputs[0] : `(${outputs.join(", ")})`}`,
    "",
    "",
    modelParallelTable(graph, degrees, ids),
    "",
    kerasNamesTable(graph, ids),
  ].join("\n");
}
