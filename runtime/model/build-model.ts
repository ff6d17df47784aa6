import * as tf from "@tensorflow/tfjs";
import type { Graph } from "../../compiler/ir/graph.js";
import { layerForNode } from "./layer-for-node.js";
import { tfjsLayerName } from "../../compiler/ir/tfjs-layer-names.js";
import { inputAttrsOf } from "../../compiler/ir/input-attrs.js";

/**
 * The IR as a tfjs functional model: one Keras-equivalent layer per IR node, named `tfjsLayerName(node.name)`,
 * connected as the graph says (a chain is exactly what `tf.sequential` would build). The model's name is the
 * IR model's. Weights are tfjs's default initialisation until `initializeWeights` fixes them by seed.
 */
export function buildModel(graph: Graph): tf.LayersModel {
  const outputs = new Map<number, tf.SymbolicTensor>();
  const inputs: tf.SymbolicTensor[] = [];
  for (const node of graph.nodes) {
    const name = tfjsLayerName(node.name);
    if (node.op === "input") {
      const { shape, dtype } = inputAttrsOf(node);
      const input = tf.input({ shape: [...shape], dtype, name });
      outputs.set(node.id, input);
      continue;
    }
    const args = node.inputs.map((id) => {
      const tensor = outputs.get(id);
      if (tensor === undefined)
        throw new TypeError(`IR node '${node.name}' reads node ${id} before it is defined`);
      return tensor;
    });
    const layer = layerForNode(node, name);
    const result = layer.apply(args.length === 1 ? args[0]! : args);
    if (Array.isArray(result) || !(result instanceof tf.SymbolicTensor))
      throw new TypeError(`layer '${name}' did not give one symbolic tensor`);
    outputs.set(node.id, result);
  }
  for (const id of graph.inputs) inputs.push(outputs.get(id)!);
  const modelOutputs = graph.outputs.map((id) => outputs.get(id)!);
  return tf.model({
    name: graph.model,
    inputs,
    outputs: modelOutputs.length === 1 ? modelOutputs[0]! : modelOutputs,
  });
}
