import * as tf from "@tensorflow/tfjs";
import type { IRNode } from "../../compiler/ir/graph.js";
import type { PlanLayer } from "../../compiler/plan/index.js";
import { layerLayout } from "../../compiler/plan/layer-layout.js";
import { CounterDropout } from "../layers/index.js";
import { layerForNode, tfjsLayerName } from "../model/index.js";
import { channelBounds } from "./last-axis.js";
import type { LayerRole } from "./stage-layout.js";

/**
 * One layer as a worker holds it: the tfjs layer (a shard when split) and a split layer's activation, applied
 * to its block when it works channel by channel, after gathering otherwise (softmax).
 */
export interface HeldLayer {
  readonly role: LayerRole;
  readonly layer: tf.layers.Layer | null;
  readonly activation: { readonly layer: tf.layers.Layer; readonly perChannel: boolean } | null;
}

function nodeFor(layer: PlanLayer, attrs: PlanLayer["attrs"]): IRNode {
  // layerForNode reads only the op, name and attrs.
  const node: Pick<IRNode, "id" | "name" | "op" | "attrs" | "inputs" | "dtype" | "hints" | "callSites"> = {
    id: 0,
    name: layer.name,
    op: layer.op,
    attrs,
    inputs: [],
    dtype: layer.dtype,
    hints: [],
    callSites: [],
  };
  return node as IRNode;
}

/** The width of this device's block of the layer's output channels (units). */
export function shardWidth(role: LayerRole): number {
  const full = role.layer.outputShape.at(-1)!;
  const [lo, hi] = channelBounds(full, role.modelDegree, role.modelIndex);
  return hi - lo;
}

/**
 * Builds the layer for `role` (inputs shaped like its producers' outputs): a split dense/conv2d has only its
 * shard's units/filters and a linear activation (softmax must see every channel, so it runs after the gather);
 * dropout is CounterDropout, so masks depend on global rows only.
 */
export function holdLayer(role: LayerRole, inputShapes: readonly (readonly number[])[]): HeldLayer {
  const planLayer = role.layer;
  const name = tfjsLayerName(planLayer.name);
  if (planLayer.op === "input") return { role, layer: null, activation: null };
  let layer: tf.layers.Layer;
  let activation: HeldLayer["activation"] = null;
  if (planLayer.op === "dropout") {
    const rate = planLayer.attrs["rate"];
    layer = new CounterDropout({ name, rate: typeof rate === "number" ? rate : 0 });
  } else if (role.split) {
    const key = layerLayout(planLayer).cut!;
    const act = planLayer.attrs["activation"];
    const attrs = { ...planLayer.attrs, [key]: shardWidth(role), activation: "linear" };
    layer = layerForNode(nodeFor(planLayer, attrs), name);
    if (typeof act === "string" && act !== "linear")
      activation = {
        layer: tf.layers.activation({ name: `${name}_act`, activation: act as "relu" }),
        perChannel: act !== "softmax",
      };
  } else {
    layer = layerForNode(nodeFor(planLayer, planLayer.attrs), name);
  }
  // A channelwise layer sees only its channel block of each input.
  const shapes = inputShapes.map((s) => [
    null,
    ...(role.channelwise ? [...s.slice(0, -1), shardWidth(role)] : s),
  ]);
  layer.build(shapes.length === 1 ? shapes[0]! : shapes);
  layer.built = true;
  return { role, layer, activation };
}
