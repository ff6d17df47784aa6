import type { Graph } from "../../ir/graph.js";
import type { EmitResult, PythonEmitInput } from "../python/emit-input.js";
import { importBlock } from "../python/imports.js";
import { launchHeader } from "../python/header.js";
import { uniqueIdentifiers } from "../python/identifiers.js";
import { pyString, pyTuple } from "../python/literals.js";
import { programFiles } from "../python/program-files.js";
import { planLines } from "../python/plan-summary.js";
import { DATA_PIECES } from "../python/prelude-data.js";
import { PieceSelection } from "../python/prelude.js";
import { SETTINGS_PIECES, settingsNeeds } from "../python/settings-pieces.js";
import { settingsBlock } from "../python/settings.js";
import { kerasLayer, kerasLayerNeeds } from "./layer-code.js";
import { KERAS_LAYER_PIECES } from "./prelude-layers.js";
import { wrapCall } from "../python/wrap-call.js";
import { kerasTrain } from "./train-code.js";
import { shapeOf } from "../python/shapes.js";
import type { DataSource } from "../../ir/config.js";

/**
 * `--emit keras`: a TensorFlow program in the seed's own style: MirroredStrategy on one machine,
 * MultiWorkerMirroredStrategy when TF_CONFIG names a cluster, the model built and compiled inside
 * `strategy.scope()`, `model.fit` with the file's settings, and the `final:` line at the end. Of mgpuc's own
 * code it carries only what the model and its settings need: its data's reader, its optimizer, the step clock.
 */
export function emitKeras(input: PythonEmitInput): EmitResult {
  const { graph, training, plan, modelFile } = input;
  const train = kerasTrain(
    dataShape(training.data, graph),
    shapeOf(graph.nodes[graph.inputs[0] ?? 0]!),
    training.target,
    training.loss === "categorical_crossentropy" ? outputClasses(graph) : undefined,
  );
  const pieces = new PieceSelection(
    [...KERAS_LAYER_PIECES, ...DATA_PIECES, ...train, ...SETTINGS_PIECES],
    [
      "__main__",
      ...graph.nodes.flatMap((n) => (n.op === "input" ? [] : kerasLayerNeeds(n.op))),
      ...settingsNeeds(training),
    ],
  );
  return programFiles(
    modelFile,
    [
      launchHeader({
        modelName: graph.model,
        modelFile,
        target: "keras",
        devices: plan.devices.count,
        planLines: planLines(graph, plan, "keras"),
      }),
      importBlock(
        ["argparse", "json", "math", "os", "sys", "time", ...pieces.imports().stdlib],
        ["import numpy as np", "import tensorflow as tf", ...pieces.imports().lines],
      ),
      "HERE = os.path.dirname(os.path.abspath(__file__))",
      "# The file's training settings; --epochs, --steps and --seed override them.\n" +
        settingsBlock(graph, training, modelFile),
      ...(pieces.render(KERAS_LAYER_PIECES) !== "" ? ["\n" + pieces.render(KERAS_LAYER_PIECES)] : []),
      "\n" + buildModel(graph),
      "\n" + pieces.render(DATA_PIECES),
      "\n" + pieces.render(train),
    ],
    training,
  );
}

/** `tf.keras.Sequential` for a chain, as the seed wrote it; the functional API for anything with branches. */
function buildModel(graph: Graph): string {
  const names = uniqueIdentifiers(graph.nodes.map((n) => n.name));
  const id = (nodeId: number) => names.get(graph.nodes[nodeId]!.name) ?? `layer_${nodeId}`;
  const layerNames = kerasNames(graph.nodes.map((n) => n.name));
  const layerName = (nodeId: number) => layerNames.get(graph.nodes[nodeId]!.name) ?? `layer_${nodeId}`;
  const layers = graph.nodes.filter((n) => n.op !== "input");
  const inputs = graph.inputs.map((i) => graph.nodes[i]!);
  if (isChain(graph)) {
    const input = inputs[0]!;
    const lines = [
      `        tf.keras.Input(shape=${pyTuple(input.outputShape ?? [])}${input.dtype === "int32" ? ', dtype="int32"' : ""}),`,
      ...layers.map((n) => {
        const call = kerasLayer(n, layerName(n.id));
        return wrapCall("        ", call.head, call.args, ",");
      }),
    ];
    return [
      "def build_model():",
      `    return tf.keras.Sequential([\n${lines.join("\n")}\n    ], name=${pyString(graph.model)})`,
    ].join("\n");
  }
  const body = [
    ...inputs.map(
      (n) =>
        `    ${id(n.id)} = tf.keras.Input(shape=${pyTuple(n.outputShape ?? [])}, dtype=${pyString(n.dtype)}, name=${pyString(id(n.id))})`,
    ),
    ...layers.map((n) => {
      const args = n.inputs.map(id);
      const arg =
        n.inputs.length === 1 && !["add", "multiply", "concat"].includes(n.op)
          ? args[0]
          : `[${args.join(", ")}]`;
      const call = kerasLayer(n, layerName(n.id));
      return wrapCall("    ", `${id(n.id)} = ${call.head}`, call.args, `(${arg})`);
    }),
  ];
  const list = (ids: readonly number[]) => (ids.length === 1 ? id(ids[0]!) : `[${ids.map(id).join(", ")}]`);
  return [
    "def build_model():",
    ...body,
    `    return tf.keras.Model(inputs=${list(graph.inputs)}, outputs=${list(graph.outputs)}, name=${pyString(graph.model)})`,
  ].join("\n");
}

/** Keras layer names: `/` is not allowed in them (`residual/conv2d` becomes `residual_conv2d`), and unique. */
function kerasNames(names: readonly string[]): Map<string, string> {
  const taken = new Set<string>();
  const out = new Map<string, string>();
  for (const name of names) {
    const base = name.replace(/[^A-Za-z0-9_.-]/g, "_") || "layer";
    let unique = base;
    for (let n = 2; taken.has(unique); n++) unique = `${base}_${n}`;
    taken.add(unique);
    out.set(name, unique);
  }
  return out;
}

/** One input, one output, and every layer fed by exactly the layer before it. */
function isChain(graph: Graph): boolean {
  if (graph.inputs.length !== 1 || graph.outputs.length !== 1 || graph.inputs[0] !== 0) return false;
  if (graph.outputs[0] !== graph.nodes.length - 1) return false;
  return graph.nodes.every((n, i) => i === 0 || (n.inputs.length === 1 && n.inputs[0] === i - 1));
}

/** The per-sample shape a data source gives, where the compiler knows it. */
function dataShape(data: DataSource | undefined, graph: Graph): readonly number[] | undefined {
  if (data?.kind === "mnist") return [28, 28];
  if (data?.kind === "synthetic") return data.shape ?? shapeOf(graph.nodes[graph.inputs[0] ?? 0]!);
  return undefined;
}

/** The model output's class count: the last axis of its shape. */
function outputClasses(graph: Graph): number {
  return shapeOf(graph.nodes[graph.outputs[0] ?? graph.nodes.length - 1]!).at(-1) ?? 1;
}
