import type { Graph } from "../../ir/graph.js";
import type { EmitResult, PythonEmitInput } from "../python/emit-input.js";
import { importBlock } from "../python/imports.js";
import { launchHeader, pyComment } from "../python/header.js";
import { uniqueIdentifiers } from "../python/identifiers.js";
import { programFiles } from "../python/program-files.js";
import { type ModelSplit, modelSplits, needsParameterSharding, planLines } from "../python/plan-summary.js";
import { PieceSelection } from "../python/prelude.js";
import { settingsBlock } from "../python/settings.js";
import { settingsNeeds } from "../python/settings-pieces.js";
import { checkpointLayersTable, checkpointWeightsTable } from "./checkpoint-weights.js";
import { torchLayer, torchLayerNeeds } from "./layer-code.js";
import { modelParallelLines, modelParallelTable } from "./model-parallel.js";
import { wrapCall } from "../python/wrap-call.js";
import { PLAN_PIECES, torchPrelude } from "./prelude.js";
import { torchTrain } from "./train-target.js";

/**
 * `--emit torch`: one PyTorch program that builds the model with Keras-equivalent `torch.nn` layers and trains
 * it under `torch.distributed` as the plan says. For the built-in `mnist`, the digits are written beside it.
 * The program carries the prelude pieces its ops, settings and plan need (./prelude.ts), nothing else.
 * Pure and deterministic: the same input gives the same files, byte for byte.
 */
export function emitTorch(input: PythonEmitInput): EmitResult {
  const { graph, training, plan, modelFile } = input;
  const fsdp = needsParameterSharding(graph, plan);
  const degrees = modelSplits(graph, plan, training);
  const prelude = torchPrelude(fsdp);
  const pieces = new PieceSelection(prelude.catalog, [
    ...PLAN_PIECES.always,
    ...(degrees.size > 0 ? PLAN_PIECES.modelParallel : []),
    ...(plan.schedule?.optimizerSharding === "zero-1" && !fsdp ? PLAN_PIECES.zeroOne : []),
    ...([...degrees.values()].some((d) => d.mode === "column_loss") ? ["ShardedLogits"] : []),
    ...graph.nodes.flatMap((n) => (n.op === "input" ? [] : torchLayerNeeds(n.op))),
    ...settingsNeeds(training),
  ]);
  const needed = pieces.imports();
  const imports = importBlock(
    ["argparse", "json", "math", "os", "sys", "time", ...needed.stdlib],
    [
      "import numpy as np",
      "import torch",
      "import torch.distributed as dist",
      "import torch.nn as nn",
      "import torch.nn.functional as F",
      ...needed.lines,
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
      "\n" + pieces.render(prelude.dist),
      "\n" + pieces.render(prelude.layers),
      "\n" + modelClass(graph, degrees, pieces),
      "\n" + pieces.render(prelude.wrap),
      "\n" +
        [
          ...(pieces.has("CHECKPOINT_WEIGHTS") ? [checkpointWeightsTable(graph.nodes.map((n) => n.op))] : []),
          pieces.render(prelude.checkpoint),
        ].join("\n\n\n"),
      "\n" + pieces.render(prelude.data),
      "\n" + torchTrain(pieces.render(prelude.train), training.target),
    ].filter((section) => section.trim() !== ""),
    training,
  );
}

function modelClass(graph: Graph, degrees: ReadonlyMap<string, ModelSplit>, pieces: PieceSelection): string {
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
    ...(pieces.has("MODEL_PARALLEL") ? [modelParallelTable(graph, degrees, ids), ""] : []),
    ...(pieces.has("CHECKPOINT_LAYERS") ? [checkpointLayersTable(graph, ids)] : []),
  ].join("\n");
}
